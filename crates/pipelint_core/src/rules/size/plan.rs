use crate::context::Context;
use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::rule::{Rule, RuleMeta};
use crate::settings::Plan as WorkspacePlan;

/// Sizes the Free plan does not include.
const PAID_SIZES: &[&str] = &["4x", "8x", "16x", "32x"];

declare_rule! {
    /// ## What it does
    /// Reports a Bitbucket Cloud step of size 4x or larger (set on the step or under
    /// `options`) when the workspace plan is set to Free. It runs only when the `plan`
    /// setting is given; without it the rule is quiet. Steps on self-hosted runners are not
    /// judged.
    ///
    /// ## Why is this bad?
    /// The 4x and 8x sizes (and the larger ones) are only available on the Standard and
    /// Premium plans; on the Free plan the step cannot run at that size.
    ///
    /// ## Example
    /// ```yaml
    /// # pipelint-settings: plan=free
    /// pipelines:
    ///   default:
    ///     - step:
    ///         size: 4x
    ///         script: [make]
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// # pipelint-settings: plan=free
    /// pipelines:
    ///   default:
    ///     - step:
    ///         size: 2x
    ///         script: [make]
    /// ```
    ///
    /// ## Source
    /// Atlassian, "Limitations of Bitbucket Pipelines"
    /// (https://support.atlassian.com/bitbucket-cloud/docs/limitations-of-bitbucket-pipelines/):
    /// 4x and 8x pipeline sizes are not included in the Free plan.
    pub struct Plan {
        id: "size/plan",
        severity: Warning,
        summary: "A step of size 4x or larger with the plan set to Free",
        fix: false,
    }
}

impl Rule for Plan {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        if cx.settings.plan != Some(WorkspacePlan::Free) {
            return;
        }
        let Some(file) = cx.file.as_ref() else {
            return;
        };
        for step in cx.steps() {
            if step.is_self_hosted() || step.is_child_pipeline() {
                continue;
            }
            let size = step.size(file);
            let Some(node) = size.node else {
                continue;
            };
            if !PAID_SIZES.contains(&size.value) {
                continue;
            }
            out.push(Diagnostic::at(
                Self::META.id,
                node,
                format!(
                    "size `{}` is not available on the Free plan; 4x and larger steps need a Standard or Premium plan",
                    size.value
                ),
            )
            .help("use `size: 2x` (8 GB) at most, or set the `plan` setting if the workspace has a paid plan"));
        }
    }
}
