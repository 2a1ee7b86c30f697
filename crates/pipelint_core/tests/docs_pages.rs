//! `docs/rules/` holds one page per rule, generated from the rules' own documentation. This
//! test fails when a committed page differs from what the code generates, or when a page
//! has no rule. Regenerate with `PIPELINT_BLESS=1 cargo test -p pipelint_core --test docs_pages`.

use std::path::{Path, PathBuf};

use pipelint_core::registry;
use pipelint_core::rule::{docs_index, docs_page};

fn docs_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/rules")
}

#[test]
fn committed_pages_match_the_rules() {
    let bless = std::env::var_os("PIPELINT_BLESS").is_some();
    let dir = docs_dir();
    let mut expected: Vec<(PathBuf, String)> = registry::metas()
        .map(|m| (dir.join(format!("{}.md", m.id)), docs_page(m)))
        .collect();
    expected.push((dir.join("README.md"), docs_index(registry::metas())));
    let mut stale = Vec::new();
    for (path, text) in &expected {
        let current = std::fs::read_to_string(path).unwrap_or_default();
        if current != *text {
            if bless {
                std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
                std::fs::write(path, text).expect("write page");
            } else {
                stale.push(path.display().to_string());
            }
        }
    }
    // Pages without a rule.
    let known: Vec<&PathBuf> = expected.iter().map(|(p, _)| p).collect();
    for group in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
        if !group.path().is_dir() {
            continue;
        }
        for page in std::fs::read_dir(group.path())
            .into_iter()
            .flatten()
            .flatten()
        {
            let path = page.path();
            if !known.contains(&&path) {
                if bless {
                    let _ = std::fs::remove_file(&path);
                } else {
                    stale.push(format!("{} (no such rule)", path.display()));
                }
            }
        }
    }
    assert!(
        stale.is_empty(),
        "docs/rules is out of date; run `PIPELINT_BLESS=1 cargo test -p pipelint_core --test docs_pages`:\n{}",
        stale.join("\n")
    );
}
