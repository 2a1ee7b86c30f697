use crate::context::Context;
use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::rule::{Rule, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Reports a `max-time` (on a step or under `options`) that is not a whole number of
    /// minutes from 1 to 720. A quoted number (`"60"`) gets a fix that removes the quotes.
    ///
    /// Reported by the schema pass.
    ///
    /// ## Why is this bad?
    /// Bitbucket stops a step after at most 720 minutes (12 hours), on cloud and
    /// self-hosted runners alike, and rejects a larger or non-numeric value. The default is
    /// 120 minutes.
    ///
    /// ## Example
    /// ```yaml
    /// pipelines:
    ///   default:
    ///     - step:
    ///         max-time: 800
    ///         script: [make]
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// pipelines:
    ///   default:
    ///     - step:
    ///         max-time: 720
    ///         script: [make]
    /// ```
    ///
    /// ## Source
    /// Atlassian knowledge base, "Pipeline is failing with exceeded build time limit"
    /// (A-MAXTIME-KB,
    /// <https://support.atlassian.com/bitbucket-cloud/kb/bitbucket-pipeline-is-failing-with-exceeded-build-time-limit-error>):
    /// 1 to 720 minutes; Atlassian, "Step options" (A-STEP).
    pub struct MaxTimeRange {
        id: "step/max-time-range",
        severity: Error,
        summary: "A `max-time` that is not a whole number of minutes from 1 to 720",
        fix: true,
    }
}

impl Rule for MaxTimeRange {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, _cx: &Context<'_>, _out: &mut Vec<Diagnostic>) {
        // Reported by the schema pass (`schema.rs`, with the help from `refine`).
    }
}
