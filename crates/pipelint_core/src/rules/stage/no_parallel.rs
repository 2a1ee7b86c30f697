use crate::context::Context;
use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::model::ItemPlace;
use crate::rule::{Rule, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Reports a `parallel` group inside a stage's `steps`.
    ///
    /// ## Why is this bad?
    /// Stages run their steps one after another and can't contain parallel groups.
    /// Bitbucket rejects the pipeline with a message that does not name the cause: "The
    /// step section is empty or null."
    ///
    /// ## Example
    /// ```yaml
    /// pipelines:
    ///   default:
    ///     - stage:
    ///         name: Test
    ///         steps:
    ///           - parallel:
    ///               - step:
    ///                   script: [make unit]
    ///               - step:
    ///                   script: [make e2e]
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// pipelines:
    ///   default:
    ///     - parallel:
    ///         - step:
    ///             script: [make unit]
    ///         - step:
    ///             script: [make e2e]
    /// ```
    ///
    /// ## Source
    /// Bitbucket's message for it, quoted in a public course lab (G-LAB, research §3 #4);
    /// the official schema (G-ATLASCODE); Atlassian, "Stage options" (A-STAGE).
    pub struct NoParallel {
        id: "stage/no-parallel",
        severity: Error,
        summary: "A parallel group inside a stage",
        fix: false,
    }
}

impl Rule for NoParallel {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let Some(file) = &cx.file else { return };
        for item in file.items() {
            if item.place != ItemPlace::Stage {
                continue;
            }
            let Some(entry) = item.node.as_mapping().and_then(|m| m.entry("parallel")) else {
                continue;
            };
            if entry.merged_from.is_some() {
                continue;
            }
            out.push(
                Diagnostic::at(
                    Self::META.id,
                    &entry.key,
                    "a stage can't contain a parallel group (Bitbucket reports \"The step section is empty or null.\")",
                )
                .help("list the steps one by one in the stage, or move the parallel group out of the stage, before or after it"),
            );
        }
    }
}
