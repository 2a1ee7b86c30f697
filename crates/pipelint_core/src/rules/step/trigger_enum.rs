use crate::context::Context;
use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::rule::{Rule, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Reports a `trigger` on a step or a stage that is not `automatic` or `manual`. A
    /// value that differs only in case or by a typo (`Manual`, `manaul`) gets a fix.
    ///
    /// Reported by the schema pass.
    ///
    /// ## Why is this bad?
    /// Bitbucket rejects the file: the values are case-sensitive.
    ///
    /// ## Example
    /// ```yaml
    /// pipelines:
    ///   default:
    ///     - step:
    ///         script: [make]
    ///     - step:
    ///         trigger: Manual
    ///         script: [./deploy.sh]
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// pipelines:
    ///   default:
    ///     - step:
    ///         script: [make]
    ///     - step:
    ///         trigger: manual
    ///         script: [./deploy.sh]
    /// ```
    ///
    /// ## Source
    /// The official schema's `trigger` enum (G-ATLASCODE); Atlassian, "Pipeline triggers"
    /// (A-TRIGGERS); the ktomk/pipelines emulator: "'trigger' expects either 'manual' or
    /// 'automatic'" (G-KTOMK).
    pub struct TriggerEnum {
        id: "step/trigger-enum",
        severity: Error,
        summary: "A `trigger` that is not `automatic` or `manual`",
        fix: true,
    }
}

impl Rule for TriggerEnum {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, _cx: &Context<'_>, _out: &mut Vec<Diagnostic>) {
        // Reported by the schema pass.
    }
}
