use pipelint_yaml::{Node, NodeKind};

use crate::context::Context;
use crate::declare_rule;
use crate::diagnostic::{Diagnostic, Edit, Fix};
use crate::model::{is_template, item_lines};
use crate::rule::{Rule, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Reports an empty `script` or `after-script` (`script:` with nothing after it, or
    /// `script: []`), and an empty command in one: a `-` with nothing after it, `""`, or a
    /// string of spaces.
    ///
    /// The fix removes an empty command written on a line of its own, when the list has
    /// other commands.
    ///
    /// ## Why is this bad?
    /// Bitbucket rejects the file: "Missing or empty command string. Each item in this
    /// list should either be a single command string or a map defining a pipe invocation."
    /// An empty item often comes from a stray `-` or from a command that lost its text when
    /// lines were moved around.
    ///
    /// ## Example
    /// ```yaml
    /// pipelines:
    ///   default:
    ///     - step:
    ///         script:
    ///           - npm ci
    ///           -
    ///           - npm test
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// pipelines:
    ///   default:
    ///     - step:
    ///         script:
    ///           - npm ci
    ///           - npm test
    /// ```
    ///
    /// ## Source
    /// Bitbucket's error message, quoted by Atlassian staff in the community answer
    /// "YAML anchors not working as documented" (C-ANCHOR); the official schema requires
    /// at least one item in `script` (G-ATLASCODE).
    pub struct ScriptEmpty {
        id: "step/script-empty",
        severity: Error,
        summary: "An empty `script`, or an empty command in it",
        fix: true,
    }
}

impl Rule for ScriptEmpty {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for step in cx.steps() {
            let Some(map) = step.map() else { continue };
            for key in ["script", "after-script"] {
                let Some(entry) = map.entry(key) else {
                    continue;
                };
                let list = &entry.value;
                if list.truncated {
                    continue;
                }
                match &list.kind {
                    NodeKind::Scalar(_) if list.is_null() => out.push(
                        Diagnostic::at(
                            Self::META.id,
                            &entry.key,
                            format!("`{key}` is empty; it needs at least one command"),
                        )
                        .help(format!(
                            "list the commands under `{key}:`, one per line starting with `- `{}",
                            if key == "after-script" {
                                ", or remove the empty `after-script:`"
                            } else {
                                ""
                            }
                        )),
                    ),
                    NodeKind::Sequence(items) if items.is_empty() => out.push(
                        Diagnostic::at(
                            Self::META.id,
                            list,
                            format!("`{key}` is an empty list; it needs at least one command"),
                        )
                        .help(format!(
                            "list the commands under `{key}:`, e.g. `{key}: [make]`"
                        )),
                    ),
                    NodeKind::Sequence(items) => {
                        let filled = items.iter().filter(|i| !is_empty_command(i)).count();
                        for item in items.iter().filter(|i| is_empty_command(i)) {
                            let mut d = Diagnostic::at(
                                Self::META.id,
                                item,
                                format!("empty command in `{key}`: Bitbucket says \"Missing or empty command string\""),
                            )
                            .help("write the command after the `- `, or remove the empty item");
                            if filled > 0
                                && let Some(span) = item_lines(cx.source, item)
                            {
                                d = d.fix(Fix::safe(
                                    "Remove the empty item",
                                    vec![Edit::delete(span)],
                                ));
                            }
                            out.push(d);
                        }
                    }
                    _ => {}
                }
            }
        }
    }
}

/// `-` alone, `""`, or only spaces.
fn is_empty_command(node: &Node) -> bool {
    // The cheap test first: most items are not empty.
    node.as_scalar()
        .is_some_and(|s| node.is_null() || s.value.trim().is_empty())
        && !is_template(node)
}

#[cfg(test)]
mod tests {

    fn run(text: &str) -> Vec<crate::Diagnostic> {
        crate::check_only("step/script-empty", text)
    }

    #[test]
    fn empty_lists_and_items() {
        let text = "pipelines:\n  default:\n    - step:\n        script:\n    - step:\n        script: []\n        after-script:\n    - step:\n        script:\n          - make\n          -\n          - \"  \"\n          - ''\n          - make test\n";
        let found = run(text);
        assert_eq!(found.len(), 6, "{found:#?}");
        let fixes: Vec<_> = found.iter().filter_map(|d| d.fix.as_ref()).collect();
        let (fixed, n) = crate::fix::apply(text, fixes);
        assert_eq!(n, 3);
        assert!(fixed.ends_with("        script:\n          - make\n          - make test\n"));
    }

    #[test]
    fn the_only_item_is_not_removed() {
        let text = "pipelines:\n  default:\n    - step:\n        script:\n          -\n";
        let found = run(text);
        assert_eq!(found.len(), 1);
        assert!(found[0].fix.is_none());
    }
}
