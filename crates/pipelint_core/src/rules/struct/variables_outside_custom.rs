use crate::context::Context;
use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::model::{ItemPlace, PipelineKind};
use crate::rule::{Rule, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Reports a `- variables:` item in a pipeline that is not a custom pipeline: under
    /// `default`, `branches`, `tags`, `pull-requests` or `bookmarks`.
    ///
    /// ## Why is this bad?
    /// Only custom pipelines ask for variables, when someone starts them by hand (or a
    /// schedule or trigger starts them with values). Bitbucket rejects `variables` in a
    /// pipeline that a push starts: nobody is there to fill them in.
    ///
    /// ## Example
    /// ```yaml
    /// pipelines:
    ///   branches:
    ///     main:
    ///       - variables:
    ///           - name: ENVIRONMENT
    ///       - step:
    ///           script: [./deploy.sh "$ENVIRONMENT"]
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// pipelines:
    ///   custom:
    ///     deploy:
    ///       - variables:
    ///           - name: ENVIRONMENT
    ///       - step:
    ///           script: [./deploy.sh "$ENVIRONMENT"]
    /// ```
    ///
    /// ## Source
    /// The official schema (G-ATLASCODE): `variables` is an item of custom pipelines only;
    /// Atlassian, "Pipeline start conditions" (A-START) and the custom pipeline variables
    /// announcement (B-DEFAULTVARS).
    pub struct VariablesOutsideCustom {
        id: "struct/variables-outside-custom",
        severity: Error,
        summary: "`variables` in a pipeline that is not a custom pipeline",
        fix: false,
    }
}

impl Rule for VariablesOutsideCustom {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let Some(file) = &cx.file else { return };
        for item in file.items() {
            if item.place != ItemPlace::Pipeline || item.pipeline_kind.is_custom_like() {
                continue;
            }
            let Some(entry) = item.node.as_mapping().and_then(|m| m.entry("variables")) else {
                continue;
            };
            if entry.merged_from.is_some() {
                continue;
            }
            let section = match item.pipeline_kind {
                PipelineKind::Default => "the `default` pipeline",
                PipelineKind::Branch => "a branch pipeline",
                PipelineKind::Tag => "a tag pipeline",
                PipelineKind::Bookmark => "a bookmark pipeline",
                PipelineKind::PullRequest => "a pull-request pipeline",
                PipelineKind::Custom | PipelineKind::Shared => continue,
            };
            out.push(
                Diagnostic::at(
                    Self::META.id,
                    &entry.key,
                    format!("`variables` is only allowed in custom pipelines, not in {section}"),
                )
                .help("move the pipeline under `pipelines.custom` to ask for these variables when it is started, or set them as repository or deployment variables in Bitbucket's settings"),
            );
        }
    }
}
