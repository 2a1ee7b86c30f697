use pipelint_yaml::NodeKind;

use crate::context::Context;
use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::model::is_template;
use crate::rule::{Rule, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Reports a `pipelines:` key that holds none of `default`, `branches`,
    /// `pull-requests`, `tags` or `custom`: it is empty, or holds only other keys.
    ///
    /// ## Why is this bad?
    /// Bitbucket needs at least one of these sections to know when to run anything, and
    /// rejects the file without one. A common cause is a branch pipeline written straight
    /// under `pipelines:` (`pipelines: {main: [...]}`) instead of under `branches:`, or
    /// `pipelines:` whose sections lost their indentation.
    ///
    /// ## Example
    /// ```yaml
    /// pipelines:
    ///   main:
    ///     - step:
    ///         script: [make]
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// pipelines:
    ///   branches:
    ///     main:
    ///       - step:
    ///           script: [make]
    /// ```
    ///
    /// ## Source
    /// Atlassian, "Pipeline start conditions" (A-START,
    /// <https://support.atlassian.com/bitbucket-cloud/docs/pipeline-start-conditions/>):
    /// `pipelines` holds at least one of default, branches, pull-requests, tags or custom.
    pub struct PipelinesEmpty {
        id: "struct/pipelines-empty",
        severity: Error,
        summary: "`pipelines` with none of default, branches, pull-requests, tags or custom",
        fix: false,
    }
}

/// The sections that start pipelines.
pub const SECTIONS: &[&str] = &["default", "branches", "pull-requests", "tags", "custom"];

impl Rule for PipelinesEmpty {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let Some(file) = &cx.file else { return };
        let Some(entry) = file.map.entry("pipelines") else {
            return;
        };
        let value = &entry.value;
        if value.truncated || value.is_invalid() || is_template(value) {
            return;
        }
        let help = "add at least one of them, e.g.\npipelines:\n  default:\n    - step:\n        script:\n          - make";
        match &value.kind {
            NodeKind::Scalar(_) if value.is_null() => out.push(
                Diagnostic::at(
                    Self::META.id,
                    &entry.key,
                    "`pipelines` is empty; it needs at least one of default, branches, pull-requests, tags or custom",
                )
                .help(help),
            ),
            NodeKind::Mapping(m) => {
                if m.iter().any(|(k, _)| SECTIONS.contains(&k)) {
                    return;
                }
                let others: Vec<&str> = m.iter().map(|(k, _)| k).collect();
                let message = if others.is_empty() {
                    "`pipelines` is empty; it needs at least one of default, branches, pull-requests, tags or custom".to_owned()
                } else {
                    format!(
                        "`pipelines` has none of default, branches, pull-requests, tags or custom (only {}), so no pipeline runs",
                        others
                            .iter()
                            .map(|k| format!("`{k}`"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    )
                };
                let help = match others.iter().find(|k| **k != "bookmarks") {
                    Some(k) => format!(
                        "a pipeline for the branch `{k}` goes under `branches:`:\npipelines:\n  branches:\n    {k}:\n      - step: ..."
                    ),
                    None => help.to_owned(),
                };
                out.push(Diagnostic::at(Self::META.id, &entry.key, message).help(help));
            }
            // Other shapes are the schema pass's to report.
            _ => {}
        }
    }
}
