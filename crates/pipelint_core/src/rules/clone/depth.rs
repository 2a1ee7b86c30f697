use pipelint_yaml::{Node, NodeKind, Resolved};

use crate::context::Context;
use crate::declare_rule;
use crate::diagnostic::{Diagnostic, Edit, Fix};
use crate::model::is_template;
use crate::rule::{Rule, RuleMeta};

use super::{global_clone, step_clone};

declare_rule! {
    /// ## What it does
    /// Reports a `clone.depth` (at the top level or on a step) that is neither a positive
    /// whole number of commits nor `full`.
    ///
    /// ## Why is this bad?
    /// Bitbucket rejects the file. A quoted number (`depth: "1"`) is a string, not a
    /// number, and `Full` is not `full`: both are refused as well. A fix is offered for
    /// these two.
    ///
    /// ## Example
    /// ```yaml
    /// clone:
    ///   depth: 0
    /// pipelines:
    ///   default:
    ///     - step:
    ///         script:
    ///           - make
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// clone:
    ///   depth: 1
    /// pipelines:
    ///   default:
    ///     - step:
    ///         script:
    ///           - make
    /// ```
    ///
    /// ## Source
    /// Atlassian, "Git clone behavior"
    /// (https://support.atlassian.com/bitbucket-cloud/docs/git-clone-behavior/); the
    /// official schema (`depth`: an integer of at least 1, or `full`).
    pub struct Depth {
        id: "clone/depth",
        severity: Error,
        summary: "A clone `depth` that is not a positive number or `full`",
        fix: true,
    }
}

impl Rule for Depth {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let clones = global_clone(cx)
            .into_iter()
            .chain(cx.steps().iter().filter_map(step_clone));
        for clone in clones {
            if let Some(depth) = clone.get("depth")
                && let Some(d) = judge(depth)
            {
                out.push(d);
            }
        }
    }
}

/// The finding for a `depth` value, if it is wrong.
fn judge(node: &Node) -> Option<Diagnostic> {
    if is_template(node) || node.is_invalid() || node.truncated {
        return None;
    }
    let id = Depth::META.id;
    let base = "`depth` must be a positive number of commits or `full`";
    let help = "`depth: 1` fetches the last commit only; `depth: full` the whole history";
    let NodeKind::Scalar(s) = &node.kind else {
        return Some(
            Diagnostic::at(id, node, format!("{base}, not {}", node.kind_name())).help(help),
        );
    };
    if s.style.is_quoted() {
        let value = s.value.trim();
        if value.parse::<u32>().is_ok_and(|n| n >= 1) {
            return Some(
                Diagnostic::at(
                    id,
                    node,
                    format!("`depth` must be a number, not the string \"{}\"", s.value),
                )
                .help(format!("remove the quotes: `depth: {value}`"))
                .fix(Fix::safe(
                    "Remove the quotes",
                    vec![Edit::replace(node.span, value.to_owned())],
                )),
            );
        }
        if value == "full" {
            return None;
        }
    }
    match s.resolve() {
        Resolved::Int(n) if n >= 1 => None,
        Resolved::Int(n) => Some(Diagnostic::at(id, node, format!("{base}; got {n}")).help(help)),
        Resolved::Str("full") => None,
        Resolved::Str(other) if other.trim().eq_ignore_ascii_case("full") => Some(
            Diagnostic::at(
                id,
                node,
                format!("`depth` takes `full` in lower case; got `{other}`"),
            )
            .help("write `depth: full`")
            .fix(Fix::safe(
                "Write `full`",
                vec![Edit::replace(node.span, "full")],
            )),
        ),
        Resolved::Str(other) => {
            Some(Diagnostic::at(id, node, format!("{base}; got `{other}`")).help(help))
        }
        Resolved::Float(_) => {
            Some(Diagnostic::at(id, node, format!("{base}; got {}", s.value)).help(help))
        }
        Resolved::Null => Some(Diagnostic::at(id, node, format!("{base}; it is empty")).help(help)),
        Resolved::Bool(_) => {
            Some(Diagnostic::at(id, node, format!("{base}; got `{}`", s.value)).help(help))
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::{CheckOptions, Selection};

    fn found(text: &str) -> Vec<(String, Option<String>)> {
        let opts = CheckOptions {
            select: Selection::Only(vec!["clone/depth".into()]),
            ..CheckOptions::default()
        };
        crate::check(text, &opts)
            .diagnostics
            .into_iter()
            .map(|d| (d.message, d.fix.map(|f| crate::fix::apply(text, [&f]).0)))
            .collect()
    }

    #[test]
    fn each_wrong_depth_once_with_fixes_where_mechanical() {
        let text = "clone:\n  depth: \"5\"\npipelines:\n  default:\n    - step:\n        clone: {depth: Full}\n        script: [make]\n    - step:\n        clone: {depth: -2}\n        script: [make]\n    - step:\n        clone: {depth: full}\n        script: [make]\n    - step:\n        clone: {depth: '${{DEPTH}}'}\n        script: [make]\n";
        let all = found(text);
        assert_eq!(all.len(), 3, "{all:#?}");
        assert_eq!(all[0].0, "`depth` must be a number, not the string \"5\"");
        assert!(
            all[0]
                .1
                .as_deref()
                .is_some_and(|t| t.contains("  depth: 5\n"))
        );
        assert_eq!(all[1].0, "`depth` takes `full` in lower case; got `Full`");
        assert!(
            all[1]
                .1
                .as_deref()
                .is_some_and(|t| t.contains("{depth: full}"))
        );
        assert_eq!(
            all[2].0,
            "`depth` must be a positive number of commits or `full`; got -2"
        );
        assert!(all[2].1.is_none());
    }
}
