use pipelint_yaml::{Node, Span};

use super::{VarRef, var_refs};
use crate::context::Context;
use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::model::{PipelineKind, StepRef, locate_in_scalar};
use crate::rule::{Rule, RuleMeta};
use crate::shell;

declare_rule! {
    /// ## What it does
    /// Reports a script that reads one of Bitbucket's variables where Bitbucket does not
    /// set it:
    ///
    /// - `BITBUCKET_PR_ID` and `BITBUCKET_PR_DESTINATION_BRANCH` outside pull-request
    ///   pipelines;
    /// - `BITBUCKET_TAG` in the default, branch and pull-request pipelines;
    /// - `BITBUCKET_BRANCH` in tag pipelines;
    /// - `BITBUCKET_PARALLEL_STEP` and `BITBUCKET_PARALLEL_STEP_COUNT` in a step outside a
    ///   parallel group;
    /// - `BITBUCKET_DEPLOYMENT_ENVIRONMENT` (and `_UUID`) in a step without `deployment`
    ///   (on the step or its stage).
    ///
    /// It reads `script`, `after-script` and the values of pipe `variables`, and points
    /// at the variable where it is written. A step shared through a YAML anchor is
    /// judged in each pipeline that uses it. It stays quiet when the script handles the
    /// variable being unset: a test of it (`[ -n "$BITBUCKET_TAG" ]`, `test`, `[[ ]]`,
    /// `case`), a default or alternative (`${BITBUCKET_TAG:-}`, `${BITBUCKET_PR_ID:+...}`),
    /// or its own assignment, anywhere in the step. Custom pipelines can be run on a tag
    /// or a commit, so `BITBUCKET_TAG` and `BITBUCKET_BRANCH` are not judged there, and the
    /// shared pipelines of `definitions.pipelines` run in contexts this file does not
    /// know, so they are not judged at all.
    ///
    /// ## Why is this bad?
    /// Outside its context the variable is simply empty: no error, but `git tag
    /// "$BITBUCKET_TAG"`, `docker push app:$BITBUCKET_TAG` or a comment posted to PR
    /// `$BITBUCKET_PR_ID` quietly does the wrong thing or fails later with a confusing
    /// message. Usually the command sits in a step that was copied, or anchored, into the
    /// wrong pipeline.
    ///
    /// ## Example
    /// ```yaml
    /// pipelines:
    ///   branches:
    ///     main:
    ///       - step:
    ///           script:
    ///             - docker build -t acme/app:$BITBUCKET_TAG .
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// pipelines:
    ///   branches:
    ///     main:
    ///       - step:
    ///           script:
    ///             - docker build -t acme/app:$BITBUCKET_COMMIT .
    ///   tags:
    ///     'v*':
    ///       - step:
    ///           script:
    ///             - docker build -t acme/app:$BITBUCKET_TAG .
    /// ```
    ///
    /// ## Source
    /// Atlassian, "Variables and secrets"
    /// (https://support.atlassian.com/bitbucket-cloud/docs/variables-and-secrets/), which
    /// says where each default variable is available ("only available on tags", "only
    /// available on a pull request triggered build", "not available outside a parallel
    /// step", "only available on deployment steps").
    pub struct VarContext {
        id: "var/context",
        severity: Warning,
        summary: "A Bitbucket variable read where Bitbucket does not set it",
        fix: false,
    }
}

/// A variable that only some steps get, and the steps that do not.
struct VarScope {
    names: &'static [&'static str],
    /// Whether the step lacks the variable (`None`: unknown, stay quiet).
    missing: fn(&StepRef<'_>) -> Option<bool>,
    why: &'static str,
    fix: &'static str,
}

const RULES: &[VarScope] = &[
    VarScope {
        names: &["BITBUCKET_PR_ID", "BITBUCKET_PR_DESTINATION_BRANCH"],
        missing: |s| match s.pipeline_kind {
            PipelineKind::Shared => None,
            kind => Some(kind != PipelineKind::PullRequest),
        },
        why: "is only set in pull-request pipelines (`pipelines.pull-requests`), so it is empty here",
        fix: "move the command to a pull-request pipeline",
    },
    VarScope {
        names: &["BITBUCKET_TAG"],
        missing: |s| match s.pipeline_kind {
            PipelineKind::Default
            | PipelineKind::Branch
            | PipelineKind::PullRequest
            | PipelineKind::Bookmark => Some(true),
            PipelineKind::Tag => Some(false),
            PipelineKind::Custom | PipelineKind::Shared => None,
        },
        why: "is only set in tag pipelines (`pipelines.tags`), so it is empty here",
        fix: "move the command to a tag pipeline, or use `$BITBUCKET_COMMIT` to name the build",
    },
    VarScope {
        names: &["BITBUCKET_BRANCH"],
        missing: |s| match s.pipeline_kind {
            PipelineKind::Tag => Some(true),
            PipelineKind::Shared => None,
            _ => Some(false),
        },
        why: "is not set in tag pipelines, so it is empty here",
        fix: "use `$BITBUCKET_TAG` in a tag pipeline",
    },
    VarScope {
        names: &["BITBUCKET_PARALLEL_STEP", "BITBUCKET_PARALLEL_STEP_COUNT"],
        missing: |s| match s.pipeline_kind {
            PipelineKind::Shared => None,
            _ => Some(s.parallel.is_none()),
        },
        why: "is only set in the steps of a parallel group, and this step is not in one",
        fix: "run the step inside `parallel:`",
    },
    VarScope {
        names: &[
            "BITBUCKET_DEPLOYMENT_ENVIRONMENT",
            "BITBUCKET_DEPLOYMENT_ENVIRONMENT_UUID",
        ],
        missing: |s| match s.pipeline_kind {
            PipelineKind::Shared => None,
            _ => Some(!deploys(s)),
        },
        why: "is only set on deployment steps, and this step has no `deployment`",
        fix: "add `deployment: <environment>` to the step (or its stage)",
    },
];

/// A reference in a script item, with where it is.
struct Found<'a> {
    item: &'a Node,
    var: VarRef,
    /// Offset of the reference in the item's value.
    at: usize,
}

impl Rule for VarContext {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for step in cx.steps() {
            let mut refs: Option<(Vec<Found<'_>>, Vec<String>)> = None;
            for rule in RULES {
                if (rule.missing)(step) != Some(true) {
                    continue;
                }
                let (found, handled) = refs.get_or_insert_with(|| read_step(step));
                for f in found.iter() {
                    if !rule.names.contains(&f.var.name.as_str()) || handled.contains(&f.var.name) {
                        continue;
                    }
                    out.push(diagnostic(cx, f, rule));
                }
            }
        }
    }
}

fn diagnostic(cx: &Context<'_>, f: &Found<'_>, rule: &VarScope) -> Diagnostic {
    let name = &f.var.name;
    let len = f.var.end - f.var.start;
    let span: Span = locate_in_scalar(cx.source, f.item, f.at, f.at + len);
    let mut d = Diagnostic::new(VarContext::META.id, span, format!("`{name}` {}", rule.why))
        .help(format!(
            "{}; if the step is meant to run there too, handle the empty value: `${{{name}:-}}` or `[ -n \"${name}\" ]`",
            rule.fix
        ));
    if let Some(site) = f.item.via.first() {
        d = d.via(*site);
    }
    d
}

/// The variable references of a step's `script`, `after-script` and pipe variables, and
/// the names the step handles being unset (tests them, gives them a default, or assigns
/// them).
fn read_step<'a>(step: &StepRef<'a>) -> (Vec<Found<'a>>, Vec<String>) {
    let mut found = Vec::new();
    let mut handled = Vec::new();
    for key in ["script", "after-script"] {
        let items = step.get(key).and_then(Node::as_sequence).unwrap_or(&[]);
        for item in items {
            let Some(value) = item.as_scalar().map(|s| s.value.as_str()) else {
                continue;
            };
            // A reference needs a `$`, an assignment a `=`: most lines have neither.
            if !value.bytes().any(|b| b == b'$' || b == b'=') {
                continue;
            }
            let mut seen: Vec<usize> = Vec::new();
            for word in shell::words(value) {
                let Some(raw) = value.get(word.start..word.end) else {
                    continue;
                };
                if let Some((name, _)) = word.text.split_once('=')
                    && is_name(name)
                {
                    handled.push(name.to_owned());
                }
                for var in var_refs(raw) {
                    let at = word.start + var.start;
                    if seen.contains(&at) {
                        continue;
                    }
                    seen.push(at);
                    if var.guarded {
                        handled.push(var.name.clone());
                    }
                    found.push(Found { item, var, at });
                }
            }
        }
    }
    // Tests of a variable: `[ -n "$X" ]`, `[[ $X ]]`, `test -z "$X"`, `case $X in`.
    for sc in step.script_commands() {
        if !matches!(sc.command.program(), Some("[" | "[[" | "test" | "case")) {
            continue;
        }
        for w in sc.command.args() {
            handled.extend(var_refs(&w.text).into_iter().map(|v| v.name));
        }
    }
    // Pipe variables: Bitbucket fills in `$NAME` from the step's environment.
    for pipe in step.pipes() {
        let Some(vars) = pipe.get("variables").and_then(Node::as_mapping) else {
            continue;
        };
        for (_, entry) in vars.iter() {
            let values = match entry.value.as_sequence() {
                Some(items) => items.iter().collect(),
                None => vec![&entry.value],
            };
            for item in values {
                let Some(value) = item.as_scalar().map(|s| s.value.as_str()) else {
                    continue;
                };
                for var in var_refs(value) {
                    if var.guarded {
                        handled.push(var.name.clone());
                    }
                    let at = var.start;
                    found.push(Found { item, var, at });
                }
            }
        }
    }
    (found, handled)
}

fn is_name(s: &str) -> bool {
    s.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Whether the step deploys to an environment: `deployment` (or `environment`) on the step
/// or its stage.
fn deploys(step: &StepRef<'_>) -> bool {
    let has = |n: &Node| n.get("deployment").is_some() || n.get("environment").is_some();
    has(step.node) || step.stage.is_some_and(has)
}

#[cfg(test)]
mod tests {
    use crate::{CheckOptions, Selection};

    fn found(source: &str) -> Vec<String> {
        let opts = CheckOptions {
            select: Selection::Only(vec!["var/context".into()]),
            ..CheckOptions::default()
        };
        crate::check(source, &opts)
            .diagnostics
            .into_iter()
            .map(|d| source[d.span.range()].to_owned())
            .collect()
    }

    #[test]
    fn guards_and_kinds() {
        let source = r#"pipelines:
  default:
    - step:
        script:
          - echo "$BITBUCKET_TAG" '$BITBUCKET_PR_ID'
          - VERSION=${BITBUCKET_PR_DESTINATION_BRANCH} make
          - echo $BITBUCKET_PARALLEL_STEP
    - step:
        script:
          - if [ -n "$BITBUCKET_TAG" ]; then docker push app:$BITBUCKET_TAG; fi
          - echo ${BITBUCKET_PR_ID:-none} $BITBUCKET_PR_ID
          - export BITBUCKET_DEPLOYMENT_ENVIRONMENT=dev; echo $BITBUCKET_DEPLOYMENT_ENVIRONMENT
  tags:
    '*':
      - step:
          script:
            - echo $BITBUCKET_TAG $BITBUCKET_BRANCH
  custom:
    release:
      - step:
          script:
            - echo $BITBUCKET_TAG $BITBUCKET_BRANCH $BITBUCKET_PR_ID
"#;
        assert_eq!(
            found(source),
            [
                "$BITBUCKET_TAG",
                "${BITBUCKET_PR_DESTINATION_BRANCH}",
                "$BITBUCKET_PARALLEL_STEP",
                "$BITBUCKET_BRANCH",
                "$BITBUCKET_PR_ID",
            ]
        );
    }
}
