use crate::context::Context;
use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::model::is_template;
use crate::rule::{Rule, RuleMeta};

use super::on_fails;

declare_rule! {
    /// ## What it does
    /// Checks the `on-fail` of a step, a stage or a parallel group: `strategy` is required
    /// and is one of `fail`, `retry` or `ignore`; `maxRetryCount` is an integer from 1 to
    /// 10, and only goes with `strategy: retry`. A misspelt strategy (`Retry`) is fixed to
    /// the closest one.
    ///
    /// The shape (the required `strategy`, its values, the range of `maxRetryCount`) is
    /// checked by the schema pass; this rule adds the pairing of `maxRetryCount` with
    /// `retry`.
    ///
    /// ## Why is this bad?
    /// `fail` stops the pipeline, `ignore` marks the step failed and carries on, `retry`
    /// runs the step again up to `maxRetryCount` times (default 1). Any other strategy, a
    /// count out of range, or a count beside a strategy that does not retry is a mistake in
    /// the configuration: the step does not fail the way its author meant.
    ///
    /// ## Example
    /// ```yaml
    /// pipelines:
    ///   default:
    ///     - step:
    ///         name: Integration tests
    ///         script: [npm run test:integration]
    ///         on-fail:
    ///           strategy: ignore
    ///           maxRetryCount: 3
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// pipelines:
    ///   default:
    ///     - step:
    ///         name: Integration tests
    ///         script: [npm run test:integration]
    ///         on-fail:
    ///           strategy: retry
    ///           maxRetryCount: 3
    /// ```
    ///
    /// ## Source
    /// Atlassian, "Introducing step failure strategies in Bitbucket Pipelines"
    /// (https://www.atlassian.com/blog/bitbucket/introducing-step-failure-strategies-in-bitbucket-pipelines)
    /// and "Introducing the retry step failure strategy"
    /// (https://www.atlassian.com/blog/bitbucket/introducing-the-retry-step-failure-strategy-for-bitbucket-pipelines):
    /// the strategies and `maxRetryCount` 1–10, default 1. That `maxRetryCount` is invalid
    /// with a strategy other than `retry` rests on a third-party model only
    /// (udmada/pkl-bitbucket-pipelines, its test `retry_count_on_ignore`).
    pub struct Strategy {
        id: "onfail/strategy",
        severity: Error,
        summary: "An `on-fail` whose strategy or retry count is not valid",
        fix: true,
    }
}

impl Rule for Strategy {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        // The shape is the schema pass's; here: `maxRetryCount` beside `fail` or `ignore`.
        for on_fail in on_fails(cx) {
            let Some(map) = on_fail.node.as_mapping() else {
                continue;
            };
            let (Some(strategy), Some(count)) = (map.get("strategy"), map.entry("maxRetryCount"))
            else {
                continue;
            };
            if is_template(strategy) {
                continue;
            }
            let Some(name @ ("fail" | "ignore")) = strategy.as_str() else {
                continue;
            };
            out.push(
                Diagnostic::at(
                    Self::META.id,
                    &count.key,
                    format!(
                        "`maxRetryCount` only applies to `strategy: retry`; this `on-fail` uses `strategy: {name}`"
                    ),
                )
                .help(format!(
                    "remove `maxRetryCount`, or write `strategy: retry` if the step should run again (`{name}` never retries)"
                ))
                .related(strategy.span, "the strategy is set here"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::{CheckOptions, Selection};

    fn found(src: &str) -> Vec<String> {
        let opts = CheckOptions {
            select: Selection::Only(vec!["onfail/strategy".into()]),
            ..CheckOptions::default()
        };
        crate::check(src, &opts)
            .diagnostics
            .into_iter()
            .map(|d| d.message)
            .collect()
    }

    #[test]
    fn stages_and_parallel_groups_too() {
        let src = "pipelines:\n  default:\n    - parallel:\n        on-fail: {strategy: fail, maxRetryCount: 2}\n        steps:\n          - step: {script: [a]}\n    - stage:\n        on-fail: {strategy: retry, maxRetryCount: 2}\n        steps:\n          - step: {script: [a]}\n";
        let all = found(src);
        assert_eq!(all.len(), 1, "{all:#?}");
        assert!(all[0].contains("`strategy: fail`"));
    }

    #[test]
    fn the_schema_reports_the_shape_under_this_rule() {
        let src = "pipelines:\n  default:\n    - step:\n        script: [a]\n        on-fail: {strategy: Retry, maxRetryCount: 11}\n    - step:\n        script: [a]\n        on-fail: {maxRetryCount: 2}\n";
        let all = found(src);
        assert_eq!(all.len(), 3, "{all:#?}");
    }
}
