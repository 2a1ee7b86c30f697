//! The rule framework: a rule's metadata, its documentation, and the [`Rule`] trait.
//!
//! A rule is one file under `rules/<group>/`. It declares itself with [`declare_rule!`],
//! which keeps the doc comment as the rule's documentation (shown by `pipelint rule ID`,
//! the docs pages, the language server's hover and SARIF), and implements [`Rule::check`].

use crate::context::Context;
use crate::diagnostic::{Diagnostic, Severity};
use crate::kind::FileKind;

/// What every rule says about itself.
#[derive(Debug)]
pub struct RuleMeta {
    /// The public id, `group/name`.
    pub id: &'static str,
    pub severity: Severity,
    /// One line: what the rule finds.
    pub summary: &'static str,
    /// The doc comment, in Markdown, with the headings *What it does*, *Why is this bad?*,
    /// *Example*, *Use instead* and *Source*.
    pub docs: &'static str,
    pub has_fix: bool,
    /// A rule that only documents (shown on hover in the editor) and never reports: its
    /// *Example* shows where the documentation applies and triggers nothing.
    pub hover_only: bool,
    /// The kinds of file the rule checks ([`FileKind::Pipelines`] unless it says otherwise):
    /// [`crate::check`] runs only the rules of the file's kind.
    pub kinds: &'static [FileKind],
}

/// The kinds a rule checks: those it names, or pipeline files when it names none.
pub const fn kinds_or_pipelines(kinds: &'static [FileKind]) -> &'static [FileKind] {
    if kinds.is_empty() {
        &[FileKind::Pipelines]
    } else {
        kinds
    }
}

impl RuleMeta {
    /// The group: the part of the id before the slash.
    pub fn group(&self) -> &'static str {
        self.id.split_once('/').map_or(self.id, |(g, _)| g)
    }

    /// The documentation with the one leading space of each doc-comment line removed.
    pub fn docs(&self) -> String {
        let mut out = String::with_capacity(self.docs.len());
        for line in self.docs.lines() {
            out.push_str(line.strip_prefix(' ').unwrap_or(line));
            out.push('\n');
        }
        out
    }

    /// The first code block (```` ```yaml ````, or ```` ```sh ```` for runner scripts) under
    /// the heading `heading` in the docs.
    pub fn example(&self, heading: &str) -> Option<String> {
        let docs = self.docs();
        let at = docs.find(&format!("## {heading}\n"))?;
        let rest = &docs[at..];
        let fence = rest.find("```")?;
        let start = fence + rest[fence..].find('\n')? + 1;
        let end = rest[start..].find("```")?;
        Some(rest[start..start + end].to_owned())
    }

    /// The URL of the rule's documentation page.
    pub fn url(&self) -> String {
        format!("{}/{}.md", crate::DOCS_BASE_URL, self.id)
    }

    /// Whether the rule checks files of this kind.
    pub fn checks(&self, kind: FileKind) -> bool {
        self.kinds.contains(&kind)
    }
}

/// A check. Rules do no IO and keep no state between runs.
pub trait Rule: Sync {
    fn meta(&self) -> &'static RuleMeta;

    /// Appends the rule's findings for the file to `out`. Rules whose findings come from
    /// the schema pass or the YAML layer have nothing to do here.
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>);
}

/// Declares a rule: a unit struct with its metadata in `META` and its doc comment as
/// documentation. An optional `hover_only: true` after `fix` marks a rule that only
/// documents and never reports (see [`RuleMeta::hover_only`]); an optional
/// `kinds: [BambooSpecs, ...]` names the kinds of file it checks (default: pipeline files).
#[macro_export]
macro_rules! declare_rule {
    (
        $(#[doc = $doc:literal])*
        $vis:vis struct $name:ident {
            id: $id:literal,
            severity: $sev:ident,
            summary: $summary:literal,
            fix: $fix:literal
            $(, hover_only: $hover:literal)?
            $(, kinds: [$($kind:ident),* $(,)?])? $(,)?
        }
    ) => {
        $(#[doc = $doc])*
        #[derive(Debug, Clone, Copy, Default)]
        $vis struct $name;

        impl $name {
            pub const META: $crate::rule::RuleMeta = $crate::rule::RuleMeta {
                id: $id,
                severity: $crate::diagnostic::Severity::$sev,
                summary: $summary,
                docs: concat!($($doc, "\n"),*),
                has_fix: $fix,
                hover_only: false $(|| $hover)?,
                kinds: $crate::rule::kinds_or_pipelines(&[$($($crate::kind::FileKind::$kind),*)?]),
            };
        }
    };
}

/// The documentation page of a rule, as committed under `docs/rules/<id>.md`.
pub fn docs_page(meta: &RuleMeta) -> String {
    let severity = meta.severity.as_str();
    let fix = if meta.has_fix { "yes" } else { "no" };
    format!(
        "<!-- Generated from crates/pipelint_core/src/rules by `PIPELINT_BLESS=1 cargo test -p pipelint_core --test docs_pages`. Do not edit. -->\n\n# `{}`\n\n{}\n\n| default severity | fix |\n|---|---|\n| {severity} | {fix} |\n\n{}\n",
        meta.id,
        meta.summary,
        meta.docs().trim_end()
    )
}

/// The index page of every rule, `docs/rules/README.md`.
pub fn docs_index<'a>(metas: impl IntoIterator<Item = &'a RuleMeta>) -> String {
    let mut out = String::from(
        "<!-- Generated from crates/pipelint_core/src/rules by `PIPELINT_BLESS=1 cargo test -p pipelint_core --test docs_pages`. Do not edit. -->\n\n# pipelint rules\n\n| rule | severity | fix | what it finds |\n|---|---|---|---|\n",
    );
    for m in metas {
        out.push_str(&format!(
            "| [`{}`]({}.md) | {} | {} | {} |\n",
            m.id,
            m.id,
            m.severity.as_str(),
            if m.has_fix { "yes" } else { "" },
            m.summary.replace('|', "\\|")
        ));
    }
    out
}
