use pipelint_yaml::ProblemKind;

use crate::context::Context;
use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::rule::{Rule, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Reports aliases that expand to more nodes than pipelint's budget (250,000), as in
    /// a "billion laughs" document where each anchor repeats the one before it many times.
    /// pipelint stops expanding at the budget instead of running out of memory.
    ///
    /// ## Why is this bad?
    /// Such a file is either an attack on YAML tools or a mistake; no real pipeline needs
    /// it, and Bitbucket's parser refuses documents that expand this far.
    ///
    /// ## Example
    /// ```yaml
    /// a: &a [x, x, x, x, x, x, x, x, x, x]
    /// b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]
    /// c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]
    /// d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]
    /// e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]
    /// f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]
    /// g: [*f, *f, *f, *f, *f, *f, *f, *f, *f, *f]
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// a: &a [x, x]
    /// b: [*a, *a]
    /// ```
    ///
    /// ## Source
    /// The "billion laughs" attack on XML and YAML parsers.
    pub struct AliasLimit {
        id: "yaml/alias-limit",
        severity: Error,
        summary: "Aliases that expand beyond the budget",
        fix: false,
        kinds: [Pipelines, BambooSpecs, RunnerCompose],
    }
}

impl Rule for AliasLimit {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for p in &cx.parsed.problems {
            if p.kind == ProblemKind::AliasLimit {
                let mut d = Diagnostic::new(Self::META.id, p.span, p.message.clone());
                for (span, label) in &p.related {
                    d = d.related(*span, label.clone());
                }
                out.push(d);
            }
        }
    }
}
