use crate::context::Context;
use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::rule::{Rule, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Reports `condition` on a step inside a stage.
    ///
    /// ## Why is this bad?
    /// A stage runs as a unit: its condition decides for all its steps at once, and its
    /// steps can't have their own. Bitbucket rejects the pipeline.
    ///
    /// ## Example
    /// ```yaml
    /// pipelines:
    ///   default:
    ///     - stage:
    ///         name: Build and test
    ///         steps:
    ///           - step:
    ///               condition:
    ///                 changesets:
    ///                   includePaths: ["src/**"]
    ///               script: [make]
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// pipelines:
    ///   default:
    ///     - stage:
    ///         name: Build and test
    ///         condition:
    ///           changesets:
    ///             includePaths: ["src/**"]
    ///         steps:
    ///           - step:
    ///               script: [make]
    /// ```
    ///
    /// ## Source
    /// Atlassian, "Stage options" (A-STAGE,
    /// <https://support.atlassian.com/bitbucket-cloud/docs/stage-options/>): "All steps
    /// within the stage will have the same condition"; the official schema forbids
    /// `condition` on a stage's steps (G-ATLASCODE).
    pub struct StepCondition {
        id: "stage/step-condition",
        severity: Error,
        summary: "`condition` on a step inside a stage",
        fix: false,
    }
}

impl Rule for StepCondition {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for step in cx.steps() {
            if step.stage.is_none() || step.parallel.is_some() {
                continue;
            }
            let Some(entry) = step.map().and_then(|m| m.entry("condition")) else {
                continue;
            };
            let help = if step.stage.is_some_and(|s| s.get("condition").is_some()) {
                "remove the step's `condition`; the stage already has one, which decides for all its steps"
            } else {
                "move `condition` to the stage (it then decides for all its steps), or move the step out of the stage"
            };
            out.push(
                Diagnostic::at(
                    Self::META.id,
                    &entry.key,
                    "a step inside a stage can't have its own `condition`; put it on the stage",
                )
                .help(help),
            );
        }
    }
}
