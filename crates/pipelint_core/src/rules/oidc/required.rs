use pipelint_yaml::Node;

use crate::context::Context;
use crate::declare_rule;
use crate::diagnostic::{Diagnostic, Edit, Fix};
use crate::model::StepRef;
use crate::rule::{Rule, RuleMeta};

use super::uses::{TOKEN_VAR, Use, UseKind, oidc_enabled, uses};

declare_rule! {
    /// ## What it does
    /// Reports a step that needs an OpenID Connect token but does not set `oidc: true`:
    /// - its image (the step's, or the global `image` when the step has none) or the image
    ///   of a service it uses is pulled with `aws.oidc-role`;
    /// - its `script` or `after-script` reads `$BITBUCKET_STEP_OIDC_TOKEN`: `$NAME` or
    ///   `${NAME}` in a command or an assignment, or the bare name passed on as a whole
    ///   argument (`docker run -e BITBUCKET_STEP_OIDC_TOKEN`); comments and mentions inside
    ///   other text (`echo "set BITBUCKET_STEP_OIDC_TOKEN"`) do not count;
    /// - a pipe of the step is given a variable whose name contains `OIDC` with a value
    ///   (such as `AWS_OIDC_ROLE_ARN` of Atlassian's AWS pipes), or a variable whose value
    ///   passes `$BITBUCKET_STEP_OIDC_TOKEN`.
    ///
    /// It points at the first such use. The fix adds `oidc: true` as the first key of the
    /// step (block-style steps only), or turns `oidc: false` into `oidc: true`.
    ///
    /// ## Why is this bad?
    /// Bitbucket issues the token only to steps that ask for it. Without `oidc: true`,
    /// `$BITBUCKET_STEP_OIDC_TOKEN` is empty, so the role cannot be assumed: the image
    /// cannot be pulled, and the login in the script or the pipe fails.
    ///
    /// ## Example
    /// ```yaml
    /// pipelines:
    ///   default:
    ///     - step:
    ///         name: Deploy
    ///         script:
    ///           - echo "$BITBUCKET_STEP_OIDC_TOKEN" > web-identity-token
    ///           - aws s3 sync build/ s3://my-bucket
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// pipelines:
    ///   default:
    ///     - step:
    ///         name: Deploy
    ///         oidc: true
    ///         script:
    ///           - echo "$BITBUCKET_STEP_OIDC_TOKEN" > web-identity-token
    ///           - aws s3 sync build/ s3://my-bucket
    /// ```
    ///
    /// ## Source
    /// Atlassian, "Integrate Pipelines with resource servers using OIDC" (`oidc: true` on the
    /// step issues `$BITBUCKET_STEP_OIDC_TOKEN`) and "Use AWS ECR images in Pipelines with
    /// OpenID Connect" (the example sets `oidc: true` beside `aws.oidc-role`); Atlassian's AWS
    /// pipes (`AWS_OIDC_ROLE_ARN` needs `oidc: true`). That `aws.oidc-role` fails without
    /// `oidc: true` is stated by a third-party model of the file (udmada/pkl-bitbucket-pipelines)
    /// and by the documentation's examples, not in a sentence of Atlassian's.
    pub struct Required {
        id: "oidc/required",
        severity: Warning,
        summary: "A step needs an OIDC token but does not set `oidc: true`",
        fix: true,
    }
}

impl Rule for Required {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let Some(file) = &cx.file else {
            return;
        };
        for step in cx.steps() {
            if step.map().is_none() || step.is_child_pipeline() {
                continue;
            }
            if oidc_enabled(step) != Some(false) {
                continue;
            }
            let found = uses(cx, file, step);
            let Some((first, others)) = found.split_first() else {
                continue;
            };
            out.push(report(cx, step, first, others));
        }
    }
}

fn report(cx: &Context<'_>, step: &StepRef<'_>, first: &Use<'_>, others: &[Use<'_>]) -> Diagnostic {
    let message = match &first.kind {
        UseKind::StepImage => {
            "the image is pulled with `aws.oidc-role`, but the step does not set `oidc: true`, so it gets no OIDC token".to_owned()
        }
        UseKind::GlobalImage => {
            "this step's image (the global `image`) is pulled with `aws.oidc-role`, but the step does not set `oidc: true`, so it gets no OIDC token".to_owned()
        }
        UseKind::Service(name) => format!(
            "service `{name}` pulls its image with `aws.oidc-role`, but the step does not set `oidc: true`, so it gets no OIDC token"
        ),
        UseKind::Script => format!(
            "the script reads `{TOKEN_VAR}`, which is empty unless the step sets `oidc: true`"
        ),
        UseKind::PipeRole(key) => format!(
            "the pipe is given `{key}`, but the step does not set `oidc: true`, so the pipe gets no OIDC token"
        ),
        UseKind::PipeToken => format!(
            "the pipe is passed `{TOKEN_VAR}`, which is empty unless the step sets `oidc: true`"
        ),
    };
    let mut d = Diagnostic::at(Required::META.id, first.node, message);
    if let Some(span) = first.span {
        d.span = span;
    }
    if let Some(origin) = first.origin {
        d = d.related(origin.span, "`aws.oidc-role` is set here");
    }
    for other in others.iter().take(3) {
        let span = other.span.unwrap_or(other.node.span);
        if span != d.span {
            d = d.related(span, "the token is also needed here");
        }
    }
    let explicit = step.map().and_then(|m| m.entry("oidc"));
    match explicit {
        Some(entry) => {
            d = d
                .related(entry.value.span, "the step turns the token off here")
                .help("change `oidc: false` to `oidc: true`")
                .fix(Fix::safe(
                    "Set `oidc: true`",
                    vec![Edit::replace(entry.value.span, "true")],
                ));
        }
        None => {
            d = d.help("add `oidc: true` to the step");
            if let Some(edit) = insert_oidc(cx.source, step.node) {
                d = d.fix(Fix::safe("Add `oidc: true` to the step", vec![edit]));
            }
        }
    }
    d
}

/// A new line `oidc: true` before the first key of a block-style step mapping, at its
/// indentation. `None` for flow-style (`{...}`) steps.
fn insert_oidc(source: &str, step: &Node) -> Option<Edit> {
    step.as_mapping()?;
    let start = step.span.start;
    let before = source.get(..start)?;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let indent = source.get(line_start..start)?;
    if !indent.bytes().all(|b| b == b' ') || source.get(start..)?.starts_with('{') {
        return None;
    }
    let newline = if before
        .get(..line_start)
        .is_some_and(|b| b.ends_with("\r\n"))
    {
        "\r\n"
    } else {
        "\n"
    };
    Some(Edit::insert(
        line_start,
        format!("{indent}oidc: true{newline}"),
    ))
}

#[cfg(test)]
mod tests {
    use crate::{CheckOptions, Selection, check, fix};

    fn fixed(source: &str) -> String {
        let opts = CheckOptions {
            select: Selection::Only(vec!["oidc/required".into()]),
            ..CheckOptions::default()
        };
        let analysis = check(source, &opts);
        let (out, _) = fix::apply(
            source,
            analysis.diagnostics.iter().filter_map(|d| d.fix.as_ref()),
        );
        out
    }

    #[test]
    fn inserts_oidc_before_the_first_key() {
        let source = "pipelines:\n  default:\n    - step:\n        name: Deploy\n        script:\n          - echo $BITBUCKET_STEP_OIDC_TOKEN > t\n";
        assert_eq!(
            fixed(source),
            "pipelines:\n  default:\n    - step:\n        oidc: true\n        name: Deploy\n        script:\n          - echo $BITBUCKET_STEP_OIDC_TOKEN > t\n"
        );
    }

    #[test]
    fn anchored_step_is_fixed_once_in_the_anchor() {
        let source = "definitions:\n  steps:\n    - step: &d\n        script:\n          - vault login jwt=$BITBUCKET_STEP_OIDC_TOKEN\npipelines:\n  default:\n    - step: *d\n    - step: *d\n";
        let out = fixed(source);
        assert_eq!(out.matches("oidc: true").count(), 1, "{out}");
        assert!(
            out.contains("    - step: &d\n        oidc: true\n        script:"),
            "{out}"
        );
        assert_eq!(fixed(&out), out);
    }

    #[test]
    fn keeps_crlf_line_ends() {
        let source = "pipelines:\r\n  default:\r\n    - step:\r\n        script:\r\n          - echo $BITBUCKET_STEP_OIDC_TOKEN\r\n";
        assert_eq!(
            fixed(source),
            "pipelines:\r\n  default:\r\n    - step:\r\n        oidc: true\r\n        script:\r\n          - echo $BITBUCKET_STEP_OIDC_TOKEN\r\n"
        );
    }

    #[test]
    fn flips_false_and_skips_flow_steps() {
        let source = "pipelines:\n  default:\n    - step:\n        oidc: false\n        script: [echo $BITBUCKET_STEP_OIDC_TOKEN]\n    - step: {script: [echo $BITBUCKET_STEP_OIDC_TOKEN]}\n";
        assert_eq!(
            fixed(source),
            "pipelines:\n  default:\n    - step:\n        oidc: true\n        script: [echo $BITBUCKET_STEP_OIDC_TOKEN]\n    - step: {script: [echo $BITBUCKET_STEP_OIDC_TOKEN]}\n"
        );
    }

    #[test]
    fn mentions_are_not_reads() {
        let opts = CheckOptions {
            select: Selection::Only(vec!["oidc/required".into()]),
            ..CheckOptions::default()
        };
        for script in [
            "echo 'set BITBUCKET_STEP_OIDC_TOKEN'",
            "echo $BITBUCKET_STEP_OIDC_TOKEN_FILE",
            "# echo $BITBUCKET_STEP_OIDC_TOKEN",
        ] {
            let source = format!(
                "pipelines:\n  default:\n    - step:\n        script:\n          - \"{script}\"\n"
            );
            assert!(check(&source, &opts).diagnostics.is_empty(), "{script}");
        }
        for script in [
            "T=$BITBUCKET_STEP_OIDC_TOKEN",
            "A=1 T=${BITBUCKET_STEP_OIDC_TOKEN} ./login",
            "docker build --secret id=t,env=BITBUCKET_STEP_OIDC_TOKEN .",
            "printenv BITBUCKET_STEP_OIDC_TOKEN",
        ] {
            let source = format!(
                "pipelines:\n  default:\n    - step:\n        script:\n          - \"{script}\"\n"
            );
            assert_eq!(check(&source, &opts).diagnostics.len(), 1, "{script}");
        }
    }
}
