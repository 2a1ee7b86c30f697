use crate::context::Context;
use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::rule::{Rule, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Reports a pipeline with more than 100 steps. Every step counts: each step of a
    /// parallel group, each step of a stage, the final step, and steps that come in
    /// through aliases.
    ///
    /// ## Why is this bad?
    /// Bitbucket runs at most 100 steps in one pipeline and rejects a longer one.
    ///
    /// ## Example
    /// ```yaml
    /// definitions:
    ///   steps:
    ///     - step: &test
    ///         script: [make test]
    ///     - parallel: &shards
    ///         - step: *test
    ///         - step: *test
    ///         - step: *test
    ///         - step: *test
    ///         - step: *test
    ///         - step: *test
    ///         - step: *test
    ///         - step: *test
    ///         - step: *test
    ///         - step: *test
    ///         - step: *test
    /// pipelines:
    ///   default:
    ///     - parallel: *shards
    ///     - parallel: *shards
    ///     - parallel: *shards
    ///     - parallel: *shards
    ///     - parallel: *shards
    ///     - parallel: *shards
    ///     - parallel: *shards
    ///     - parallel: *shards
    ///     - parallel: *shards
    ///     - parallel: *shards
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// definitions:
    ///   steps:
    ///     - step: &test
    ///         script: [make test]
    ///     - parallel: &shards
    ///         - step: *test
    ///         - step: *test
    ///         - step: *test
    ///         - step: *test
    ///         - step: *test
    ///         - step: *test
    ///         - step: *test
    ///         - step: *test
    ///         - step: *test
    ///         - step: *test
    /// pipelines:
    ///   default:
    ///     - parallel: *shards
    ///     - parallel: *shards
    ///     - parallel: *shards
    ///     - parallel: *shards
    ///     - parallel: *shards
    ///     - parallel: *shards
    ///     - parallel: *shards
    ///     - parallel: *shards
    ///     - parallel: *shards
    ///     - parallel: *shards
    /// ```
    ///
    /// ## Source
    /// Atlassian, "Step options" (A-STEP), "Parallel step options" (A-PAR) and
    /// "Limitations of Bitbucket Pipelines" (A-LIMITS,
    /// <https://support.atlassian.com/bitbucket-cloud/docs/limitations-of-bitbucket-pipelines/>):
    /// at most 100 steps per pipeline, each step of a parallel group counted.
    pub struct TooManySteps {
        id: "struct/too-many-steps",
        severity: Error,
        summary: "A pipeline with more than 100 steps",
        fix: false,
    }
}

/// The most steps one pipeline may have.
pub const MAX_STEPS: usize = 100;

impl Rule for TooManySteps {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let Some(file) = &cx.file else { return };
        let pipelines = file.pipelines();
        // Steps, and steps in parallel groups, per pipeline.
        let mut counts = vec![(0usize, 0usize); pipelines.len()];
        for step in cx.steps() {
            if let Some(c) = counts.get_mut(step.pipeline) {
                c.0 += 1;
                c.1 += usize::from(step.parallel.is_some());
            }
        }
        for (pipeline, &(count, in_groups)) in pipelines.iter().zip(&counts) {
            if count <= MAX_STEPS {
                continue;
            }
            let detail = if in_groups > 0 {
                format!(" ({in_groups} of them in parallel groups, which count one by one)")
            } else {
                String::new()
            };
            out.push(
                Diagnostic::at(
                    Self::META.id,
                    pipeline.key,
                    format!(
                        "pipeline `{}` has {count} steps{detail}; Bitbucket allows at most {MAX_STEPS}",
                        pipeline.name_str()
                    ),
                )
                .help("split the work into fewer, larger steps, or move part of it into a custom pipeline started from this one (a step with `type: pipeline`)"),
            );
        }
    }
}
