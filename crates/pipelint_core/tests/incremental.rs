//! `check_parsed` with a parse kept up to date by `edit` finds what `check` finds in the
//! new text, at the same places: over the rule fixtures, typing a character at the end of
//! each plain value and of each key, and deleting the last one; adding a line after each
//! key's line; and with a parse made by `edit_breaking`, typing a key before its colon on
//! a new line after each key's line.

mod common;

use std::path::Path;

use common::yaml_files;

use pipelint_core::{CheckOptions, check, check_parsed};
use pipelint_yaml::{Node, NodeKind, ScalarStyle, Span, edit, edit_breaking, parse};

fn value_ends(node: &Node, out: &mut Vec<Span>) {
    match &node.kind {
        NodeKind::Scalar(s) if s.style == ScalarStyle::Plain && node.via.is_empty() => {
            out.push(node.span);
        }
        NodeKind::Sequence(items) => items.iter().for_each(|n| value_ends(n, out)),
        NodeKind::Mapping(m) => m.entries.iter().for_each(|e| value_ends(&e.value, out)),
        _ => {}
    }
}

fn keys(node: &Node, out: &mut Vec<Span>) {
    match &node.kind {
        NodeKind::Sequence(items) => items.iter().for_each(|n| keys(n, out)),
        NodeKind::Mapping(m) => {
            for e in m.entries.iter().filter(|e| e.merged_from.is_none()) {
                if e.key.via.is_empty() {
                    out.push(e.key.span);
                }
                keys(&e.value, out);
            }
        }
        _ => {}
    }
}

#[test]
fn a_kept_parse_gives_the_findings_of_a_fresh_check() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut files = Vec::new();
    yaml_files(
        &root.join("crates/pipelint_cli/tests/fixtures/rules"),
        &mut files,
    );
    files.sort();
    assert!(files.len() > 100, "fixtures not found");
    let (mut taken, mut broken) = (0, 0);
    for path in &files {
        let text = std::fs::read_to_string(path).expect("read fixture");
        let opts = CheckOptions {
            path: path.file_name().and_then(|n| n.to_str()).map(str::to_owned),
            ..CheckOptions::default()
        };
        let before = parse(&text, &opts.yaml);
        let (mut spans, mut key_spans) = (Vec::new(), Vec::new());
        if let Some(root) = before.root() {
            value_ends(root, &mut spans);
            keys(root, &mut key_spans);
        }
        let mut edits: Vec<(Span, String)> = Vec::new();
        let mut breaking: Vec<(Span, String)> = Vec::new();
        for span in spans.into_iter().chain(key_spans.iter().copied()) {
            edits.push((Span::empty(span.end), "x".to_owned()));
            if span.end > span.start {
                edits.push((Span::new(span.end - 1, span.end), String::new()));
            }
        }
        for key in key_spans {
            let line = text[..key.start].rfind('\n').map_or(0, |i| i + 1);
            let end = text[key.start..]
                .find('\n')
                .map_or(text.len(), |i| key.start + i);
            let column = " ".repeat(key.start - line);
            edits.push((Span::empty(end), format!("\n{column}image: alpine")));
            // A key typed before its colon: the text does not read.
            breaking.push((Span::empty(end), format!("\n{column}imag")));
        }
        // `check_parsed` with the parse made for the edit finds what `check` finds.
        let same_findings = |parsed, range: Span, inserted: &str| {
            let new = [&text[..range.start], inserted, &text[range.end..]].concat();
            let kept = check_parsed(&new, parsed, &opts);
            let fresh = check(&new, &opts);
            assert_eq!(
                kept.diagnostics,
                fresh.diagnostics,
                "{}: {range:?} -> {inserted:?}",
                path.display()
            );
        };
        for (range, inserted) in edits {
            let inserted = inserted.as_str();
            if !text.is_char_boundary(range.start) || !text.is_char_boundary(range.end) {
                continue;
            }
            let mut parsed = before.clone();
            if !edit(&mut parsed, &text, range, inserted, &opts.yaml) {
                continue;
            }
            taken += 1;
            same_findings(parsed, range, inserted);
        }
        for (range, inserted) in breaking {
            let Ok((parsed, _)) =
                edit_breaking(before.clone(), &text, range, &inserted, &opts.yaml)
            else {
                continue;
            };
            broken += 1;
            same_findings(parsed, range, &inserted);
        }
    }
    assert!(taken > 100, "only {taken} edits were taken");
    assert!(
        broken > 100,
        "only {broken} edits that break the text were taken"
    );
}
