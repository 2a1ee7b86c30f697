use crate::context::Context;
use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::model::ItemPlace;
use crate::rule::{Rule, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Reports a `- variables:` item of a custom pipeline (or of a shared pipeline under
    /// `definitions.pipelines`) that is not the pipeline's first item, including a second
    /// `variables` item.
    ///
    /// ## Why is this bad?
    /// The variables of a custom pipeline are asked for before it starts, so they are
    /// declared once, as its first item. Written after a step, they are not where
    /// Bitbucket's parser expects them.
    ///
    /// ## Example
    /// ```yaml
    /// pipelines:
    ///   custom:
    ///     deploy:
    ///       - step:
    ///           script: [./build.sh]
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
    ///           script: [./build.sh]
    ///       - step:
    ///           script: [./deploy.sh "$ENVIRONMENT"]
    /// ```
    ///
    /// ## Source
    /// Rests on a third-party source only: the typed model udmada/pkl-bitbucket-pipelines
    /// (G-PKL) requires `variables` to be the first element of a custom pipeline. Atlassian's
    /// examples (B-DEFAULTVARS, A-START) always put it first.
    pub struct VariablesNotFirst {
        id: "struct/variables-not-first",
        severity: Warning,
        summary: "`variables` that is not the first item of a custom pipeline",
        fix: false,
    }
}

impl Rule for VariablesNotFirst {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let Some(file) = &cx.file else { return };
        for item in file.items() {
            if item.place != ItemPlace::Pipeline
                || !item.pipeline_kind.is_custom_like()
                || item.index == 0
            {
                continue;
            }
            let Some(entry) = item.node.as_mapping().and_then(|m| m.entry("variables")) else {
                continue;
            };
            if entry.merged_from.is_some() {
                continue;
            }
            out.push(
                Diagnostic::at(
                    Self::META.id,
                    &entry.key,
                    "`variables` must be the first item of a custom pipeline",
                )
                .help("move this `- variables:` item to the top of the pipeline's list, before its first step (one `variables` item holds all the variables)"),
            );
        }
    }
}
