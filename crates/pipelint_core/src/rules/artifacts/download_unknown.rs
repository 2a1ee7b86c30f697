use pipelint_yaml::Node;

use crate::context::Context;
use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::rule::{Rule, RuleMeta};

use super::{Order, child_names, custom_pipeline_index, judged_name, order, providers, requested};

declare_rule! {
    /// ## What it does
    /// Reports a name in a step's `artifacts.download` list that no earlier step of the
    /// pipeline uploads: no `upload` entry with that `name`, no artifact pattern written
    /// the same way, no child-pipeline step that brings it back. Names uploaded only by a
    /// sibling in the same parallel group are `artifacts/parallel-sibling`'s to report.
    ///
    /// For a child-pipeline step, the names it hands to the child (`artifacts.upload`) must
    /// come from earlier steps too, and the names it brings back (`artifacts.download`)
    /// must be uploaded by a step of the child pipeline. In a custom pipeline started as a
    /// child, the names the parent hands in count as uploaded.
    ///
    /// ## Why is this bad?
    /// A step downloads artifacts by their exact name. A name that nothing uploaded before
    /// the step (a typo, an artifact renamed, the uploading step moved after this one) gives
    /// the step nothing, and it fails later when the files are not there.
    ///
    /// ## Example
    /// ```yaml
    /// pipelines:
    ///   default:
    ///     - step:
    ///         name: Build
    ///         script: [npm ci, npm run build]
    ///         artifacts:
    ///           upload:
    ///             - name: web-bundle
    ///               paths: [dist/**]
    ///     - step:
    ///         name: Deploy
    ///         script: [./deploy.sh dist]
    ///         artifacts:
    ///           download: [web-bundel]
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// pipelines:
    ///   default:
    ///     - step:
    ///         name: Build
    ///         script: [npm ci, npm run build]
    ///         artifacts:
    ///           upload:
    ///             - name: web-bundle
    ///               paths: [dist/**]
    ///     - step:
    ///         name: Deploy
    ///         script: [./deploy.sh dist]
    ///         artifacts:
    ///           download: [web-bundle]
    /// ```
    ///
    /// ## Source
    /// Atlassian, "Pipeline artifacts" (https://support.atlassian.com/bitbucket-cloud/docs/use-artifacts-in-steps/):
    /// "Set download to a list of specific artifact names to download only those
    /// artifacts. Be sure to specify the exact artifact names"; artifacts are available to
    /// the following steps. Atlassian's blog "Share artifacts between parent and child
    /// pipelines" for child-pipeline steps.
    pub struct DownloadUnknown {
        id: "artifacts/download-unknown",
        severity: Error,
        summary: "A step downloads an artifact that no earlier step uploads",
        fix: false,
    }
}

impl Rule for DownloadUnknown {
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
        let steps = cx.steps();
        for (i, step) in steps.iter().enumerate() {
            for node in requested(step) {
                let Some(name) = judged_name(node) else {
                    continue;
                };
                let found = providers(cx, step.pipeline, name);
                let mut later: Option<&Node> = None;
                let mut known = false;
                for p in &found {
                    match p.step.map(|j| order(steps, i, j)) {
                        None | Some(Order::Earlier | Order::Sibling) => known = true,
                        Some(Order::Other) => later = later.or(Some(p.node)),
                    }
                }
                if known {
                    continue;
                }
                let mut d = Diagnostic::at(
                    Self::META.id,
                    node,
                    format!("no earlier step uploads an artifact named `{name}`"),
                )
                .help(
                    "name an artifact that a step before this one uploads \
                     (`upload: [{name: ..., paths: [...]}]`); names are matched exactly",
                );
                if let Some(at) = later {
                    d = d.related(
                        at.span,
                        format!("`{name}` is uploaded here, after this step"),
                    );
                }
                out.push(d);
            }
            // What a child-pipeline step brings back must be uploaded in the child.
            let Some(child) = step.get("custom").and_then(Node::as_str) else {
                continue;
            };
            let Some(k) = custom_pipeline_index(cx, child) else {
                continue;
            };
            for node in child_names(step, "download") {
                let Some(name) = judged_name(node) else {
                    continue;
                };
                if providers(cx, k, name).iter().any(|p| p.step.is_some()) {
                    continue;
                }
                out.push(
                    Diagnostic::at(
                        Self::META.id,
                        node,
                        format!("no step of the child pipeline `{child}` uploads an artifact named `{name}`"),
                    )
                    .help("name an artifact that a step of the child pipeline uploads; names are matched exactly"),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::{CheckOptions, Selection};

    fn messages(src: &str) -> Vec<String> {
        let opts = CheckOptions {
            select: Selection::Only(vec!["artifacts/download-unknown".into()]),
            ..CheckOptions::default()
        };
        crate::check(src, &opts)
            .diagnostics
            .into_iter()
            .map(|d| d.message)
            .collect()
    }

    #[test]
    fn order_stages_globs_and_children() {
        let src = "pipelines:\n  default:\n    - step:\n        script: [a]\n        artifacts: {download: [late]}\n    - step:\n        script: [b]\n        artifacts:\n          paths: [dist/**]\n          upload: [{name: late, paths: [x]}]\n    - stage:\n        steps:\n          - step: {script: [c], artifacts: {upload: [{name: st, paths: [y]}]}}\n          - step: {script: [d], artifacts: {download: [st, dist/**, '${{X}}']}}\n    - step:\n        type: pipeline\n        custom: child\n        artifacts: {upload: [st, nope], download: [report, missing]}\n    - step: {script: [e], artifacts: {download: [report]}}\n  custom:\n    child:\n      - step: {script: [f], artifacts: {download: [st], upload: [{name: report, paths: [r]}]}}\n";
        assert_eq!(
            messages(src),
            [
                "no earlier step uploads an artifact named `late`",
                "no earlier step uploads an artifact named `nope`",
                "no step of the child pipeline `child` uploads an artifact named `missing`",
            ]
        );
    }
}
