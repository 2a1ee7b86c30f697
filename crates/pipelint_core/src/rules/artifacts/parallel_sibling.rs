use crate::context::Context;
use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::rule::{Rule, RuleMeta};

use super::{Order, judged_name, order, providers, requested, step_label};

declare_rule! {
    /// ## What it does
    /// Reports a name in the `artifacts.download` list of a step in a parallel group when
    /// only another step of the same group uploads it (no step before the group does).
    ///
    /// ## Why is this bad?
    /// The steps of a parallel group start together. An artifact a sibling uploads may or
    /// may not exist when this step asks for it, so the step sometimes gets the files and
    /// sometimes not: a flaky build. Artifacts of a group are available to the steps after
    /// the group.
    ///
    /// ## Example
    /// ```yaml
    /// pipelines:
    ///   default:
    ///     - parallel:
    ///         - step:
    ///             name: Build
    ///             script: [make build]
    ///             artifacts:
    ///               upload:
    ///                 - name: binaries
    ///                   paths: [bin/**]
    ///         - step:
    ///             name: Package
    ///             script: [make package]
    ///             artifacts:
    ///               download: [binaries]
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// pipelines:
    ///   default:
    ///     - step:
    ///         name: Build
    ///         script: [make build]
    ///         artifacts:
    ///           upload:
    ///             - name: binaries
    ///               paths: [bin/**]
    ///     - step:
    ///         name: Package
    ///         script: [make package]
    ///         artifacts:
    ///           download: [binaries]
    /// ```
    ///
    /// ## Source
    /// Atlassian, "Pipeline artifacts" (https://support.atlassian.com/bitbucket-cloud/docs/use-artifacts-in-steps/):
    /// "Artifacts created in parallel steps may not be accessible to other steps within the
    /// same group of parallel steps. If another step in the parallel group requests the
    /// artifact, it may or may not exist when it's requested"; and "Parallel step options".
    pub struct ParallelSibling {
        id: "artifacts/parallel-sibling",
        severity: Warning,
        summary: "A parallel step downloads an artifact a sibling step uploads",
        fix: false,
    }
}

impl Rule for ParallelSibling {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let steps = cx.steps();
        for (i, step) in steps.iter().enumerate() {
            if step.parallel.is_none() {
                continue;
            }
            for node in requested(step) {
                let Some(name) = judged_name(node) else {
                    continue;
                };
                let found = providers(cx, step.pipeline, name);
                let earlier = found
                    .iter()
                    .any(|p| p.step.is_none_or(|j| order(steps, i, j) == Order::Earlier));
                if earlier {
                    continue;
                }
                let Some((j, sibling)) = found.iter().find_map(|p| {
                    p.step
                        .filter(|&j| order(steps, i, j) == Order::Sibling)
                        .map(|j| (j, p.node))
                }) else {
                    continue;
                };
                out.push(
                    Diagnostic::at(
                        Self::META.id,
                        node,
                        format!(
                            "`{name}` is uploaded by {} in the same parallel group; it may not exist yet when this step starts",
                            step_label(&steps[j])
                        ),
                    )
                    .help("upload it in a step before the parallel group, or move this step after the group")
                    .related(sibling.span, format!("`{name}` is uploaded here")),
                );
            }
        }
    }
}
