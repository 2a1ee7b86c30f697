//! Every feature of the server, at positions all over real pipeline files (the corpus in
//! `../shared/corpus/real/` when it is beside the checkout, plus a few hostile texts):
//! nothing may panic, and every range returned must lie inside the text.

use std::path::Path;
use std::str::FromStr;

use pipelint_core::CheckOptions;
use pipelint_lsp::document::{Document, Snapshot};
use pipelint_lsp::position::Encoding;
use pipelint_lsp::server::Caps;
use pipelint_lsp::{actions, complete, hints, hover, navigate, outline};
use tower_lsp_server::ls_types::{
    CodeActionContext, CodeActionParams, Position, Range, TextDocumentIdentifier, Uri,
};

const HOSTILE: &[&str] = &[
    "",
    "\n\n\n",
    "pipelines:\n  default:\n    - step:\n        script:\n          - |\n            echo a: b\n        si",
    "a: &x [*x]\n",
    "- - - - [\n",
    "pipelines: {default: [{step: {script: [\"\\u00e9🚀\"]}}]}",
    "\u{feff}pipelines:\r\n  default:\r\n    - step: {name: \"漢字🚀\", script: [a]}\r\n",
    "x: *\ny: &\n<<: 3\n'\"",
    "definitions:\n  steps:\n    - step: &s\n        <<: *s\n",
];

fn snapshot(text: &str, encoding: Encoding) -> std::sync::Arc<Snapshot> {
    let uri = Uri::from_str("file:///r/bitbucket-pipelines.yml").expect("uri");
    let mut doc = Document::new(uri, 1, text);
    let (snap, panic) = doc.snapshot(encoding, 0, CheckOptions::default);
    assert!(panic.is_none(), "the check panicked: {panic:?}");
    snap
}

/// Positions: on every line, all the interesting columns when `thorough`; else one on the
/// first word (keys, list items, aliases) of every third line, which keeps the corpus run
/// short in a debug build.
fn positions(text: &str, thorough: bool) -> Vec<Position> {
    let mut out = Vec::new();
    for (line, content) in text.split('\n').enumerate() {
        if !thorough && line % 3 != 0 {
            continue;
        }
        let line = u32::try_from(line).unwrap_or(u32::MAX);
        let indent = content.len() - content.trim_start().len();
        let len = content.encode_utf16().count();
        let cols: &[usize] = if thorough {
            &[0, indent, indent + 2, len / 2, len, len + 5]
        } else {
            &[indent + 1]
        };
        for col in cols {
            out.push(Position::new(line, u32::try_from(*col).unwrap_or(u32::MAX)));
        }
    }
    out.push(Position::new(u32::MAX, u32::MAX));
    out
}

fn exercise(text: &str, thorough: bool) {
    let encodings: &[Encoding] = if thorough {
        &[Encoding::Utf16, Encoding::Utf8]
    } else {
        &[Encoding::Utf16]
    };
    for &encoding in encodings {
        let snap = snapshot(text, encoding);
        let caps = Caps {
            hierarchical_symbols: true,
            markdown_hover: true,
            markdown_completion: true,
            ..Caps::default()
        };
        let end = snap.lines().position(text.len());
        let inside = |r: &Range| r.start <= r.end && r.end <= end;
        let whole = Range::new(Position::new(0, 0), end);

        let _ = outline::symbols(&snap, true);
        let _ = outline::symbols(&snap, false);
        for f in outline::folding_ranges(&snap) {
            assert!(f.start_line < f.end_line && f.end_line <= end.line);
        }
        for h in hints::inlay_hints(&snap, whole, &Default::default()) {
            assert!(h.position <= end);
        }
        let params = CodeActionParams {
            text_document: TextDocumentIdentifier::new(snap.uri.clone()),
            range: whole,
            context: CodeActionContext::default(),
            work_done_progress_params: Default::default(),
            partial_result_params: Default::default(),
        };
        let _ = actions::code_actions(&snap, &caps, &params);

        let all = positions(text, thorough);
        for s in outline::selection_ranges(&snap, &all) {
            assert!(inside(&s.range));
        }
        for p in all {
            if let Some(h) = hover::hover(&snap, &caps, p) {
                assert!(h.range.as_ref().is_none_or(inside));
            }
            let _ = complete::completion(&snap, &caps, p);
            let _ = navigate::definition(&snap, p);
            for loc in navigate::references(&snap, p, true).unwrap_or_default() {
                assert!(inside(&loc.range));
            }
            let _ = navigate::prepare_rename(&snap, p);
            let _ = navigate::rename(&snap, p, "renamed", false);
        }
    }
}

#[test]
fn hostile_texts() {
    for text in HOSTILE {
        exercise(text, true);
    }
}

#[test]
fn the_real_corpus() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus/real");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        eprintln!("no corpus at {}; skipped", dir.display());
        return;
    };
    let mut n = 0;
    for entry in entries.flatten() {
        let Ok(text) = std::fs::read_to_string(entry.path()) else {
            continue;
        };
        exercise(&text, false);
        n += 1;
    }
    eprintln!("{n} corpus files exercised");
}
