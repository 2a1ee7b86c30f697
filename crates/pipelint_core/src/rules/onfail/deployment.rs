use pipelint_yaml::Node;

use crate::context::Context;
use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::rule::{Rule, RuleMeta};

use super::{Owner, on_fails};

declare_rule! {
    /// ## What it does
    /// Reports `on-fail` with `strategy: retry` or `strategy: ignore` on a deployment: a
    /// step with `deployment`, a step inside a deployment stage, a stage with `deployment`,
    /// or a parallel group that holds a deployment step.
    ///
    /// ## Why is this bad?
    /// Failure strategies other than `fail` can't be used on deployments: a deployment
    /// that fails stops there, and is not retried or skipped over. A file that asks for it
    /// promises a retry (or a pipeline that carries on past a failed release) that does not
    /// happen.
    ///
    /// ## Example
    /// ```yaml
    /// pipelines:
    ///   branches:
    ///     main:
    ///       - step:
    ///           name: Deploy
    ///           deployment: production
    ///           script: [./deploy.sh]
    ///           on-fail:
    ///             strategy: retry
    ///             maxRetryCount: 2
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// pipelines:
    ///   branches:
    ///     main:
    ///       - step:
    ///           name: Deploy
    ///           deployment: production
    ///           script: [./deploy.sh]
    /// ```
    ///
    /// ## Source
    /// This rests on a third-party model only: udmada/pkl-bitbucket-pipelines (`OnFail`:
    /// "Cannot be used on deployment steps or stages"; `Step.deployment`: "Cannot be
    /// combined with OnFail strategies other than `fail`"). Atlassian's "Introducing step
    /// failure strategies"
    /// (https://www.atlassian.com/blog/bitbucket/introducing-step-failure-strategies-in-bitbucket-pipelines)
    /// describes the strategies.
    pub struct Deployment {
        id: "onfail/deployment",
        severity: Warning,
        summary: "A retry or ignore strategy on a deployment step or stage",
        fix: false,
    }
}

impl Rule for Deployment {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for on_fail in on_fails(cx) {
            let Some(strategy) = on_fail.lenient_strategy() else {
                continue;
            };
            let (deployment, what): (Option<&Node>, &str) = match &on_fail.owner {
                Owner::Step(step) => match step.get("deployment") {
                    Some(d) => (Some(d), "a deployment step"),
                    None => (
                        step.stage.and_then(|s| s.get("deployment")),
                        "a step of a deployment stage",
                    ),
                },
                Owner::Stage(stage) => (stage.get("deployment"), "a deployment stage"),
                Owner::Parallel(group) => (
                    cx.steps()
                        .iter()
                        .filter(|s| s.parallel.is_some_and(|p| std::ptr::eq(p, *group)))
                        .find_map(|s| s.get("deployment")),
                    "a parallel group with a deployment step",
                ),
            };
            let Some(deployment) = deployment else {
                continue;
            };
            let name = strategy.as_str().unwrap_or_default();
            out.push(
                Diagnostic::at(
                    Self::META.id,
                    strategy,
                    format!(
                        "`strategy: {name}` can't be used on {what}; deployments only take `fail`"
                    ),
                )
                .help(
                    "remove this `on-fail`; to retry flaky work, move it into a step without `deployment` before the deployment",
                )
                .related(deployment.span, "the deployment is set here"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::{CheckOptions, Selection};

    fn messages(src: &str) -> Vec<String> {
        let opts = CheckOptions {
            select: Selection::Only(vec!["onfail/deployment".into()]),
            ..CheckOptions::default()
        };
        crate::check(src, &opts)
            .diagnostics
            .into_iter()
            .map(|d| d.message)
            .collect()
    }

    #[test]
    fn stages_steps_in_stages_and_groups() {
        let src = "pipelines:\n  default:\n    - stage:\n        deployment: staging\n        on-fail: {strategy: ignore}\n        steps:\n          - step: {script: [a], on-fail: {strategy: retry}}\n    - parallel:\n        on-fail: {strategy: retry}\n        steps:\n          - step: {script: [a], deployment: test}\n          - step: {script: [b]}\n    - step: {script: [a], on-fail: {strategy: fail}, deployment: production}\n";
        let all = messages(src);
        assert_eq!(all.len(), 3, "{all:#?}");
        assert!(all[0].contains("a deployment stage"));
        assert!(all[1].contains("a step of a deployment stage"));
        assert!(all[2].contains("a parallel group"));
    }
}
