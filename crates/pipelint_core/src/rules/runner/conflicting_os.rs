use crate::context::Context;
use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::rule::{Rule, RuleMeta};

use super::os_labels;

declare_rule! {
    /// ## What it does
    /// Reports a `runs-on` that lists two different system labels of runner kinds:
    /// `linux`, `linux.arm64`, `linux.shell`, `windows`, `macos`.
    ///
    /// ## Why is this bad?
    /// A runner carries the system label of its own kind only, and a step runs on a runner
    /// that has all the labels it lists. No runner has both `windows` and `linux`: the step
    /// waits in the queue until it times out.
    ///
    /// ## Example
    /// ```yaml
    /// pipelines:
    ///   default:
    ///     - step:
    ///         runs-on: [self.hosted, windows, linux]
    ///         script:
    ///           - ./build.ps1
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// pipelines:
    ///   default:
    ///     - step:
    ///         runs-on: [self.hosted, windows]
    ///         script:
    ///           - ./build.ps1
    /// ```
    ///
    /// ## Source
    /// Atlassian Community, "Regarding runner and pipeline"
    /// (https://community.atlassian.com/forums/Bitbucket-questions/Regarding-runner-and-pipeline/qaq-p/3136410):
    /// each runner gets `self.hosted` and the system label of its operating system, which
    /// cannot be removed; Atlassian, "Runners"
    /// (https://support.atlassian.com/bitbucket-cloud/docs/runners/) for the runner kinds.
    pub struct ConflictingOs {
        id: "runner/conflicting-os",
        severity: Error,
        summary: "`runs-on` with the system labels of two kinds of runner",
        fix: false,
    }
}

impl Rule for ConflictingOs {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for step in cx.steps() {
            let labels = os_labels(step);
            let Some((first_node, first)) = labels.first() else {
                continue;
            };
            let Some((node, other)) = labels.iter().find(|(_, s)| s != first) else {
                continue;
            };
            out.push(
                Diagnostic::at(
                    Self::META.id,
                    node,
                    format!("no runner has both `{first}` and `{other}` labels; this step would never start"),
                )
                .related(first_node.span, format!("`{first}` is listed here"))
                .help(format!("keep the system label of the runner this step is for: `{first}` or `{other}`")),
            );
        }
    }
}
