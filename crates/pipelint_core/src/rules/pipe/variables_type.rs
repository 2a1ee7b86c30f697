use pipelint_yaml::{Node, NodeKind, Resolved};

use super::pipe_items;
use crate::context::Context;
use crate::declare_rule;
use crate::diagnostic::{Diagnostic, Edit, Fix};
use crate::model::is_template;
use crate::rule::{Rule, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Reports a pipe variable whose value is not a string or a list of strings: an
    /// unquoted `true`, `yes` or number, an empty value, a mapping, or a list item that is
    /// not a string. The fix quotes a boolean or a number as it is written.
    ///
    /// ## Why is this bad?
    /// Pipe variables become environment variables of the pipe's container, which hold
    /// only text. Bitbucket reads the file as YAML 1.1, where an unquoted `true`, `yes` or
    /// `8080` is not a string, and rejects the pipe. Quoting keeps the value exactly as
    /// written (`"true"`).
    ///
    /// ## Example
    /// ```yaml
    /// pipelines:
    ///   default:
    ///     - step:
    ///         script:
    ///           - pipe: atlassian/aws-s3-deploy:1.6.0
    ///             variables:
    ///               S3_BUCKET: my-site
    ///               LOCAL_PATH: dist
    ///               DEBUG: true
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// pipelines:
    ///   default:
    ///     - step:
    ///         script:
    ///           - pipe: atlassian/aws-s3-deploy:1.6.0
    ///             variables:
    ///               S3_BUCKET: my-site
    ///               LOCAL_PATH: dist
    ///               DEBUG: "true"
    /// ```
    ///
    /// ## Source
    /// Atlassian, "What are pipes"
    /// (https://support.atlassian.com/bitbucket-cloud/docs/what-are-pipes/); the official
    /// schema (a pipe variable is a string or a list of strings).
    pub struct VariablesType {
        id: "pipe/variables-type",
        severity: Error,
        summary: "A pipe variable that is not a string or a list of strings",
        fix: true,
    }
}

impl Rule for VariablesType {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for item in pipe_items(cx) {
            let Some(vars) = item.get("variables").and_then(Node::as_mapping) else {
                continue;
            };
            for (name, entry) in vars.iter() {
                match &entry.value.kind {
                    NodeKind::Sequence(items) => {
                        for value in items {
                            if let Some(d) = judge(name, &entry.key, value, true) {
                                out.push(d);
                            }
                        }
                    }
                    _ => {
                        if let Some(d) = judge(name, &entry.key, &entry.value, false) {
                            out.push(d);
                        }
                    }
                }
            }
        }
    }
}

fn judge(name: &str, key: &Node, value: &Node, in_list: bool) -> Option<Diagnostic> {
    let id = VariablesType::META.id;
    if value.is_invalid() || is_template(value) || is_str_tagged(value) {
        return None;
    }
    let subject = if in_list {
        format!("an item of pipe variable `{name}`")
    } else {
        format!("pipe variable `{name}`")
    };
    let want = if in_list {
        "must be a string"
    } else {
        "must be a string or a list of strings"
    };
    let Some(s) = value.as_scalar() else {
        return Some(
            Diagnostic::at(id, value, format!("{subject} {want}, not {}", value.kind_name()))
                .help(format!(
                    "write the value as one string, e.g. `{name}: \"a,b\"`, in the form the pipe expects"
                )),
        );
    };
    let what = if s.is_yaml11_bool() {
        "a boolean"
    } else {
        match s.resolve() {
            Resolved::Str(_) => return None,
            Resolved::Null => {
                // `NAME:` with nothing written: point at the name.
                let at = if value.span.is_empty() { key } else { value };
                return Some(
                    Diagnostic::at(id, at, format!("{subject} is empty; it {want}")).help(format!(
                        "write `{name}: \"\"` for an empty value, or remove it"
                    )),
                );
            }
            Resolved::Bool(_) => "a boolean",
            Resolved::Int(_) | Resolved::Float(_) => "a number",
        }
    };
    let quoted = format!("\"{}\"", s.value.replace('\\', "\\\\").replace('"', "\\\""));
    let help = if in_list {
        format!("quote it: `{quoted}`")
    } else {
        format!("quote it: `{name}: {quoted}`")
    };
    Some(
        Diagnostic::at(
            id,
            value,
            format!(
                "{subject} {want}; unquoted `{}` is {what} in Bitbucket's YAML",
                s.value
            ),
        )
        .help(help)
        .fix(Fix::safe(
            format!("Quote `{}`", s.value),
            vec![Edit::replace(value.span, quoted)],
        )),
    )
}

fn is_str_tagged(node: &Node) -> bool {
    matches!(node.tag.as_deref(), Some("!!str" | "tag:yaml.org,2002:str"))
}

#[cfg(test)]
mod tests {
    use crate::{Applicability, CheckOptions, Selection, fix};

    #[test]
    fn values_are_quoted_as_written() {
        let source = "pipelines:\n  default:\n    - step:\n        script:\n          - pipe: atlassian/x:1.0.0\n            variables:\n              DEBUG: yes # verbose\n              PORT: 8080\n              TAGS: [a, 1.5]\n              OK: \"x\"\n";
        let opts = CheckOptions {
            select: Selection::Only(vec!["pipe/variables-type".into()]),
            ..CheckOptions::default()
        };
        let found = crate::check(source, &opts).diagnostics;
        assert_eq!(found.len(), 3, "{found:#?}");
        let safe = found
            .iter()
            .filter_map(|d| d.fix.as_ref())
            .filter(|f| f.applicability == Applicability::Safe);
        let (fixed, n) = fix::apply(source, safe);
        assert_eq!(n, 3);
        assert!(fixed.contains("DEBUG: \"yes\" # verbose\n"), "{fixed}");
        assert!(fixed.contains("PORT: \"8080\"\n"), "{fixed}");
        assert!(fixed.contains("TAGS: [a, \"1.5\"]\n"), "{fixed}");
        assert!(crate::check(&fixed, &opts).diagnostics.is_empty());
    }
}
