use pipelint_yaml::Node;

use crate::context::Context;
use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::model::is_template;
use crate::rule::{Rule, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Reports a `deployment` environment named by more than one step or stage of the same
    /// pipeline. Steps and parallel steps count, and so do stages; the steps inside a
    /// deployment stage do not (the stage holds the environment for them). A step used
    /// twice through a YAML alias is two uses.
    ///
    /// Each use after the first is reported, with the first use as a related location.
    ///
    /// ## Why is this bad?
    /// A deployment environment can be used by one step of a pipeline only: Bitbucket
    /// stops the pipeline with "The deployment environment 'production' in your
    /// bitbucket-pipelines.yml file occurs multiple times in the pipeline". The online
    /// validator does not catch it, so the mistake shows only when the pipeline runs.
    ///
    /// To deploy in several steps, put them in a deployment stage, which holds the
    /// environment (its lock and its variables) for all its steps. Or give the steps
    /// `environment: <name>` (the variables without the lock) and a `concurrency-group`.
    ///
    /// ## Example
    /// ```yaml
    /// pipelines:
    ///   branches:
    ///     main:
    ///       - step:
    ///           name: Migrate database
    ///           deployment: production
    ///           script: [./migrate.sh]
    ///       - step:
    ///           name: Deploy app
    ///           deployment: production
    ///           script: [./deploy.sh]
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// pipelines:
    ///   branches:
    ///     main:
    ///       - stage:
    ///           name: Release
    ///           deployment: production
    ///           steps:
    ///             - step:
    ///                 name: Migrate database
    ///                 script: [./migrate.sh]
    ///             - step:
    ///                 name: Deploy app
    ///                 script: [./deploy.sh]
    /// ```
    ///
    /// ## Source
    /// Bitbucket issue BCLOUD-18931
    /// (https://bitbucket.org/site/master/issues/18931/pipelines-validator-allows-multiple-steps):
    /// the error message, and that the validator misses it; Atlassian, "Stage options"
    /// (https://support.atlassian.com/bitbucket-cloud/docs/stage-options/) and "Evolving
    /// deployments in Bitbucket Pipelines: concurrency groups and environments"
    /// (https://www.atlassian.com/blog/bitbucket/evolving-deployments-in-bitbucket-pipelines-concurrency-groups-and-environments).
    pub struct EnvReused {
        id: "deploy/env-reused",
        severity: Error,
        summary: "One deployment environment used by several steps of a pipeline",
        fix: false,
    }
}

impl Rule for EnvReused {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let Some(file) = &cx.file else {
            return;
        };
        for pipeline in file.pipelines() {
            let mut seen: Vec<(&str, &Node)> = Vec::new();
            for item in pipeline.items() {
                for node in item_deployments(item) {
                    let Some(name) = node.as_str() else {
                        continue;
                    };
                    if is_template(node) {
                        continue;
                    }
                    match seen.iter().find(|(n, _)| *n == name) {
                        Some((_, first)) => out.push(
                            Diagnostic::at(
                                Self::META.id,
                                node,
                                format!(
                                    "deployment environment `{name}` occurs multiple times in this pipeline"
                                ),
                            )
                            .help(format!(
                                "put the steps that deploy to `{name}` in one deployment stage \
                                 (`- stage: {{deployment: {name}, steps: [...]}}`), or give the \
                                 later ones `environment: {name}` and a `concurrency-group` \
                                 instead of `deployment`"
                            ))
                            .related(first.site(), format!("`{name}` is first used here")),
                        ),
                        None => seen.push((name, node)),
                    }
                }
            }
        }
    }
}

/// The `deployment` values an item of a pipeline uses: its step's, each parallel step's, or
/// its stage's (not those of the steps inside the stage). A final step can't deploy
/// (`final/unsupported-keys`) and is not counted.
fn item_deployments(item: &Node) -> Vec<&Node> {
    let mut out = Vec::new();
    if let Some(d) = item.get("step").and_then(|s| s.get("deployment")) {
        out.push(d);
    }
    if let Some(d) = item.get("stage").and_then(|s| s.get("deployment")) {
        out.push(d);
    }
    if let Some(group) = item.get("parallel") {
        let steps = match group.get("steps") {
            Some(steps) => steps.as_sequence(),
            None => group.as_sequence(),
        };
        for inner in steps.unwrap_or(&[]) {
            if let Some(d) = inner.get("step").and_then(|s| s.get("deployment")) {
                out.push(d);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use crate::{CheckOptions, Selection};

    fn found(src: &str) -> Vec<crate::Diagnostic> {
        let opts = CheckOptions {
            select: Selection::Only(vec!["deploy/env-reused".into()]),
            ..CheckOptions::default()
        };
        crate::check(src, &opts).diagnostics
    }

    #[test]
    fn an_anchored_step_used_twice_is_a_reuse() {
        let src = "definitions:\n  steps:\n    - step: &deploy\n        deployment: production\n        script: [./deploy.sh]\npipelines:\n  default:\n    - step: *deploy\n    - step: *deploy\n  branches:\n    main:\n      - step: *deploy\n";
        let found = found(src);
        assert_eq!(found.len(), 1, "{found:#?}");
        let labels: Vec<(&str, &str)> = found[0]
            .related
            .iter()
            .map(|r| (&src[r.span.range()], r.message.as_str()))
            .collect();
        assert_eq!(
            labels,
            [
                ("*deploy", "`production` is first used here"),
                ("*deploy", "used here through `*deploy`")
            ]
        );
        assert_eq!(
            found[0].related[0].span.start,
            src.find("*deploy").unwrap_or(0)
        );
    }

    #[test]
    fn stages_count_and_their_steps_do_not() {
        let src = "pipelines:\n  default:\n    - stage:\n        deployment: staging\n        steps:\n          - step: {script: [a]}\n          - step: {script: [b]}\n    - parallel:\n        - step: {script: [c], deployment: test}\n        - step: {script: [d], deployment: test}\n    - stage:\n        deployment: staging\n        steps:\n          - step: {script: [e]}\n";
        let messages: Vec<String> = found(src).into_iter().map(|d| d.message).collect();
        assert_eq!(messages.len(), 2, "{messages:#?}");
        assert!(messages[0].contains("`test`"));
        assert!(messages[1].contains("`staging`"));
    }
}
