use pipelint_yaml::Node;

use crate::context::Context;
use crate::declare_rule;
use crate::diagnostic::{Diagnostic, Edit, Fix};
use crate::model::{PipelineKind, is_template};
use crate::rule::{Rule, RuleMeta};
use crate::suggest;

use super::{conditions, events, pipeline_names};

declare_rule! {
    /// ## What it does
    /// Reports a name under `triggers.<event>[].pipelines` that is not a pipeline under
    /// `pipelines.custom`: a branch, tag, pull-request or shared pipeline, or no pipeline at
    /// all.
    ///
    /// ## Why is this bad?
    /// Triggers start custom pipelines only. Bitbucket rejects a trigger that names any
    /// other pipeline, and a misspelt name starts nothing.
    ///
    /// ## Example
    /// ```yaml
    /// triggers:
    ///   pullrequest-fulfilled:
    ///     - condition: BITBUCKET_PR_DESTINATION_BRANCH == "main"
    ///       pipelines:
    ///         - release-notes
    /// pipelines:
    ///   custom:
    ///     release-note:
    ///       - step:
    ///           script:
    ///             - ./release-notes.sh
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// triggers:
    ///   pullrequest-fulfilled:
    ///     - condition: BITBUCKET_PR_DESTINATION_BRANCH == "main"
    ///       pipelines:
    ///         - release-notes
    /// pipelines:
    ///   custom:
    ///     release-notes:
    ///       - step:
    ///           script:
    ///             - ./release-notes.sh
    /// ```
    ///
    /// ## Source
    /// Atlassian, "Reimagining how you structure workflows in Bitbucket Pipelines"
    /// (https://www.atlassian.com/blog/bitbucket/reimagining-how-you-structure-workflows-in-bitbucket-pipelines):
    /// triggers start pipelines defined under `pipelines.custom`.
    pub struct CustomOnly {
        id: "triggers/custom-only",
        severity: Error,
        summary: "A trigger that names a pipeline not under `pipelines.custom`",
        fix: true,
    }
}

impl Rule for CustomOnly {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let Some(file) = &cx.file else {
            return;
        };
        let events = events(cx);
        if events.is_empty() {
            return;
        }
        let custom = file.map.get("pipelines").and_then(|p| p.get("custom"));
        // A file or custom section cut short by a syntax error may hold the name further on.
        if file.root.truncated || custom.is_some_and(|c| c.truncated) {
            return;
        }
        let custom_names: Vec<&str> = custom
            .and_then(Node::as_mapping)
            .map(|m| m.iter().map(|(k, _)| k).collect())
            .unwrap_or_default();
        let others = file.pipelines();
        for event in events {
            for condition in conditions(event) {
                for name_node in pipeline_names(condition) {
                    let Some(name) = name_node.as_str() else {
                        continue;
                    };
                    if is_template(name_node) || custom_names.contains(&name) {
                        continue;
                    }
                    let elsewhere = others
                        .iter()
                        .find(|p| p.kind != PipelineKind::Custom && p.name_str() == name);
                    let mut d = match elsewhere {
                        Some(p) => Diagnostic::at(
                            Self::META.id,
                            name_node,
                            format!(
                                "`{name}` is {}; triggers can only start pipelines defined under `pipelines.custom`",
                                kind_words(p.kind)
                            ),
                        )
                        .related(p.key.span, format!("`{name}` is defined here")),
                        None => Diagnostic::at(
                            Self::META.id,
                            name_node,
                            format!("there is no custom pipeline `{name}`; triggers can only start pipelines defined under `pipelines.custom`"),
                        ),
                    };
                    d = match suggest::closest(name, custom_names.iter().copied()) {
                        Some(best) => d.help(format!("did you mean `{best}`?")).fix(Fix::unsafe_(
                            format!("Start `{best}` instead"),
                            vec![Edit::replace(name_node.span, best.to_owned())],
                        )),
                        None if elsewhere.is_some() => d.help(format!(
                            "add a custom pipeline with the same steps (a YAML anchor can share them) and name it here:\npipelines:\n  custom:\n    {name}-triggered:\n      - step: ..."
                        )),
                        None => d.help(format!(
                            "define it under `pipelines.custom`:\npipelines:\n  custom:\n    {name}:\n      - step: ..."
                        )),
                    };
                    out.push(d);
                }
            }
        }
    }
}

fn kind_words(kind: PipelineKind) -> &'static str {
    match kind {
        PipelineKind::Default => "the default pipeline",
        PipelineKind::Branch => "a branch pipeline",
        PipelineKind::Tag => "a tag pipeline",
        PipelineKind::Bookmark => "a bookmark pipeline",
        PipelineKind::PullRequest => "a pull-request pipeline",
        PipelineKind::Custom => "a custom pipeline",
        PipelineKind::Shared => "a shared pipeline (under `definitions.pipelines`)",
    }
}
