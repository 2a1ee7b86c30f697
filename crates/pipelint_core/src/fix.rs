//! Applying fixes to a text.

use crate::diagnostic::{Edit, Fix};

/// Applies the edits of `fixes` to `source`. Fixes are taken in order; a fix whose edits
/// overlap an edit already taken is skipped whole. Returns the new text and how many
/// fixes were applied.
pub fn apply<'a>(source: &str, fixes: impl IntoIterator<Item = &'a Fix>) -> (String, usize) {
    let mut taken: Vec<&Edit> = Vec::new();
    let mut applied = 0;
    for fix in fixes {
        let overlaps = fix.edits.iter().any(|e| {
            e.span.end > source.len()
                || !source.is_char_boundary(e.span.start)
                || !source.is_char_boundary(e.span.end)
                || taken.iter().any(|t| {
                    (e.span.start < t.span.end && t.span.start < e.span.end)
                        || (e.span.is_empty() && t.span.is_empty() && e.span.start == t.span.start)
                })
        });
        if overlaps {
            continue;
        }
        taken.extend(fix.edits.iter());
        applied += 1;
    }
    taken.sort_by_key(|e| (e.span.start, e.span.end));
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
}
