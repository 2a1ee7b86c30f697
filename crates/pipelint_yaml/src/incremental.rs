//! Re-using a parse after a small edit.
//!
//! An editor sends one change per keystroke, and most keystrokes change the text of one
//! plain scalar (a step name, an image tag, a command) in a way that cannot change the
//! document's structure. For those, [`edit_scalar`] updates the previous [`Parsed`] in
//! place: the scalar's value, and every offset after the edit moved by the change in
//! length. Most of the other keystrokes (in a key, a new line, a new item) stay inside
//! one entry of a block mapping; [`edit_entry`] reads that entry's lines again on their
//! own and puts what it read in the entry's place. [`edit`] tries both. A key typed on a
//! new line does not read until its colon: for those versions [`edit_breaking`] makes
//! from the last parse that read what the parse of the broken text holds (everything up
//! to the error), reading again only the entry's lines up to the error.
//!
//! Each result equals what [`crate::parse`] makes of the new text (tests and a fuzz
//! target check that over the corpus); any edit that cannot be proven safe is refused,
//! and the caller parses the new text as usual.

use crate::build::{parse_strict, prepend_via, rebuild_mapping};
use crate::{Document, Node, NodeKind, Options, Parsed, ProblemKind, ScalarStyle, Span};

/// Applies to `parsed` (the parse of `old` with `opts`) the edit that replaces
/// `old[range]` with `inserted`, when [`edit_scalar`] or [`edit_entry`] can. Returns
/// whether one did; when neither did, `parsed` is unchanged.
pub fn edit(parsed: &mut Parsed, old: &str, range: Span, inserted: &str, opts: &Options) -> bool {
    edit_scalar(parsed, old, range, inserted) || edit_entry(parsed, old, range, inserted, opts)
}

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
    // A parse that stopped at an error or a limit is not reproduced by shifting.
    if parsed.stopped() {
        return false;
    }
    // Under an anchor the scalar has copies wherever the anchor is used; at an alias it is
    // no scalar at all.
    if anchor_or_alias(parsed, |s| s.start <= b && a <= s.end) {
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

/// Whether an anchor (`&name` or the node it is on) or an alias of the parse lies where
/// `at` says.
fn anchor_or_alias(parsed: &Parsed, at: impl Fn(Span) -> bool) -> bool {
    parsed.anchors.iter().any(|x| at(x.span) || at(x.node_span))
        || parsed.aliases.iter().any(|x| at(x.span))
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

/// One step down the tree: to the value of a mapping's entry, or to a sequence's item.
#[derive(Clone, Copy, Debug)]
enum Step {
    Value(usize),
    Item(usize),
}

/// The lines of one entry of a block mapping, or of a run of neighbouring entries: where
/// an edit is read again.
#[derive(Debug)]
struct Region {
    /// The document, and the way from its root to the mapping that holds the entries.
    doc: usize,
    path: Vec<Step>,
    /// The first and last entry's index in the mapping's entries.
    first: usize,
    last: usize,
    /// Where the first entry's key starts, and its column (in bytes: only spaces and `-`
    /// come before it on its line).
    start: usize,
    column: usize,
    /// The start of the first line after the last entry with more than blanks and a
    /// comment on it, or the end of the text.
    end: usize,
}

impl Region {
    /// The limits for reading the lines on their own: the depth left below the mapping.
    fn opts(&self, opts: &Options) -> Options {
        Options {
            max_depth: opts.max_depth - self.path.len(),
            ..opts.clone()
        }
    }
}

/// The entry or run of entries of a block mapping whose lines hold the edit that replaces
/// `old[range]` with `inserted`, when their lines can be read again on their own: the
/// range lies in the text, the new text is not over the size limit, no carriage return
/// stands alone (a line break for YAML, not for the line scans here), no anchor or alias
/// is written in the lines or on a collection around them, the mapping is not at the
/// depth limit, and the next line does not start with a colon.
fn entry_region(
    parsed: &Parsed,
    old: &str,
    range: Span,
    inserted: &str,
    opts: &Options,
) -> Option<Region> {
    let (a, b) = (range.start, range.end);
    if a > b || b > old.len() || !old.is_char_boundary(a) || !old.is_char_boundary(b) {
        return None;
    }
    if old.len() - (b - a) + inserted.len() > opts.max_bytes || lone_cr(old) {
        return None;
    }
    let region = find_region(parsed, old, a, b)?;
    // Overlapping the lines, or empty and inside them.
    let within =
        |s: Span| s.start < region.end && (region.start < s.end || region.start <= s.start);
    if anchor_or_alias(parsed, within) || region.path.len() >= opts.max_depth {
        return None;
    }
    // A line after the lines that starts with a colon would be the value of an explicit
    // key (`? x`) the edit might end them with.
    if old[region.end..]
        .trim_start_matches([' ', '\t'])
        .starts_with(':')
    {
        return None;
    }
    Some(region)
}

/// Lines of the text to read on their own: `pieces` after `column` spaces for what stands
/// before the first key. `None` when they hold a carriage return alone, or a document
/// marker or directive (which would end the document there, not in the lines).
fn lines_text(column: usize, pieces: &[&str]) -> Option<String> {
    let mut text = String::with_capacity(column + pieces.iter().map(|p| p.len()).sum::<usize>());
    text.extend(std::iter::repeat_n(' ', column));
    pieces.iter().for_each(|p| text.push_str(p));
    let marker =
        |line: &str| line.starts_with("---") || line.starts_with("...") || line.starts_with('%');
    (!lone_cr(&text) && !text.split('\n').any(marker)).then_some(text)
}

/// Applies to `parsed` (the parse of `old` with `opts`) the edit that replaces
/// `old[range]` with `inserted`, when the edit stays inside the lines of one entry of a
/// block mapping (from its key to the next line that is not blank or a comment), or of a
/// run of neighbouring entries, and those lines, read on their own, make one or more
/// entries of the same mapping. They take the entries' place; the mapping's merge keys
/// and duplicate keys are worked out again; every offset after the edit moves by the
/// change in length.
///
/// Refused (the parse is left as it was) when the parse had a problem other than a
/// duplicate key or a bad merge, when an anchor or an alias is written in the entry's
/// lines before or after the edit or on a collection around it (their copies would go
/// stale), when a merge of the mapping comes from a mapping written inline, or when the
/// lines do not read on their own as entries at the same column.
pub fn edit_entry(
    parsed: &mut Parsed,
    old: &str,
    range: Span,
    inserted: &str,
    opts: &Options,
) -> bool {
    if !parsed.problems.iter().all(|p| reported_again(&p.kind)) {
        return false;
    }
    let Some(region) = entry_region(parsed, old, range, inserted, opts) else {
        return false;
    };
    let (a, b) = (range.start, range.end);
    let depth = region.path.len();
    // The entry's lines after the edit.
    let Some(text) = lines_text(
        region.column,
        &[&old[region.start..a], inserted, &old[b..region.end]],
    ) else {
        return false;
    };
    let Some(mut read) = parse_strict(&text, &region.opts(opts)) else {
        return false;
    };
    let read_ok = read.documents.len() == 1
        && read.anchors.is_empty()
        && read.aliases.is_empty()
        && read.problems.iter().all(|p| reported_again(&p.kind));
    let Some(root) = read.documents.first().and_then(|d| d.root.as_ref()) else {
        return false;
    };
    let NodeKind::Mapping(read_map) = &root.kind else {
        return false;
    };
    if !read_ok
        || root.span.start != region.column
        || text.as_bytes().get(region.column) == Some(&b'{')
        || root.anchor.is_some()
        || root.tag.is_some()
        || root.truncated
        || read_map.entries.is_empty()
        || !read_map.merges.is_empty()
    {
        return false;
    }
    // A block scalar with no text before the end of the lines is placed at its indicator
    // there, but at the next token in the whole text: not worth a rule of its own.
    let mut bare_block = false;
    root.walk(&mut |n: &Node| {
        bare_block |= matches!(&n.kind, NodeKind::Scalar(s) if s.style.is_block())
            && n.span.end == text.len()
            && matches!(text.as_bytes().get(n.span.start), Some(b'|' | b'>'));
    });
    // A block scalar that ends the lines runs to their end, as in the whole text it runs
    // to the next token; anything else (saphyr stops short on some odd last lines) is
    // not reproduced.
    let runs_short =
        final_block_scalar(text.as_bytes(), root).is_some_and(|n| n.span.end != text.len());
    if bare_block || runs_short {
        return false;
    }

    // What the change needs from the old parse, before anything moves.
    let Some(mapping_node) = node_at(parsed, region.doc, &region.path) else {
        return false;
    };
    let NodeKind::Mapping(mapping) = &mapping_node.kind else {
        return false;
    };
    // Whether the entries are the mapping's last pair as written, and whether each step of
    // the way to the mapping leads to its collection's last pair or item: those end where
    // the entries end.
    let was_last = last_written(mapping, region.last);
    let mut tails = Vec::with_capacity(depth);
    for (k, &step) in region.path.iter().enumerate() {
        match node_at(parsed, region.doc, &region.path[..k]) {
            Some(n) => tails.push(leads_to_last(n, step)),
            None => return false,
        }
    }
    let own_keys: Vec<Span> = mapping
        .entries
        .iter()
        .filter(|e| e.merged_from.is_none())
        .map(|e| e.key.span)
        .collect();
    // The merge keys of the mapping, with the merged nodes copied again from their anchors.
    let Some(mut merges) = merges_before(parsed, mapping, usize::MAX) else {
        return false;
    };

    // The lines read on their own stand at the entry's place in the new text. What ran
    // on to their end (a block scalar, and what ends with it) runs on to the next token
    // in the whole text: past the next line's indentation.
    let offset = region.start - region.column;
    let lines_end = text.len() + offset;
    let indent = old.as_bytes()[region.end..]
        .iter()
        .take_while(|c| matches!(c, b' ' | b'\t'))
        .count();
    shift_parsed(&mut read, &|p: &mut usize| {
        *p += offset;
        if *p == lines_end {
            *p += indent;
        }
    });
    let Some(Document {
        root: Some(read_root),
        ..
    }) = read.documents.pop()
    else {
        return false;
    };
    let read_end = read_root.span.end;
    let NodeKind::Mapping(read_map) = read_root.kind else {
        return false;
    };
    let read_keys: Vec<Span> = read_map.entries.iter().map(|e| e.key.span).collect();

    // Taken. The problems found in the old lines, and the mapping's duplicate keys, go.
    parsed.problems.retain(|p| {
        // (An empty span where the lines end belongs to the next line.)
        let in_lines =
            region.start <= p.span.start && p.span.start < region.end && p.span.end <= region.end;
        let own_duplicate =
            matches!(p.kind, ProblemKind::DuplicateKey { .. }) && own_keys.contains(&p.span);
        !in_lines && !own_duplicate
    });
    let delta = inserted.len() as isize - (b - a) as isize;
    // What starts where the entry starts (the mapping, when the entry is its first) stays
    // there when the edit inserts at that very place.
    let moved = |p: &mut usize| {
        if *p >= b && *p > region.start {
            *p = p.saturating_add_signed(delta);
        }
    };
    shift_parsed(parsed, &moved);
    let moved_span = |s: &mut Span| {
        moved(&mut s.start);
        moved(&mut s.end);
    };
    for (key_span, value) in &mut merges {
        moved_span(key_span);
        shift_node(value, &moved_span);
    }
    // The way to the mapping was walked above, and only offsets moved since: it is there.
    // Were it not, the parse has changed already, so it is made again from the text.
    let fresh = || crate::parse(&[&old[..a], inserted, &old[b..]].concat(), opts);
    let Some(mapping_node) = node_at_mut(parsed, region.doc, &region.path) else {
        *parsed = fresh();
        return true;
    };
    let NodeKind::Mapping(mapping) = std::mem::replace(&mut mapping_node.kind, NodeKind::Invalid)
    else {
        *parsed = fresh();
        return true;
    };
    let mut pairs: Vec<(Node, Node)> = Vec::with_capacity(mapping.entries.len() + read_keys.len());
    let mut read_entries = Some(read_map.entries);
    for (i, e) in mapping.entries.into_iter().enumerate() {
        if (region.first..=region.last).contains(&i) {
            if let Some(read) = read_entries.take() {
                pairs.extend(read.into_iter().map(|e| (e.key, e.value)));
            }
        } else if e.merged_from.is_none() {
            pairs.push((e.key, e.value));
        }
    }
    pairs.extend(merges.into_iter().map(merge_pair));
    pairs.sort_by_key(|(k, _)| k.site().start);
    let (rebuilt, duplicates) = rebuild_mapping(pairs, opts);
    mapping_node.kind = NodeKind::Mapping(rebuilt);

    // The mapping ends where its last entry ends: when that was the entry, so do the
    // collections around it that ended there.
    if was_last {
        let new_end = mapping_node.span.start.max(read_end);
        mapping_node.span.end = new_end;
        for k in (0..depth).rev() {
            if !tails[k] {
                break;
            }
            if let Some(n) = node_at_mut(parsed, region.doc, &region.path[..k]) {
                n.span.end = new_end;
            }
        }
    }
    parsed
        .problems
        .extend(read.problems.into_iter().filter(|p| {
            !(matches!(p.kind, ProblemKind::DuplicateKey { .. }) && read_keys.contains(&p.span))
        }));
    parsed.problems.extend(duplicates);
    parsed.problems.sort_by_key(|p| (p.span.start, p.span.end));
    true
}

/// Whether reading an entry's lines again reports a problem of this kind again, as the
/// whole text would: a duplicate key or a bad merge. Any other (a syntax error, a
/// recovery, a limit) is not reproduced.
fn reported_again(kind: &ProblemKind) -> bool {
    matches!(
        kind,
        ProblemKind::DuplicateKey { .. } | ProblemKind::BadMerge
    )
}

/// Whether the `j`th entry of `m` is its last pair as written (no pair and no merge key
/// after it).
fn last_written(m: &crate::Mapping, j: usize) -> bool {
    let key = m.entries[j].key.site().start;
    !m.entries[j + 1..].iter().any(|e| e.merged_from.is_none())
        && m.merges.iter().all(|g| g.key_span.start < key)
}

/// Whether `step` leads from `node` to its last pair or item as written.
fn leads_to_last(node: &Node, step: Step) -> bool {
    match (step, &node.kind) {
        (Step::Value(j), NodeKind::Mapping(m)) => last_written(m, j),
        (Step::Item(k), NodeKind::Sequence(items)) => k + 1 == items.len(),
        _ => false,
    }
}

/// The deepest entry of a block mapping whose lines hold `a..b`.
fn find_region(parsed: &Parsed, text: &str, a: usize, b: usize) -> Option<Region> {
    parsed.documents.iter().enumerate().find_map(|(doc, d)| {
        let mut finder = Finder {
            text,
            a,
            b,
            doc,
            path: Vec::new(),
            found: None,
        };
        let next_document = parsed.documents.get(doc + 1).map(|n| n.span.start);
        finder.descend(d.root.as_ref()?, next_document);
        finder.found
    })
}

/// The walk down the tree of [`find_region`].
struct Finder<'t> {
    text: &'t str,
    a: usize,
    b: usize,
    doc: usize,
    path: Vec<Step>,
    found: Option<Region>,
}

impl Finder<'_> {
    /// Looks in `node` for the deepest entry; `bound` is where the next node after
    /// `node` in the text starts (none: the end of the document).
    fn descend(&mut self, node: &Node, bound: Option<usize>) {
        let (a, b) = (self.a, self.b);
        if !node.via.is_empty() {
            return;
        }
        let first = self.text.as_bytes().get(node.span.start);
        match &node.kind {
            NodeKind::Mapping(m) if first != Some(&b'{') => {
                // The entries from the one the edit starts in to the one it ends in.
                let written_before = |at: usize| {
                    (m.entries.iter())
                        .rposition(|e| e.merged_from.is_none() && e.key.site().start <= at)
                };
                let (Some(first), Some(last)) = (written_before(a), written_before(b)) else {
                    return;
                };
                let (e, last_entry) = (&m.entries[first], &m.entries[last]);
                let after = last_entry.key.site().start;
                let next = (m.entries.iter())
                    .filter(|x| x.merged_from.is_none())
                    .map(|x| x.key.site().start)
                    .chain(m.merges.iter().map(|g| g.key_span.start))
                    .filter(|&s| s > after)
                    .min();
                let bound = next.into_iter().chain(bound).min();
                let Some((column, end)) = entry_lines(self.text, e, last_entry, bound) else {
                    return;
                };
                if !(b < end || (end == self.text.len() && b == end)) {
                    return;
                }
                self.found = Some(Region {
                    doc: self.doc,
                    path: self.path.clone(),
                    first,
                    last,
                    start: e.key.site().start,
                    column,
                    end,
                });
                if first == last {
                    self.path.push(Step::Value(first));
                    self.descend(&e.value, bound);
                    self.path.pop();
                }
            }
            NodeKind::Sequence(items) if first != Some(&b'[') => {
                let Some(k) = items.iter().rposition(|n| n.site().start <= a) else {
                    return;
                };
                let next = items.get(k + 1).map(|n| n.site().start);
                self.path.push(Step::Item(k));
                self.descend(&items[k], next.into_iter().chain(bound).min());
                self.path.pop();
            }
            _ => {}
        }
    }
}

/// The column of an entry's key and the end of the lines from it to those of `last` (see
/// [`Region`]), when the key is a scalar with no anchor or tag, written first on its line
/// after spaces and `-` only, and the lines end before `next` (where the next node after
/// `last` in the text starts: the next pair of the mapping, or of a collection around).
fn entry_lines(
    text: &str,
    e: &crate::Entry,
    last: &crate::Entry,
    next: Option<usize>,
) -> Option<(usize, usize)> {
    let key = &e.key;
    // An empty key (`? ` with nothing after it, or none before `: `) is placed at the next
    // token: where its entry's lines start is not known from it.
    if !key.via.is_empty()
        || key.anchor.is_some()
        || key.tag.is_some()
        || key.span.is_empty()
        || !matches!(key.kind, NodeKind::Scalar(_))
    {
        return None;
    }
    let bytes = text.as_bytes();
    let start = key.span.start;
    let line = line_start(bytes, start);
    if !bytes[line..start].iter().all(|c| matches!(c, b' ' | b'-')) {
        return None;
    }
    // After the value: the rest of its last line, unless the value ends in a block scalar
    // and so runs on to the next token (or the line after its last blank one).
    let end = (last.key.site().end.max(last.value.site().end)).min(bytes.len());
    let end_line = line_start(bytes, end);
    let runs_on = final_block_scalar(bytes, &last.value).is_some()
        && (bytes[end_line..end].iter()).all(|c| matches!(c, b' ' | b'\t' | b'\r'));
    let mut at = if runs_on {
        end_line
    } else {
        after_line(bytes, end)
    };
    // Then the lines that hold nothing or a comment.
    while at < bytes.len() {
        let rest = &bytes[at..];
        let first = rest.iter().position(|c| !matches!(c, b' ' | b'\t' | b'\r'));
        match first.map(|i| rest[i]) {
            None => at = bytes.len(),
            Some(b'\n' | b'#') => at = after_line(bytes, at),
            Some(_) => break,
        }
    }
    if next.is_some_and(|n| at > n) {
        return None;
    }
    Some((start - line, at))
}

/// The literal or folded block scalar that is the last text of `node` as written, if the
/// last text is one.
fn final_block_scalar<'n>(bytes: &[u8], node: &'n Node) -> Option<&'n Node> {
    if !node.via.is_empty() || matches!(bytes.get(node.span.start), Some(b'[' | b'{')) {
        return None;
    }
    match &node.kind {
        NodeKind::Scalar(s) => s.style.is_block().then_some(node),
        NodeKind::Sequence(items) => final_block_scalar(bytes, items.last()?),
        NodeKind::Mapping(m) => {
            let last = m.entries.iter().rfind(|e| e.merged_from.is_none())?;
            let last_merge = m.merges.iter().map(|g| g.key_span.start).max();
            if last_merge.is_some_and(|g| g > last.key.site().start) {
                return None;
            }
            final_block_scalar(bytes, &last.value)
        }
        NodeKind::Invalid => None,
    }
}

/// Whether `text` holds a carriage return that is not followed by a line feed.
fn lone_cr(text: &str) -> bool {
    let bytes = text.as_bytes();
    text.contains('\r')
        && (bytes.windows(2).any(|w| w[0] == b'\r' && w[1] != b'\n')
            || bytes.last() == Some(&b'\r'))
}

fn line_start(bytes: &[u8], at: usize) -> usize {
    bytes[..at]
        .iter()
        .rposition(|c| *c == b'\n')
        .map_or(0, |i| i + 1)
}

/// The start of the line after the one holding `at` (the end of the text on the last).
fn after_line(bytes: &[u8], at: usize) -> usize {
    bytes[at..]
        .iter()
        .position(|c| *c == b'\n')
        .map_or(bytes.len(), |i| at + i + 1)
}

fn node_at<'p>(parsed: &'p Parsed, doc: usize, path: &[Step]) -> Option<&'p Node> {
    let mut node = parsed.documents.get(doc)?.root.as_ref()?;
    for step in path {
        node = match (step, &node.kind) {
            (Step::Value(j), NodeKind::Mapping(m)) => &m.entries.get(*j)?.value,
            (Step::Item(k), NodeKind::Sequence(items)) => items.get(*k)?,
            _ => return None,
        };
    }
    Some(node)
}

fn node_at_mut<'p>(parsed: &'p mut Parsed, doc: usize, path: &[Step]) -> Option<&'p mut Node> {
    let mut node = parsed.documents.get_mut(doc)?.root.as_mut()?;
    for step in path {
        node = match (step, &mut node.kind) {
            (Step::Value(j), NodeKind::Mapping(m)) => &mut m.entries.get_mut(*j)?.value,
            (Step::Item(k), NodeKind::Sequence(items)) => items.get_mut(*k)?,
            _ => return None,
        };
    }
    Some(node)
}

/// The node an alias at `site` stands for, copied there as the parse copies it.
fn copy_at(parsed: &Parsed, site: Span) -> Option<Node> {
    let alias = parsed.aliases.iter().find(|x| x.span == site)?;
    let anchor = parsed.anchors.get(alias.anchor?)?;
    let node = parsed
        .documents
        .iter()
        .filter_map(|d| d.root.as_ref())
        .find_map(|root| anchored(root, anchor.node_span, anchor.span))?;
    let mut copy = node.clone();
    prepend_via(&mut copy, site);
    Some(copy)
}

/// The node written at `span` with the anchor written at `mark`.
fn anchored(node: &Node, span: Span, mark: Span) -> Option<&Node> {
    if !node.via.is_empty() || !node.span.contains_span(span) {
        return None;
    }
    if node.span == span && node.anchor.as_ref().is_some_and(|m| m.span == mark) {
        return Some(node);
    }
    match &node.kind {
        NodeKind::Sequence(items) => items.iter().find_map(|n| anchored(n, span, mark)),
        NodeKind::Mapping(m) => m
            .entries
            .iter()
            .filter(|e| e.merged_from.is_none())
            .find_map(|e| anchored(&e.key, span, mark).or_else(|| anchored(&e.value, span, mark))),
        NodeKind::Scalar(_) | NodeKind::Invalid => None,
    }
}

/// The parse of the text after an edit that leaves it unreadable, made from `parsed` (the
/// parse of `old` with `opts`, which reads): what [`crate::parse`] makes of the new text,
/// everything read before the syntax error with the collections around it truncated, and
/// the error. For a key typed on a new line, which does not read until its colon.
///
/// Taken when the edit stays inside the lines of one entry of a block mapping, or of a
/// run of neighbouring entries (as for [`edit_entry`]), and those lines, read again on
/// their own from the entries' key, break at an error inside them or on the next line,
/// written at their column or deeper: up to there the whole text is read as the lines
/// are on their own. What the new parse holds before the lines is moved out of `parsed`,
/// not copied; the rest of `parsed` is returned with it, and [`rejoin`] makes `parsed`
/// again from both, as the base for the next edits (a text that breaks is typed on).
///
/// Refused (`parsed` returned as it was) on the same grounds as [`edit_entry`], when the
/// parse had a problem other than a duplicate key, when the lines read (then
/// [`edit_entry`] applies), and when the parse would recover from the error (a tab in
/// the indentation, an alias to an undefined anchor) rather than stop.
pub fn edit_breaking(
    parsed: Parsed,
    old: &str,
    range: Span,
    inserted: &str,
    opts: &Options,
) -> Result<(Parsed, Rest), Parsed> {
    let Some(read) = read_breaking(&parsed, old, range, inserted, opts) else {
        return Err(parsed);
    };
    let Some(plan) = plan_breaking(&parsed, &read) else {
        return Err(parsed);
    };
    Ok(split(parsed, read, plan, opts))
}

/// What the lines of an edit that breaks the text gave, read again on their own.
struct Broken {
    region: Region,
    /// The pairs of the lines' mapping read before the error, at their place in the new
    /// text.
    pairs: Vec<(Node, Node)>,
    /// Their problems (duplicate keys not among those pairs), then the syntax error.
    problems: Vec<crate::Problem>,
    syntax: crate::Problem,
    new_len: usize,
}

/// The first half of [`edit_breaking`]: the checks, and the lines read again.
fn read_breaking(
    parsed: &Parsed,
    old: &str,
    range: Span,
    inserted: &str,
    opts: &Options,
) -> Option<Broken> {
    let duplicate = |p: &crate::Problem| matches!(p.kind, ProblemKind::DuplicateKey { .. });
    if !parsed.problems.iter().all(duplicate) {
        return None;
    }
    let region = entry_region(parsed, old, range, inserted, opts)?;
    let (a, b) = (range.start, range.end);
    let new = [&old[..a], inserted, &old[b..]].concat();
    let bytes = new.as_bytes();
    // The lines after the edit, the next line with more than blanks or a comment (the
    // error is often found there, at the token after the one that broke), and one more,
    // so that what the parser looks at ahead is there too.
    let lines_end = region.end + inserted.len() - (b - a);
    let next_end = after_line(bytes, lines_end);
    let limit = after_line(bytes, next_end);
    let text = lines_text(region.column, &[&new[region.start..limit]])?;
    let (mut read, error) = crate::build::parse_until_error(&text, &region.opts(opts))?;
    let (at, info) = error?;
    if at < region.column || crate::recover(&text, at, &info).is_some() {
        return None;
    }
    // The parser read to the end of what it was given (a quoted scalar left open): the
    // whole text goes on there.
    if limit < new.len() && info.contains("end of stream") {
        return None;
    }
    // Where the error is in the new text: inside the lines or on the next line, and every
    // line up to it written at the entries' column or deeper. (A line less indented ends
    // the mapping: the whole text goes on in a collection around it, while the lines read
    // on their own end their document there.)
    let offset = region.start - region.column;
    let error_at = at + offset;
    if error_at >= next_end {
        return None;
    }
    let mut line = after_line(bytes, region.start);
    while line <= error_at && line < bytes.len() {
        let indent = bytes[line..].iter().take_while(|c| **c == b' ').count();
        match bytes.get(line + indent) {
            None | Some(b'\n' | b'\r' | b'#') => {}
            Some(b'\t') => return None,
            Some(_) if indent < region.column => return None,
            Some(_) => {}
        }
        line = after_line(bytes, line);
    }
    // What the lines gave before the error, at its place in the new text: the mapping they
    // start, at their column (the parser is then inside a block mapping there, as it is
    // in the whole text).
    shift_parsed(&mut read, &|p: &mut usize| *p += offset);
    let read_ok = read.documents.len() == 1
        && read.anchors.is_empty()
        && read.aliases.is_empty()
        && read.problems.iter().all(duplicate);
    let root = read.documents.into_iter().next()?.root?;
    let NodeKind::Mapping(read_map) = root.kind else {
        return None;
    };
    if !read_ok
        || root.span.start != region.start
        || root.anchor.is_some()
        || root.tag.is_some()
        || read_map.entries.is_empty()
        || !read_map.merges.is_empty()
    {
        return None;
    }
    let read_keys: Vec<Span> = read_map.entries.iter().map(|e| e.key.span).collect();
    // Their duplicate keys are found again with the mapping's.
    let problems = (read.problems.into_iter())
        .filter(|p| !(duplicate(p) && read_keys.contains(&p.span)))
        .collect();
    Some(Broken {
        region,
        pairs: read_map
            .entries
            .into_iter()
            .map(|e| (e.key, e.value))
            .collect(),
        problems,
        syntax: crate::syntax_problem(&new, error_at, &info),
        new_len: new.len(),
    })
}

/// One collection on the way down to the entries, as the new text leaves it: its pairs
/// or items before the way (`bound`: the index of the entry or item the way goes on to,
/// or of the first entry read again), and the merge keys among those pairs with the
/// merged nodes copied again from their anchors.
struct Level {
    bound: usize,
    mapping: bool,
    merges: Vec<(Span, Node)>,
    start: usize,
    tag: Option<Box<str>>,
}

/// The second half of [`edit_breaking`], before anything moves: each collection on the
/// way down, and the keys whose duplicates are found again.
fn plan_breaking(parsed: &Parsed, read: &Broken) -> Option<(Vec<Level>, Vec<Span>)> {
    let region = &read.region;
    let mut node = parsed.documents.get(region.doc)?.root.as_ref()?;
    let mut levels = Vec::with_capacity(region.path.len() + 1);
    let mut owned_keys = Vec::new();
    for k in 0..=region.path.len() {
        if node.anchor.is_some() || !node.via.is_empty() {
            return None;
        }
        let step = region.path.get(k).copied();
        let (bound, next, merges) = match (step, &node.kind) {
            (Some(Step::Value(j)), NodeKind::Mapping(m)) => (
                j,
                &m.entries.get(j)?.value,
                merges_before(parsed, m, key_start(m, j)?)?,
            ),
            (None, NodeKind::Mapping(m)) => (
                region.first,
                node,
                merges_before(parsed, m, key_start(m, region.first)?)?,
            ),
            (Some(Step::Item(i)), NodeKind::Sequence(items)) => (i, items.get(i)?, Vec::new()),
            _ => return None,
        };
        if let NodeKind::Mapping(m) = &node.kind {
            owned_keys.extend(
                m.entries
                    .iter()
                    .filter(|e| e.merged_from.is_none())
                    .map(|e| e.key.span),
            );
        }
        levels.push(Level {
            bound,
            mapping: matches!(node.kind, NodeKind::Mapping(_)),
            merges,
            start: node.span.start,
            tag: node.tag.clone(),
        });
        node = next;
    }
    Some((levels, owned_keys))
}

/// The merge keys of `m` written before `bound`, with the merged nodes copied again from
/// their anchors; `None` when one of them could not be read.
fn merges_before(parsed: &Parsed, m: &crate::Mapping, bound: usize) -> Option<Vec<(Span, Node)>> {
    let mut out = Vec::new();
    for merge in m.merges.iter().filter(|g| g.key_span.start < bound) {
        if !merge.unreadable.is_empty() {
            return None;
        }
        let mut copies = Vec::with_capacity(merge.sources.len());
        for &site in &merge.sources {
            copies.push(copy_at(parsed, site)?);
        }
        let value = if let [_] = copies.as_slice() {
            copies.swap_remove(0)
        } else {
            Node::new(NodeKind::Sequence(copies), merge.key_span)
        };
        out.push((merge.key_span, value));
    }
    Some(out)
}

/// Where the `j`th entry of `m` is written.
fn key_start(m: &crate::Mapping, j: usize) -> Option<usize> {
    Some(m.entries.get(j)?.key.site().start)
}

/// A merge key `<<` at `key_span` with its value, as a pair of its mapping.
fn merge_pair((key_span, value): (Span, Node)) -> (Node, Node) {
    let key = Node::new(
        NodeKind::Scalar(crate::Scalar {
            value: "<<".to_owned(),
            style: ScalarStyle::Plain,
        }),
        key_span,
    );
    (key, value)
}

/// What [`edit_breaking`] left of the parse it was given: with the parse of the broken
/// text, [`rejoin`] makes it again.
#[derive(Debug)]
pub struct Rest {
    /// The parse, with what was moved to the parse of the broken text left empty.
    parsed: Parsed,
    doc: usize,
    /// For each collection on the way down: the index the way goes on at (at the last,
    /// the first entry read again).
    bounds: Vec<usize>,
}

/// What was moved out of one collection on the way down: its pairs or items before the
/// way, and the key of the entry the way goes on at.
struct Taken {
    pairs: Vec<(Node, Node)>,
    items: Vec<Node>,
    key: Option<Node>,
}

/// A node left where one was moved out.
fn hole() -> Node {
    Node::new(NodeKind::Invalid, Span::empty(0))
}

/// The last half of [`edit_breaking`]: the parse of the broken text, made of what
/// `parsed` holds before the edit's lines (moved, not copied) and what the lines gave,
/// and what is left of `parsed`.
fn split(
    parsed: Parsed,
    read: Broken,
    (levels, owned_keys): (Vec<Level>, Vec<Span>),
    opts: &Options,
) -> (Parsed, Rest) {
    let region = &read.region;
    let mut rest = parsed;
    // Everything before the lines stays as it was; nothing after them was read.
    let before = |s: Span| s.start < region.start;
    let duplicate = |p: &crate::Problem| matches!(p.kind, ProblemKind::DuplicateKey { .. });
    let mut problems: Vec<crate::Problem> = (rest.problems.iter())
        .filter(|p| before(p.span) && !(duplicate(p) && owned_keys.contains(&p.span)))
        .cloned()
        .collect();
    problems.extend(read.problems);
    problems.push(read.syntax);
    let anchors = (rest.anchors.iter())
        .filter(|x| before(x.span))
        .map(|x| crate::AnchorInfo {
            uses: x.uses.iter().copied().filter(|s| before(*s)).collect(),
            ..x.clone()
        })
        .collect();
    let aliases = (rest.aliases.iter())
        .filter(|x| before(x.span))
        .cloned()
        .collect();
    let mut documents: Vec<Document> = (rest.documents[..region.doc].iter_mut())
        .map(|d| Document {
            root: d.root.take(),
            span: d.span,
        })
        .collect();
    let doc_span = rest.documents[region.doc].span;

    // Down the way: the pairs or items before it, moved out.
    let mut taken: Vec<Taken> = Vec::new();
    let mut node = rest.documents[region.doc].root.as_mut();
    for (k, level) in levels.iter().enumerate() {
        let Some(n) = node else { break };
        let last = k + 1 == levels.len();
        match &mut n.kind {
            NodeKind::Mapping(m) => {
                let pairs = (m.entries[..level.bound].iter_mut())
                    .filter(|e| e.merged_from.is_none())
                    .map(|e| {
                        (
                            std::mem::replace(&mut e.key, hole()),
                            std::mem::replace(&mut e.value, hole()),
                        )
                    })
                    .collect();
                let key = (!last).then(|| m.entries[level.bound].key.clone());
                taken.push(Taken {
                    pairs,
                    items: Vec::new(),
                    key,
                });
                node = (!last).then(|| &mut m.entries[level.bound].value);
            }
            NodeKind::Sequence(items) => {
                let kept = (items[..level.bound].iter_mut())
                    .map(|n| std::mem::replace(n, hole()))
                    .collect();
                taken.push(Taken {
                    pairs: Vec::new(),
                    items: kept,
                    key: None,
                });
                node = (!last).then(|| &mut items[level.bound]);
            }
            _ => break,
        }
    }

    // Up again: each collection truncated after the way.
    let mut child: Option<Node> = None;
    let mut read_pairs = Some(read.pairs);
    for (level, Taken { pairs, items, key }) in levels.into_iter().zip(taken).rev() {
        let made = if level.mapping {
            let mut pairs = pairs;
            pairs.extend(level.merges.into_iter().map(merge_pair));
            pairs.sort_by_key(|(k, _)| k.site().start);
            match (key, child.take()) {
                (Some(key), Some(c)) => pairs.push((key, c)),
                _ => pairs.extend(read_pairs.take().unwrap_or_default()),
            }
            truncated_mapping(level.start, level.tag, pairs, opts, &mut problems)
        } else {
            let mut items = items;
            let end = child
                .as_ref()
                .map_or(level.start, |c| level.start.max(c.site().end));
            items.extend(child.take());
            let mut seq = Node::new(NodeKind::Sequence(items), Span::new(level.start, end));
            seq.tag = level.tag;
            seq.truncated = true;
            seq
        };
        child = Some(made);
    }
    documents.push(Document {
        root: child,
        span: Span::new(doc_span.start, read.new_len.max(doc_span.start)),
    });
    problems.sort_by_key(|p| (p.span.start, p.span.end));
    let truncated = Parsed {
        documents,
        problems,
        anchors,
        aliases,
    };
    let rest = Rest {
        parsed: rest,
        doc: region.doc,
        bounds: region
            .path
            .iter()
            .map(|s| match s {
                Step::Value(j) => *j,
                Step::Item(i) => *i,
            })
            .chain(std::iter::once(region.first))
            .collect(),
    };
    (truncated, rest)
}

/// The parse [`edit_breaking`] was given, made again from the parse of the broken text
/// it made (or one equal to it) and what it left. `None` when `truncated` is not such a
/// parse.
pub fn rejoin(truncated: Parsed, rest: Rest) -> Option<Parsed> {
    let Rest {
        mut parsed,
        doc,
        bounds,
    } = rest;
    let mut documents = truncated.documents.into_iter();
    for d in parsed.documents.get_mut(..doc)? {
        d.root = documents.next()?.root;
    }
    let mut from = documents.next()?.root?;
    let mut into = parsed.documents.get_mut(doc)?.root.as_mut()?;
    for (k, &bound) in bounds.iter().enumerate() {
        let last = k + 1 == bounds.len();
        match (&mut into.kind, from.kind) {
            (NodeKind::Mapping(m), NodeKind::Mapping(t)) => {
                let mut own = t.entries.into_iter().filter(|e| e.merged_from.is_none());
                for slot in m
                    .entries
                    .get_mut(..bound)?
                    .iter_mut()
                    .filter(|e| e.merged_from.is_none())
                {
                    let e = own.next()?;
                    (slot.key, slot.value) = (e.key, e.value);
                }
                if last {
                    break;
                }
                from = own.next()?.value;
                into = &mut m.entries.get_mut(bound)?.value;
            }
            (NodeKind::Sequence(items), NodeKind::Sequence(t)) => {
                let mut it = t.into_iter();
                for slot in items.get_mut(..bound)? {
                    *slot = it.next()?;
                }
                if last {
                    break;
                }
                from = it.next()?;
                into = items.get_mut(bound)?;
            }
            _ => return None,
        }
    }
    Some(parsed)
}

/// The mapping at `start` made again from `pairs` as the parse closes one the text broke off
/// in: truncated, ending where its last pair ends; its duplicate keys go to `problems`.
fn truncated_mapping(
    start: usize,
    tag: Option<Box<str>>,
    pairs: Vec<(Node, Node)>,
    opts: &Options,
    problems: &mut Vec<crate::Problem>,
) -> Node {
    let end = pairs
        .last()
        .map_or(start, |(k, v)| start.max(k.site().end).max(v.site().end));
    let (mapping, found) = rebuild_mapping(pairs, opts);
    problems.extend(found);
    let mut out = Node::new(NodeKind::Mapping(mapping), Span::new(start, end));
    out.tag = tag;
    out.truncated = true;
    out
}
