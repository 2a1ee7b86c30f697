//! The real-world corpus (`../shared/corpus/real/`, beside the checkout): every file is
//! checked without a panic, a summary of findings per rule is written to
//! `target/corpus-summary.tsv`, and every error and warning must match the reviewed list in
//! `tests/corpus/expected.tsv` (file, rule, line), so a false positive or a lost true
//! positive fails. Regenerate it with `PIPELINT_BLESS=1 cargo test -p pipelint_cli --test
//! corpus` and review the difference.

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
    let mut found: Vec<String> = Vec::new();
    let mut panics = Vec::new();
    let mut misread = Vec::new();
    for path in &files {
        let Ok(text) = std::fs::read_to_string(path) else {
            continue;
        };
        // A pipeline file is never taken for Bamboo specs or a runner setup.
        let parsed = pipelint_yaml::parse(&text, &pipelint_yaml::Options::default());
        let kind = pipelint_core::kind::from_content(&text, &parsed);
        if kind != pipelint_core::FileKind::Pipelines {
            misread.push(format!("{}: {kind:?}", path.display()));
        }
        let result =
            std::panic::catch_unwind(|| pipelint_core::check(&text, &CheckOptions::default()));
        match result {
            Ok(analysis) => {
                let index = pipelint_yaml::LineIndex::new(&text);
                let name = path
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default();
                for d in analysis.diagnostics {
                    *counts.entry((d.rule, d.severity.as_str())).or_default() += 1;
                    if d.severity >= pipelint_core::Severity::Warning {
                        found.push(format!(
                            "{name}\t{}\t{}",
                            d.rule,
                            index.line_of(d.span.start) + 1
                        ));
                    }
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

    found.sort();
    let expected_path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/corpus/expected.tsv");
    let header = "# file\trule\tline: every error and warning pipelint reports on ../shared/corpus/real/, each reviewed as a real mistake (see tests/corpus/README.md)\n";
    let actual = format!("{header}{}\n", found.join("\n"));
    if std::env::var_os("PIPELINT_BLESS").is_some() {
        std::fs::create_dir_all(expected_path.parent().expect("parent")).expect("mkdir");
        std::fs::write(&expected_path, &actual).expect("write expected.tsv");
        return;
    }
    let expected = std::fs::read_to_string(&expected_path).unwrap_or_default();
    let want: Vec<&str> = expected
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .collect();
    let missing: Vec<&&str> = want
        .iter()
        .filter(|l| !found.iter().any(|f| f == *l))
        .collect();
    let extra: Vec<&String> = found
        .iter()
        .filter(|f| !want.contains(&f.as_str()))
        .collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "the corpus findings changed.\nlost (a true positive no longer found):\n{missing:#?}\nnew (review: a false positive?):\n{extra:#?}"
    );
    assert!(
        misread.is_empty(),
        "not read as pipeline files: {misread:#?}"
    );
}

/// The Bamboo specs corpus (`../shared/corpus/bamboo/`): every file, read as the
/// `bamboo-specs/*.yml` file it was taken from, is checked without a panic; the findings
/// are written to `corpus-bamboo.tsv` in the tests' temporary target folder (file, line, rule, message) for review.
#[test]
fn every_bamboo_spec_is_checked_without_a_panic() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus/bamboo");
    if !dir.is_dir() {
        eprintln!("SKIPPED: ../shared/corpus/bamboo not found beside the checkout");
        return;
    }
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("read corpus")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "yml" || e == "yaml"))
        .collect();
    files.sort();
    assert!(
        files.len() >= 20,
        "corpus looks incomplete: {}",
        files.len()
    );
    let mut report = String::from("file\tline\trule\tmessage\n");
    let mut panics = Vec::new();
    let mut by_content = 0;
    for path in &files {
        let Ok(text) = std::fs::read_to_string(path) else {
            continue;
        };
        let parsed = pipelint_yaml::parse(&text, &pipelint_yaml::Options::default());
        if pipelint_core::kind::from_content(&text, &parsed) == pipelint_core::FileKind::BambooSpecs
        {
            by_content += 1;
        }
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
        let opts = CheckOptions {
            path: name.as_ref().map(|n| format!("bamboo-specs/{n}")),
            ..CheckOptions::default()
        };
        let check = std::panic::AssertUnwindSafe(|| pipelint_core::check(&text, &opts));
        match std::panic::catch_unwind(check) {
            Ok(analysis) => {
                let index = pipelint_yaml::LineIndex::new(&text);
                for d in analysis.diagnostics {
                    let line = index.line_of(d.span.start) + 1;
                    report.push_str(&format!(
                        "{}\t{line}\t{}\t{}\n",
                        name.as_deref().unwrap_or("?"),
                        d.rule,
                        d.message
                    ));
                }
            }
            Err(_) => panics.push(path.display().to_string()),
        }
    }
    let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join("corpus-bamboo.tsv");
    let _ = std::fs::write(&out, &report);
    eprintln!(
        "bamboo corpus: {} files, {by_content} of them Bamboo specs by content alone\n{report}",
        files.len()
    );
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
                let Some(map) = piece.map() else {
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
