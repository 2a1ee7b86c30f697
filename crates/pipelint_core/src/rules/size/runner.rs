use crate::context::Context;
use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::model::Origin;
use crate::rule::{Rule, RuleMeta};

/// Sizes larger than self-hosted runners support (8x, 32 GB, is the most).
const TOO_BIG: &[&str] = &["16x", "32x"];

declare_rule! {
    /// ## What it does
    /// Reports a step on a self-hosted runner (`runs-on: self.hosted`) whose size is
    /// larger than 8x, set on the step or under `options`; and a `size` set on a step that
    /// runs on a Linux shell, Windows or macOS runner (`linux.shell`, `windows`, `macos`
    /// labels).
    ///
    /// ## Why is this bad?
    /// Self-hosted runners give a step at most 8x (32 GB), so a larger size cannot be
    /// scheduled. Shell, Windows and macOS runners run the step directly on the machine,
    /// without a container whose memory `size` could set, so the setting does nothing there
    /// and suggests resources the step does not get.
    ///
    /// ## Example
    /// ```yaml
    /// pipelines:
    ///   default:
    ///     - step:
    ///         runs-on: [self.hosted, linux]
    ///         size: 16x
    ///         script: [make]
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// pipelines:
    ///   default:
    ///     - step:
    ///         runs-on: [self.hosted, linux]
    ///         size: 8x
    ///         script: [make]
    /// ```
    ///
    /// ## Source
    /// Atlassian, "Runners" (https://support.atlassian.com/bitbucket-cloud/docs/runners/):
    /// runner steps can be configured up to 32 GB (8x). That `size` has no effect on shell,
    /// Windows and macOS runners rests on third-party sources only, hence a warning.
    pub struct Runner {
        id: "size/runner",
        severity: Warning,
        summary: "A runner step larger than 8x, or `size` on a shell, Windows or macOS runner",
        fix: false,
    }
}

impl Rule for Runner {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let Some(file) = cx.file.as_ref() else {
            return;
        };
        for step in cx.steps() {
            if !step.is_self_hosted() {
                continue;
            }
            let size = step.size(file);
            let Some(node) = size.node else {
                continue;
            };
            let labels = step.runs_on();
            let machine = labels
                .iter()
                .find(|l| matches!(**l, "linux.shell" | "windows" | "macos"));
            if let Some(label) = machine
                && size.origin == Origin::Step
            {
                out.push(
                    Diagnostic::at(
                        Self::META.id,
                        node,
                        format!(
                            "`size` has no effect on a `{label}` runner, which runs the step on the machine itself, not in a container"
                        ),
                    )
                    .help("remove `size`; the step gets the runner machine's resources"),
                );
                continue;
            }
            if machine.is_none() && TOO_BIG.contains(&size.value) {
                let mut d = Diagnostic::at(
                    Self::META.id,
                    node,
                    format!(
                        "size `{}` is larger than self-hosted runners support; a runner step gets at most 8x (32 GB)",
                        size.value
                    ),
                )
                .help("use `size: 8x` or smaller on runner steps");
                if size.origin == Origin::Options {
                    d = d.related(
                        step.key.site(),
                        "this runner step gets the size from `options`",
                    );
                }
                out.push(d);
            }
        }
    }
}
