use crate::context::Context;
use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::rule::{Rule, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Reports a key that Bitbucket does not know where it is written: in the top level,
    /// `options`, `definitions`, `pipelines`, a step, a stage, a parallel group, a service,
    /// `clone`, `image`, a cache or `artifacts`. When a known key is close, it suggests it,
    /// and the fix renames the key.
    ///
    /// Keys whose value carries an anchor (`build-step: &build ...`) are a common way to
    /// hold YAML anchors for later aliases, and are not reported.
    ///
    /// ## Why is this bad?
    /// Bitbucket ignores unknown keys without a word, so a typo such as `scripts:`,
    /// `cache:` or `max_time:` silently does nothing. Atlassian's schema and validator
    /// accept them too.
    ///
    /// ## Example
    /// ```yaml
    /// pipelines:
    ///   default:
    ///     - step:
    ///         script: [npm ci]
    ///         cache: [node]
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// pipelines:
    ///   default:
    ///     - step:
    ///         script: [npm ci]
    ///         caches: [node]
    /// ```
    ///
    /// ## Source
    /// Atlassian, "Step options" and the keyword reference; atlascode issue 66 (the
    /// runtime accepts unknown keys silently).
    pub struct UnknownKey {
        id: "schema/unknown-key",
        severity: Warning,
        summary: "A key Bitbucket does not know, ignored silently",
        fix: true,
    }
}

impl Rule for UnknownKey {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, _cx: &Context<'_>, _out: &mut Vec<Diagnostic>) {
        // Reported by the schema pass.
    }
}
