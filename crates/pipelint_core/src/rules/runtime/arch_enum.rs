use pipelint_yaml::{Node, Resolved};

use super::{cloud_runtimes, entry};
use crate::context::Context;
use crate::declare_rule;
use crate::diagnostic::{Diagnostic, Edit, Fix};
use crate::model::is_template;
use crate::rule::{Rule, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Reports a `runtime.cloud.arch` (in `options` or on a step) that is not `x86` or
    /// `arm`. Common spellings of the two architectures are corrected: `ARM` or `X86` by a
    /// safe fix, `arm64`, `aarch64`, `amd64` or `x86_64` by an unsafe one.
    ///
    /// ## Why is this bad?
    /// Bitbucket names its two cloud architectures `x86` (the default) and `arm` and
    /// rejects any other value, including the names Docker and Linux use for them.
    ///
    /// ## Example
    /// ```yaml
    /// pipelines:
    ///   default:
    ///     - step:
    ///         runtime:
    ///           cloud:
    ///             version: "3"
    ///             arch: arm64
    ///         script: [make]
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// pipelines:
    ///   default:
    ///     - step:
    ///         runtime:
    ///           cloud:
    ///             version: "3"
    ///             arch: arm
    ///         script: [make]
    /// ```
    ///
    /// ## Source
    /// Atlassian, "Enable and use Runtime v3"
    /// (https://support.atlassian.com/bitbucket-cloud/docs/enable-and-use-runtime-v3/); the
    /// official schema (`arch` is `x86` or `arm`).
    pub struct ArchEnum {
        id: "runtime/arch-enum",
        severity: Error,
        summary: "A `runtime.cloud.arch` other than `x86` or `arm`",
        fix: true,
    }
}

impl Rule for ArchEnum {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for (cloud, _) in cloud_runtimes(cx) {
            let Some((key, value)) = entry(cloud, "arch") else {
                continue;
            };
            if let Some(d) = judge(key, value) {
                out.push(d);
            }
        }
    }
}

fn judge(key: &Node, value: &Node) -> Option<Diagnostic> {
    let id = ArchEnum::META.id;
    if value.is_invalid() || is_template(value) {
        return None;
    }
    let help = "write `arch: x86` (the default) or `arch: arm`";
    let Some(s) = value.as_scalar() else {
        return Some(
            Diagnostic::at(
                id,
                value,
                format!("`arch` must be `x86` or `arm`, not {}", value.kind_name()),
            )
            .help(help),
        );
    };
    if matches!(s.resolve(), Resolved::Null) {
        return Some(
            Diagnostic::at(id, key, "`arch` is empty; it must be `x86` or `arm`").help(help),
        );
    }
    let got = s.value.as_str();
    if matches!(got, "x86" | "arm") {
        return None;
    }
    let mut d = Diagnostic::at(
        id,
        value,
        format!("`arch` must be `x86` or `arm`; got `{got}`"),
    );
    d = match meant(got) {
        Some((arch, same_name)) => {
            let edit = vec![Edit::replace(value.span, arch)];
            let fix = if same_name {
                Fix::safe(format!("Write `{arch}`"), edit)
            } else {
                Fix::unsafe_(format!("Write `{arch}`"), edit)
            };
            d.help(format!(
                "Bitbucket calls this architecture `{arch}`: `arch: {arch}`"
            ))
            .fix(fix)
        }
        None => d.help(help),
    };
    Some(d)
}

/// The architecture another spelling stands for, and whether it is the same name in
/// another case.
fn meant(got: &str) -> Option<(&'static str, bool)> {
    let lower = got.trim().to_ascii_lowercase();
    match lower.as_str() {
        "arm" => Some(("arm", true)),
        "x86" => Some(("x86", true)),
        "arm64" | "aarch64" | "armv8" | "arm64v8" | "linux/arm64" => Some(("arm", false)),
        "amd64" | "x86_64" | "x86-64" | "x64" | "linux/amd64" => Some(("x86", false)),
        _ => None,
    }
}
