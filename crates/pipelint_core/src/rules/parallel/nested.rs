use crate::context::Context;
use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::model::ItemPlace;
use crate::rule::{Rule, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Reports a `parallel` or `stage` item inside a parallel group.
    ///
    /// A `final` item there is `final/placement`'s to report; any other key,
    /// `struct/bad-item`'s.
    ///
    /// ## Why is this bad?
    /// A parallel group holds steps only; Bitbucket rejects a group nested in another
    /// group, or a stage in a group. Steps of one group already run at the same time, so
    /// an inner group adds nothing: its steps belong in the outer list.
    ///
    /// ## Example
    /// ```yaml
    /// pipelines:
    ///   default:
    ///     - parallel:
    ///         - step:
    ///             script: [make lint]
    ///         - parallel:
    ///             - step:
    ///                 script: [make unit]
    ///             - step:
    ///                 script: [make e2e]
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// pipelines:
    ///   default:
    ///     - parallel:
    ///         - step:
    ///             script: [make lint]
    ///         - step:
    ///             script: [make unit]
    ///         - step:
    ///             script: [make e2e]
    /// ```
    ///
    /// ## Source
    /// The official schema (G-ATLASCODE): the items of a parallel group are steps; the
    /// ktomk/pipelines emulator (G-KTOMK); Atlassian, "Parallel step options" (A-PAR).
    pub struct Nested {
        id: "parallel/nested",
        severity: Error,
        summary: "A parallel group or a stage inside a parallel group",
        fix: false,
    }
}

impl Rule for Nested {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let Some(file) = &cx.file else { return };
        for item in file.items() {
            if item.place != ItemPlace::Parallel {
                continue;
            }
            let Some(map) = item.node.as_mapping() else {
                continue;
            };
            for (key, entry) in map.iter() {
                if !matches!(key, "parallel" | "stage") || entry.merged_from.is_some() {
                    continue;
                }
                let (message, help) = if key == "parallel" {
                    (
                        "a parallel group can only contain steps, not another `parallel`",
                        "move the inner group's steps into the outer group's list; they all run at the same time",
                    )
                } else {
                    (
                        "a parallel group can only contain steps, not a `stage`",
                        "move the stage out of the parallel group, before or after it",
                    )
                };
                out.push(Diagnostic::at(Self::META.id, &entry.key, message).help(help));
            }
        }
    }
}
