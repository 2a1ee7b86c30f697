use crate::context::Context;
use crate::declare_rule;
use crate::diagnostic::{Diagnostic, Edit, Fix};
use crate::model::{entry_lines, is_template};
use crate::rule::{Rule, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Reports `deployment` or `environment` on a step inside a deployment stage (a stage
    /// with `deployment`). The fix (unsafe) removes the step's key.
    ///
    /// ## Why is this bad?
    /// A deployment stage deploys all its steps to its environment, holds the
    /// environment's lock and shares its variables across them. A step can't override
    /// that with an environment of its own, and repeating the stage's environment on a
    /// step adds nothing.
    ///
    /// ## Example
    /// ```yaml
    /// pipelines:
    ///   default:
    ///     - stage:
    ///         deployment: staging
    ///         steps:
    ///           - step:
    ///               deployment: production
    ///               script: [./deploy.sh]
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// pipelines:
    ///   default:
    ///     - stage:
    ///         deployment: staging
    ///         steps:
    ///           - step:
    ///               script: [./deploy.sh]
    /// ```
    ///
    /// ## Source
    /// Rests on a third-party source only: the typed model udmada/pkl-bitbucket-pipelines
    /// (G-PKL) forbids these keys on the steps of a deployment stage. Atlassian, "Stage
    /// options" (A-STAGE) describes the stage's `deployment` as applying to all its steps.
    pub struct StepOverrides {
        id: "stage/step-overrides",
        severity: Warning,
        summary: "`deployment` or `environment` on a step of a deployment stage",
        fix: true,
    }
}

impl Rule for StepOverrides {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for step in cx.steps() {
            let Some(stage) = step.stage else { continue };
            let Some(stage_env) = stage.get("deployment").filter(|n| !n.is_null()) else {
                continue;
            };
            let Some(map) = step.map() else { continue };
            for key in ["deployment", "environment"] {
                let Some(entry) = map.entry(key) else {
                    continue;
                };
                if is_template(&entry.value) {
                    continue;
                }
                let stage_name = stage_env.as_str().unwrap_or("");
                let same = entry.value.as_str() == Some(stage_name);
                let message = if same {
                    format!(
                        "`{key}` on a step of a deployment stage: the stage deploys every step to `{stage_name}` already"
                    )
                } else {
                    format!(
                        "a step of a deployment stage can't set its own `{key}`; the stage deploys every step to `{stage_name}`"
                    )
                };
                let mut d = Diagnostic::at(Self::META.id, &entry.key, message)
                    .related(stage_env.site(), "the stage's deployment")
                    .help(if same {
                        format!("remove `{key}` from the step")
                    } else {
                        format!("remove `{key}` from the step, or move the step out of the stage if it deploys elsewhere")
                    });
                if entry.merged_from.is_none()
                    && let Some(span) = entry_lines(cx.source, &entry.key, &entry.value)
                {
                    d = d.fix(Fix::unsafe_(
                        format!("Remove `{key}`"),
                        vec![Edit::delete(span)],
                    ));
                }
                out.push(d);
            }
        }
    }
}
