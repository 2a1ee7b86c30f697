//! Checks shared by the fuzz targets.

use pipelint_core::{Diagnostic, Fix};
use pipelint_yaml::{Node, NodeKind, Parsed, ProblemKind, Span};

/// Panics unless `span` is ordered, lies within `text` and starts and ends on char
/// boundaries. `what` names the span in the panic message.
pub fn assert_span(text: &str, span: Span, what: &str) {
    assert!(
        span.start <= span.end && span.end <= text.len(),
        "{what}: span {span:?} is not within the text ({} bytes)",
        text.len()
    );
    assert!(
        text.is_char_boundary(span.start) && text.is_char_boundary(span.end),
        "{what}: span {span:?} does not lie on char boundaries"
    );
}

fn assert_node(text: &str, node: &Node) {
    node.walk(&mut |n: &Node| {
        assert_span(text, n.span, "node");
        n.via.iter().for_each(|s| assert_span(text, *s, "node.via"));
        if let Some(a) = &n.anchor {
            assert_span(text, a.span, "node.anchor");
        }
        if let NodeKind::Mapping(m) = &n.kind {
            for e in &m.entries {
                if let Some(s) = e.merged_from {
                    assert_span(text, s, "entry.merged_from");
                }
            }
            for merge in &m.merges {
                assert_span(text, merge.key_span, "merge.key_span");
                merge
                    .sources
                    .iter()
                    .for_each(|s| assert_span(text, *s, "merge.sources"));
                for o in &merge.overrides {
                    assert_span(text, o.key_span, "override.key_span");
                    assert_node(text, &o.merged_value);
                }
            }
        }
    });
}

/// Every span the parse result holds lies within `text`, on char boundaries.
pub fn assert_parsed(text: &str, parsed: &Parsed) {
    for doc in &parsed.documents {
        assert_span(text, doc.span, "document");
        if let Some(root) = &doc.root {
            assert_node(text, root);
        }
    }
    for p in &parsed.problems {
        assert_span(text, p.span, "problem");
        p.related
            .iter()
            .for_each(|(s, _)| assert_span(text, *s, "problem.related"));
        if let ProblemKind::DuplicateKey { first, .. } = &p.kind {
            assert_span(text, *first, "duplicate key's first");
        }
    }
    for a in &parsed.anchors {
        assert_span(text, a.span, "anchor");
        assert_span(text, a.node_span, "anchor.node_span");
        a.uses
            .iter()
            .for_each(|s| assert_span(text, *s, "anchor.uses"));
    }
    for a in &parsed.aliases {
        assert_span(text, a.span, "alias");
        if let Some(i) = a.anchor {
            assert!(
                i < parsed.anchors.len(),
                "alias names anchor #{i} of {}",
                parsed.anchors.len()
            );
        }
    }
}

/// The edits of one fix lie within `text`, on char boundaries, and do not overlap each
/// other (two inserts at one place count as overlapping: their order would be a guess).
pub fn assert_fix(text: &str, fix: &Fix, rule: &str) {
    for (i, e) in fix.edits.iter().enumerate() {
        assert_span(text, e.span, &format!("{rule}: fix edit"));
        for other in &fix.edits[..i] {
            let overlap = e.span.start < other.span.end && other.span.start < e.span.end;
            let same_insert =
                e.span.is_empty() && other.span.is_empty() && e.span.start == other.span.start;
            assert!(
                !overlap && !same_insert,
                "{rule}: the fix's own edits {:?} and {:?} overlap",
                other.span,
                e.span
            );
        }
    }
}

/// Every diagnostic's span, related spans and fix edits lie within `text`.
pub fn assert_diagnostics(text: &str, diagnostics: &[Diagnostic]) {
    for d in diagnostics {
        assert_span(text, d.span, d.rule);
        for r in &d.related {
            assert_span(text, r.span, &format!("{}: related", d.rule));
        }
        if let Some(fix) = &d.fix {
            assert_fix(text, fix, d.rule);
        }
    }
}

/// Whether the YAML layer found `text` unreadable (a syntax error, or a limit that stops
/// the parse).
pub fn has_syntax_error(parsed: &Parsed) -> bool {
    parsed.problems.iter().any(|p| {
        matches!(
            p.kind,
            ProblemKind::Syntax | ProblemKind::TooDeep | ProblemKind::TooLarge
        )
    })
}

/// A global allocator that remembers the largest single allocation, for targets that
/// assert bounded memory.
pub mod alloc {
    use std::alloc::{GlobalAlloc, Layout, System};
    use std::sync::atomic::{AtomicUsize, Ordering};

    static LARGEST: AtomicUsize = AtomicUsize::new(0);

    /// The system allocator, recording the largest request since [`reset_largest`].
    pub struct LargestAlloc;

    fn note(size: usize) {
        LARGEST.fetch_max(size, Ordering::Relaxed);
    }

    // SAFETY: every call is passed to the system allocator unchanged; only the requested
    // size is recorded.
    unsafe impl GlobalAlloc for LargestAlloc {
        unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
            note(layout.size());
            // SAFETY: the caller's contract for `alloc` is the system allocator's.
            unsafe { System.alloc(layout) }
        }

        unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
            note(layout.size());
            // SAFETY: as for `alloc`.
            unsafe { System.alloc_zeroed(layout) }
        }

        unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
            // SAFETY: `ptr` came from the system allocator with this layout.
            unsafe { System.dealloc(ptr, layout) }
        }

        unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
            note(new_size);
            // SAFETY: as for `dealloc`; `new_size` is the caller's.
            unsafe { System.realloc(ptr, layout, new_size) }
        }
    }

    pub fn reset_largest() {
        LARGEST.store(0, Ordering::Relaxed);
    }

    pub fn largest_since_reset() -> usize {
        LARGEST.load(Ordering::Relaxed)
    }
}

/// Panics when [`pipelint_yaml::edit_scalar`] or [`pipelint_yaml::edit_entry`] takes an
/// edit and leaves a parse other than that of the new text, or refuses one and changes
/// the parse. Tries typing `x` at the end of one plain value of `parsed` (the parse of
/// `text`) and deleting its last character; typing in one key and deleting its last
/// character; a new entry after the key's line, at its column; and removing the key's
/// line. Which value and key depend on the text's length, so that the fuzzer reaches them
/// all. Parses of more than 20,000 nodes (alias expansion) are not tried.
pub fn assert_incremental(text: &str, parsed: &Parsed, opts: &pipelint_yaml::Options) {
    // Each try copies the parse and parses the edited text: an alias bomb's expansion
    // (up to the alias budget) would make an input take seconds. Those are left out.
    let nodes: usize = (parsed.documents.iter())
        .filter_map(|d| d.root.as_ref().map(Node::count))
        .sum();
    if nodes > 20_000 {
        return;
    }
    let (mut values, mut keys) = (Vec::new(), Vec::new());
    if let Some(root) = parsed.root() {
        plain_values_and_keys(root, &mut values, &mut keys);
    }
    let mut edits: Vec<(Span, String)> = Vec::new();
    let typing = |span: Span, edits: &mut Vec<(Span, String)>| {
        edits.push((Span::empty(span.end), "x".to_owned()));
        if let Some(last) = text.get(..span.end).and_then(|t| t.chars().last())
            && span.end > span.start
        {
            edits.push((
                Span::new(span.end - last.len_utf8(), span.end),
                String::new(),
            ));
        }
    };
    if !values.is_empty() {
        typing(values[text.len() % values.len()], &mut edits);
    }
    if !keys.is_empty() {
        let key = keys[text.len() % keys.len()];
        typing(key, &mut edits);
        let line = text[..key.start].rfind('\n').map_or(0, |i| i + 1);
        let end = text[key.start..]
            .find('\n')
            .map_or(text.len(), |i| key.start + i);
        let column = " ".repeat(text[line..key.start].chars().count());
        edits.push((Span::empty(end), format!("\n{column}new: 1")));
        // A key typed before its colon: the text does not read.
        edits.push((Span::empty(end), format!("\n{column}ne")));
        edits.push((Span::new(line, (end + 1).min(text.len())), String::new()));
    }
    for (range, inserted) in edits {
        if !text.is_char_boundary(range.start) || !text.is_char_boundary(range.end) {
            continue;
        }
        let new = [&text[..range.start], &inserted, &text[range.end..]].concat();
        let scalar = |kept: &mut Parsed| pipelint_yaml::edit_scalar(kept, text, range, &inserted);
        let entry =
            |kept: &mut Parsed| pipelint_yaml::edit_entry(kept, text, range, &inserted, opts);
        for (name, how) in [
            ("edit_scalar", &scalar as &dyn Fn(&mut Parsed) -> bool),
            ("edit_entry", &entry),
        ] {
            let mut kept = parsed.clone();
            if how(&mut kept) {
                assert!(
                    kept == pipelint_yaml::parse(&new, opts),
                    "{name} {range:?} -> {inserted:?} differs from a fresh parse"
                );
            } else {
                assert!(
                    kept == *parsed,
                    "{name} refused an edit but changed the parse"
                );
            }
        }
        match pipelint_yaml::edit_breaking(parsed.clone(), text, range, &inserted, opts) {
            Ok((carried, rest)) => {
                assert!(
                    carried == pipelint_yaml::parse(&new, opts),
                    "edit_breaking {range:?} -> {inserted:?} differs from a fresh parse"
                );
                assert!(
                    pipelint_yaml::rejoin(carried, rest).as_ref() == Some(parsed),
                    "rejoin after edit_breaking {range:?} -> {inserted:?} differs from the parse"
                );
            }
            Err(refused) => assert!(
                refused == *parsed,
                "edit_breaking refused an edit but changed the parse"
            ),
        }
    }
}

fn plain_values_and_keys(node: &Node, values: &mut Vec<Span>, keys: &mut Vec<Span>) {
    match &node.kind {
        NodeKind::Scalar(s) if s.style == pipelint_yaml::ScalarStyle::Plain => {
            values.push(node.span);
        }
        NodeKind::Sequence(items) => items
            .iter()
            .for_each(|n| plain_values_and_keys(n, values, keys)),
        NodeKind::Mapping(m) => {
            for e in &m.entries {
                if e.merged_from.is_none() && e.key.via.is_empty() {
                    keys.push(e.key.span);
                }
                plain_values_and_keys(&e.value, values, keys);
            }
        }
        _ => {}
    }
}
