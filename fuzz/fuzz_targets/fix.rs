//! The fix engine, round by round as `fix_all` runs it (the CLI's `--fix`), safe fixes
//! only or unsafe ones too. The first byte of the input picks the options; the rest is the
//! text. Each round asserts:
//! - the edits chosen are whole fixes, sorted, within the text, and do not overlap;
//! - the new text is the old one with exactly those edits: every byte outside them is kept;
//! - a text the YAML layer could read stays readable: no fix introduces a syntax error.
//!
//! And the rounds end with what `fix_all` itself returns.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pipelint_core::fix::{MAX_FIX_ROUNDS, apply, fix_all, select};
use pipelint_core::{Applicability, CheckOptions, Edit, Fix, check};
use pipelint_fuzz::{assert_span, has_syntax_error};

fuzz_target!(|data: &[u8]| {
    let Some((&flags, rest)) = data.split_first() else {
        return;
    };
    let Ok(source) = std::str::from_utf8(rest) else {
        return;
    };
    let include_unsafe = flags & 1 == 1;
    let opts = CheckOptions {
        path: (flags & 2 == 2).then(|| "bitbucket-pipelines.yml".to_owned()),
        ..CheckOptions::default()
    };
    // A shell script (a runner's launch script, told by its content when no path is
    // given) is not YAML: the YAML property does not apply to its fixes.
    let yaml = opts.path.is_some() || !pipelint_core::kind::is_script_text(source);

    let mut text = source.to_owned();
    let mut total = 0;
    for _ in 0..MAX_FIX_ROUNDS {
        let analysis = check(&text, &opts);
        let fixes: Vec<&Fix> = analysis
            .diagnostics
            .iter()
            .filter_map(|d| d.fix.as_ref())
            .filter(|f| include_unsafe || f.applicability == Applicability::Safe)
            .collect();
        let (edits, applied) = select(&text, fixes.iter().copied());

        // Whole fixes: each fix has all of its edits chosen or none.
        let chosen = |e: &Edit| edits.iter().any(|c| std::ptr::eq(*c, e));
        for f in &fixes {
            let n = f.edits.iter().filter(|e| chosen(e)).count();
            assert!(
                n == 0 || n == f.edits.len(),
                "fix `{}` was applied in part",
                f.message
            );
        }

        // Sorted, in bounds, not overlapping; then the expected text, built from the
        // bytes between the edits.
        let mut expected = String::new();
        let mut at = 0;
        for (i, e) in edits.iter().enumerate() {
            assert_span(&text, e.span, "chosen edit");
            assert!(
                e.span.start >= at,
                "edit {:?} overlaps the one before",
                e.span
            );
            if i > 0 && e.span.is_empty() {
                let before = edits[i - 1].span;
                assert!(
                    !(before.is_empty() && before.start == e.span.start),
                    "two inserts at {}",
                    e.span.start
                );
            }
            expected.push_str(&text[at..e.span.start]);
            expected.push_str(&e.content);
            at = e.span.end;
        }
        expected.push_str(&text[at..]);

        let (next, n) = apply(&text, fixes.iter().copied());
        assert_eq!(n, applied);
        assert_eq!(next, expected, "apply changed bytes outside its edits");

        if yaml && !has_syntax_error(&pipelint_yaml::parse(&text, &opts.yaml)) {
            let after = pipelint_yaml::parse(&next, &opts.yaml);
            assert!(
                !has_syntax_error(&after),
                "the fixes made readable YAML unreadable:\n--- before\n{text}\n--- after\n{next}\n--- problems\n{:?}",
                after.problems
            );
        }
        if applied == 0 || next == text {
            break;
        }
        text = next;
        total += applied;
    }
    assert_eq!(fix_all(source, &opts, include_unsafe), (text, total));
});
