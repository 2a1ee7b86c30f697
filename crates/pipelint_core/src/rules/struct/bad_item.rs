use crate::context::Context;
use crate::declare_rule;
use crate::diagnostic::{Diagnostic, Edit, Fix};
use crate::model::{ItemPlace, is_misindented_step};
use crate::rule::{Rule, RuleMeta};
use crate::suggest;

declare_rule! {
    /// ## What it does
    /// Reports a pipeline list item that is not one of `step`, `parallel`, `stage` or
    /// `final` (or `variables` at the top of a custom pipeline), or that holds more than
    /// one of them. Inside a parallel group or a stage, items are `step`s.
    ///
    /// ## Why is this bad?
    /// Bitbucket rejects the pipeline. A typo such as `- steps:` or `- Step:` is a common
    /// cause.
    ///
    /// ## Example
    /// ```yaml
    /// pipelines:
    ///   default:
    ///     - steps:
    ///         script: [make]
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// pipelines:
    ///   default:
    ///     - step:
    ///         script: [make]
    /// ```
    ///
    /// ## Source
    /// The official schema (pipeline items are exactly one of step, parallel, stage);
    /// Atlassian's "Final steps" announcement for `final`; the ktomk/pipelines emulator's
    /// item parser.
    pub struct BadItem {
        id: "struct/bad-item",
        severity: Error,
        summary: "A pipeline item that is not step, parallel, stage or final",
        fix: true,
    }
}

const TOP: &[&str] = &["step", "parallel", "stage", "final", "variables"];

impl Rule for BadItem {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let Some(file) = &cx.file else { return };
        for item in file.items() {
            let Some(map) = item.node.as_mapping() else {
                if !item.node.is_null() && !item.node.is_invalid() {
                    out.push(
                        Diagnostic::at(
                            Self::META.id,
                            item.node,
                            format!("a pipeline item must be `step`, `parallel`, `stage` or `final`, not {}", item.node.kind_name()),
                        )
                        .help("write the item as `- step:` with the step's keys indented under it"),
                    );
                }
                continue;
            };
            if is_misindented_step(item.node) || item.node.truncated {
                continue;
            }
            // Inside groups, some other item kinds have rules of their own
            // (`parallel/nested`, `stage/no-parallel`, `final/placement`); the rest
            // (`variables`, a stage in a stage) are reported here.
            let allowed: &[&str] = match item.place {
                ItemPlace::Pipeline => TOP,
                ItemPlace::Parallel => &["step", "parallel", "stage", "final"],
                ItemPlace::Stage => &["step", "parallel", "final"],
            };
            let expected = match item.place {
                ItemPlace::Pipeline => "`step`, `parallel`, `stage` or `final`",
                ItemPlace::Parallel => "`step` (inside a parallel group)",
                ItemPlace::Stage => "`step` (inside a stage)",
            };
            for (key, entry) in map.iter() {
                if allowed.contains(&key) || entry.merged_from.is_some() {
                    continue;
                }
                let mut d = Diagnostic::at(
                    Self::META.id,
                    &entry.key,
                    format!("expected {expected}, got `{key}`"),
                );
                if let Some(best) = suggest::closest(key, ["step", "parallel", "stage", "final"])
                    && !map.contains_key(best)
                {
                    d = d.help(format!("did you mean `{best}`?")).fix(Fix::safe(
                        format!("Rename `{key}` to `{best}`"),
                        vec![Edit::replace(entry.key.span, best)],
                    ));
                }
                out.push(d);
            }
            let kinds: Vec<&str> = map
                .iter()
                .map(|(k, _)| k)
                .filter(|k| TOP.contains(k))
                .collect();
            if kinds.len() > 1 {
                out.push(
                    Diagnostic::at(
                        Self::META.id,
                        item.node,
                        format!(
                            "one list item holds {}; each item takes exactly one",
                            kinds
                                .iter()
                                .map(|k| format!("`{k}`"))
                                .collect::<Vec<_>>()
                                .join(" and ")
                        ),
                    )
                    .help("start each of them on its own line with `- `"),
                );
            }
        }
    }
}
