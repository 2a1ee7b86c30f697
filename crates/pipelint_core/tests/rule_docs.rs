//! The rules' documentation cannot lie: every rule's *Example* triggers exactly that rule,
//! once, and its *Use instead* triggers nothing, with only that rule enabled. Every rule
//! documents the headings, and every id is in the catalog. An example for a rule that
//! depends on the user's setup starts with `# pipelint-settings: plan=free` (see
//! `Settings::from_first_line`).

use pipelint_core::{CheckOptions, Selection, Settings, registry};

fn run(rule: &str, yaml: &str) -> Vec<pipelint_core::Diagnostic> {
    let settings = Settings::from_first_line(yaml)
        .unwrap_or_else(|e| panic!("{rule}: bad pipelint-settings line: {e}"));
    let opts = CheckOptions {
        settings,
        select: Selection::Only(vec![rule.to_owned()]),
        ..CheckOptions::default()
    };
    pipelint_core::check(yaml, &opts).diagnostics
}

#[test]
fn examples_trigger_and_corrections_do_not() {
    let mut failures = Vec::new();
    for meta in registry::metas() {
        let docs = meta.docs();
        for heading in [
            "What it does",
            "Why is this bad?",
            "Example",
            "Use instead",
            "Source",
        ] {
            if !docs.contains(&format!("## {heading}\n")) {
                failures.push(format!("{}: docs lack `## {heading}`", meta.id));
            }
        }
        match meta.example("Example") {
            Some(example) => {
                let found = run(meta.id, &example);
                let hits = found.iter().filter(|d| d.rule == meta.id).count();
                if hits != 1 {
                    failures.push(format!(
                        "{}: Example gives {hits} findings, expected 1: {found:#?}",
                        meta.id
                    ));
                }
            }
            None => failures.push(format!("{}: no ```yaml block under Example", meta.id)),
        }
        match meta.example("Use instead") {
            Some(fixed) => {
                let found = run(meta.id, &fixed);
                if !found.is_empty() {
                    failures.push(format!(
                        "{}: Use instead gives findings: {found:#?}",
                        meta.id
                    ));
                }
            }
            None => failures.push(format!("{}: no ```yaml block under Use instead", meta.id)),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn ids_are_unique_and_in_the_catalog() {
    let catalog = include_str!("catalog_ids.txt");
    let mut seen = Vec::new();
    for meta in registry::metas() {
        assert!(!seen.contains(&meta.id), "duplicate rule id {}", meta.id);
        seen.push(meta.id);
        assert!(
            catalog
                .lines()
                .any(|l| l.split('\t').next() == Some(meta.id)),
            "{} is not in tests/catalog_ids.txt (the public list of ids)",
            meta.id
        );
    }
}
