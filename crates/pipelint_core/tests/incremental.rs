//! `check_parsed` with a parse kept up to date by `edit_scalar` finds what `check` finds in
//! the new text, at the same places: over the rule fixtures, typing a character at the end
//! of each plain value and deleting the last one.

mod common;

use std::path::Path;

use common::yaml_files;

use pipelint_core::{CheckOptions, check, check_parsed};
use pipelint_yaml::{Node, NodeKind, ScalarStyle, Span, edit_scalar, parse};

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
    let mut taken = 0;
    for path in &files {
        let text = std::fs::read_to_string(path).expect("read fixture");
        let opts = CheckOptions {
            path: path.file_name().and_then(|n| n.to_str()).map(str::to_owned),
            ..CheckOptions::default()
        };
        let before = parse(&text, &opts.yaml);
        let mut spans = Vec::new();
        if let Some(root) = before.root() {
            value_ends(root, &mut spans);
        }
        for span in spans {
            for (range, inserted) in [
                (Span::empty(span.end), "x"),
                (Span::new(span.end - 1, span.end), ""),
            ] {
                if !text.is_char_boundary(range.start) {
                    continue;
                }
                let mut parsed = before.clone();
                if !edit_scalar(&mut parsed, &text, range, inserted) {
                    continue;
                }
                taken += 1;
                let new = [&text[..range.start], inserted, &text[range.end..]].concat();
                let kept = check_parsed(&new, parsed, &opts);
                let fresh = check(&new, &opts);
                assert_eq!(
                    kept.diagnostics,
                    fresh.diagnostics,
                    "{}: {range:?} -> {inserted:?}",
                    path.display()
                );
            }
        }
    }
    assert!(taken > 100, "only {taken} edits were taken");
}
