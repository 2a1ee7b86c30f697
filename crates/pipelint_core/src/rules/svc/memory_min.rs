use pipelint_yaml::{Node, Resolved};

use crate::context::Context;
use crate::declare_rule;
use crate::diagnostic::{Diagnostic, Edit, Fix};
use crate::model::{DEFAULT_SERVICE_MEMORY_MB, is_template};
use crate::rule::{Rule, RuleMeta};

/// The least memory a service may ask for, in MB.
const MIN_MB: i64 = 128;

declare_rule! {
    /// ## What it does
    /// Reports a service definition whose `memory` is below 128 MB, or is not a whole
    /// number of megabytes: a quoted number (`"512"`, fixed safely by removing the quotes),
    /// a size with a unit (`1GB`, `512M`; an unsafe fix writes it in MB), a fraction or an
    /// empty value.
    ///
    /// ## Why is this bad?
    /// `memory` is the service container's memory in MB, an integer of at least 128.
    /// Bitbucket rejects smaller values and values of another type. Without `memory` a
    /// service gets 1024 MB.
    ///
    /// ## Example
    /// ```yaml
    /// definitions:
    ///   services:
    ///     redis:
    ///       image: redis:7
    ///       memory: 64
    /// pipelines:
    ///   default:
    ///     - step:
    ///         services: [redis]
    ///         script: [make test]
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// definitions:
    ///   services:
    ///     redis:
    ///       image: redis:7
    ///       memory: 128
    /// pipelines:
    ///   default:
    ///     - step:
    ///         services: [redis]
    ///         script: [make test]
    /// ```
    ///
    /// ## Source
    /// Atlassian, "Databases and service containers"
    /// (https://support.atlassian.com/bitbucket-cloud/docs/databases-and-service-containers/);
    /// the official schema (`memory` is an integer, minimum 128).
    pub struct MemoryMin {
        id: "svc/memory-min",
        severity: Error,
        summary: "A service `memory` below 128 MB or not a whole number of MB",
        fix: true,
    }
}

impl Rule for MemoryMin {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let Some(services) = cx.file.as_ref().and_then(|f| f.services()) else {
            return;
        };
        for (name, service) in services.iter() {
            let Some(entry) = service.value.as_mapping().and_then(|m| m.entry("memory")) else {
                continue;
            };
            if let Some(d) = judge(name, &entry.key, &entry.value) {
                out.push(d);
            }
        }
    }
}

fn judge(name: &str, key: &Node, value: &Node) -> Option<Diagnostic> {
    let id = MemoryMin::META.id;
    if value.is_invalid() || is_template(value) {
        return None;
    }
    let default_note = format!("without `memory` a service gets {DEFAULT_SERVICE_MEMORY_MB} MB");
    let Some(s) = value.as_scalar() else {
        return Some(
            Diagnostic::at(
                id,
                value,
                format!(
                    "service `{name}` has a `memory` that is {}; it must be a number of MB",
                    value.kind_name()
                ),
            )
            .help(format!(
                "write the MB as one number, e.g. `memory: 2048`; {default_note}"
            )),
        );
    };
    // `!!str 512` is a string whatever it looks like.
    let str_tagged = matches!(
        value.tag.as_deref(),
        Some("!!str" | "tag:yaml.org,2002:str")
    );
    let resolved = if str_tagged {
        Resolved::Str(&s.value)
    } else {
        s.resolve()
    };
    match resolved {
        Resolved::Int(mb) if mb >= MIN_MB => None,
        Resolved::Int(mb) => Some(
            Diagnostic::at(
                id,
                value,
                format!("service `{name}` has `memory: {mb}`; a service needs at least {MIN_MB} MB"),
            )
            .help(format!("set `memory: {MIN_MB}` or more; {default_note}")),
        ),
        Resolved::Null => Some(
            Diagnostic::at(id, key, format!("service `{name}` has an empty `memory`"))
                .help(format!("write the MB as a number, e.g. `memory: 2048`, or remove the key; {default_note}")),
        ),
        _ => {
            let got = s.value.trim();
            let quoted = s.style.is_quoted() || str_tagged;
            if let Some(mb) = got.parse::<i64>().ok().filter(|_| quoted) {
                let d = Diagnostic::at(
                    id,
                    value,
                    format!("service `{name}` has `memory` as the string \"{got}\"; it must be a number"),
                )
                .help(format!("write it without quotes: `memory: {mb}`"));
                return Some(if s.style.is_quoted() {
                    d.fix(Fix::safe(
                        "Write it as a number",
                        vec![Edit::replace(value.span, mb.to_string())],
                    ))
                } else {
                    d
                });
            }
            let mut d = Diagnostic::at(
                id,
                value,
                format!("service `{name}` has `memory: {got}`; it must be a whole number of MB"),
            );
            match in_mb(got) {
                Some(mb) => {
                    d = d.help(format!("write it in MB: `memory: {mb}`")).fix(Fix::unsafe_(
                        format!("Write {mb} (MB)"),
                        vec![Edit::replace(value.span, mb.to_string())],
                    ));
                }
                None => d = d.help(format!("write the MB as a number, e.g. `memory: 2048`; {default_note}")),
            }
            Some(d)
        }
    }
}

/// A size with a unit in MB: `1GB`, `1g`, `1Gi`, `512M`, `512MB`, `2048Mi`.
fn in_mb(text: &str) -> Option<u64> {
    let t = text.trim();
    let digits = t.find(|c: char| !c.is_ascii_digit())?;
    let (number, unit) = t.split_at(digits);
    let n: u64 = number.parse().ok()?;
    match unit.trim().to_ascii_lowercase().as_str() {
        "m" | "mb" | "mi" | "mib" => Some(n),
        "g" | "gb" | "gi" | "gib" => n.checked_mul(1024),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::in_mb;

    #[test]
    fn sizes_with_units() {
        assert_eq!(in_mb("1GB"), Some(1024));
        assert_eq!(in_mb("2g"), Some(2048));
        assert_eq!(in_mb("512Mi"), Some(512));
        assert_eq!(in_mb("1.5G"), None);
        assert_eq!(in_mb("512"), None);
        assert_eq!(in_mb("lots"), None);
    }
}
