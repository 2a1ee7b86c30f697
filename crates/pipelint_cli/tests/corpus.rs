//! The real-world corpus (`../shared/corpus/real/`, beside the checkout): every file is
//! checked without a panic, and a summary of findings per rule is written to
//! `target/corpus-summary.tsv` for review.

use std::path::{Path, PathBuf};

use pipelint_core::CheckOptions;

/// The corpus folder, when the shared folder is beside the checkout.
pub fn corpus_dir() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus/real");
    dir.is_dir().then_some(dir)
}

#[test]
fn every_real_file_is_checked_without_a_panic() {
    let Some(dir) = corpus_dir() else {
        eprintln!("SKIPPED: ../shared/corpus/real not found beside the checkout");
        return;
    };
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("read corpus")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "yml" || e == "yaml"))
        .collect();
    files.sort();
    assert!(
        files.len() > 200,
        "corpus looks incomplete: {}",
        files.len()
    );
    let mut counts: std::collections::BTreeMap<(&'static str, &'static str), usize> =
        Default::default();
    let mut panics = Vec::new();
    for path in &files {
        let Ok(text) = std::fs::read_to_string(path) else {
            continue;
        };
        let result =
            std::panic::catch_unwind(|| pipelint_core::check(&text, &CheckOptions::default()));
        match result {
            Ok(analysis) => {
                for d in analysis.diagnostics {
                    *counts.entry((d.rule, d.severity.as_str())).or_default() += 1;
                }
            }
            Err(_) => panics.push(path.display().to_string()),
        }
    }
    let mut summary = String::from("rule\tseverity\tcount\n");
    for ((rule, sev), n) in &counts {
        summary.push_str(&format!("{rule}\t{sev}\t{n}\n"));
    }
    let out = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/corpus-summary.tsv");
    let _ = std::fs::write(&out, &summary);
    eprintln!("corpus: {} files\n{summary}", files.len());
    assert!(panics.is_empty(), "panicked on: {panics:#?}");
}

/// Every script item of the real corpus maps back to the YAML exactly: the map from its
/// cooked value to the source exists, and each character copied as written is found at its
/// mapped offset (escapes and folded breaks map to their escape or break). This is what
/// places script/shellcheck's findings; a failure here would be a misplaced finding.
#[test]
fn every_script_item_of_the_corpus_maps_to_its_source() {
    let Some(dir) = corpus_dir() else {
        eprintln!("SKIPPED: ../shared/corpus/real not found beside the checkout");
        return;
    };
    let mut unmapped = Vec::new();
    let mut items = 0;
    for entry in std::fs::read_dir(&dir).expect("read corpus").flatten() {
        let path = entry.path();
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        let parsed = pipelint_yaml::parse(&text, &Default::default());
        let settings = pipelint_core::Settings::default();
        let cx = pipelint_core::context::Context::new(&text, None, &parsed, &settings);
        for (_, script) in pipelint_core::shellcheck::step_scripts(&cx) {
            for piece in &script.pieces {
                items += 1;
                let value = piece.node.as_scalar().map_or("", |s| s.value.as_str());
                let Some(map) = &piece.map else {
                    unmapped.push(format!("{}: {:?}", path.display(), piece.node.span));
                    continue;
                };
                for (i, c) in value.char_indices() {
                    let written = text.get(map[i]..).and_then(|r| r.chars().next());
                    let escaped = matches!(written, Some('\\' | '\''));
                    // A break maps to a line break (the end of a file without a last one).
                    let folded =
                        matches!(c, ' ' | '\n') && matches!(written, Some('\n' | '\r') | None);
                    assert!(
                        written == Some(c) || escaped || folded,
                        "{}: byte {i} of {value:?} maps to {written:?}",
                        path.display()
                    );
                }
            }
        }
    }
    eprintln!(
        "corpus: {items} script items, {} without a map",
        unmapped.len()
    );
    assert!(unmapped.is_empty(), "{unmapped:#?}");
}
