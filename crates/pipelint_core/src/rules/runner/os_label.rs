use crate::context::Context;
use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::rule::{Rule, RuleMeta};

use super::{SELF_HOSTED, label_nodes, os_labels};

declare_rule! {
    /// ## What it does
    /// Reports a step whose `runs-on` names `self.hosted` but no system label of a runner
    /// kind: `linux` (Linux Docker), `linux.arm64`, `linux.shell`, `windows` or `macos`.
    ///
    /// ## Why is this bad?
    /// Every self-hosted runner carries `self.hosted` and the system label of its kind, and
    /// Bitbucket matches a step to a runner by its labels. Without the system label the
    /// step may not reach the runner it was written for: a user with an active Windows
    /// runner got "no runner is active" for a step with only `self.hosted`, and the step
    /// ran once `windows` was added.
    ///
    /// ## Example
    /// ```yaml
    /// pipelines:
    ///   default:
    ///     - step:
    ///         runs-on:
    ///           - self.hosted
    ///           - build.farm
    ///         script:
    ///           - make
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// pipelines:
    ///   default:
    ///     - step:
    ///         runs-on:
    ///           - self.hosted
    ///           - linux
    ///           - build.farm
    ///         script:
    ///           - make
    /// ```
    ///
    /// ## Source
    /// Atlassian Community, "Regarding runner and pipeline"
    /// (https://community.atlassian.com/forums/Bitbucket-questions/Regarding-runner-and-pipeline/qaq-p/3136410):
    /// system labels are assigned to each runner and cannot be removed; the examples of
    /// Atlassian, "Git clone behavior" (https://support.atlassian.com/bitbucket-cloud/docs/git-clone-behavior/)
    /// write `self.hosted` with `linux`. That the step may miss its runner rests on that
    /// community report only (third-party evidence), so this is a warning.
    pub struct OsLabel {
        id: "runner/os-label",
        severity: Warning,
        summary: "`runs-on: self.hosted` without the runner's system label (`linux`, `windows`, ...)",
        fix: false,
    }
}

impl Rule for OsLabel {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for step in cx.steps() {
            // A list cut short by a syntax error may hold the system label further on.
            if step.get("runs-on").is_some_and(|n| n.truncated) {
                continue;
            }
            let labels = label_nodes(step);
            let Some((self_hosted, _)) = labels.iter().find(|(_, s)| *s == SELF_HOSTED) else {
                continue;
            };
            if !os_labels(step).is_empty() {
                continue;
            }
            // A label written as a template may be the system label.
            if step
                .get("runs-on")
                .and_then(|n| n.as_sequence())
                .is_some_and(|items| items.iter().any(crate::model::is_template))
            {
                continue;
            }
            out.push(
                Diagnostic::at(
                    Self::META.id,
                    self_hosted,
                    "`runs-on` names `self.hosted` but not the kind of runner: add its system label (`linux`, `linux.arm64`, `linux.shell`, `windows` or `macos`)",
                )
                .help("list the system label of the runner this step is for, e.g.:\nruns-on:\n  - self.hosted\n  - linux"),
            );
        }
    }
}
