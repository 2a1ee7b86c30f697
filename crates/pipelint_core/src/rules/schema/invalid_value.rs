use crate::context::Context;
use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::rule::{Rule, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Reports a value whose type or form does not match the documented keyword tree when
    /// no more specific rule covers it: a step `name` given as a list, `oidc: "maybe"`, a
    /// `clone` that is a string.
    ///
    /// This id is pipelint's addition to the catalog: the schema finds shape errors that
    /// the catalog has no rule for, and they need a name of their own.
    ///
    /// ## Why is this bad?
    /// Bitbucket rejects the file, or reads the value in a way you did not mean.
    ///
    /// ## Example
    /// ```yaml
    /// pipelines:
    ///   default:
    ///     - step:
    ///         name: [build, test]
    ///         script: [make]
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// pipelines:
    ///   default:
    ///     - step:
    ///         name: build and test
    ///         script: [make]
    /// ```
    ///
    /// ## Source
    /// The project's schema (`schema/bitbucket-pipelines.schema.json`), written from
    /// Atlassian's keyword reference.
    pub struct InvalidValue {
        id: "schema/invalid-value",
        severity: Error,
        summary: "A value of the wrong type or form",
        fix: false,
    }
}

impl Rule for InvalidValue {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, _cx: &Context<'_>, _out: &mut Vec<Diagnostic>) {
        // Reported by the schema pass.
    }
}
