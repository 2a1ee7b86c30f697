use pipelint_yaml::NodeKind;

use crate::context::Context;
use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::model::{ItemPlace, is_template};
use crate::rule::{Rule, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Reports a stage without steps: `stage:` with nothing after it, a stage without a
    /// `steps` key, or with `steps:` empty or `[]`.
    ///
    /// ## Why is this bad?
    /// Bitbucket rejects the pipeline: `steps` is required in a stage and holds at least
    /// one step. Often the steps are there but not under `steps:` (written straight under
    /// `stage:`), or lost their indentation.
    ///
    /// ## Example
    /// ```yaml
    /// pipelines:
    ///   default:
    ///     - stage:
    ///         name: Deploy to staging
    ///         deployment: staging
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// pipelines:
    ///   default:
    ///     - stage:
    ///         name: Deploy to staging
    ///         deployment: staging
    ///         steps:
    ///           - step:
    ///               script: [./deploy.sh]
    /// ```
    ///
    /// ## Source
    /// Atlassian, "Stage options" (A-STAGE,
    /// <https://support.atlassian.com/bitbucket-cloud/docs/stage-options/>): `steps` is
    /// required, with at least one step; the official schema (G-ATLASCODE).
    pub struct Empty {
        id: "stage/empty",
        severity: Error,
        summary: "A stage without steps",
        fix: false,
    }
}

const HELP: &str = "list the stage's steps under `steps:`:\n- stage:\n    steps:\n      - step:\n          script: [make]";

impl Rule for Empty {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let Some(file) = &cx.file else { return };
        for item in file.items() {
            if item.place != ItemPlace::Pipeline {
                continue;
            }
            let Some(entry) = item.node.as_mapping().and_then(|m| m.entry("stage")) else {
                continue;
            };
            let stage = &entry.value;
            if stage.truncated || stage.is_invalid() || is_template(stage) {
                continue;
            }
            let d = match &stage.kind {
                NodeKind::Scalar(_) if stage.is_null() => Diagnostic::at(
                    Self::META.id,
                    &entry.key,
                    "this stage is empty; a stage needs `steps` with at least one step",
                ),
                NodeKind::Mapping(m) => match m.entry("steps") {
                    None => {
                        let mut d = Diagnostic::at(
                            Self::META.id,
                            &entry.key,
                            "this stage has no `steps`; a stage needs at least one step",
                        );
                        if let Some(step) = m.entry("step") {
                            d = d.related(step.key.site(), "a step written without `steps:`");
                        }
                        d
                    }
                    Some(steps) if steps.value.is_null() => Diagnostic::at(
                        Self::META.id,
                        &steps.key,
                        "the `steps` of this stage are empty; a stage needs at least one step",
                    ),
                    Some(steps) if steps.value.as_sequence().is_some_and(<[_]>::is_empty) => {
                        Diagnostic::at(
                            Self::META.id,
                            &steps.value,
                            "the `steps` of this stage are an empty list; a stage needs at least one step",
                        )
                    }
                    Some(_) => continue,
                },
                _ => continue,
            };
            let mut d = d.help(HELP);
            if let Some(site) = stage.via.first() {
                d = d.related(
                    stage.span,
                    format!("the stage `{}` stands for is written here", cx.text(*site)),
                );
            }
            out.push(d);
        }
    }
}
