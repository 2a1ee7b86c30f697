use pipelint_yaml::{Node, NodeKind, Resolved, Scalar};

use crate::context::Context;
use crate::declare_rule;
use crate::diagnostic::{Diagnostic, Edit, Fix};
use crate::model::is_template;
use crate::rule::{Rule, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Reports a service variable (`definitions.services.<name>.variables.<NAME>`) whose
    /// value is not a string: an unquoted `yes`, `no`, `on`, `off`, `true` or `false`, a
    /// number, an empty value, a list or a mapping. The fix quotes a boolean or a number
    /// as it is written.
    ///
    /// ## Why is this bad?
    /// Service variables become the container's environment, which holds only text.
    /// Bitbucket reads the file as YAML 1.1, where an unquoted `yes` or `on` is a boolean and
    /// `5432` a number, and it rejects a service variable that is not a string.
    ///
    /// ## Example
    /// ```yaml
    /// definitions:
    ///   services:
    ///     mysql:
    ///       image: mysql:8
    ///       variables:
    ///         MYSQL_DATABASE: app
    ///         MYSQL_ALLOW_EMPTY_PASSWORD: yes
    /// pipelines:
    ///   default:
    ///     - step:
    ///         services: [mysql]
    ///         script: [make test]
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// definitions:
    ///   services:
    ///     mysql:
    ///       image: mysql:8
    ///       variables:
    ///         MYSQL_DATABASE: app
    ///         MYSQL_ALLOW_EMPTY_PASSWORD: "yes"
    /// pipelines:
    ///   default:
    ///     - step:
    ///         services: [mysql]
    ///         script: [make test]
    /// ```
    ///
    /// ## Source
    /// Atlassian, "Databases and service containers" (service variables are `NAME: value`
    /// strings); the official schema (`variables` values are strings); ktomk/pipelines, a
    /// local runner that emulates Bitbucket's parser, for the YAML 1.1 reading of `yes`.
    pub struct VariableNotString {
        id: "svc/variable-not-string",
        severity: Error,
        summary: "A service variable whose value is not a string",
        fix: true,
    }
}

impl Rule for VariableNotString {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let Some(services) = cx.file.as_ref().and_then(|f| f.services()) else {
            return;
        };
        for (_, service) in services.iter() {
            let Some(vars) = service.value.get("variables").and_then(Node::as_mapping) else {
                continue;
            };
            for (name, entry) in vars.iter() {
                if let Some(d) = judge(cx, name, &entry.key, &entry.value) {
                    out.push(d);
                }
            }
        }
    }
}

fn judge(cx: &Context<'_>, name: &str, key: &Node, value: &Node) -> Option<Diagnostic> {
    if value.is_invalid() || is_template(value) || is_str_tagged(value) {
        return None;
    }
    let id = VariableNotString::META.id;
    match &value.kind {
        NodeKind::Scalar(s) => {
            let what = if s.is_yaml11_bool() {
                "a boolean"
            } else {
                match s.resolve() {
                    Resolved::Str(_) => return None,
                    Resolved::Null => return Some(empty(cx, name, key, value)),
                    Resolved::Bool(_) => "a boolean",
                    Resolved::Int(_) | Resolved::Float(_) => "a number",
                }
            };
            let quoted = quote(s);
            Some(
                Diagnostic::at(
                    id,
                    value,
                    format!(
                        "Quote `{v}`: service variables must be strings (Bitbucket reads unquoted {v} as {what})",
                        v = s.value
                    ),
                )
                .help(format!("write `{name}: {quoted}`"))
                .fix(Fix::safe(
                    format!("Quote `{}`", s.value),
                    vec![Edit::replace(value.span, quoted)],
                )),
            )
        }
        NodeKind::Sequence(_) | NodeKind::Mapping(_) => Some(
            Diagnostic::at(
                id,
                value,
                format!(
                    "`{name}` is {}: service variables must be strings",
                    value.kind_name()
                ),
            )
            .help(format!(
                "write the value as one string, e.g. `{name}: \"a,b\"`, in the form the service expects"
            )),
        ),
        NodeKind::Invalid => None,
    }
}

/// `NAME:` with nothing after it (or `~`, `null`).
fn empty(cx: &Context<'_>, name: &str, key: &Node, value: &Node) -> Diagnostic {
    let id = VariableNotString::META.id;
    let message = format!("`{name}` has no value: service variables must be strings");
    let help = format!("write `{name}: \"\"` for an empty value, or give it a value");
    if value.span.is_empty() {
        // Nothing is written: point at the name and insert `""` after the colon.
        let colon = cx
            .source
            .get(key.span.end..)
            .and_then(|rest| rest.find(':'))
            .map(|i| key.span.end + i + 1);
        let d = Diagnostic::at(id, key, message).help(help);
        return match colon {
            Some(at) => d.fix(Fix::unsafe_(
                format!("Set `{name}` to an empty string"),
                vec![Edit::insert(at, " \"\"")],
            )),
            _ => d,
        };
    }
    Diagnostic::at(id, value, message)
        .help(help)
        .fix(Fix::unsafe_(
            format!("Set `{name}` to an empty string"),
            vec![Edit::replace(value.span, "\"\"")],
        ))
}

fn quote(s: &Scalar) -> String {
    format!("\"{}\"", s.value.replace('\\', "\\\\").replace('"', "\\\""))
}

/// `!!str 5432` is a string whatever it looks like.
fn is_str_tagged(node: &Node) -> bool {
    matches!(node.tag.as_deref(), Some("!!str" | "tag:yaml.org,2002:str"))
}

#[cfg(test)]
mod tests {
    use super::VariableNotString;
    use crate::context::Context;
    use crate::rule::Rule;
    use crate::{Applicability, Settings, fix};

    #[test]
    fn safe_fixes_quote_booleans_and_numbers() {
        let source = "definitions:\n  services:\n    db:\n      image: mysql\n      variables: {A: yes, B: 3306, C: \"ok\", D: ~, E: [x]}\n";
        let parsed = pipelint_yaml::parse(source, &Default::default());
        let settings = Settings::default();
        let cx = Context::new(source, None, &parsed, &settings);
        let mut out = Vec::new();
        VariableNotString.check(&cx, &mut out);
        assert_eq!(out.len(), 4, "{out:#?}");
        let safe = out
            .iter()
            .filter_map(|d| d.fix.as_ref())
            .filter(|f| f.applicability == Applicability::Safe);
        let (fixed, _) = fix::apply(source, safe);
        assert!(
            fixed.contains("{A: \"yes\", B: \"3306\", C: \"ok\", D: ~, E: [x]}"),
            "{fixed}"
        );
    }
}
