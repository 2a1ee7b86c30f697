use crate::context::Context;
use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::model::is_yaml_true;
use crate::rule::{Rule, RuleMeta};

use super::{global_clone, step_clone};

declare_rule! {
    /// ## What it does
    /// Reports `skip-ssl-verify` in the top-level `clone`, or in the `clone` of a step
    /// that runs on Bitbucket Cloud (a step without `runs-on`).
    ///
    /// ## Why is this bad?
    /// Skipping certificate checks is for a self-hosted runner that clones over a
    /// certificate its host does not trust. Bitbucket honours the setting only on the
    /// `clone` of a step that runs on a self-hosted runner; anywhere else it is ignored,
    /// and the clone that needed it still fails.
    ///
    /// ## Example
    /// ```yaml
    /// clone:
    ///   skip-ssl-verify: true
    /// pipelines:
    ///   default:
    ///     - step:
    ///         runs-on: [self.hosted, linux]
    ///         script:
    ///           - make
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// pipelines:
    ///   default:
    ///     - step:
    ///         runs-on: [self.hosted, linux]
    ///         clone:
    ///           skip-ssl-verify: true
    ///         script:
    ///           - make
    /// ```
    ///
    /// ## Source
    /// Atlassian, "Git clone behavior"
    /// (https://support.atlassian.com/bitbucket-cloud/docs/git-clone-behavior/):
    /// `skip-ssl-verify` is set on a step's clone and applies to self-hosted runners.
    pub struct SkipSslVerifyScope {
        id: "clone/skip-ssl-verify-scope",
        severity: Warning,
        summary: "`skip-ssl-verify` where Bitbucket ignores it: top-level clone or a cloud step",
        fix: false,
    }
}

impl Rule for SkipSslVerifyScope {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let key = "skip-ssl-verify";
        if let Some(entry) = global_clone(cx)
            .and_then(|c| c.as_mapping())
            .and_then(|m| m.entry(key))
            && is_yaml_true(&entry.value)
        {
            out.push(
                Diagnostic::at(
                    Self::META.id,
                    &entry.key,
                    "`skip-ssl-verify` has no effect in the top-level `clone`; it only applies to the clone of a step on a self-hosted runner",
                )
                .help("set it on the steps that run on the runner:\n- step:\n    runs-on: [self.hosted, linux]\n    clone:\n      skip-ssl-verify: true"),
            );
        }
        for step in cx.steps() {
            // Any `runs-on` sends the step to a runner (`self.hosted` is usual but a
            // system label alone also matches).
            if step.get("runs-on").is_some() {
                continue;
            }
            let Some(entry) = step_clone(step)
                .and_then(|c| c.as_mapping())
                .and_then(|m| m.entry(key))
            else {
                continue;
            };
            if !is_yaml_true(&entry.value) {
                continue;
            }
            out.push(
                Diagnostic::at(
                    Self::META.id,
                    &entry.key,
                    "`skip-ssl-verify` has no effect here: this step runs on Bitbucket Cloud, not on a self-hosted runner",
                )
                .help("remove it, or run the step on your runner with `runs-on: [self.hosted, linux]`"),
            );
        }
    }
}
