use crate::context::Context;
use crate::declare_rule;
use crate::diagnostic::{Diagnostic, Edit, Fix};
use crate::model::entry_lines;
use crate::rule::{Rule, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Reports `deployment`, `trigger` or `fail-fast` on a final step. The fix (unsafe:
    /// it drops what the key did) removes the line.
    ///
    /// ## Why is this bad?
    /// Atlassian does not support these keys on a final step: it always runs, by itself,
    /// after everything else, so it can't wait for a manual start, stop a group, or take a
    /// deployment environment's lock.
    ///
    /// ## Example
    /// ```yaml
    /// pipelines:
    ///   default:
    ///     - step:
    ///         script: [make]
    ///     - final:
    ///         name: Notify
    ///         trigger: manual
    ///         script: [./notify.sh]
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// pipelines:
    ///   default:
    ///     - step:
    ///         script: [make]
    ///     - final:
    ///         name: Notify
    ///         script: [./notify.sh]
    /// ```
    ///
    /// ## Source
    /// Atlassian, "Introducing Final Steps in Bitbucket Pipelines" (B-FINAL,
    /// <https://community.atlassian.com/forums/Bitbucket-articles/Introducing-Final-Steps-in-Bitbucket-Pipelines/ba-p/3215497>):
    /// "certain child properties, such as deployment, trigger, fail-fast are not supported
    /// under the final property".
    pub struct UnsupportedKeys {
        id: "final/unsupported-keys",
        severity: Error,
        summary: "`deployment`, `trigger` or `fail-fast` on a final step",
        fix: true,
    }
}

const UNSUPPORTED: &[&str] = &["deployment", "trigger", "fail-fast"];

impl Rule for UnsupportedKeys {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for step in cx.steps() {
            if !step.is_final {
                continue;
            }
            let Some(map) = step.map() else { continue };
            for (key, entry) in map.iter() {
                if !UNSUPPORTED.contains(&key) {
                    continue;
                }
                let help = match key {
                    "deployment" => {
                        "remove `deployment`; deploy in an ordinary step before the final one"
                    }
                    "trigger" => "remove `trigger`; a final step always runs, by itself",
                    _ => "remove `fail-fast`; a final step always runs, whatever failed before",
                };
                let mut d = Diagnostic::at(
                    Self::META.id,
                    &entry.key,
                    format!("`{key}` is not supported on a final step"),
                )
                .help(help);
                if entry.merged_from.is_none()
                    && let Some(span) = entry_lines(cx.source, &entry.key, &entry.value)
                {
                    d = d.fix(Fix::unsafe_(
                        format!("Remove `{key}`"),
                        vec![Edit::delete(span)],
                    ));
                }
                out.push(d);
            }
        }
    }
}
