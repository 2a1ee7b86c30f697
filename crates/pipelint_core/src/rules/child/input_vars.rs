use crate::context::Context;
use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::rule::{Rule, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Reports a child-pipeline step whose `input-variables` has more than 20 entries, or
    /// none. Names of an invalid form are `var/name-invalid`'s to report.
    ///
    /// The check is made by the schema pass.
    ///
    /// ## Why is this bad?
    /// Bitbucket passes at most 20 input variables to a child pipeline; a file with more
    /// is rejected.
    ///
    /// ## Example
    /// ```yaml
    /// pipelines:
    ///   default:
    ///     - step:
    ///         type: pipeline
    ///         custom: release
    ///         input-variables:
    ///           V01: "1"
    ///           V02: "2"
    ///           V03: "3"
    ///           V04: "4"
    ///           V05: "5"
    ///           V06: "6"
    ///           V07: "7"
    ///           V08: "8"
    ///           V09: "9"
    ///           V10: "10"
    ///           V11: "11"
    ///           V12: "12"
    ///           V13: "13"
    ///           V14: "14"
    ///           V15: "15"
    ///           V16: "16"
    ///           V17: "17"
    ///           V18: "18"
    ///           V19: "19"
    ///           V20: "20"
    ///           V21: "21"
    ///   custom:
    ///     release:
    ///       - step:
    ///           script: [./release.sh]
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// pipelines:
    ///   default:
    ///     - step:
    ///         type: pipeline
    ///         custom: release
    ///         input-variables:
    ///           RELEASE_ARGS: "1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21"
    ///   custom:
    ///     release:
    ///       - step:
    ///           script: [./release.sh]
    /// ```
    ///
    /// ## Source
    /// Atlassian, "Child pipeline step options"
    /// (https://support.atlassian.com/bitbucket-cloud/docs/child-pipeline-step-options/):
    /// "There is a limit of 20 input-variables for a pipeline step"; the official schema
    /// (`maxProperties: 20`).
    pub struct InputVars {
        id: "child/input-vars",
        severity: Error,
        summary: "More than 20 input-variables on a child-pipeline step",
        fix: false,
    }
}

impl Rule for InputVars {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, _cx: &Context<'_>, _out: &mut Vec<Diagnostic>) {
        // Reported by the schema pass.
    }
}
