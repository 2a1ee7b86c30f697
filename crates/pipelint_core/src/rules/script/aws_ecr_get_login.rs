use crate::context::Context;
use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::rule::{Rule, RuleMeta};
use crate::rules::docker::script_diagnostic;
use crate::shell::{Command, Word};

declare_rule! {
    /// ## What it does
    /// Reports `aws ecr get-login` in a step's `script` or `after-script`, also inside
    /// `$(...)`, backticks and `eval`, as in the once-common
    /// `eval $(aws ecr get-login --no-include-email)`. `aws ecr get-login-password` is
    /// fine. It points at `get-login`.
    ///
    /// ## Why is this bad?
    /// AWS CLI version 2, which current images and the AWS pipes ship, no longer has
    /// `get-login`: the command fails with `aws: error: argument operation: Invalid
    /// choice`, and the `docker login` it was meant to produce never runs.
    ///
    /// ## Example
    /// ```yaml
    /// pipelines:
    ///   default:
    ///     - step:
    ///         services: [docker]
    ///         script:
    ///           - eval $(aws ecr get-login --no-include-email --region eu-west-1)
    ///           - docker push 123456789012.dkr.ecr.eu-west-1.amazonaws.com/app
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// pipelines:
    ///   default:
    ///     - step:
    ///         services: [docker]
    ///         script:
    ///           - aws ecr get-login-password --region eu-west-1 | docker login --username AWS --password-stdin 123456789012.dkr.ecr.eu-west-1.amazonaws.com
    ///           - docker push 123456789012.dkr.ecr.eu-west-1.amazonaws.com/app
    /// ```
    ///
    /// ## Source
    /// AWS CLI command reference for `aws ecr get-login` (removed in version 2; use
    /// `get-login-password`), and aws/aws-app-mesh-examples issue 260 for the error users
    /// meet.
    pub struct AwsEcrGetLogin {
        id: "script/aws-ecr-get-login",
        severity: Error,
        summary: "`aws ecr get-login`, which AWS CLI v2 removed",
        fix: false,
    }
}

impl Rule for AwsEcrGetLogin {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for step in cx.steps() {
            for sc in step.script_commands() {
                let Some(word) = get_login(&sc.command) else {
                    continue;
                };
                out.push(
                    script_diagnostic(
                        Self::META.id,
                        cx,
                        step,
                        sc,
                        &[word],
                        "`aws ecr get-login` was removed in AWS CLI v2",
                    )
                    .help(
                        "log in with `aws ecr get-login-password --region <region> | docker \
                         login --username AWS --password-stdin \
                         <account>.dkr.ecr.<region>.amazonaws.com`",
                    ),
                );
            }
        }
    }
}

/// The `get-login` word of `aws [options] ecr get-login ...`.
fn get_login<'c>(cmd: &'c Command<'c>) -> Option<&'c Word<'c>> {
    if cmd.program() != Some("aws") {
        return None;
    }
    let args = cmd.args();
    let ecr = args.iter().position(|w| w.text == "ecr")?;
    args.get(ecr + 1).filter(|w| w.text == "get-login")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::shell::commands;

    fn found(script: &str) -> usize {
        commands(script).iter().filter_map(get_login).count()
    }

    #[test]
    fn finds_get_login_only() {
        assert_eq!(found("aws ecr get-login --no-include-email"), 1);
        assert_eq!(found("aws --region x ecr get-login"), 1);
        assert_eq!(found("echo $(aws ecr get-login) > login.sh"), 1);
        assert_eq!(found("aws ecr get-login-password | docker login"), 0);
        assert_eq!(found("echo aws ecr get-login"), 0);
    }
}
