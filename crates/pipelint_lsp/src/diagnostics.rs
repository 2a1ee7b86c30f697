//! pipelint's [`Diagnostic`]s as LSP diagnostics: the same findings the CLI prints, with
//! positions in the negotiated encoding.
//!
//! Each one carries the rule id as `code`, the rule's documentation page as
//! `codeDescription`, `source: "pipelint"`, related locations, tags (faded for unused
//! things, struck through for legacy keys) and, in `data`, the document version and the
//! fix (title, whether it is safe, and its edits), so a client can build the code action
//! from the diagnostic alone.

use std::str::FromStr;

use pipelint_core::{Applicability, Diagnostic, Severity, registry};
use serde_json::json;
use tower_lsp_server::ls_types::{
    self as lsp, CodeDescription, DiagnosticRelatedInformation, DiagnosticSeverity, DiagnosticTag,
    Location, NumberOrString, TextEdit, Uri,
};

use crate::document::Snapshot;
use crate::position::Lines;

/// Rules whose findings are things nobody uses.
const UNNECESSARY: &[&str] = &["cache/unused", "yaml/unused-anchor", "suppression/unused"];
/// Rules whose findings are legacy keys.
const DEPRECATED: &[&str] = &["struct/bookmarks-legacy", "options/docker-legacy"];

/// The name every diagnostic gives as its source.
pub const SOURCE: &str = "pipelint";

pub fn severity(s: Severity) -> DiagnosticSeverity {
    match s {
        Severity::Error => DiagnosticSeverity::ERROR,
        Severity::Warning => DiagnosticSeverity::WARNING,
        Severity::Info => DiagnosticSeverity::INFORMATION,
    }
}

/// The rule's documentation URL.
pub fn rule_url(rule: &str) -> String {
    match registry::find(rule) {
        Some(r) => r.meta().url(),
        None => format!("{}/{rule}.md", pipelint_core::DOCS_BASE_URL),
    }
}

/// The edits of a fix in LSP terms.
pub fn text_edits(lines: &Lines<'_>, edits: &[pipelint_core::Edit]) -> Vec<TextEdit> {
    edits
        .iter()
        .map(|e| TextEdit::new(lines.range(e.span), e.content.clone()))
        .collect()
}

/// One diagnostic in LSP terms.
pub fn to_lsp(snap: &Snapshot, d: &Diagnostic) -> lsp::Diagnostic {
    let lines = snap.lines();
    let message = match &d.help {
        Some(help) => format!("{}\nhelp: {help}", d.message),
        None => d.message.clone(),
    };
    let related: Vec<DiagnosticRelatedInformation> = d
        .related
        .iter()
        .map(|r| DiagnosticRelatedInformation {
            location: Location::new(snap.uri.clone(), lines.range(r.span)),
            message: r.message.clone(),
        })
        .collect();
    let mut tags = Vec::new();
    if UNNECESSARY.contains(&d.rule) {
        tags.push(DiagnosticTag::UNNECESSARY);
    }
    if DEPRECATED.contains(&d.rule) {
        tags.push(DiagnosticTag::DEPRECATED);
    }
    let mut data = json!({ "rule": d.rule, "version": snap.version });
    if let Some(fix) = &d.fix {
        data["fix"] = json!({
            "title": fix.message,
            "safe": fix.applicability == Applicability::Safe,
            "edits": text_edits(&lines, &fix.edits),
        });
    }
    lsp::Diagnostic {
        range: lines.range(d.span),
        severity: Some(severity(d.severity)),
        code: Some(NumberOrString::String(d.rule.to_owned())),
        code_description: Uri::from_str(&rule_url(d.rule))
            .ok()
            .map(|href| CodeDescription { href }),
        source: Some(SOURCE.to_owned()),
        message,
        related_information: (!related.is_empty()).then_some(related),
        tags: (!tags.is_empty()).then_some(tags),
        data: Some(data),
    }
}

/// Every diagnostic of the snapshot in LSP terms.
pub fn all(snap: &Snapshot) -> Vec<lsp::Diagnostic> {
    snap.analysis
        .diagnostics
        .iter()
        .map(|d| to_lsp(snap, d))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::Document;
    use crate::position::Encoding;
    use pipelint_core::{CheckOptions, Edit, Fix};
    use pipelint_yaml::Span;

    #[test]
    fn fields_tags_and_fix_data() {
        let uri = Uri::from_str("file:///r/bitbucket-pipelines.yml").expect("uri");
        let mut doc = Document::new(uri, 7, "a: \"🚀\"\nb: 1\n");
        let (snap, _) = doc.snapshot(Encoding::Utf16, 0, CheckOptions::default);
        let b = snap.text.find('b').expect("b");
        let unused = Diagnostic::new("cache/unused", Span::new(b, b + 1), "unused")
            .help("remove it")
            .related(Span::new(3, 9), "here")
            .fix(Fix::safe("Remove", vec![Edit::delete(Span::new(b, b + 5))]));
        let d = to_lsp(&snap, &unused);
        assert_eq!(d.tags, Some(vec![DiagnosticTag::UNNECESSARY]));
        assert_eq!(d.message, "unused\nhelp: remove it");
        assert_eq!(d.source.as_deref(), Some(SOURCE));
        assert_eq!(d.code, Some(NumberOrString::String("cache/unused".into())));
        let related = d.related_information.expect("related");
        // The rocket is 2 UTF-16 units: `"🚀"` ends at column 7.
        assert_eq!(related[0].location.range.end.character, 7);
        let data = d.data.expect("data");
        assert_eq!(data["version"], 7);
        assert_eq!(data["fix"]["safe"], true);
        assert_eq!(data["fix"]["edits"][0]["range"]["start"]["line"], 1);

        let stale = Diagnostic::new("suppression/unused", Span::new(0, 1), "stale");
        assert_eq!(
            to_lsp(&snap, &stale).tags,
            Some(vec![DiagnosticTag::UNNECESSARY])
        );

        let legacy = Diagnostic::new("options/docker-legacy", Span::new(0, 1), "legacy");
        assert_eq!(
            to_lsp(&snap, &legacy).tags,
            Some(vec![DiagnosticTag::DEPRECATED])
        );
    }
}
