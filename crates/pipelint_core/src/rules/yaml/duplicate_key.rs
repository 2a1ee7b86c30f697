use pipelint_yaml::ProblemKind;

use crate::context::Context;
use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::rule::{Rule, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Reports a key written twice in the same mapping. Quoting does not make a key
    /// different: `main` and `'main'` are the same branch.
    ///
    /// ## Why is this bad?
    /// Bitbucket keeps only one of the two (the last), silently: the steps under the other
    /// never run. Two `definitions:` blocks lose the first one's caches and services.
    ///
    /// ## Example
    /// ```yaml
    /// pipelines:
    ///   branches:
    ///     main:
    ///       - step: {script: [make test]}
    ///     'main':
    ///       - step: {script: [make deploy]}
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// pipelines:
    ///   branches:
    ///     main:
    ///       - step: {script: [make test]}
    ///       - step: {script: [make deploy]}
    /// ```
    ///
    /// ## Source
    /// Atlassian, "Use glob patterns on the Pipelines yaml file": `main` and `'main'` are
    /// the same key and only one is used.
    pub struct DuplicateKey {
        id: "yaml/duplicate-key",
        severity: Error,
        summary: "A key written twice in one mapping",
        fix: false,
        kinds: [Pipelines, BambooSpecs, RunnerCompose],
    }
}

impl Rule for DuplicateKey {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for p in &cx.parsed.problems {
            let ProblemKind::DuplicateKey { key, first } = &p.kind else {
                continue;
            };
            let written_differently = cx.text(*first) != cx.text(p.span);
            let mut message = format!("duplicate key `{key}`: Bitbucket uses only the last one");
            if written_differently {
                message.push_str(&format!(
                    " (`{}` and `{}` are the same key)",
                    cx.text(*first),
                    cx.text(p.span)
                ));
            }
            out.push(
                Diagnostic::new(Self::META.id, p.span, message)
                    .related(*first, format!("`{key}` is first defined here"))
                    .help("merge the two into one key, or remove the one you do not want"),
            );
        }
    }
}
