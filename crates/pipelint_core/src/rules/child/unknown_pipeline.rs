use pipelint_yaml::Node;

use crate::context::Context;
use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::model::is_template;
use crate::rule::{Rule, RuleMeta};
use crate::suggest;

declare_rule! {
    /// ## What it does
    /// Reports the `custom` of a child-pipeline step (`type: pipeline`) when it names no
    /// pipeline under `pipelines.custom`. When a defined name is close, it suggests it, and
    /// the fix renames the reference.
    ///
    /// ## Why is this bad?
    /// A child-pipeline step starts the custom pipeline it names; only pipelines under
    /// `pipelines.custom` can be started this way. With a name that is not there (a typo, a
    /// pipeline renamed or moved under `branches`), the step cannot start anything and the
    /// pipeline fails.
    ///
    /// ## Example
    /// ```yaml
    /// pipelines:
    ///   default:
    ///     - step:
    ///         type: pipeline
    ///         custom: deploy-al
    ///   custom:
    ///     deploy-all:
    ///       - step:
    ///           script: [./deploy.sh]
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// pipelines:
    ///   default:
    ///     - step:
    ///         type: pipeline
    ///         custom: deploy-all
    ///   custom:
    ///     deploy-all:
    ///       - step:
    ///           script: [./deploy.sh]
    /// ```
    ///
    /// ## Source
    /// Atlassian, "Child pipeline step options"
    /// (https://support.atlassian.com/bitbucket-cloud/docs/child-pipeline-step-options/):
    /// `custom` "should match the name of the custom pipeline". The third-party model
    /// udmada/pkl-bitbucket-pipelines says the same ("must be defined under
    /// `PipelineDefinitions.custom`").
    pub struct UnknownPipeline {
        id: "child/unknown-pipeline",
        severity: Warning,
        summary: "A child-pipeline step names a custom pipeline that does not exist",
        fix: true,
    }
}

impl Rule for UnknownPipeline {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let Some(file) = &cx.file else {
            return;
        };
        if file.root.truncated {
            return;
        }
        let pipelines = file.map.get("pipelines");
        let custom_entry = pipelines
            .and_then(Node::as_mapping)
            .and_then(|m| m.entry("custom"));
        if pipelines.is_some_and(|p| p.truncated || p.is_invalid())
            || custom_entry.is_some_and(|e| e.value.truncated || e.value.is_invalid())
        {
            return;
        }
        let defined: Vec<&str> = custom_entry
            .and_then(|e| e.value.as_mapping())
            .map(|m| m.iter().map(|(k, _)| k).collect())
            .unwrap_or_default();
        for step in cx.steps() {
            if !step.is_child_pipeline() {
                continue;
            }
            let Some(node) = step.get("custom") else {
                continue;
            };
            let Some(name) = node.as_str() else {
                continue;
            };
            if is_template(node) || defined.contains(&name) {
                continue;
            }
            let mut d = match suggest::closest(name, defined.iter().copied()) {
                Some(best) => Diagnostic::at(
                    Self::META.id,
                    node,
                    format!(
                        "child pipeline `{name}` is not defined under `pipelines.custom`; did you mean `{best}`?"
                    ),
                )
                .rename(node.span, name, best),
                None if defined.is_empty() => Diagnostic::at(
                    Self::META.id,
                    node,
                    format!(
                        "child pipeline `{name}` is not defined: this file has no `pipelines.custom`"
                    ),
                )
                .help(format!(
                    "define it:\npipelines:\n  custom:\n    {name}:\n      - step:\n          script: [...]"
                )),
                None => Diagnostic::at(
                    Self::META.id,
                    node,
                    format!("child pipeline `{name}` is not defined under `pipelines.custom`"),
                )
                .help(format!(
                    "name one of the custom pipelines ({}), or define `{name}` under `pipelines.custom`",
                    defined
                        .iter()
                        .take(8)
                        .map(|n| format!("`{n}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                )),
            };
            if let Some(e) = custom_entry {
                d = d.related(e.key.span, "custom pipelines are defined here");
            }
            out.push(d);
        }
    }
}
