use crate::context::Context;
use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::rule::{Rule, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Reports a suppression comment (`# pipelint: ignore[rule-id]`) that silences nothing:
    /// the rule reports nothing on that line (any more), or the id is not a pipelint rule or
    /// group. The fix removes the id, or the whole comment when it was the only one.
    ///
    /// Suppressions are written `# pipelint: ignore[rule-id, other-id] reason` at the end of
    /// a line, or on the line above the one they apply to; `# pipelint: ignore-file[rule-id]`
    /// applies to the whole file. A group (`docker` or `docker/*`) stands for all its rules.
    ///
    /// This id is pipelint's addition to the catalog.
    ///
    /// ## Why is this bad?
    /// A stale ignore hides the next real finding on that line, and a misspelt id silences
    /// nothing while looking as if it did.
    ///
    /// ## Example
    /// ```yaml
    /// pipelines:
    ///   default:
    ///     - step:
    ///         script: [docker build .] # pipelint: ignore[docker/no-servce] runs on a runner with docker
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// pipelines:
    ///   default:
    ///     - step:
    ///         script: [docker build .] # pipelint: ignore[docker/no-service] runs on a runner with docker
    /// ```
    ///
    /// ## Source
    /// pipelint's own suppression comments (as ruff's `RUF100` reports unused `noqa`).
    pub struct Unused {
        id: "suppression/unused",
        severity: Info,
        summary: "A suppression comment that silences nothing",
        fix: true,
        kinds: [Pipelines, BambooSpecs, RunnerCompose, RunnerScript],
    }
}

impl Rule for Unused {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, _cx: &Context<'_>, _out: &mut Vec<Diagnostic>) {
        // Reported by the engine when it applies suppressions (`crate::suppress`).
    }
}
