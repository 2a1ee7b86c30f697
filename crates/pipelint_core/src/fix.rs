//! Applying fixes to a text.

use crate::diagnostic::{Edit, Fix};

/// Chooses the edits [`apply`] makes: fixes are taken in order, and a fix with an edit
/// out of bounds, off a char boundary, or overlapping an edit already taken (its own
/// included) is skipped whole. Returns the edits sorted by position (two inserts at one
/// place keep their order) and how many fixes were taken.
pub fn select<'a>(
    source: &str,
    fixes: impl IntoIterator<Item = &'a Fix>,
) -> (Vec<&'a Edit>, usize) {
    let mut taken: Vec<&Edit> = Vec::new();
    let mut applied = 0;
    for fix in fixes {
        let clashes = |e: &Edit, t: &Edit| {
            (e.span.start < t.span.end && t.span.start < e.span.end)
                || (e.span.is_empty() && t.span.is_empty() && e.span.start == t.span.start)
        };
        let rejected = fix.edits.iter().enumerate().any(|(i, e)| {
            e.span.start > e.span.end
                || e.span.end > source.len()
                || !source.is_char_boundary(e.span.start)
                || !source.is_char_boundary(e.span.end)
                || taken.iter().any(|t| clashes(e, t))
                || fix.edits[..i].iter().any(|t| clashes(e, t))
        });
        if rejected {
            continue;
        }
        taken.extend(fix.edits.iter());
        applied += 1;
    }
    taken.sort_by_key(|e| (e.span.start, e.span.end));
    (taken, applied)
}

/// Applies the edits of `fixes` to `source` (the ones [`select`] chooses). Returns the new
/// text and how many fixes were applied.
pub fn apply<'a>(source: &str, fixes: impl IntoIterator<Item = &'a Fix>) -> (String, usize) {
    let (taken, applied) = select(source, fixes);
    let mut out = String::with_capacity(source.len());
    let mut at = 0;
    for e in taken {
        out.push_str(&source[at..e.span.start]);
        out.push_str(&e.content);
        at = e.span.end;
    }
    out.push_str(&source[at..]);
    (out, applied)
}

#[cfg(test)]
mod tests {
    use super::*;
    use pipelint_yaml::Span;

    #[test]
    fn applies_non_overlapping_edits() {
        let a = Fix::safe("a", vec![Edit::replace(Span::new(0, 1), "X")]);
        let b = Fix::safe("b", vec![Edit::replace(Span::new(0, 2), "Y")]);
        let c = Fix::safe("c", vec![Edit::insert(3, "!")]);
        let (out, n) = apply("abc", [&a, &b, &c]);
        assert_eq!(out, "Xbc!");
        assert_eq!(n, 2);
    }

    #[test]
    fn a_fix_whose_own_edits_overlap_is_skipped() {
        let bad = Fix::safe(
            "bad",
            vec![
                Edit::replace(Span::new(0, 2), "X"),
                Edit::replace(Span::new(1, 3), "Y"),
            ],
        );
        let good = Fix::safe("good", vec![Edit::insert(3, "!")]);
        assert_eq!(apply("abc", [&bad, &good]), ("abc!".to_owned(), 1));
        let backwards = Fix::safe("backwards", vec![Edit::delete(Span::new(2, 1))]);
        assert_eq!(apply("abc", [&backwards]), ("abc".to_owned(), 0));
    }
}

/// How many rounds of fixing `fix_all` runs at most: a fix can reveal another finding
/// with a fix of its own, but never indefinitely.
pub const MAX_FIX_ROUNDS: usize = 10;

/// Checks `source`, applies the fixes (safe ones, and unsafe ones too when
/// `include_unsafe`), and repeats until nothing changes or [`MAX_FIX_ROUNDS`] is reached.
/// Returns the fixed text and how many fixes were applied.
pub fn fix_all(source: &str, opts: &crate::CheckOptions, include_unsafe: bool) -> (String, usize) {
    let mut text = source.to_owned();
    let mut total = 0;
    for _ in 0..MAX_FIX_ROUNDS {
        let analysis = crate::check(&text, opts);
        let fixes = analysis
            .diagnostics
            .iter()
            .filter_map(|d| d.fix.as_ref())
            .filter(|f| include_unsafe || f.applicability == crate::Applicability::Safe);
        let (next, applied) = apply(&text, fixes);
        if applied == 0 || next == text {
            break;
        }
        text = next;
        total += applied;
    }
    (text, total)
}

#[cfg(test)]
mod fix_all_tests {
    use super::*;
    use crate::CheckOptions;

    #[test]
    fn fixes_until_stable_and_a_second_run_finds_nothing() {
        let text = "image: node:22\npipelines:\n  default:\n    - step:\n        cache: [node]  # keep me\n        max_time: 10\n        script: [make]\n";
        let opts = CheckOptions::default();
        let (fixed, n) = fix_all(text, &opts, false);
        assert_eq!(n, 2);
        assert_eq!(
            fixed,
            "image: node:22\npipelines:\n  default:\n    - step:\n        caches: [node]  # keep me\n        max-time: 10\n        script: [make]\n"
        );
        let (again, m) = fix_all(&fixed, &opts, false);
        assert_eq!((again.as_str(), m), (fixed.as_str(), 0));
        assert!(
            crate::check(&fixed, &opts)
                .diagnostics
                .iter()
                .all(|d| d.severity == crate::Severity::Info)
        );
    }
}
