//! Code actions: each diagnostic's fix as a quick fix, and "Fix all pipelint problems"
//! (`source.fixAll.pipelint`), which applies every safe fix that does not overlap one taken
//! before it, in document order: what `pipelint_core::fix::apply` does for the CLI.
//!
//! Actions are built from the analysis of the current version, so an action never carries
//! edits computed for an older text.

use std::collections::HashMap;

use pipelint_core::{Applicability, Edit, Fix};
use tower_lsp_server::ls_types::{
    CodeAction, CodeActionKind, CodeActionOrCommand, CodeActionParams, DocumentChanges, OneOf,
    OptionalVersionedTextDocumentIdentifier, TextDocumentEdit, TextEdit, WorkspaceEdit,
};

use crate::diagnostics::{text_edits, to_lsp};
use crate::document::Snapshot;
use crate::server::{Caps, FIX_ALL_KIND};

/// Whether an action of kind `kind` was asked for (`only` lists kinds or their parents).
fn wanted(only: Option<&[CodeActionKind]>, kind: &str) -> bool {
    match only {
        None => true,
        Some(list) => list.iter().any(|k| {
            let k = k.as_str();
            kind == k
                || kind
                    .strip_prefix(k)
                    .is_some_and(|rest| rest.starts_with('.'))
        }),
    }
}

/// A workspace edit of this document, versioned when the client takes `documentChanges`.
pub fn workspace_edit(
    snap: &Snapshot,
    edits: Vec<TextEdit>,
    document_changes: bool,
) -> WorkspaceEdit {
    if document_changes {
        WorkspaceEdit {
            document_changes: Some(DocumentChanges::Edits(vec![TextDocumentEdit {
                text_document: OptionalVersionedTextDocumentIdentifier {
                    uri: snap.uri.clone(),
                    version: Some(snap.version),
                },
                edits: edits.into_iter().map(OneOf::Left).collect(),
            }])),
            ..WorkspaceEdit::default()
        }
    } else {
        WorkspaceEdit {
            changes: Some(HashMap::from([(snap.uri.clone(), edits)])),
            ..WorkspaceEdit::default()
        }
    }
}

/// The code actions for a range of a document.
pub fn code_actions(
    snap: &Snapshot,
    caps: &Caps,
    params: &CodeActionParams,
) -> Vec<CodeActionOrCommand> {
    let lines = snap.lines();
    let only = params.context.only.as_deref();
    let requested = lines.span(params.range);
    let mut out = Vec::new();

    if wanted(only, CodeActionKind::QUICKFIX.as_str()) {
        for d in &snap.analysis.diagnostics {
            let Some(fix) = &d.fix else {
                continue;
            };
            let touches = d.span.start <= requested.end && requested.start <= d.span.end;
            if !touches {
                continue;
            }
            let safe = fix.applicability == Applicability::Safe;
            let title = if safe {
                fix.message.clone()
            } else {
                format!("{} (may change behaviour)", fix.message)
            };
            out.push(CodeActionOrCommand::CodeAction(CodeAction {
                title,
                kind: Some(CodeActionKind::QUICKFIX),
                diagnostics: Some(vec![to_lsp(snap, d)]),
                edit: Some(workspace_edit(
                    snap,
                    text_edits(&lines, &fix.edits),
                    caps.document_changes,
                )),
                is_preferred: Some(safe),
                ..CodeAction::default()
            }));
        }
    }

    if wanted(only, FIX_ALL_KIND) {
        let safe: Vec<&Fix> = snap
            .analysis
            .diagnostics
            .iter()
            .filter_map(|d| d.fix.as_ref())
            .filter(|f| f.applicability == Applicability::Safe)
            .collect();
        let (edits, applied) = select_edits(&snap.text, safe);
        if applied > 0 {
            out.push(CodeActionOrCommand::CodeAction(CodeAction {
                title: if applied == 1 {
                    "Fix all pipelint problems (1 fix)".to_owned()
                } else {
                    format!("Fix all pipelint problems ({applied} fixes)")
                },
                kind: Some(CodeActionKind::new(FIX_ALL_KIND)),
                edit: Some(workspace_edit(
                    snap,
                    text_edits(&lines, &edits),
                    caps.document_changes,
                )),
                ..CodeAction::default()
            }));
        }
    }
    out
}

/// The edits of the fixes `fix::apply` would apply, sorted, with how many fixes they are:
/// fixes in order, each taken whole or skipped when an edit is out of the text or overlaps
/// one already taken.
pub fn select_edits<'a>(
    source: &str,
    fixes: impl IntoIterator<Item = &'a Fix>,
) -> (Vec<Edit>, usize) {
    let mut taken: Vec<&Edit> = Vec::new();
    let mut applied = 0;
    for fix in fixes {
        let bad = fix.edits.iter().any(|e| {
            e.span.end > source.len()
                || e.span.start > e.span.end
                || !source.is_char_boundary(e.span.start)
                || !source.is_char_boundary(e.span.end)
                || taken.iter().any(|t| {
                    (e.span.start < t.span.end && t.span.start < e.span.end)
                        || (e.span.is_empty() && t.span.is_empty() && e.span.start == t.span.start)
                })
        });
        if bad {
            continue;
        }
        taken.extend(fix.edits.iter());
        applied += 1;
    }
    let mut edits: Vec<Edit> = taken.into_iter().cloned().collect();
    edits.sort_by_key(|e| (e.span.start, e.span.end));
    (edits, applied)
}

#[cfg(test)]
mod tests {
    use super::*;
    use pipelint_core::{CheckOptions, fix};
    use pipelint_yaml::Span;

    /// Applies edits given as byte spans (what the LSP edits stand for).
    fn apply_edits(source: &str, edits: &[Edit]) -> String {
        let mut out = source.to_owned();
        for e in edits.iter().rev() {
            out.replace_range(e.span.range(), &e.content);
        }
        out
    }

    #[test]
    fn selection_matches_fix_apply() {
        let a = Fix::safe("a", vec![Edit::replace(Span::new(0, 1), "X")]);
        let b = Fix::safe("b", vec![Edit::replace(Span::new(0, 2), "Y")]);
        let c = Fix::safe("c", vec![Edit::insert(3, "!")]);
        let d = Fix::safe("d", vec![Edit::insert(3, "?")]);
        let e = Fix::safe("e", vec![Edit::replace(Span::new(2, 9), "?")]);
        let fixes = [&a, &b, &c, &d, &e];
        let (edits, n) = select_edits("abc", fixes);
        let (expected, m) = fix::apply("abc", fixes);
        assert_eq!((apply_edits("abc", &edits), n), (expected, m));
    }

    #[test]
    fn selection_matches_fix_apply_on_a_real_file() {
        let text = "pipelines:\n  branches:\n    **:\n      - step: {script: [a]}\n    feature/*:\n      - step: {script: [b]}\n";
        let analysis = pipelint_core::check(text, &CheckOptions::default());
        let safe: Vec<&Fix> = analysis
            .diagnostics
            .iter()
            .filter_map(|d| d.fix.as_ref())
            .filter(|f| f.applicability == Applicability::Safe)
            .collect();
        let (edits, n) = select_edits(text, safe.iter().copied());
        let (expected, m) = fix::apply(text, safe.iter().copied());
        assert_eq!(n, m);
        assert_eq!(apply_edits(text, &edits), expected);
    }

    #[test]
    fn kinds() {
        let quickfix = [CodeActionKind::QUICKFIX];
        let source = [CodeActionKind::SOURCE];
        let fix_all = [CodeActionKind::SOURCE_FIX_ALL];
        assert!(wanted(None, FIX_ALL_KIND));
        assert!(!wanted(Some(&quickfix), FIX_ALL_KIND));
        assert!(wanted(Some(&source), FIX_ALL_KIND));
        assert!(wanted(Some(&fix_all), FIX_ALL_KIND));
        assert!(!wanted(Some(&fix_all), "quickfix"));
    }
}
