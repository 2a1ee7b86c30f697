use crate::context::Context;
use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::rule::{Rule, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Reports a parallel group that holds exactly one step.
    ///
    /// ## Why is this bad?
    /// One step runs on its own whether or not it is in a group: the group only adds a
    /// level of indentation. Often a second step was meant to be in the group and was
    /// indented one level too little.
    ///
    /// ## Example
    /// ```yaml
    /// pipelines:
    ///   default:
    ///     - parallel:
    ///         - step:
    ///             script: [make test]
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// pipelines:
    ///   default:
    ///     - step:
    ///         script: [make test]
    /// ```
    ///
    /// ## Source
    /// A style rule of pipelint's rule catalog (§5.4); Atlassian, "Parallel step options"
    /// (A-PAR) describes groups as steps that run at the same time.
    pub struct Single {
        id: "parallel/single",
        severity: Info,
        summary: "A parallel group with a single step",
        fix: false,
    }
}

impl Rule for Single {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let Some(file) = &cx.file else { return };
        for group in super::groups(file) {
            if group.list.is_some_and(|l| l.truncated) || group.items.len() != 1 {
                continue;
            }
            if group.items[0].get("step").is_none() {
                continue;
            }
            out.push(
                Diagnostic::at(
                    Self::META.id,
                    &group.entry.key,
                    "this parallel group has a single step; it runs like an ordinary step",
                )
                .help("write the step as an ordinary `- step:` item, or add the steps that should run beside it"),
            );
        }
    }
}
