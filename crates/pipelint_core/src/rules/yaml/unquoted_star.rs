use crate::context::Context;
use crate::declare_rule;
use crate::diagnostic::{Diagnostic, Edit, Fix};
use crate::rule::{Rule, RuleMeta};

use super::{looks_like_glob, undefined_aliases};

declare_rule! {
    /// ## What it does
    /// Reports an unquoted value or key that starts with `*`, such as the glob `**` or
    /// `*.jar`, or a masked secret `********` pasted into the file.
    ///
    /// ## Why is this bad?
    /// In YAML a plain `*` starts an alias, so `**:` is read as an alias to an anchor
    /// named `*`, and the file does not load. Glob patterns that start with `*` must be
    /// quoted.
    ///
    /// ## Example
    /// ```yaml
    /// pipelines:
    ///   branches:
    ///     **:
    ///       - step: {script: [make]}
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// pipelines:
    ///   branches:
    ///     '**':
    ///       - step: {script: [make]}
    /// ```
    ///
    /// ## Source
    /// Atlassian, "Use glob patterns on the Pipelines yaml file" and "Use artifacts in
    /// steps": patterns starting with `*` must be quoted.
    pub struct UnquotedStar {
        id: "yaml/unquoted-star",
        severity: Error,
        summary: "An unquoted value starting with `*`, read as an alias",
        fix: true,
        kinds: [Pipelines, BambooSpecs, RunnerCompose],
    }
}

impl Rule for UnquotedStar {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for (p, name) in undefined_aliases(cx) {
            if !looks_like_glob(name) {
                continue;
            }
            let text = cx.text(p.span);
            let quoted = if text.contains('\'') {
                format!("\"{text}\"")
            } else {
                format!("'{text}'")
            };
            out.push(
                Diagnostic::new(
                    Self::META.id,
                    p.span,
                    format!("`{text}` starts with `*`, which YAML reads as an alias; quote it"),
                )
                .help(format!("write {quoted}"))
                .fix(Fix::safe(
                    format!("Quote `{text}`"),
                    vec![Edit::replace(p.span, quoted)],
                )),
            );
        }
    }
}
