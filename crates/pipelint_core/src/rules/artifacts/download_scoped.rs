use crate::context::Context;
use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::rule::{Rule, RuleMeta};

use super::{Order, judged_name, order, providers, requested};

declare_rule! {
    /// ## What it does
    /// Reports a name in a step's `artifacts.download` list when every earlier upload of
    /// that name is a `scoped` or `test-reports` artifact.
    ///
    /// ## Why is this bad?
    /// Scoped artifacts (and test reports, which are scoped) stay with the step that made
    /// them: they can be downloaded from the pipeline's page, but later steps can't
    /// download them. The step gets nothing under that name.
    ///
    /// ## Example
    /// ```yaml
    /// pipelines:
    ///   default:
    ///     - step:
    ///         name: Test
    ///         script: [npm test]
    ///         artifacts:
    ///           upload:
    ///             - name: coverage
    ///               type: scoped
    ///               paths: [coverage/**]
    ///     - step:
    ///         name: Report coverage
    ///         script: [./upload-coverage.sh coverage]
    ///         artifacts:
    ///           download: [coverage]
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// pipelines:
    ///   default:
    ///     - step:
    ///         name: Test
    ///         script: [npm test]
    ///         artifacts:
    ///           upload:
    ///             - name: coverage
    ///               type: shared
    ///               paths: [coverage/**]
    ///     - step:
    ///         name: Report coverage
    ///         script: [./upload-coverage.sh coverage]
    ///         artifacts:
    ///           download: [coverage]
    /// ```
    ///
    /// ## Source
    /// Atlassian, "Upgrades to artifacts: new artifact types and selective download"
    /// (https://www.atlassian.com/blog/bitbucket/launch-blog-upgrades-to-artifacts-new-artifact-types-selective-download):
    /// "Scoped artifacts: Scoped to each step and can't be downloaded across steps"; the
    /// official schema's artifact types.
    pub struct DownloadScoped {
        id: "artifacts/download-scoped",
        severity: Warning,
        summary: "A step downloads an artifact that is scoped to its step",
        fix: false,
    }
}

impl Rule for DownloadScoped {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let steps = cx.steps();
        for (i, step) in steps.iter().enumerate() {
            for node in requested(step) {
                let Some(name) = judged_name(node) else {
                    continue;
                };
                let found = providers(cx, step.pipeline, name);
                let earlier: Vec<_> = found
                    .iter()
                    .filter(|p| p.step.is_none_or(|j| order(steps, i, j) == Order::Earlier))
                    .collect();
                if earlier.is_empty() || earlier.iter().any(|p| p.scoped.is_none()) {
                    continue;
                }
                let mut d = Diagnostic::at(
                    Self::META.id,
                    node,
                    format!(
                        "`{name}` is a scoped artifact: it stays with the step that uploaded it, and later steps can't download it"
                    ),
                )
                .help(format!(
                    "to hand `{name}` to later steps, upload it with `type: shared` (the default)"
                ));
                for p in &earlier {
                    if let Some(kind) = p.scoped {
                        d = d.related(kind.span, format!("`{name}` is uploaded as scoped here"));
                    }
                }
                out.push(d);
            }
        }
    }
}
