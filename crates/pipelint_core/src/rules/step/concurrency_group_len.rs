use crate::context::Context;
use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::rule::{Rule, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Reports a `concurrency-group` longer than 50 characters.
    ///
    /// Reported by the schema pass.
    ///
    /// ## Why is this bad?
    /// Bitbucket rejects the file. Group names are compared whole, so a shorter name
    /// serializes the same steps as long as every step uses it.
    ///
    /// ## Example
    /// ```yaml
    /// pipelines:
    ///   default:
    ///     - step:
    ///         concurrency-group: production-eu-west-1-kubernetes-cluster-blue-green-rollout
    ///         script: [./deploy.sh]
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// pipelines:
    ///   default:
    ///     - step:
    ///         concurrency-group: prod-eu-west-1-rollout
    ///         script: [./deploy.sh]
    /// ```
    ///
    /// ## Source
    /// The official schema (`maxLength: 50`, G-ATLASCODE); Atlassian, "Evolving deployments
    /// in Bitbucket Pipelines: concurrency groups and environments" (B-ENVCG).
    pub struct ConcurrencyGroupLen {
        id: "step/concurrency-group-len",
        severity: Error,
        summary: "A `concurrency-group` longer than 50 characters",
        fix: false,
    }
}

impl Rule for ConcurrencyGroupLen {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, _cx: &Context<'_>, _out: &mut Vec<Diagnostic>) {
        // Reported by the schema pass.
    }
}
