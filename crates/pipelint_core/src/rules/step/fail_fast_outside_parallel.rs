use crate::context::Context;
use crate::declare_rule;
use crate::diagnostic::{Diagnostic, Edit, Fix};
use crate::model::entry_lines;
use crate::rule::{Rule, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Reports `fail-fast` on a step that is not inside a parallel group. A final step is
    /// left to `final/unsupported-keys`, and a child-pipeline step (`type: pipeline`) is
    /// not judged. The fix (unsafe, to be looked at) removes the line.
    ///
    /// ## Why is this bad?
    /// `fail-fast` stops the other steps of a parallel group when one fails. A step that
    /// runs on its own already stops the pipeline when it fails, so the key does nothing
    /// there; it often means the step was meant to be inside a group.
    ///
    /// ## Example
    /// ```yaml
    /// pipelines:
    ///   default:
    ///     - step:
    ///         fail-fast: true
    ///         script: [make test]
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// pipelines:
    ///   default:
    ///     - parallel:
    ///         - step:
    ///             fail-fast: true
    ///             script: [make test]
    ///         - step:
    ///             script: [make lint]
    /// ```
    ///
    /// ## Source
    /// Atlassian, "Failing parallel builds fast" (B-FAILFAST,
    /// <https://bitbucket.org/blog/failing-parallel-builds-fast>): `fail-fast` is set on a
    /// parallel group or on steps inside one. That it has no effect elsewhere is the
    /// research's reading (a secondary source).
    pub struct FailFastOutsideParallel {
        id: "step/fail-fast-outside-parallel",
        severity: Info,
        summary: "`fail-fast` on a step that is not in a parallel group",
        fix: true,
    }
}

impl Rule for FailFastOutsideParallel {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for step in cx.steps() {
            if step.parallel.is_some() || step.is_final || step.is_child_pipeline() {
                continue;
            }
            let Some(entry) = step.map().and_then(|m| m.entry("fail-fast")) else {
                continue;
            };
            let mut d = Diagnostic::at(
                Self::META.id,
                &entry.key,
                "`fail-fast` only has an effect on a step inside a parallel group",
            )
            .help("remove `fail-fast` here, or move the step into a `parallel:` group");
            if entry.merged_from.is_none()
                && let Some(span) = entry_lines(cx.source, &entry.key, &entry.value)
            {
                d = d.fix(Fix::unsafe_("Remove `fail-fast`", vec![Edit::delete(span)]));
            }
            out.push(d);
        }
    }
}
