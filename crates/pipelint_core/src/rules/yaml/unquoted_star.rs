use crate::context::Context;
use crate::declare_rule;
use crate::diagnostic::{Diagnostic, Edit, Fix};
use crate::rule::{Rule, RuleMeta};

use super::{UndefinedAliasText, undefined_aliases};

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
        let aliases = UndefinedAliasText::of(cx);
        for (p, name) in undefined_aliases(cx) {
            if !aliases.is_glob(p.span, name) {
                continue;
            }
            let text = cx.text(p.span);
            // Quote the whole plain scalar the alias starts (`*.jar]` in block context is
            // one scalar), single-quoted, so nothing in it is read as an escape.
            let scalar = aliases
                .written
                .get(&p.span.start)
                .copied()
                .unwrap_or(p.span);
            let quoted = format!("'{}'", cx.text(scalar).replace('\'', "''"));
            out.push(
                Diagnostic::new(
                    Self::META.id,
                    p.span,
                    format!("`{text}` starts with `*`, which YAML reads as an alias; quote it"),
                )
                .help(format!("write {quoted}"))
                .fix(Fix::safe(
                    format!("Quote `{}`", cx.text(scalar)),
                    vec![Edit::replace(scalar, quoted)],
                )),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    fn fixed(text: &str) -> String {
        let opts = crate::CheckOptions::default();
        crate::fix::fix_all(text, &opts, false).0
    }

    #[test]
    fn quotes_the_whole_plain_scalar() {
        // Found by the `fix` fuzz target: the quote closed after the name and left `]`
        // (or the rest of the key) after it, which is not YAML.
        assert_eq!(fixed("a:\n  - b: *x.sh]\n"), "a:\n  - b: '*x.sh]'\n");
        assert_eq!(fixed("*** k=v: 1\n"), "'*** k=v': 1\n");
        assert_eq!(fixed("k: [*.jar, b]\n"), "k: ['*.jar', b]\n");
        assert_eq!(fixed("k: *.it's\n"), "k: '*.it''s'\n");
    }
}
