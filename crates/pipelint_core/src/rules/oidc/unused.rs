use pipelint_yaml::{Node, NodeKind};

use crate::context::Context;
use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::model::StepRef;
use crate::rule::{Rule, RuleMeta};
use crate::shell::{self, Command};

use super::uses::{TOKEN_VAR, oidc_enabled, uses};

declare_rule! {
    /// ## What it does
    /// Reports `oidc: true` on a step where nothing uses the token: no image of the step
    /// (its own or the global one, or a service's) has `aws.oidc-role`, no script mentions
    /// `BITBUCKET_STEP_OIDC_TOKEN`, and no pipe takes an OIDC role (a pipe whose name or
    /// variables mention OIDC, such as Atlassian's AWS pipes with `AWS_OIDC_ROLE_ARN`).
    ///
    /// The token is in the environment of every command and pipe of the step, so the rule
    /// stays quiet when the step runs code that the file does not show and that may read
    /// it: a pipe not published by Atlassian (`docker://...`, `vendor/pipe`) or a script
    /// file of the repository (`./deploy.sh`, `bin/release`, `bash scripts/x.sh`,
    /// `source env.sh`, `python deploy.py`). Tools and package scripts (`npm run`, `make`)
    /// are not looked into: if one of them reads the token, ignore the finding there.
    ///
    /// ## Why is this bad?
    /// The token lets the step assume the cloud roles that trust your workspace. A step
    /// that does not need it should not get it (least privilege); often `oidc: true` was
    /// copied from a deployment step, or the command that used the token was removed.
    ///
    /// ## Example
    /// ```yaml
    /// pipelines:
    ///   default:
    ///     - step:
    ///         name: Test
    ///         oidc: true
    ///         script:
    ///           - npm ci
    ///           - npm test
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// pipelines:
    ///   default:
    ///     - step:
    ///         name: Test
    ///         script:
    ///           - npm ci
    ///           - npm test
    /// ```
    ///
    /// ## Source
    /// Atlassian, "Integrate Pipelines with resource servers using OIDC" (the token is issued
    /// to steps with `oidc: true` as `$BITBUCKET_STEP_OIDC_TOKEN`) and "Use AWS ECR images in
    /// Pipelines with OpenID Connect" (`aws.oidc-role`). The least-privilege advice is the
    /// rule's own judgement.
    pub struct Unused {
        id: "oidc/unused",
        severity: Warning,
        summary: "`oidc: true` on a step that never uses the token",
        fix: false,
    }
}

impl Rule for Unused {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let Some(file) = &cx.file else {
            return;
        };
        for step in cx.steps() {
            if step.is_child_pipeline() || oidc_enabled(step) != Some(true) {
                continue;
            }
            let Some(entry) = step.map().and_then(|m| m.entry("oidc")) else {
                continue;
            };
            if step.node.truncated
                || !uses(cx, file, step).is_empty()
                || mentions_token(step)
                || runs_hidden_code(step)
            {
                continue;
            }
            let mut d = Diagnostic::at(
                Self::META.id,
                &entry.key,
                "this step asks for an OIDC token (`oidc: true`), but nothing in it uses the token",
            )
            .help("remove `oidc: true`, or ignore this if a program the step runs reads `$BITBUCKET_STEP_OIDC_TOKEN`");
            d.span = entry.key.span.cover(entry.value.span);
            out.push(d);
        }
    }
}

/// Any script item of the step that mentions the token variable at all (even in a
/// comment or a quoted text: the rule gives the benefit of the doubt).
fn mentions_token(step: &StepRef<'_>) -> bool {
    [false, true].iter().any(|after| {
        step.commands(*after)
            .iter()
            .any(|n| n.as_scalar().is_some_and(|s| s.value.contains(TOKEN_VAR)))
    })
}

/// A pipe or a command whose code the file does not show and which may read the token.
fn runs_hidden_code(step: &StepRef<'_>) -> bool {
    if step.pipes().iter().any(|p| pipe_may_use(p)) {
        return true;
    }
    [false, true].iter().any(|after| {
        step.commands(*after).iter().any(|n| {
            n.as_scalar()
                .is_some_and(|s| shell::commands(&s.value).iter().any(runs_script))
        })
    })
}

/// A pipe that may take the token: one whose name or variables mention OIDC, or any pipe
/// not published by Atlassian.
fn pipe_may_use(pipe: &Node) -> bool {
    let name = pipe.get("pipe").and_then(Node::as_str).unwrap_or("");
    let lower = name.to_ascii_lowercase();
    if lower.contains("oidc") || !lower.starts_with("atlassian/") {
        return true;
    }
    let Some(vars) = pipe.get("variables").and_then(Node::as_mapping) else {
        return false;
    };
    vars.iter().any(|(key, entry)| {
        key.to_ascii_lowercase().contains("oidc") || mentions_oidc(&entry.value)
    })
}

fn mentions_oidc(node: &Node) -> bool {
    match &node.kind {
        NodeKind::Scalar(s) => s.value.to_ascii_lowercase().contains("oidc"),
        NodeKind::Sequence(items) => items.iter().any(mentions_oidc),
        _ => false,
    }
}

/// A command that runs a script file of the repository: `./deploy.sh`, `bin/release`,
/// `bash deploy.sh`, `source env.sh`, `python scripts/login.py`.
fn runs_script(cmd: &Command) -> bool {
    let Some(first) = cmd.words.first() else {
        return false;
    };
    let word = first.as_str();
    // A relative path (not `/usr/bin/...`).
    if word.contains('/') && !word.starts_with('/') {
        return true;
    }
    let first_arg = cmd
        .args()
        .iter()
        .find(|w| !w.text.starts_with('-'))
        .map(|w| w.as_str());
    match cmd.program() {
        Some("source" | "." | "sh" | "bash" | "zsh" | "dash" | "ash") => first_arg.is_some(),
        Some(
            "python" | "python3" | "node" | "ruby" | "perl" | "php" | "pwsh" | "powershell"
            | "deno" | "bun" | "ts-node",
        ) => first_arg.is_some_and(looks_like_file),
        _ => false,
    }
}

fn looks_like_file(arg: &str) -> bool {
    const EXTENSIONS: &[&str] = &[
        ".sh", ".bash", ".py", ".js", ".mjs", ".cjs", ".ts", ".rb", ".pl", ".php", ".ps1",
    ];
    arg.contains('/') || EXTENSIONS.iter().any(|e| arg.ends_with(e))
}
