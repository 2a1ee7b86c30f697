use crate::context::Context;
use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::model::PipelineKind;
use crate::rule::{Rule, RuleMeta};

use super::conditions;

declare_rule! {
    /// ## What it does
    /// Points out a `condition.changesets` used in a pipeline that is not a pull-request
    /// pipeline (default, branch, tag or custom). A step taken from a YAML anchor is
    /// judged where it is used: only its uses outside pull-request pipelines are reported.
    ///
    /// ## Why is this bad?
    /// Outside pull-request pipelines, Bitbucket compares only the latest commit of a push
    /// with its parent. When one push brings several commits, a file changed in an earlier
    /// one is not seen, and the step can be skipped although its files did change. In a
    /// pull-request pipeline every commit of the pull request is compared.
    ///
    /// ## Example
    /// ```yaml
    /// pipelines:
    ///   branches:
    ///     main:
    ///       - step:
    ///           name: Build the docs
    ///           condition:
    ///             changesets:
    ///               includePaths: ["docs/**"]
    ///           script: [make docs]
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// pipelines:
    ///   pull-requests:
    ///     '**':
    ///       - step:
    ///           name: Build the docs
    ///           condition:
    ///             changesets:
    ///               includePaths: ["docs/**"]
    ///           script: [make docs]
    ///   branches:
    ///     main:
    ///       - step:
    ///           name: Build the docs
    ///           script: [make docs]
    /// ```
    ///
    /// ## Source
    /// Atlassian Community, "How does a pipeline with trigger conditions determine which
    /// files changed?"
    /// (https://community.atlassian.com/t5/Bitbucket-questions/How-does-a-pipeline-with-trigger-conditions-determine-which/qaq-p/2619335);
    /// the third-party model udmada/pkl-bitbucket-pipelines (`Changesets`) says the same.
    pub struct LatestCommitOnly {
        id: "cond/latest-commit-only",
        severity: Info,
        summary: "A changeset condition outside pull requests sees only the latest commit",
        fix: false,
    }
}

impl Rule for LatestCommitOnly {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for condition in conditions(cx) {
            if condition.kind == PipelineKind::PullRequest {
                continue;
            }
            let Some(entry) = condition
                .node
                .as_mapping()
                .and_then(|m| m.entry("changesets"))
            else {
                continue;
            };
            out.push(
                Diagnostic::at(
                    Self::META.id,
                    &entry.key,
                    "outside pull-request pipelines only the latest commit is compared; \
                     a push of several commits may skip this step",
                )
                .help(
                    "to compare every commit, run the step in a `pull-requests` pipeline; \
                     on branches, make sure a skipped step does no harm",
                ),
            );
        }
    }
}
