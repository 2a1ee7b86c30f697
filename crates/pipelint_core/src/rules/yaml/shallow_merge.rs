use pipelint_yaml::{Merge, Node, NodeKind, Span};

use crate::context::Context;
use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::rule::{Rule, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Reports a key written next to a merge key (`<<: *base`) that hides a mapping or a
    /// list the merged anchor has under the same key: the written value replaces the
    /// anchored one whole, it is not merged into it.
    ///
    /// ## Why is this bad?
    /// Merge keys are shallow. A step that merges `*base` and writes its own `caches:`
    /// loses every cache of `*base`; one that writes `script:` runs only its own commands.
    /// That is often what was meant, but when it is not, the missing entries fail the
    /// build much later (an Atlassian staff answer traces "Missing or empty command string"
    /// to exactly this).
    ///
    /// ## Example
    /// ```yaml
    /// definitions:
    ///   steps:
    ///     - step: &base
    ///         image: node:20
    ///         caches: [node]
    ///         script: [npm ci, npm test]
    /// pipelines:
    ///   default:
    ///     - step:
    ///         <<: *base
    ///         caches: [cypress]
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// definitions:
    ///   steps:
    ///     - step: &base
    ///         image: node:20
    ///         caches: [node]
    ///         script: [npm ci, npm test]
    /// pipelines:
    ///   default:
    ///     - step:
    ///         <<: *base
    ///         name: With the Cypress cache
    /// ```
    ///
    /// When the override is meant, nothing needs changing: this rule is for information.
    /// To keep both, list every entry in the override (`caches: [node, cypress]`).
    ///
    /// ## Source
    /// Atlassian community answer "YAML anchors not working as documented" (C-ANCHOR):
    /// an override replaces the whole nested value; Atlassian, "YAML anchors" (A-ANCHOR).
    pub struct ShallowMerge {
        id: "yaml/shallow-merge",
        severity: Info,
        summary: "A key next to `<<:` that replaces a whole anchored mapping or list",
        fix: false,
    }
}

impl Rule for ShallowMerge {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let Some(root) = cx.root else { return };
        // Copies of one mapping (through aliases) share their spans: judge each once.
        let mut done: Vec<Span> = Vec::new();
        root.walk(&mut |node: &Node| {
            let NodeKind::Mapping(map) = &node.kind else {
                return;
            };
            for merge in &map.merges {
                for o in &merge.overrides {
                    if done.contains(&o.key_span) {
                        continue;
                    }
                    let what = match &o.merged_value.kind {
                        NodeKind::Mapping(_) => "mapping",
                        NodeKind::Sequence(_) => "list",
                        _ => continue,
                    };
                    done.push(o.key_span);
                    let source = source_of(cx, merge, &o.merged_value)
                        .map_or_else(|| "the merged anchor".to_owned(), |s| format!("`{s}`"));
                    out.push(
                        Diagnostic::new(
                            Self::META.id,
                            o.key_span,
                            format!(
                                "merge keys are shallow: this `{}` replaces the whole {what} from {source}, it is not merged with it",
                                o.key
                            ),
                        )
                        .related(o.merged_value.span, format!("the {what} it replaces"))
                        .help(format!(
                            "if the entries from {source} are still needed, repeat them in this `{}`",
                            o.key
                        )),
                    );
                }
            }
        });
    }
}

/// The alias (`*base`) of the merge source whose anchored text holds `value`.
fn source_of<'a>(cx: &Context<'a>, merge: &Merge, value: &Node) -> Option<&'a str> {
    merge
        .sources
        .iter()
        .find(|site| {
            cx.parsed.aliases.iter().any(|a| {
                a.span == **site
                    && a.anchor
                        .and_then(|i| cx.parsed.anchors.get(i))
                        .is_some_and(|anchor| anchor.node_span.contains_span(value.span))
            })
        })
        .or(merge.sources.first().filter(|_| merge.sources.len() == 1))
        .map(|site| cx.text(*site))
        .filter(|t| t.starts_with('*'))
}

#[cfg(test)]
mod tests {

    fn run(text: &str) -> Vec<crate::Diagnostic> {
        crate::check_only("yaml/shallow-merge", text)
    }

    #[test]
    fn reports_hidden_collections_once() {
        let text = "definitions:\n  steps:\n    - step: &base\n        name: base\n        caches: [node]\n        script: [make]\n        services: [docker]\n    - step: &deploy\n        <<: *base\n        name: deploy\n        script: [make deploy]\npipelines:\n  default:\n    - step: *deploy\n    - step: *deploy\n";
        let found = run(text);
        assert_eq!(found.len(), 1, "{found:#?}");
        assert_eq!(&text[found[0].span.range()], "script");
        assert_eq!(
            found[0].message,
            "merge keys are shallow: this `script` replaces the whole list from `*base`, it is not merged with it"
        );
    }

    #[test]
    fn several_sources() {
        let text =
            "a: &a {x: [1], y: 1}\nb: &b {z: {k: v}}\nc:\n  <<: [*a, *b]\n  z: {k: w}\n  y: 2\n";
        let found = run(text);
        assert_eq!(found.len(), 1, "{found:#?}");
        assert!(found[0].message.contains("mapping from `*b`"));
    }
}
