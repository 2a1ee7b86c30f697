//! Builds the span tree from saphyr-parser events.
//!
//! saphyr-parser gives events with character positions, anchor ids (not names), and stops
//! at the first syntax error. This module turns them into [`Node`]s with byte spans,
//! expands aliases within a budget, applies merge keys, and records duplicate keys,
//! anchors and aliases. Recovery from the errors that are common in pipeline files (a tab
//! in the indentation, an alias to an undefined anchor such as an unquoted `**`) happens in
//! [`crate::parse`], which patches a copy of the text and parses again.

use std::collections::HashMap;
use std::ops::ControlFlow;

use saphyr_parser::{Event, ScalarStyle as SaphyrStyle, Span as SaphyrSpan};

use crate::tree::{
    AnchorMark, Entry, Mapping, Merge, Node, NodeKind, Override, Scalar, ScalarStyle, Span,
};
use crate::{AliasInfo, AnchorInfo, Document, Options, Parsed, Problem, ProblemKind};

/// Converts saphyr's character indices into byte offsets. Positions mostly arrive in
/// increasing order, so a cursor that walks from the last position is linear overall.
pub(crate) struct CharToByte<'a> {
    text: &'a str,
    ascii: bool,
    chars: usize,
    bytes: usize,
}

impl<'a> CharToByte<'a> {
    pub(crate) fn new(text: &'a str) -> Self {
        CharToByte {
            text,
            ascii: text.is_ascii(),
            chars: 0,
            bytes: 0,
        }
    }

    pub(crate) fn byte(&mut self, char_index: usize) -> usize {
        if self.ascii {
            return char_index.min(self.text.len());
        }
        if char_index < self.chars / 2 {
            self.chars = 0;
            self.bytes = 0;
        }
        // Forward one character at a time: past its first byte and its continuation bytes.
        let bytes = self.text.as_bytes();
        while self.chars < char_index && self.bytes < bytes.len() {
            self.bytes += 1;
            while bytes.get(self.bytes).is_some_and(|b| b & 0xC0 == 0x80) {
                self.bytes += 1;
            }
            self.chars += 1;
        }
        while self.chars > char_index && self.bytes > 0 {
            self.bytes -= 1;
            while !self.text.is_char_boundary(self.bytes) {
                self.bytes -= 1;
            }
            self.chars -= 1;
        }
        self.bytes
    }
}

/// Anchor or tag written before a node.
#[derive(Default)]
struct Props {
    anchor: Option<(usize, AnchorMark)>,
    tag: Option<String>,
}

enum FrameKind {
    Sequence(Vec<Node>),
    Mapping {
        pairs: Vec<(Node, Node)>,
        key: Option<Node>,
    },
}

struct Frame {
    kind: FrameKind,
    start: usize,
    flow: bool,
    props: Props,
}

pub(crate) struct Builder<'a> {
    text: &'a str,
    opts: &'a Options,
    conv: CharToByte<'a>,
    stack: Vec<Frame>,
    documents: Vec<Document>,
    doc_root: Option<Node>,
    doc_start: usize,
    /// Completed anchored nodes by saphyr anchor id, with their node counts.
    by_id: HashMap<usize, (Node, usize, usize)>,
    anchors: Vec<AnchorInfo>,
    aliases: Vec<AliasInfo>,
    problems: Vec<Problem>,
    budget: usize,
    budget_reported: bool,
    /// Byte offsets where `*` of an undefined alias was patched, with the original text.
    patched: &'a [(usize, String)],
}

#[cfg(test)]
thread_local! {
    /// How many trees this thread started building (tests count the builds of a parse).
    pub(crate) static BUILDS: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

impl<'a> Builder<'a> {
    pub(crate) fn new(text: &'a str, opts: &'a Options, patched: &'a [(usize, String)]) -> Self {
        #[cfg(test)]
        BUILDS.with(|b| b.set(b.get() + 1));
        Builder {
            text,
            opts,
            conv: CharToByte::new(text),
            stack: Vec::new(),
            documents: Vec::new(),
            doc_root: None,
            doc_start: 0,
            by_id: HashMap::new(),
            anchors: Vec::new(),
            aliases: Vec::new(),
            problems: Vec::new(),
            budget: opts.alias_budget,
            budget_reported: false,
            patched,
        }
    }

    pub(crate) fn byte(&mut self, char_index: usize) -> usize {
        self.conv.byte(char_index)
    }

    fn span(&mut self, span: SaphyrSpan) -> Span {
        let start = self.byte(span.start.index());
        let end = self.byte(span.end.index());
        Span::new(start, end.max(start))
    }

    pub(crate) fn on_event(&mut self, event: Event<'_>, span: SaphyrSpan) -> ControlFlow<()> {
        let span = self.span(span);
        let is_map = matches!(event, Event::MappingStart(..));
        match event {
            Event::Nothing | Event::StreamStart | Event::StreamEnd => {}
            Event::DocumentStart(_) => {
                self.doc_start = span.start;
                self.doc_root = None;
            }
            Event::DocumentEnd => self.end_document(span.end),
            Event::Scalar(value, style, anchor_id, tag) => {
                let (props, start) = self.props(span, anchor_id, tag.as_deref());
                let mut span = Span::new(start.min(span.end), span.end);
                // The parser's end of a quoted scalar can run on over a comment after it
                // (`'1000' # uid`): end it at its closing quote.
                if let Some(end) = quoted_end(self.text, span.start, style) {
                    span.end = end.min(span.end).max(span.start);
                }
                let node = if let Some((_, original)) =
                    self.patched.iter().find(|(at, _)| *at == span.start)
                {
                    if self.expecting_key() {
                        Node::new(
                            NodeKind::Scalar(Scalar {
                                value: original.clone(),
                                style: ScalarStyle::Plain,
                            }),
                            span,
                        )
                    } else {
                        Node::new(NodeKind::Invalid, span)
                    }
                } else {
                    Node::new(
                        NodeKind::Scalar(Scalar {
                            value: value.into_owned(),
                            style: convert_style(style),
                        }),
                        span,
                    )
                };
                self.complete(node, props);
            }
            Event::SequenceStart(anchor_id, tag) | Event::MappingStart(anchor_id, tag) => {
                if self.stack.len() >= self.opts.max_depth {
                    self.problems.push(Problem {
                        kind: ProblemKind::TooDeep,
                        span: Span::new(span.start, (span.start + 1).min(self.text.len())),
                        message: format!(
                            "the document nests deeper than {} levels; pipelint stops reading here",
                            self.opts.max_depth
                        ),
                        related: Vec::new(),
                    });
                    return ControlFlow::Break(());
                }
                let (props, start) = self.props(span, anchor_id, tag.as_deref());
                let first = self.text.as_bytes().get(start).copied();
                let flow = matches!(first, Some(b'[' | b'{'));
                let kind = if is_map {
                    FrameKind::Mapping {
                        pairs: Vec::new(),
                        key: None,
                    }
                } else {
                    FrameKind::Sequence(Vec::new())
                };
                self.stack.push(Frame {
                    kind,
                    start,
                    flow,
                    props,
                });
            }
            Event::SequenceEnd | Event::MappingEnd => self.close_frame(Some(span.end)),
            Event::Alias(id) => {
                let name = self.text[span.range()].trim_start_matches('*').to_owned();
                let node = self.expand_alias(id, name, span);
                self.complete(node, Props::default());
            }
        }
        ControlFlow::Continue(())
    }

    fn expecting_key(&self) -> bool {
        matches!(
            self.stack.last(),
            Some(Frame {
                kind: FrameKind::Mapping { key: None, .. },
                ..
            })
        )
    }

    /// Reads `&anchor` and `!tag` at the start of an event's span; returns them and where
    /// the node's own text starts.
    fn props(
        &mut self,
        span: Span,
        anchor_id: usize,
        tag: Option<&saphyr_parser::Tag>,
    ) -> (Props, usize) {
        let mut props = Props::default();
        if anchor_id == 0 && tag.is_none() {
            return (props, span.start);
        }
        let bytes = self.text.as_bytes();
        let mut i = span.start;
        loop {
            match bytes.get(i) {
                Some(b'&') => {
                    let name_end = scan_name(bytes, i + 1);
                    let name = self.text[i + 1..name_end].to_owned();
                    props.anchor = Some((
                        anchor_id,
                        AnchorMark {
                            name,
                            span: Span::new(i, name_end),
                        },
                    ));
                    i = name_end;
                }
                Some(b'!') => {
                    let end = scan_tag(bytes, i);
                    props.tag = Some(self.text[i..end].to_owned());
                    i = end;
                }
                Some(b' ' | b'\t' | b'\r' | b'\n') => i += 1,
                Some(b'#') => {
                    while i < bytes.len() && bytes[i] != b'\n' {
                        i += 1;
                    }
                }
                _ => break,
            }
        }
        // The text read must be the tag the parser saw: the span of an empty node can
        // start after its properties, and the scan then runs on to a `!` further on.
        // Otherwise the tag is written from the parser's handle and suffix.
        match tag {
            None => props.tag = None,
            Some(t)
                if !props
                    .tag
                    .as_ref()
                    .is_some_and(|s| s.ends_with(t.suffix.as_str())) =>
            {
                props.tag = Some(format!("{}{}", t.handle, t.suffix));
            }
            Some(_) => {}
        }
        if anchor_id != 0 && props.anchor.is_none() {
            // The anchor was not where expected; keep the id so aliases still resolve.
            props.anchor = Some((
                anchor_id,
                AnchorMark {
                    name: String::new(),
                    span: Span::empty(span.start),
                },
            ));
        }
        (props, i.min(span.end.max(span.start)))
    }

    fn expand_alias(&mut self, id: usize, name: String, site: Span) -> Node {
        let Some((node, count, info)) = self.by_id.get(&id) else {
            // saphyr knows the anchor but its node is not complete: the alias stands
            // inside the node it names.
            self.problems.push(Problem {
                kind: ProblemKind::Syntax,
                span: site,
                message: format!("alias `*{name}` refers to the node that contains it"),
                related: Vec::new(),
            });
            self.aliases.push(AliasInfo {
                name,
                span: site,
                anchor: self.anchors.iter().rposition(|a| a.id == id),
            });
            return Node::new(NodeKind::Invalid, site);
        };
        let (count, info) = (*count, *info);
        self.anchors[info].uses.push(site);
        self.aliases.push(AliasInfo {
            name,
            span: site,
            anchor: Some(info),
        });
        if count > self.budget {
            if !self.budget_reported {
                self.budget_reported = true;
                self.problems.push(Problem {
                    kind: ProblemKind::AliasLimit,
                    span: site,
                    message: format!(
                        "aliases expand to more than {} nodes; pipelint stops expanding them here",
                        self.opts.alias_budget
                    ),
                    related: vec![(self.anchors[info].span, "the anchor".to_owned())],
                });
            }
            return Node::new(NodeKind::Invalid, site);
        }
        self.budget -= count;
        let mut copy = node.clone();
        prepend_via(&mut copy, site);
        copy
    }

    /// Attaches a finished node to its parent, registering its anchor.
    fn complete(&mut self, mut node: Node, props: Props) {
        node.tag = props.tag.map(String::into_boxed_str);
        if let Some((id, mark)) = props.anchor {
            let count = node.count();
            self.anchors.push(AnchorInfo {
                id,
                name: mark.name.clone(),
                span: mark.span,
                node_span: node.span,
                uses: Vec::new(),
            });
            node.anchor = Some(Box::new(mark));
            self.by_id
                .insert(id, (node.clone(), count, self.anchors.len() - 1));
        }
        match self.stack.last_mut() {
            Some(Frame {
                kind: FrameKind::Sequence(items),
                ..
            }) => items.push(node),
            Some(Frame {
                kind: FrameKind::Mapping { pairs, key },
                ..
            }) => match key.take() {
                None => *key = Some(node),
                Some(k) => pairs.push((k, node)),
            },
            None => self.doc_root = Some(node),
        }
    }

    fn close_frame(&mut self, end_event: Option<usize>) {
        let Some(frame) = self.stack.pop() else {
            return;
        };
        let mut end = frame.start;
        let node = match frame.kind {
            FrameKind::Sequence(items) => {
                if let Some(last) = items.last() {
                    end = end.max(last.span_end_in_text());
                }
                if frame.flow {
                    end = end.max(end_event.unwrap_or(end));
                }
                Node::new(NodeKind::Sequence(items), Span::new(frame.start, end))
            }
            FrameKind::Mapping { mut pairs, key } => {
                if let Some(k) = key {
                    // A key whose value was never read (the text broke off).
                    let at = k.span.end;
                    pairs.push((k, Node::new(NodeKind::Invalid, Span::empty(at))));
                }
                if let Some((k, v)) = pairs.last() {
                    end = end.max(k.span_end_in_text()).max(v.span_end_in_text());
                }
                if frame.flow {
                    end = end.max(end_event.unwrap_or(end));
                }
                let mapping = self.build_mapping(pairs);
                Node::new(NodeKind::Mapping(mapping), Span::new(frame.start, end))
            }
        };
        let mut node = node;
        node.truncated = end_event.is_none();
        self.complete(node, frame.props);
    }

    fn build_mapping(&mut self, pairs: Vec<(Node, Node)>) -> Mapping {
        // Duplicate explicit keys. Most mappings hold a handful of keys: a linear scan
        // beats hashing them (a hash set only from a few dozen keys on).
        let mut seen: Vec<(&str, Span)> = Vec::new();
        let mut seen_set: HashMap<&str, Span> = HashMap::new();
        let mut duplicates = Vec::new();
        let mut has_merge = false;
        for (k, _) in &pairs {
            if is_merge_key(k) {
                has_merge = true;
                continue;
            }
            if k.is_aliased() {
                continue;
            }
            if let Some(name) = k.as_key() {
                let first = if seen_set.is_empty() {
                    seen.iter().find(|(n, _)| *n == name).map(|(_, s)| *s)
                } else {
                    seen_set.get(name).copied()
                };
                match first {
                    Some(first) => duplicates.push((name.to_owned(), k.span, first)),
                    None if seen_set.is_empty() && seen.len() < 32 => seen.push((name, k.span)),
                    None => {
                        seen_set.extend(seen.drain(..));
                        seen_set.insert(name, k.span);
                    }
                }
            }
        }
        // The keys the mapping writes itself, which win over merged ones: only needed when
        // there is a merge key.
        let explicit: HashMap<String, Span> = if has_merge {
            seen.into_iter()
                .chain(seen_set)
                .map(|(k, s)| (k.to_owned(), s))
                .collect()
        } else {
            HashMap::new()
        };
        for (name, span, first) in duplicates {
            self.problems.push(Problem {
                kind: ProblemKind::DuplicateKey {
                    key: name.clone(),
                    first,
                },
                span,
                message: format!("duplicate key `{name}`"),
                related: vec![(first, format!("`{name}` is first defined here"))],
            });
        }

        let mut mapping = Mapping {
            entries: Vec::with_capacity(pairs.len()),
            merges: Vec::new(),
        };
        let mut merged_keys: Vec<String> = Vec::new();
        for (k, v) in pairs {
            if !is_merge_key(&k) {
                mapping.entries.push(Entry {
                    key: k,
                    value: v,
                    merged_from: None,
                });
                continue;
            }
            let mut merge = Merge {
                key_span: k.span,
                sources: Vec::new(),
                unreadable: Vec::new(),
                overrides: Vec::new(),
            };
            let sources: Vec<Node> = match v.kind {
                NodeKind::Mapping(_) => vec![v],
                NodeKind::Sequence(items) => items,
                NodeKind::Invalid => {
                    merge.unreadable.push(v.site());
                    Vec::new()
                }
                _ => {
                    self.problems.push(Problem {
                        kind: ProblemKind::BadMerge,
                        span: v.site(),
                        message: "the merge key `<<` takes an alias to a mapping or a list of them"
                            .to_owned(),
                        related: Vec::new(),
                    });
                    Vec::new()
                }
            };
            for source in sources {
                let site = source.site();
                let NodeKind::Mapping(m) = source.kind else {
                    if matches!(source.kind, NodeKind::Invalid) {
                        merge.unreadable.push(site);
                    } else {
                        self.problems.push(Problem {
                            kind: ProblemKind::BadMerge,
                            span: site,
                            message: "the merge key `<<` can only merge mappings".to_owned(),
                            related: Vec::new(),
                        });
                    }
                    continue;
                };
                merge.sources.push(site);
                for entry in m.entries {
                    let Some(name) = entry.key.as_key().map(str::to_owned) else {
                        continue;
                    };
                    if let Some(explicit_span) = explicit.get(&name) {
                        if !merge.overrides.iter().any(|o| o.key == name) {
                            merge.overrides.push(Override {
                                key: name,
                                key_span: *explicit_span,
                                merged_value: entry.value,
                            });
                        }
                        continue;
                    }
                    if merged_keys.contains(&name) {
                        continue;
                    }
                    merged_keys.push(name);
                    mapping.entries.push(Entry {
                        key: entry.key,
                        value: entry.value,
                        merged_from: Some(site),
                    });
                }
            }
            mapping.merges.push(merge);
        }
        mapping
    }

    fn end_document(&mut self, end: usize) {
        while !self.stack.is_empty() {
            self.close_frame(None);
        }
        let root = self.doc_root.take();
        let start = self.doc_start;
        self.documents.push(Document {
            root,
            span: Span::new(start, end.max(start)),
        });
        self.doc_start = end;
    }

    pub(crate) fn problem(&mut self, problem: Problem) {
        self.problems.push(problem);
    }

    /// Closes whatever is open (the text ended early or broke off) and returns the result.
    pub(crate) fn finish(mut self) -> Parsed {
        if !self.stack.is_empty() || self.doc_root.is_some() {
            let end = self.text.len();
            self.end_document(end);
        }
        Parsed {
            documents: self.documents,
            problems: self.problems,
            anchors: self.anchors,
            aliases: self.aliases,
        }
    }
}

/// Reads `text` into a tree with no recovery: `None` at the first syntax error. For a
/// piece of a document read again on its own ([`crate::incremental`]).
pub(crate) fn parse_strict(text: &str, opts: &Options) -> Option<Parsed> {
    match parse_until_error(text, opts)? {
        (parsed, None) => Some(parsed),
        (_, Some(_)) => None,
    }
}

/// Reads `text` into a tree up to its first syntax error: what was read before it (the
/// collections still open closed as truncated, as [`crate::parse`] closes them), and the
/// error's byte offset and message. `None` when the tree builder stopped at a limit.
pub(crate) fn parse_until_error(
    text: &str,
    opts: &Options,
) -> Option<(Parsed, Option<(usize, String)>)> {
    let mut builder = Builder::new(text, opts, &[]);
    let mut parser = saphyr_parser::Parser::new_from_str(text);
    let mut error = None;
    while let Some(next) = parser.next_event() {
        match next {
            Ok((event, span)) => {
                if builder.on_event(event, span).is_break() {
                    return None;
                }
            }
            Err(e) => {
                error = Some((builder.byte(e.marker().index()), e.info().to_owned()));
                break;
            }
        }
    }
    Some((builder.finish(), error))
}

/// A mapping made again from its pairs as written (merge keys among them, their values
/// the merged nodes as copied at their alias sites), with the problems that reports
/// (duplicate keys).
pub(crate) fn rebuild_mapping(pairs: Vec<(Node, Node)>, opts: &Options) -> (Mapping, Vec<Problem>) {
    let mut builder = Builder::new("", opts, &[]);
    let mapping = builder.build_mapping(pairs);
    (mapping, builder.problems)
}

impl Node {
    /// The end of the text this node covers where it is written: for an alias, the end of
    /// `*name`.
    fn span_end_in_text(&self) -> usize {
        self.site().end
    }
}

/// The end (after the closing quote) of a quoted scalar that starts at `start`.
fn quoted_end(text: &str, start: usize, style: SaphyrStyle) -> Option<usize> {
    let bytes = text.as_bytes();
    let quote = match style {
        SaphyrStyle::SingleQuoted => b'\'',
        SaphyrStyle::DoubleQuoted => b'"',
        _ => return None,
    };
    if bytes.get(start) != Some(&quote) {
        return None;
    }
    let mut i = start + 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' if quote == b'"' => i += 2,
            b'\'' if quote == b'\'' && bytes.get(i + 1) == Some(&b'\'') => i += 2,
            b if b == quote => return Some(i + 1),
            _ => i += 1,
        }
    }
    None
}

pub(crate) fn prepend_via(node: &mut Node, site: Span) {
    node.walk_all_mut(&mut |n: &mut Node| n.via.insert(0, site));
}

pub(crate) fn is_merge_key(node: &Node) -> bool {
    matches!(&node.kind, NodeKind::Scalar(s) if s.style == ScalarStyle::Plain && s.value == "<<")
}

fn convert_style(style: SaphyrStyle) -> ScalarStyle {
    match style {
        SaphyrStyle::Plain => ScalarStyle::Plain,
        SaphyrStyle::SingleQuoted => ScalarStyle::SingleQuoted,
        SaphyrStyle::DoubleQuoted => ScalarStyle::DoubleQuoted,
        SaphyrStyle::Literal => ScalarStyle::Literal,
        SaphyrStyle::Folded => ScalarStyle::Folded,
    }
}

/// The end of an anchor or alias name starting at `i`: YAML allows any non-space
/// character but the flow indicators.
pub(crate) fn scan_name(bytes: &[u8], mut i: usize) -> usize {
    while let Some(&b) = bytes.get(i) {
        if matches!(
            b,
            b' ' | b'\t' | b'\r' | b'\n' | b',' | b'[' | b']' | b'{' | b'}'
        ) {
            break;
        }
        i += 1;
    }
    i
}

fn scan_tag(bytes: &[u8], mut i: usize) -> usize {
    while let Some(&b) = bytes.get(i) {
        if matches!(b, b' ' | b'\t' | b'\r' | b'\n') {
            break;
        }
        i += 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::CharToByte;

    #[test]
    fn char_indices_become_byte_offsets_in_any_order() {
        let text = "a: é\n🚀 漢字 x\r\nz";
        let want: Vec<usize> = text
            .char_indices()
            .map(|(b, _)| b)
            .chain([text.len()])
            .collect();
        let mut conv = CharToByte::new(text);
        let order: Vec<usize> = (0..want.len())
            .chain((0..want.len()).rev())
            .chain([3, 9, 1, 12, 0])
            .collect();
        for i in order {
            assert_eq!(conv.byte(i), want[i], "char {i}");
        }
        assert_eq!(conv.byte(want.len() + 5), text.len());
    }
}
