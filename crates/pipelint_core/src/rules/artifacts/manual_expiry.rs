use pipelint_yaml::Node;

use crate::context::Context;
use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::model::StepRef;
use crate::rule::{Rule, RuleMeta};

use super::{ARTIFACT_LIFETIME_DAYS, Order, child_names, download_list, globs, order, uploads};

declare_rule! {
    /// ## What it does
    /// Points out a manual step (`trigger: manual`, or a step of a manual stage) that
    /// downloads artifacts made by the steps before it: it names artifacts in
    /// `artifacts.download`, or downloads everything (the default) while earlier steps
    /// keep artifacts. It is reported at the `trigger`.
    ///
    /// ## Why is this bad?
    /// Artifacts are deleted 14 days after they were made. A manual step that waits longer
    /// than that to be run finds no artifacts, and fails or deploys something incomplete.
    /// This is a reminder, not a mistake; a manual step that needs no artifacts can say so
    /// with `artifacts: {download: false}`.
    ///
    /// ## Example
    /// ```yaml
    /// pipelines:
    ///   branches:
    ///     main:
    ///       - step:
    ///           name: Build
    ///           script: [npm ci, npm run build]
    ///           artifacts: [dist/**]
    ///       - step:
    ///           name: Deploy to production
    ///           trigger: manual
    ///           script: [./deploy.sh dist]
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// pipelines:
    ///   branches:
    ///     main:
    ///       - step:
    ///           name: Build
    ///           script: [npm ci, npm run build]
    ///           artifacts: [dist/**]
    ///   custom:
    ///     deploy-production:
    ///       - step:
    ///           name: Build and deploy
    ///           script: [npm ci, npm run build, ./deploy.sh dist]
    /// ```
    ///
    /// ## Source
    /// Atlassian, "Pipeline artifacts" (https://support.atlassian.com/bitbucket-cloud/docs/use-artifacts-in-steps/):
    /// "Artifacts will be deleted 14 days after they are generated."
    pub struct ManualExpiry {
        id: "artifacts/manual-expiry",
        severity: Info,
        summary: "A manual step that relies on artifacts, which expire after 14 days",
        fix: false,
    }
}

impl Rule for ManualExpiry {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let steps = cx.steps();
        for (i, step) in steps.iter().enumerate() {
            let Some(trigger) = manual_trigger(step) else {
                continue;
            };
            let downloads = match step.get("artifacts").and_then(|a| a.get("download")) {
                Some(d) if d.as_bool() == Some(false) => continue,
                Some(d) if d.as_sequence().is_some() => {
                    download_list(step).is_some_and(|l| !l.is_empty())
                }
                // Earlier steps come before it in `steps`, in the same pipeline, whose
                // steps are listed together: look back only that far.
                _ => steps[..i]
                    .iter()
                    .enumerate()
                    .rev()
                    .take_while(|(_, t)| t.pipeline == step.pipeline)
                    .any(|(j, t)| order(steps, i, j) == Order::Earlier && keeps_artifacts(t)),
            };
            if !downloads {
                continue;
            }
            out.push(
                Diagnostic::at(
                    Self::META.id,
                    trigger,
                    format!(
                        "this manual step downloads artifacts of earlier steps, which are deleted after {ARTIFACT_LIFETIME_DAYS} days; it can't get them when run later than that"
                    ),
                )
                .help(
                    "run it within 14 days; if it needs no artifacts, write `artifacts: {download: false}`; \
                     or build what it needs in the step itself",
                ),
            );
        }
    }
}

/// The `trigger: manual` that makes a step wait: its own, or its stage's.
fn manual_trigger<'a>(step: &StepRef<'a>) -> Option<&'a Node> {
    let is_manual = |n: &&Node| n.as_str() == Some("manual");
    step.get("trigger")
        .filter(is_manual)
        .or_else(|| step.stage.and_then(|s| s.get("trigger")).filter(is_manual))
}

/// Whether a step keeps artifacts for later steps.
fn keeps_artifacts(step: &StepRef<'_>) -> bool {
    !globs(step).is_empty()
        || uploads(step).iter().any(|u| !u.is_scoped())
        || !child_names(step, "download").is_empty()
}
