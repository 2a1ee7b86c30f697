use crate::context::Context;
use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::rule::{Rule, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Documents how Bitbucket's caches behave. This rule reports nothing: its text is
    /// what an editor shows when hovering a step's `caches`.
    ///
    /// - A cache is saved only after a step that succeeded; a failing step saves nothing.
    /// - A cache is not saved when it is larger than 1 GB compressed.
    /// - A cache expires one week after it was saved; it is then built again.
    /// - The predefined caches (`node`, `maven`, `pip`, ...) have no file key.
    ///
    /// ## Why is this bad?
    /// Nothing is wrong; these are the limits to keep in mind when a build is slower than
    /// expected: a step that keeps failing never saves its cache, and a cache that grew
    /// beyond 1 GB silently stops being saved.
    ///
    /// ## Example
    /// ```yaml
    /// pipelines:
    ///   default:
    ///     - step:
    ///         caches: [node]
    ///         script: [npm ci, npm test]
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// definitions:
    ///   caches:
    ///     npm:
    ///       key:
    ///         files: [package-lock.json]
    ///       path: ~/.npm
    /// pipelines:
    ///   default:
    ///     - step:
    ///         caches: [npm]
    ///         script: [npm ci, npm test]
    /// ```
    ///
    /// ## Source
    /// Atlassian, knowledge base "Pipeline build cache related issues"
    /// (https://support.atlassian.com/bitbucket-cloud/kb/pipeline-build-cache-related-issues)
    /// and "Cache dependencies"
    /// (https://support.atlassian.com/bitbucket-cloud/docs/cache-dependencies/).
    pub struct InfoLimits {
        id: "cache/info-limits",
        severity: Info,
        summary: "How caches behave: saved after success, up to 1 GB, for a week (hover only)",
        fix: false,
        hover_only: true,
    }
}

impl Rule for InfoLimits {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, _cx: &Context<'_>, _out: &mut Vec<Diagnostic>) {
        // Documentation only: shown on hover, never reported.
    }
}
