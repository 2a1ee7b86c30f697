use pipelint_yaml::{Mapping, Node, ProblemKind};

use crate::context::Context;
use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::model::{STEP_KEYS, StepRef, is_template};
use crate::rule::{Rule, RuleMeta};
use crate::suggest;

declare_rule! {
    /// ## What it does
    /// Reports an ordinary step (one without `type: pipeline`) that has no `script` key.
    /// Keys a step gets from a merge key (`<<: *base`) or through an alias (`- step:
    /// *build`) count: the step is judged as Bitbucket reads it.
    ///
    /// A step whose value is empty is left to `struct/empty-step` and
    /// `struct/step-indentation`, and a child-pipeline step (`type: pipeline`) runs another
    /// pipeline instead of commands, so it needs no `script`.
    ///
    /// ## Why is this bad?
    /// `script` is the one key every ordinary step must have: the commands the step runs.
    /// Bitbucket rejects a pipeline with a step that has none before anything runs. The
    /// key is often misspelt (`scripts:`, `Script:`) or lost when an anchored step is
    /// reused with a merge key that overrides the wrong key.
    ///
    /// ## Example
    /// ```yaml
    /// pipelines:
    ///   default:
    ///     - step:
    ///         name: Deploy
    ///         deployment: production
    ///         trigger: manual
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// pipelines:
    ///   default:
    ///     - step:
    ///         name: Deploy
    ///         deployment: production
    ///         trigger: manual
    ///         script:
    ///           - ./deploy.sh production
    /// ```
    ///
    /// ## Source
    /// Atlassian, "Step options" (A-STEP): `script` is required on every step; the
    /// emulators of ktomk/pipelines and the pkl-based validator reject a step without it
    /// as well (research §1 keyword tree and §5.3).
    pub struct ScriptMissing {
        id: "step/script-missing",
        severity: Error,
        summary: "A step without `script`",
        fix: false,
    }
}

impl Rule for ScriptMissing {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for step in cx.steps() {
            let node = step.node;
            // Empty steps and misindented ones are reported by the `struct/` rules; text
            // that broke off may hold the script further on.
            if node.is_null() || node.truncated {
                continue;
            }
            let Some(map) = node.as_mapping() else {
                continue;
            };
            // `step: {}` is empty: `struct/empty-step`.
            if map.is_empty() && map.merges.is_empty() {
                continue;
            }
            if map.contains_key("script") || !is_inline(step) || has_unreadable_merge(cx, node, map)
            {
                continue;
            }
            let mut d = Diagnostic::at(
                Self::META.id,
                step.key,
                "This step has no `script`; Bitbucket requires one.",
            )
            .help(help(map));
            if node.is_aliased() {
                d = d.related(node.span, "the step's keys are written here");
            }
            for site in map.merges.iter().flat_map(|m| &m.sources) {
                d = d.related(*site, "keys are merged from here; none of them is `script`");
            }
            out.push(d);
        }
    }
}

/// An ordinary step: no `type`, or `type: inline`. A `${{ }}` template leaves it open.
fn is_inline(step: &StepRef<'_>) -> bool {
    match step.get("type") {
        None => true,
        Some(t) if is_template(t) => false,
        Some(t) => t.as_str() != Some("pipeline"),
    }
}

/// A merge key whose alias the YAML layer could not read: the step may miss the keys it
/// would have brought, so it is not judged.
fn has_unreadable_merge(cx: &Context<'_>, node: &Node, map: &Mapping) -> bool {
    if map.merges.is_empty() {
        return false;
    }
    map.merges.iter().any(|m| m.sources.is_empty())
        || cx.parsed.problems.iter().any(|p| {
            matches!(
                p.kind,
                ProblemKind::UndefinedAlias { .. }
                    | ProblemKind::AliasLimit
                    | ProblemKind::BadMerge
            ) && node.span.contains_span(p.span)
        })
}

fn help(map: &Mapping) -> String {
    let typo = map
        .iter()
        .map(|(k, _)| k)
        .filter(|k| !STEP_KEYS.contains(k))
        .find(|k| suggest::closest(k, ["script"]).is_some());
    match typo {
        Some(k) => format!("rename `{k}` to `script`"),
        None => "add the commands the step runs under `script:`, e.g. `script: [make test]`; a step that starts a custom pipeline says `type: pipeline` and `custom: <name>` instead".to_owned(),
    }
}

#[cfg(test)]
mod tests {

    fn run(text: &str) -> Vec<crate::Diagnostic> {
        crate::check_only("step/script-missing", text)
    }

    #[test]
    fn reports_steps_without_script() {
        let text = "pipelines:\n  default:\n    - step: {name: a}\n    - parallel:\n        - step: {name: b, scripts: [x]}\n    - stage:\n        steps:\n          - step: {name: c, type: inline}\n";
        let found = run(text);
        assert_eq!(found.len(), 3, "{found:#?}");
        assert_eq!(
            found[0].message,
            "This step has no `script`; Bitbucket requires one."
        );
        assert_eq!(
            found[1].help.as_deref(),
            Some("rename `scripts` to `script`")
        );
        // At the `step` key.
        assert_eq!(&text[found[0].span.range()], "step");
    }

    #[test]
    fn merged_and_aliased_steps_are_judged_resolved() {
        let text = "definitions:\n  steps:\n    - step: &base\n        name: base\n        script: [make]\n    - step: &noscript\n        name: deploy\npipelines:\n  default:\n    - step:\n        <<: *base\n        name: build\n    - step: *base\n    - step: *noscript\n    - step:\n        <<: *noscript\n        image: alpine\n";
        let found = run(text);
        assert_eq!(found.len(), 2, "{found:#?}");
        assert!(
            found[0]
                .related
                .iter()
                .any(|r| r.message.contains("written here"))
        );
    }

    #[test]
    fn leaves_other_cases_alone() {
        for text in [
            // Child pipeline.
            "pipelines:\n  default:\n    - step: {type: pipeline, custom: deploy}\n  custom:\n    deploy:\n      - step: {script: [x]}\n",
            // Empty or misindented steps.
            "pipelines:\n  default:\n    - step:\n",
            "pipelines:\n  default:\n    - step:\n      script: [x]\n",
            // A merge whose alias is undefined.
            "pipelines:\n  default:\n    - step:\n        <<: *nothing\n        name: x\n",
            // A templated type.
            "pipelines:\n  default:\n    - step: {type: '${{ KIND }}', custom: x}\n",
            // The text broke off inside the step.
            "pipelines:\n  default:\n    - step:\n        name: x\n        script: [\"a\n",
        ] {
            assert!(run(text).is_empty(), "{text}: {:#?}", run(text));
        }
    }
}
