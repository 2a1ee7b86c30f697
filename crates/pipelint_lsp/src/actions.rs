//! Code actions: each diagnostic's fix as a quick fix; "Ignore `rule` on this line", which
//! writes a suppression comment (see [`ignore_edit`]); and "Fix all pipelint problems"
//! (`source.fixAll.pipelint`), which applies every safe fix that does not overlap one taken
//! before it, in document order: what `pipelint_core::fix::apply` does for the CLI
//! (stale suppressions, `suppression/unused`, included).
//!
//! Actions are built from the analysis of the current version, so an action never carries
//! edits computed for an older text.

use std::collections::HashMap;

use pipelint_core::{Applicability, Diagnostic, Edit, Fix, Parsed, suppress};
use pipelint_yaml::{LineIndex, Span};
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

    if wanted(only, CodeActionKind::QUICKFIX.as_str()) {
        let mut offered: Vec<(&str, usize)> = Vec::new();
        let text = &snap.text;
        let lexed = Lexed::new(text, &snap.analysis.parsed);
        for d in &snap.analysis.diagnostics {
            let touches = d.span.start <= requested.end && requested.start <= d.span.end;
            if !touches || d.rule == UNUSED {
                continue;
            }
            let line = suppress::target_line(lexed.index.line_of(d.span.start), &lexed.multi_line);
            if offered.contains(&(d.rule, line)) {
                continue;
            }
            offered.push((d.rule, line));
            let Some(edit) = ignore_edit(text, &lexed, d) else {
                continue;
            };
            out.push(CodeActionOrCommand::CodeAction(CodeAction {
                title: format!("Ignore `{}` on this line", d.rule),
                kind: Some(CodeActionKind::QUICKFIX),
                diagnostics: Some(vec![to_lsp(snap, d)]),
                edit: Some(workspace_edit(
                    snap,
                    text_edits(&lines, &[edit]),
                    caps.document_changes,
                )),
                is_preferred: Some(false),
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

/// The rule of stale suppressions: ignoring it makes no sense.
const UNUSED: &str = "suppression/unused";

/// What a new suppression says after the ids: a placeholder the user replaces.
pub const REASON_PLACEHOLDER: &str = "<reason>";

/// What the "ignore" action needs to know of a text's lines, scalars and comments,
/// computed once per request.
pub struct Lexed {
    pub index: LineIndex,
    /// [`suppress::multi_line_scalars`].
    pub multi_line: Vec<(usize, usize)>,
    /// [`suppress::scalar_spans`].
    pub scalars: Vec<Span>,
    /// The suppression comments already written.
    pub existing: Vec<suppress::Suppression>,
}

impl Lexed {
    pub fn new(text: &str, parsed: &Parsed) -> Self {
        let index = LineIndex::new(text);
        let multi_line = suppress::multi_line_scalars(text, &index, parsed);
        let scalars = suppress::scalar_spans(parsed);
        let existing = suppress::parse(text, &index, &scalars);
        Lexed {
            index,
            multi_line,
            scalars,
            existing,
        }
    }
}

/// The edit that silences `d` with a suppression comment, never inside a scalar:
/// - the line to name is the diagnostic's, or for a finding inside a scalar written over
///   several lines, the scalar's first line (its block header, `- |`);
/// - when a suppression already names that line, the rule is added to its list;
/// - else, when that line has no comment and its end is not inside a scalar,
///   `  # pipelint: ignore[rule] <reason>` is appended to it;
/// - else a comment line with the same indentation is inserted above it.
pub fn ignore_edit(text: &str, lexed: &Lexed, d: &Diagnostic) -> Option<Edit> {
    let Lexed {
        index,
        multi_line,
        scalars,
        existing,
    } = lexed;
    let line = suppress::target_line(index.line_of(d.span.start), multi_line);
    if let Some(last) = existing
        .iter()
        .filter(|s| s.line == Some(line))
        .find_map(|s| s.entries.last())
    {
        return Some(Edit::insert(last.span.end, format!(", {}", d.rule)));
    }
    let span = index.line_span(text, line);
    let content = text.get(span.range())?;
    let inside = |at: usize| scalars.iter().any(|s| s.start < at && at < s.end);
    let commented = suppress::comment_start(content).is_some_and(|at| !inside(span.start + at));
    let comment = format!("# pipelint: ignore[{}] {REASON_PLACEHOLDER}", d.rule);
    if !commented && !inside(span.end) {
        let end = span.start + content.trim_end().len();
        return Some(Edit::insert(end, format!("  {comment}")));
    }
    let indent = &content[..content.len() - content.trim_start().len()];
    let newline = if text.contains("\r\n") { "\r\n" } else { "\n" };
    Some(Edit::replace(
        Span::new(span.start, span.start),
        format!("{indent}{comment}{newline}"),
    ))
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

    /// The text after the "ignore" action of the first finding of `rule`, and whether the
    /// finding is gone then.
    fn ignore(text: &str, rule: &str) -> (String, bool) {
        let analysis = pipelint_core::check(text, &CheckOptions::default());
        let d = analysis
            .diagnostics
            .iter()
            .find(|d| d.rule == rule)
            .unwrap_or_else(|| panic!("no {rule} in {:?}", analysis.diagnostics));
        let lexed = Lexed::new(text, &analysis.parsed);
        let edit = ignore_edit(text, &lexed, d).expect("an edit");
        let after = apply_edits(text, &[edit]);
        let rules: Vec<&str> = pipelint_core::check(&after, &CheckOptions::default())
            .diagnostics
            .iter()
            .map(|d| d.rule)
            .collect();
        assert!(!rules.contains(&UNUSED), "{after}\n{rules:?}");
        let gone = !rules.contains(&rule);
        (after, gone)
    }

    #[test]
    fn ignore_appends_to_the_line() {
        let text =
            "pipelines:\n  default:\n    - step:\n        script:\n          - docker build .\n";
        let (after, gone) = ignore(text, "docker/no-service");
        assert!(gone);
        assert!(
            after.contains("- docker build .  # pipelint: ignore[docker/no-service] <reason>\n"),
            "{after}"
        );
    }

    #[test]
    fn ignore_goes_above_a_line_with_a_comment_and_extends_an_ignore() {
        let text = "pipelines:\n  default:\n    - step:\n        script:\n          - docker build . # builds\n";
        let (after, gone) = ignore(text, "docker/no-service");
        assert!(gone);
        assert!(
            after.contains("          # pipelint: ignore[docker/no-service] <reason>\n          - docker build . # builds\n"),
            "{after}"
        );
        // A suppression of that line already: the rule joins its list.
        let text = "pipelines:\n  default:\n    - step: {script: [docker build .], sise: 2x} # pipelint: ignore[schema/unknown-key] typo kept\n";
        let (after, gone) = ignore(text, "docker/no-service");
        assert!(gone);
        assert!(
            after.contains("# pipelint: ignore[schema/unknown-key, docker/no-service] typo kept\n"),
            "{after}"
        );
    }

    #[test]
    fn ignore_inside_block_and_wrapped_scalars_names_their_first_line() {
        let text = "pipelines:\n  default:\n    - step:\n        script:\n          - |\n            set -e\n            docker build .\n";
        let (after, gone) = ignore(text, "docker/no-service");
        assert!(gone, "{after}");
        assert!(
            after.contains("          - |  # pipelint: ignore[docker/no-service] <reason>\n            set -e\n"),
            "{after}"
        );
        let text = "pipelines:\n  default:\n    - step:\n        script:\n          - \"set -e;\n            docker build .\"\n";
        let (after, gone) = ignore(text, "docker/no-service");
        assert!(gone, "{after}");
        assert!(
            after.contains(
                "          # pipelint: ignore[docker/no-service] <reason>\n          - \"set -e;\n"
            ),
            "{after}"
        );
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
