use pipelint_yaml::Node;

use crate::context::Context;
use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::model::is_template;
use crate::rule::{Rule, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Reports `trigger: manual` on a step inside a parallel group when more steps follow
    /// the group (a `final` step aside).
    ///
    /// Manual steps are allowed in parallel groups (since December 2020), so the trigger
    /// itself is not the problem: what it does to the rest of the pipeline is. The steps
    /// after the group start only when every step of the group has passed, the manual one
    /// included, so the pipeline waits at the group until someone runs that step.
    ///
    /// ## Why is this bad?
    /// A manual step in a group is usually meant as an option ("deploy to a test
    /// environment if you like"), and the wait it causes for everything after the group is
    /// easy to miss: the build, the tests or the deployment that follow never start on
    /// their own.
    ///
    /// ## Example
    /// ```yaml
    /// pipelines:
    ///   default:
    ///     - parallel:
    ///         - step:
    ///             script: [make test]
    ///         - step:
    ///             name: Deploy a preview
    ///             trigger: manual
    ///             script: [./preview.sh]
    ///     - step:
    ///         script: [make package]
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// pipelines:
    ///   default:
    ///     - parallel:
    ///         - step:
    ///             script: [make test]
    ///         - step:
    ///             script: [make lint]
    ///     - step:
    ///         script: [make package]
    ///     - step:
    ///         name: Deploy a preview
    ///         trigger: manual
    ///         script: [./preview.sh]
    /// ```
    ///
    /// ## Source
    /// The rule catalog's row rests on a third-party source only, the ktomk/pipelines
    /// emulator, which rejects any `trigger` in a parallel step ("Unexpected property
    /// 'trigger' in parallel step", G-KTOMK). Atlassian has since allowed manual steps in
    /// parallel groups and documents the wait: "Manual steps in parallel groups available
    /// for Pipelines" (<https://bitbucket.org/blog/manual-steps-in-parallel-groups-available-for-pipelines>).
    /// This rule therefore only warns about the wait.
    pub struct Trigger {
        id: "parallel/trigger",
        severity: Warning,
        summary: "A manual step in a parallel group that holds up the steps after it",
        fix: false,
    }
}

impl Rule for Trigger {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let Some(file) = &cx.file else { return };
        let pipelines = file.pipelines();
        for group in super::groups(file) {
            // The pipeline list that holds the group.
            let Some(list) = pipelines.get(group.item.pipeline).map(|p| p.items()) else {
                continue;
            };
            let later = list
                .get(group.item.index + 1..)
                .unwrap_or(&[])
                .iter()
                .any(|i| i.get("final").is_none());
            if !later {
                continue;
            }
            for item in group.items {
                let Some(entry) = item
                    .get("step")
                    .and_then(Node::as_mapping)
                    .and_then(|m| m.entry("trigger"))
                else {
                    continue;
                };
                let value = &entry.value;
                if is_template(value) || value.as_str() != Some("manual") {
                    continue;
                }
                out.push(
                    Diagnostic::at(
                        Self::META.id,
                        value,
                        "this manual step holds up the rest of the pipeline: the steps after this parallel group start only once it has been run",
                    )
                    .help("if the step is optional, move it after the pipeline's last step or into a custom pipeline; if the wait is meant, keep it")
                    .related(group.entry.key.site(), "the parallel group"),
                );
            }
        }
    }
}
