use pipelint_yaml::Node;

use crate::context::Context;
use crate::declare_rule;
use crate::diagnostic::{Diagnostic, Edit, Fix, Severity};
use crate::model::{PipelineKind, entry_lines, is_template};
use crate::rule::{Rule, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Reports `trigger: manual` on the first step of a pipeline, or on its first stage,
    /// not counting a leading `variables` item.
    ///
    /// In a pipeline that a push starts (`default`, `branches`, `tags`, `pull-requests`)
    /// this is an error. In a custom pipeline (and a shared one under
    /// `definitions.pipelines`) it is a warning: such a pipeline is started by hand, on a
    /// schedule or by a trigger, so Atlassian's reason does not apply as such, but a manual
    /// first step only adds a second click to a manual start, and stalls a scheduled or
    /// triggered run until someone comes by. Real files show users who met the restriction
    /// in custom pipelines too and added a dummy first step.
    ///
    /// The fix (unsafe: the step then starts by itself) removes the `trigger` line.
    ///
    /// ## Why is this bad?
    /// "Since a pipeline is triggered on a commit, you can't make the first step manual."
    /// Bitbucket rejects such a pipeline.
    ///
    /// ## Example
    /// ```yaml
    /// pipelines:
    ///   branches:
    ///     main:
    ///       - step:
    ///           name: Deploy
    ///           trigger: manual
    ///           script: [./deploy.sh]
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// pipelines:
    ///   branches:
    ///     main:
    ///       - step:
    ///           name: Build
    ///           script: [make]
    ///       - step:
    ///           name: Deploy
    ///           trigger: manual
    ///           script: [./deploy.sh]
    /// ```
    ///
    /// A deployment that should only ever start by hand can be a custom pipeline
    /// (`pipelines.custom`), which is run from the Bitbucket UI.
    ///
    /// ## Source
    /// Atlassian, "Pipeline triggers" (A-TRIGGERS,
    /// <https://support.atlassian.com/bitbucket-cloud/docs/pipeline-triggers/>); the
    /// ktomk/pipelines emulator rejects it as well (G-KTOMK).
    pub struct FirstStepManual {
        id: "trigger/first-step-manual",
        severity: Error,
        summary: "A pipeline whose first step or stage is manual",
        fix: true,
    }
}

impl Rule for FirstStepManual {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let Some(file) = &cx.file else { return };
        for pipeline in file.pipelines() {
            let Some(first) = pipeline
                .items()
                .iter()
                .find(|item| item.get("variables").is_none())
            else {
                continue;
            };
            let Some(map) = first.as_mapping() else {
                continue;
            };
            let (kind, holder) = if let Some(step) = map.get("step") {
                ("step", step)
            } else if let Some(stage) = map.get("stage") {
                ("stage", stage)
            } else {
                continue;
            };
            let Some(entry) = holder.as_mapping().and_then(|m| m.entry("trigger")) else {
                continue;
            };
            if !is_manual(&entry.value) {
                continue;
            }
            let custom = pipeline.kind.is_custom_like();
            let message = if custom {
                format!(
                    "the first {kind} of custom pipeline `{}` is manual: the pipeline is already started by hand, on a schedule or by a trigger, and waits here again",
                    pipeline.name_str()
                )
            } else {
                let name = pipeline.name_str();
                let what = match pipeline.kind {
                    PipelineKind::Default => "the `default` pipeline".to_owned(),
                    PipelineKind::Branch => format!("branch pipeline `{name}`"),
                    PipelineKind::Tag => format!("tag pipeline `{name}`"),
                    PipelineKind::PullRequest => format!("pull-request pipeline `{name}`"),
                    PipelineKind::Bookmark => format!("bookmark pipeline `{name}`"),
                    PipelineKind::Custom | PipelineKind::Shared => format!("pipeline `{name}`"),
                };
                format!(
                    "the first {kind} of {what} can't be manual: a push starts the pipeline, so its first {kind} runs by itself"
                )
            };
            let help = if custom {
                "remove `trigger: manual` from the first step; keep it on later steps that should wait".to_owned()
            } else {
                format!(
                    "remove `trigger: manual` from the first {kind}, put a step before it, or make the pipeline a custom pipeline (`pipelines.custom`), which is started by hand"
                )
            };
            let mut d = Diagnostic::at(Self::META.id, &entry.value, message).help(help);
            if custom {
                d = d.severity(Severity::Warning);
            }
            if entry.merged_from.is_none()
                && let Some(span) = entry_lines(cx.source, &entry.key, &entry.value)
            {
                d = d.fix(Fix::unsafe_(
                    "Remove `trigger: manual`",
                    vec![Edit::delete(span)],
                ));
            }
            out.push(d);
        }
    }
}

fn is_manual(node: &Node) -> bool {
    !is_template(node) && node.as_str() == Some("manual")
}

#[cfg(test)]
mod tests {
    use crate::Severity;

    fn run(text: &str) -> Vec<crate::Diagnostic> {
        crate::check_only("trigger/first-step-manual", text)
    }

    #[test]
    fn first_items_only() {
        let text = "definitions:\n  steps:\n    - step: &deploy\n        trigger: manual\n        script: [x]\npipelines:\n  default:\n    - step: *deploy\n  branches:\n    main:\n      - step: {script: [x]}\n      - step: *deploy\n  tags:\n    '*':\n      - stage:\n          trigger: manual\n          steps:\n            - step: {script: [x]}\n  custom:\n    deploy:\n      - variables:\n          - name: X\n      - step:\n          trigger: manual\n          script: [x]\n";
        let found = run(text);
        assert_eq!(found.len(), 3, "{found:#?}");
        assert_eq!(found[0].severity, Severity::Error);
        assert_eq!(found[0].related.len(), 1, "the alias site");
        assert_eq!(found[2].severity, Severity::Warning);
        let fix = found[1].fix.as_ref().expect("fix");
        let (fixed, _) = crate::fix::apply(text, [fix]);
        assert!(fixed.contains("      - stage:\n          steps:\n"));
    }
}
