//! The rules of one file may run on several threads (the language server does); the
//! findings must be the same, in the same order, as on one thread.

mod common;

use std::path::Path;

use common::yaml_files;

use pipelint_core::{CheckOptions, check};

#[test]
fn findings_do_not_depend_on_the_number_of_threads() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut files = Vec::new();
    yaml_files(
        &root.join("crates/pipelint_cli/tests/fixtures/rules"),
        &mut files,
    );
    yaml_files(&root.join("examples"), &mut files);
    files.sort();
    assert!(
        files.len() > 100,
        "fixtures not found under {}",
        root.display()
    );
    let mut with_findings = 0;
    for path in &files {
        let text = std::fs::read_to_string(path).expect("read fixture");
        let name = path.file_name().and_then(|n| n.to_str()).map(str::to_owned);
        let on = |threads: usize| {
            let opts = CheckOptions {
                path: name.clone(),
                threads,
                ..CheckOptions::default()
            };
            format!("{:?}", check(&text, &opts).diagnostics)
        };
        let one = on(1);
        if one != "[]" {
            with_findings += 1;
        }
        for threads in [2, 3, 8] {
            assert_eq!(one, on(threads), "{} on {threads} threads", path.display());
        }
    }
    assert!(
        with_findings > 100,
        "only {with_findings} files had findings"
    );
}
