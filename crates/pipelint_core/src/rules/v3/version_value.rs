use pipelint_yaml::{Node, Resolved};

use crate::context::Context;
use crate::declare_rule;
use crate::diagnostic::{Diagnostic, Edit, Fix, Severity};
use crate::model::is_template;
use crate::rule::{Rule, RuleMeta};
use crate::rules::runtime::{cloud_runtimes, entry};

declare_rule! {
    /// ## What it does
    /// Checks `runtime.cloud.version` (in `options` or on a step). A value that is not a
    /// runtime version (`"4"`, `v3`, `3.0`, an empty value) is an error. The integer `3`
    /// or `2` is a warning with a safe fix that quotes it (`version: "3"`).
    ///
    /// ## Why is this bad?
    /// Bitbucket knows two cloud runtimes, `"2"` (the default) and `"3"`, and rejects any
    /// other version. Atlassian's own example writes `version: 3` unquoted and Bitbucket
    /// runs it, but Atlassian's published JSON schema (which editors use to check the
    /// file) accepts only the strings `"2"` and `"3"` and marks the integer as an error;
    /// quoting it satisfies both.
    ///
    /// ## Example
    /// ```yaml
    /// options:
    ///   runtime:
    ///     cloud:
    ///       version: v3
    /// pipelines:
    ///   default:
    ///     - step:
    ///         script: [make]
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// options:
    ///   runtime:
    ///     cloud:
    ///       version: "3"
    /// pipelines:
    ///   default:
    ///     - step:
    ///         script: [make]
    /// ```
    ///
    /// ## Source
    /// Atlassian, "Enable and use Runtime v3"
    /// (https://support.atlassian.com/bitbucket-cloud/docs/enable-and-use-runtime-v3/) and
    /// the Runtime v3 announcement (B-V3); the official schema
    /// (`version` is the string "2" or "3").
    pub struct VersionValue {
        id: "v3/version-value",
        severity: Error,
        summary: "A `runtime.cloud.version` that is not \"2\" or \"3\" (integers are warnings)",
        fix: true,
    }
}

impl Rule for VersionValue {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for (cloud, _) in cloud_runtimes(cx) {
            let Some((key, value)) = entry(cloud, "version") else {
                continue;
            };
            if let Some(d) = judge(key, value) {
                out.push(d);
            }
        }
    }
}

fn judge(key: &Node, value: &Node) -> Option<Diagnostic> {
    let id = VersionValue::META.id;
    if value.is_invalid() || is_template(value) {
        return None;
    }
    let help = "write `version: \"3\"` for Runtime v3, or `version: \"2\"` (the default)";
    let Some(s) = value.as_scalar() else {
        return Some(
            Diagnostic::at(
                id,
                value,
                format!(
                    "the runtime `version` must be \"2\" or \"3\", not {}",
                    value.kind_name()
                ),
            )
            .help(help),
        );
    };
    let str_tagged = matches!(
        value.tag.as_deref(),
        Some("!!str" | "tag:yaml.org,2002:str")
    );
    match s.resolve() {
        Resolved::Str("2" | "3") => None,
        _ if str_tagged && matches!(s.value.as_str(), "2" | "3") => None,
        Resolved::Int(n @ (2 | 3)) => Some(
            Diagnostic::at(
                id,
                value,
                format!(
                    "write the runtime version as the string \"{n}\": Atlassian's schema accepts only \"2\" and \"3\" and reports the number {n} as an error"
                ),
            )
            .severity(Severity::Warning)
            .help(format!("quote it: `version: \"{n}\"`"))
            .fix(Fix::safe(
                format!("Quote the version: \"{n}\""),
                vec![Edit::replace(value.span, format!("\"{n}\""))],
            )),
        ),
        Resolved::Null => Some(
            Diagnostic::at(id, key, "the runtime `version` is empty; it must be \"2\" or \"3\"")
                .help(help),
        ),
        _ => {
            let got = s.value.trim();
            let mut d = Diagnostic::at(
                id,
                value,
                format!("the runtime `version` must be \"2\" or \"3\"; got `{got}`"),
            )
            .help(help);
            if let Some(meant) = meant_version(got) {
                d = d.fix(Fix::unsafe_(
                    format!("Write \"{meant}\""),
                    vec![Edit::replace(value.span, format!("\"{meant}\""))],
                ));
            }
            Some(d)
        }
    }
}

/// The version a near miss stands for: `v3`, `3.0`, `V2`, ` 3 `.
fn meant_version(got: &str) -> Option<&'static str> {
    let t = got.trim().trim_start_matches(['v', 'V']);
    let t = t.strip_suffix(".0").unwrap_or(t);
    match t {
        "2" => Some("2"),
        "3" => Some("3"),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use crate::{Applicability, CheckOptions, Selection, Severity, fix};

    fn found(source: &str) -> Vec<crate::Diagnostic> {
        let opts = CheckOptions {
            select: Selection::Only(vec!["v3/version-value".into()]),
            ..CheckOptions::default()
        };
        crate::check(source, &opts).diagnostics
    }

    #[test]
    fn integers_are_quoted_and_others_are_errors() {
        let source = "options:\n  runtime:\n    cloud:\n      version: 3 # v3\npipelines:\n  default:\n    - step:\n        runtime: {cloud: {version: v2}}\n        script: [x]\n    - step:\n        runtime: {cloud: {version: \"3\"}}\n        script: [x]\n";
        let all = found(source);
        assert_eq!(all.len(), 2, "{all:#?}");
        assert_eq!(all[0].severity, Severity::Warning);
        assert_eq!(all[1].severity, Severity::Error);
        let safe = all
            .iter()
            .filter_map(|d| d.fix.as_ref())
            .filter(|f| f.applicability == Applicability::Safe);
        let (fixed, n) = fix::apply(source, safe);
        assert_eq!(n, 1);
        assert!(fixed.contains("      version: \"3\" # v3\n"), "{fixed}");
        let (fixed, n) = fix::apply(source, all.iter().filter_map(|d| d.fix.as_ref()));
        assert_eq!(n, 2);
        assert!(found(&fixed).is_empty(), "{fixed}");
    }

    #[test]
    fn the_schema_pass_does_not_report_it_again() {
        let source = "options:\n  runtime:\n    cloud:\n      version: 4\npipelines:\n  default:\n    - step: {script: [x]}\n";
        let all = crate::check(source, &CheckOptions::default()).diagnostics;
        let at = source.find("4\n").expect("the value");
        let about_version: Vec<_> = all.iter().filter(|d| d.span.start == at).collect();
        assert_eq!(about_version.len(), 1, "{all:#?}");
        assert_eq!(about_version[0].rule, "v3/version-value");
    }
}
