use crate::context::Context;
use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::rule::{Rule, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Reports an entry of `artifacts.upload` without `name` or without `paths`.
    ///
    /// The check is made by the schema pass.
    ///
    /// ## Why is this bad?
    /// A named artifact needs both: `name` is how later steps ask for it in `download`,
    /// `paths` says which files it holds. Bitbucket rejects an entry without either.
    ///
    /// ## Example
    /// ```yaml
    /// pipelines:
    ///   default:
    ///     - step:
    ///         script: [npm run build]
    ///         artifacts:
    ///           upload:
    ///             - name: bundle
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// pipelines:
    ///   default:
    ///     - step:
    ///         script: [npm run build]
    ///         artifacts:
    ///           upload:
    ///             - name: bundle
    ///               paths: [dist/**]
    /// ```
    ///
    /// ## Source
    /// Atlassian's official schema (`name` and `paths` are required in an upload entry);
    /// Atlassian, "Pipeline artifacts"
    /// (https://support.atlassian.com/bitbucket-cloud/docs/use-artifacts-in-steps/).
    pub struct UploadRequired {
        id: "artifacts/upload-required",
        severity: Error,
        summary: "An artifact upload without `name` or `paths`",
        fix: false,
    }
}

impl Rule for UploadRequired {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, _cx: &Context<'_>, _out: &mut Vec<Diagnostic>) {
        // Reported by the schema pass.
    }
}
