use super::{cloud_runtimes, entry};
use crate::context::Context;
use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::rule::{Rule, RuleMeta};
use crate::settings::Plan;

declare_rule! {
    /// ## What it does
    /// Reports `arch: arm` (in `options.runtime.cloud` or on a step) when the workspace
    /// plan is set to Free. It runs only when the `plan` setting is given; without it the
    /// rule is quiet.
    ///
    /// ## Why is this bad?
    /// ARM cloud steps are a feature of the paid plans; on the Free plan the step cannot
    /// run as configured.
    ///
    /// ## Example
    /// ```yaml
    /// # pipelint-settings: plan=free
    /// pipelines:
    ///   default:
    ///     - step:
    ///         runtime:
    ///           cloud:
    ///             version: "3"
    ///             arch: arm
    ///         script: [make]
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// # pipelint-settings: plan=free
    /// pipelines:
    ///   default:
    ///     - step:
    ///         runtime:
    ///           cloud:
    ///             version: "3"
    ///         script: [make]
    /// ```
    ///
    /// ## Source
    /// Third-party sources only: the typed model udmada/pkl-bitbucket-pipelines (G-PKL),
    /// which says ARM steps require a paid plan. Not confirmed on an Atlassian page, hence
    /// information only.
    pub struct ArmPlan {
        id: "runtime/arm-plan",
        severity: Info,
        summary: "`arch: arm` with the plan set to Free",
        fix: false,
    }
}

impl Rule for ArmPlan {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        if cx.settings.plan != Some(Plan::Free) {
            return;
        }
        for (cloud, _) in cloud_runtimes(cx) {
            let Some((_, value)) = entry(cloud, "arch") else {
                continue;
            };
            if value.as_str() != Some("arm") {
                continue;
            }
            out.push(
                Diagnostic::at(
                    Self::META.id,
                    value,
                    "ARM cloud steps need a paid plan; the plan is set to Free",
                )
                .help("remove `arch: arm` to run on x86 (the default), or change the `plan` setting if the workspace has a paid plan"),
            );
        }
    }
}
