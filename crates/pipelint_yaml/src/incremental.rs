//! Re-using a parse after a small edit.
//!
//! An editor sends one change per keystroke, and most keystrokes change the text of one
//! plain scalar (a step name, an image tag, a command) in a way that cannot change the
//! document's structure. For those, [`edit_scalar`] updates the previous [`Parsed`] in
//! place: the scalar's value, and every offset after the edit moved by the change in
//! length. The result equals what [`crate::parse`] makes of the new text (a test checks
//! that over the corpus); any edit it cannot prove safe is refused, and the caller parses
//! the new text as usual.

use crate::{Document, Node, NodeKind, Parsed, ProblemKind, ScalarStyle, Span};

/// Applies to `parsed` (the parse of `old`) the edit that replaces `old[range]` with
/// `inserted`, when the edit stays inside one plain, single-line scalar that is a value
/// (not a key), written where it stands (not under an anchor, so that no alias copies
/// it), and the new text of the scalar is one that reads as a plain scalar in any
/// context. Returns whether it did; when it did not, `parsed` is unchanged.
pub fn edit_scalar(parsed: &mut Parsed, old: &str, range: Span, inserted: &str) -> bool {
    let (a, b) = (range.start, range.end);
    if a > b || b > old.len() || !old.is_char_boundary(a) || !old.is_char_boundary(b) {
        return false;
    }
    // A parse that recovered from errors or hit a limit is not reproduced by shifting.
    if parsed.problems.iter().any(|p| {
        matches!(
            p.kind,
            ProblemKind::Syntax
                | ProblemKind::TooDeep
                | ProblemKind::TooLarge
                | ProblemKind::AliasLimit
        )
    }) {
        return false;
    }
    // Under an anchor the scalar has copies wherever the anchor is used; at an alias it is
    // no scalar at all.
    let touches = |s: Span| s.start <= b && a <= s.end;
    if parsed
        .anchors
        .iter()
        .any(|x| touches(x.node_span) || touches(x.span))
        || parsed.aliases.iter().any(|x| touches(x.span))
    {
        return false;
    }
    let Some(target) = parsed
        .documents
        .iter_mut()
        .filter_map(|d| d.root.as_mut())
        .find_map(|root| value_scalar_at(root, a, b))
    else {
        return false;
    };
    let span = target.span;
    let Some(written) = old.get(span.range()) else {
        return false;
    };
    let (NodeKind::Scalar(scalar), None, None) = (&mut target.kind, &target.tag, &target.anchor)
    else {
        return false;
    };
    // The value is the text as written: one line, no escapes, no folding.
    if scalar.style != ScalarStyle::Plain || scalar.value != written || a <= span.start {
        return false;
    }
    let value = [&old[span.start..a], inserted, &old[b..span.end]].concat();
    if !reads_as_itself(&value) {
        return false;
    }
    // Taken: the scalar gets its new text, then every offset after the edit moves (the
    // scalar's end among them).
    scalar.value = value;
    let delta = inserted.len() as isize - (b - a) as isize;
    shift_parsed(parsed, &|p: &mut usize| {
        if *p >= b {
            *p = p.saturating_add_signed(delta);
        }
    });
    true
}

/// Whether `value`, written as a plain scalar anywhere (block or flow, after `key: ` or
/// `- `), reads back as exactly `value`: it starts with a letter or digit, ends with no
/// space, and holds only characters that mean nothing to YAML there, and colons only
/// before a letter, digit or `/` (`node:20`, `https://...`).
fn reads_as_itself(value: &str) -> bool {
    let bytes = value.as_bytes();
    bytes.first().is_some_and(u8::is_ascii_alphanumeric)
        && bytes.last().is_some_and(|b| *b != b' ')
        && bytes.iter().enumerate().all(|(i, &c)| {
            c.is_ascii_alphanumeric()
                || matches!(
                    c,
                    b' ' | b'_' | b'-' | b'.' | b'/' | b'+' | b'=' | b'@' | b'(' | b')' | b'$'
                )
                || (c == b':'
                    && bytes
                        .get(i + 1)
                        .is_some_and(|n| n.is_ascii_alphanumeric() || *n == b'/'))
        })
}

/// The scalar holding `a..b` that is a mapping value or a sequence item (not a key), when
/// the edit falls in one. Copies made by merge keys are not looked at: their spans are
/// under an anchor, which the caller has ruled out.
fn value_scalar_at(node: &mut Node, a: usize, b: usize) -> Option<&mut Node> {
    let inside = |s: Span| s.start <= a && b <= s.end;
    if !inside(node.span) || !node.via.is_empty() {
        return None;
    }
    if matches!(node.kind, NodeKind::Scalar(_)) {
        return Some(node);
    }
    match &mut node.kind {
        NodeKind::Sequence(items) => items.iter_mut().find_map(|n| value_scalar_at(n, a, b)),
        NodeKind::Mapping(m) => {
            if m.entries.iter().any(|e| inside(e.key.span)) {
                return None;
            }
            m.entries
                .iter_mut()
                .filter(|e| e.merged_from.is_none())
                .find_map(|e| value_scalar_at(&mut e.value, a, b))
        }
        NodeKind::Scalar(_) | NodeKind::Invalid => None,
    }
}

/// Moves every offset of the parse with `shift`.
fn shift_parsed(parsed: &mut Parsed, shift: &impl Fn(&mut usize)) {
    let span = |s: &mut Span| {
        shift(&mut s.start);
        shift(&mut s.end);
    };
    for Document {
        root,
        span: doc_span,
    } in &mut parsed.documents
    {
        span(doc_span);
        if let Some(root) = root {
            shift_node(root, &span);
        }
    }
    for p in &mut parsed.problems {
        span(&mut p.span);
        if let ProblemKind::DuplicateKey { first, .. } = &mut p.kind {
            span(first);
        }
        for (s, _) in &mut p.related {
            span(s);
        }
    }
    for x in &mut parsed.anchors {
        span(&mut x.span);
        span(&mut x.node_span);
        x.uses.iter_mut().for_each(span);
    }
    for x in &mut parsed.aliases {
        span(&mut x.span);
    }
}

fn shift_node(node: &mut Node, span: &impl Fn(&mut Span)) {
    node.walk_all_mut(&mut |n: &mut Node| {
        span(&mut n.span);
        n.via.iter_mut().for_each(span);
        if let Some(mark) = &mut n.anchor {
            span(&mut mark.span);
        }
        if let NodeKind::Mapping(m) = &mut n.kind {
            for e in &mut m.entries {
                if let Some(s) = &mut e.merged_from {
                    span(s);
                }
            }
            for merge in &mut m.merges {
                span(&mut merge.key_span);
                merge.sources.iter_mut().for_each(span);
                merge.unreadable.iter_mut().for_each(span);
                merge
                    .overrides
                    .iter_mut()
                    .for_each(|o| span(&mut o.key_span));
            }
        }
    });
}
