use crate::context::Context;
use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::model::is_misindented_step;
use crate::rule::{Rule, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Reports a `- step:` (or `- final:`) whose value is empty: nothing after it, `~`, or
    /// `{}`, in a pipeline, a parallel group or a stage.
    ///
    /// When the step's keys stand beside `step:` instead of under it, the mistake is the
    /// indentation, and `struct/step-indentation` reports it instead.
    ///
    /// ## Why is this bad?
    /// Bitbucket rejects the pipeline: "The step section is empty or null." A step needs
    /// at least a `script`.
    ///
    /// ## Example
    /// ```yaml
    /// pipelines:
    ///   default:
    ///     - step:
    ///     - step:
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
    /// Bitbucket's own error message for an empty step, as quoted in a public course lab
    /// (G-LAB, research §3 #4); the ktomk/pipelines emulator rejects it as well (G-KTOMK).
    pub struct EmptyStep {
        id: "struct/empty-step",
        severity: Error,
        summary: "A `step:` with nothing in it",
        fix: false,
    }
}

impl Rule for EmptyStep {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let Some(file) = &cx.file else { return };
        for item in file.items() {
            let Some(map) = item.node.as_mapping() else {
                continue;
            };
            if is_misindented_step(item.node) || item.node.truncated {
                continue;
            }
            for (key, entry) in map.iter() {
                if !matches!(key, "step" | "final") || entry.merged_from.is_some() {
                    continue;
                }
                let value = &entry.value;
                let empty = value.is_null()
                    || value
                        .as_mapping()
                        .is_some_and(|m| m.is_empty() && m.merges.is_empty() && !value.truncated);
                if !empty {
                    continue;
                }
                let mut d = Diagnostic::at(
                    Self::META.id,
                    &entry.key,
                    format!("the `{key}` section is empty or null: the step has nothing to run"),
                );
                if let Some(site) = value.via.first() {
                    d = d.related(
                        *site,
                        format!("its value comes through `{}`", cx.text(*site)),
                    );
                    d = d.related(value.span, "and is empty where the anchor stands");
                }
                out.push(
                    d.help(format!(
                        "write the step's keys indented under `{key}:`, e.g.\n- {key}:\n    script:\n      - make\nor remove the item"
                    )),
                );
            }
        }
    }
}
