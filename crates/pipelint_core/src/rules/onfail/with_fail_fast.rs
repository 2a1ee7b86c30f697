use std::collections::HashMap;

use pipelint_yaml::Node;

use crate::context::Context;
use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::model::ItemPlace;
use crate::rule::{Rule, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Reports `on-fail` with `strategy: retry` or `strategy: ignore` in a parallel group
    /// where `fail-fast: true` is set, on the group or on any of its steps. The strategy
    /// of the group's own `on-fail` and those of its steps are reported.
    ///
    /// ## Why is this bad?
    /// Fail-fast stops the whole group as soon as one step fails, so there is nothing left
    /// to retry or to carry on with: only the `fail` strategy works together with it. The
    /// retry or ignore that the file asks for does not happen, and the group fails on the
    /// first flaky step.
    ///
    /// ## Example
    /// ```yaml
    /// pipelines:
    ///   default:
    ///     - parallel:
    ///         fail-fast: true
    ///         steps:
    ///           - step:
    ///               name: Unit tests
    ///               script: [npm test]
    ///           - step:
    ///               name: Browser tests
    ///               script: [npm run e2e]
    ///               on-fail:
    ///                 strategy: retry
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// pipelines:
    ///   default:
    ///     - parallel:
    ///         steps:
    ///           - step:
    ///               name: Unit tests
    ///               script: [npm test]
    ///           - step:
    ///               name: Browser tests
    ///               script: [npm run e2e]
    ///               on-fail:
    ///                 strategy: retry
    /// ```
    ///
    /// ## Source
    /// This rests on a third-party model only: udmada/pkl-bitbucket-pipelines (`OnFail`,
    /// `Parallel.fail-fast`: "setting fail-fast anywhere in a group disables `retry` and
    /// `ignore` for the whole group"). Atlassian's "Failing parallel builds fast"
    /// (https://bitbucket.org/blog/failing-parallel-builds-fast) describes `fail-fast`.
    pub struct WithFailFast {
        id: "onfail/with-fail-fast",
        severity: Warning,
        summary: "A retry or ignore strategy in a parallel group that fails fast",
        fix: false,
    }
}

impl Rule for WithFailFast {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let Some(file) = &cx.file else {
            return;
        };
        // The steps of each parallel group, by the group's address: one pass over the
        // steps, not one per group.
        let mut by_group: HashMap<*const Node, Vec<&Node>> = HashMap::new();
        for s in cx.steps() {
            if let Some(p) = s.parallel {
                by_group
                    .entry(std::ptr::from_ref(p))
                    .or_default()
                    .push(s.node);
            }
        }
        for item in file.items() {
            if item.place != ItemPlace::Pipeline {
                continue;
            }
            let Some(group) = item.node.get("parallel") else {
                continue;
            };
            let steps = by_group
                .get(&std::ptr::from_ref(group))
                .map_or(&[][..], Vec::as_slice);
            let fail_fast = std::iter::once(group)
                .chain(steps.iter().copied())
                .filter_map(|n| n.get("fail-fast"))
                .find(|n| n.as_bool() == Some(true));
            let Some(fail_fast) = fail_fast else {
                continue;
            };
            for holder in std::iter::once(group).chain(steps.iter().copied()) {
                let Some(strategy) = holder
                    .get("on-fail")
                    .and_then(|o| o.get("strategy"))
                    .filter(|s| matches!(s.as_str(), Some("retry" | "ignore")))
                else {
                    continue;
                };
                let name = strategy.as_str().unwrap_or_default();
                out.push(
                    Diagnostic::at(
                        Self::META.id,
                        strategy,
                        format!(
                            "`strategy: {name}` does not work in a parallel group with `fail-fast: true`; only `fail` does"
                        ),
                    )
                    .help(
                        "remove `fail-fast: true` from the group and its steps, or remove this `on-fail`",
                    )
                    .related(fail_fast.span, "`fail-fast` is set here"),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::{CheckOptions, Selection};

    fn count(src: &str) -> usize {
        let opts = CheckOptions {
            select: Selection::Only(vec!["onfail/with-fail-fast".into()]),
            ..CheckOptions::default()
        };
        crate::check(src, &opts).diagnostics.len()
    }

    #[test]
    fn fail_fast_on_a_step_counts_for_the_group() {
        let src = "pipelines:\n  default:\n    - parallel:\n        on-fail: {strategy: ignore}\n        steps:\n          - step: {script: [a], fail-fast: true}\n          - step: {script: [b], on-fail: {strategy: fail}}\n";
        assert_eq!(count(src), 1);
        let quiet = "pipelines:\n  default:\n    - parallel:\n        - step: {script: [a], on-fail: {strategy: retry}}\n        - step: {script: [b], fail-fast: false}\n    - step: {script: [c], fail-fast: true, on-fail: {strategy: retry}}\n";
        assert_eq!(count(quiet), 0);
    }
}
