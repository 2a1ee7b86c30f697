use pipelint_yaml::{ProblemKind, Span};

use crate::context::Context;
use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::rule::{Rule, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Reports a pipeline file without `pipelines`, including an empty file. A shared
    /// configuration file that only exports pipelines (`export: true` with
    /// `definitions.pipelines`, or `definitions.pipelines` alone in a same-repository shared
    /// file) needs no `pipelines` and is not reported; `export: true` with nothing to export
    /// is `share/export-no-definitions`'s.
    ///
    /// ## Why is this bad?
    /// Without `pipelines` Bitbucket has nothing to run; it rejects the file.
    ///
    /// ## Example
    /// ```yaml
    /// image: node:20
    /// default:
    ///   - step:
    ///       script: [npm test]
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// image: node:20
    /// pipelines:
    ///   default:
    ///     - step:
    ///         script: [npm test]
    /// ```
    ///
    /// ## Source
    /// Atlassian, "Pipeline start conditions" (`pipelines` and its sections); "Share
    /// pipelines configurations" for export-only files.
    pub struct PipelinesMissing {
        id: "struct/pipelines-missing",
        severity: Error,
        summary: "A file without `pipelines`",
        fix: false,
    }
}

impl Rule for PipelinesMissing {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        if cx.parsed.problems.iter().any(|p| {
            matches!(
                p.kind,
                ProblemKind::Syntax | ProblemKind::TooDeep | ProblemKind::TooLarge
            )
        }) {
            return;
        }
        let Some(root) = cx.root.filter(|r| !r.is_null()) else {
            out.push(
                Diagnostic::new(Self::META.id, Span::empty(0), "the file is empty; a pipeline file needs `pipelines:`")
                    .help("start with:\npipelines:\n  default:\n    - step:\n        script:\n          - echo hello"),
            );
            return;
        };
        let Some(map) = root.as_mapping() else { return };
        if map.contains_key("pipelines") {
            return;
        }
        let shared = root
            .get("definitions")
            .and_then(|d| d.get("pipelines"))
            .is_some();
        // `export: true` marks a shared configuration file: without `definitions.pipelines`
        // it has nothing to export, which `share/export-no-definitions` says more precisely.
        if shared || root.get("export").is_some_and(crate::model::is_yaml_true) {
            return;
        }
        let sections = ["default", "branches", "tags", "pull-requests", "custom"];
        let misplaced: Vec<&str> = map
            .iter()
            .map(|(k, _)| k)
            .filter(|k| sections.contains(k))
            .collect();
        let at = map.entries.first().map_or(Span::empty(0), |e| e.key.span);
        let mut d = Diagnostic::new(
            Self::META.id,
            at,
            "`pipelines` is required: this file defines no pipeline",
        );
        d = if misplaced.is_empty() {
            d.help("add `pipelines:` with at least one of default, branches, pull-requests, tags or custom")
        } else {
            d.help(format!(
                "{} belong under `pipelines:`; indent them under a top-level `pipelines:` key",
                misplaced
                    .iter()
                    .map(|k| format!("`{k}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
        };
        out.push(d);
    }
}
