//! The document's shape: the outline (pipelines > kind > branch pattern > step, parallel
//! group or stage; definitions), folding ranges (every multi-line mapping, list and block
//! scalar) and selection ranges (from the node under the cursor out to the document).
//!
//! Only nodes written where they stand are listed; an aliased step shows as one symbol at
//! its alias, named after the step it stands for.

use pipelint_yaml::{Entry, Node, NodeKind, Span};
use tower_lsp_server::ls_types::{
    DocumentSymbol, DocumentSymbolResponse, FoldingRange, Location, Position, SelectionRange,
    SymbolInformation, SymbolKind,
};

use crate::cursor::{self, Seg, Target};
use crate::document::Snapshot;

/// A symbol before conversion.
struct Sym {
    name: String,
    detail: Option<String>,
    kind: SymbolKind,
    span: Span,
    selection: Span,
    children: Vec<Sym>,
}

fn entry_span(e: &Entry) -> Span {
    let value = e.value.site();
    if value.is_empty() && value.start < e.key.span.start {
        return e.key.span;
    }
    e.key.span.cover(value)
}

fn named(name: &str) -> String {
    if name.trim().is_empty() {
        "(empty)".to_owned()
    } else {
        name.to_owned()
    }
}

fn sym(e: &Entry, name: &str, kind: SymbolKind, children: Vec<Sym>) -> Sym {
    Sym {
        name: named(name),
        detail: None,
        kind,
        span: entry_span(e),
        selection: e.key.span,
        children,
    }
}

/// The written entries of a mapping node.
fn entries(node: &Node) -> impl Iterator<Item = (&str, &Entry)> {
    node.as_mapping()
        .filter(|_| !node.is_aliased())
        .into_iter()
        .flat_map(|m| m.iter())
        .filter(|(_, e)| !e.key.is_aliased())
}

fn top_level(root: &Node) -> Vec<Sym> {
    let mut out = Vec::new();
    for (key, e) in entries(root) {
        let s = match key {
            "pipelines" => sym(e, key, SymbolKind::NAMESPACE, pipelines(&e.value)),
            "definitions" => sym(e, key, SymbolKind::NAMESPACE, definitions(&e.value)),
            _ => {
                let mut s = sym(e, key, SymbolKind::PROPERTY, Vec::new());
                s.detail = e.value.as_str().map(str::to_owned);
                s
            }
        };
        out.push(s);
    }
    out
}

fn pipelines(node: &Node) -> Vec<Sym> {
    let mut out = Vec::new();
    for (key, e) in entries(node) {
        let s = match key {
            "default" => pipeline(e, key),
            "pull-requests" => {
                let children = entries(&e.value)
                    .map(|(pattern, pe)| match pe.value.get("destinations") {
                        Some(dest) if !pe.value.is_aliased() => {
                            let inner = entries(dest).map(|(d, de)| pipeline(de, d)).collect();
                            let mut s = sym(pe, pattern, SymbolKind::MODULE, inner);
                            s.detail = Some("destinations".into());
                            s
                        }
                        _ => pipeline(pe, pattern),
                    })
                    .collect();
                sym(e, key, SymbolKind::PACKAGE, children)
            }
            _ => {
                let children = entries(&e.value).map(|(p, pe)| pipeline(pe, p)).collect();
                sym(e, key, SymbolKind::PACKAGE, children)
            }
        };
        out.push(s);
    }
    out
}

/// One pipeline: its items as children.
fn pipeline(e: &Entry, name: &str) -> Sym {
    let mut s = sym(e, name, SymbolKind::MODULE, items(&e.value));
    if let Some(import) = e.value.get("import").and_then(Node::as_str) {
        s.detail = Some(format!("import {import}"));
    } else {
        let steps = count_steps(&s.children);
        s.detail = Some(match steps {
            1 => "1 step".to_owned(),
            n => format!("{n} steps"),
        });
    }
    s
}

fn count_steps(children: &[Sym]) -> usize {
    children
        .iter()
        .map(|c| {
            if c.kind == SymbolKind::FUNCTION {
                1
            } else {
                count_steps(&c.children)
            }
        })
        .sum()
}

/// The items of a pipeline (or of a parallel group or stage).
fn items(node: &Node) -> Vec<Sym> {
    let Some(list) = node.as_sequence().filter(|_| !node.is_aliased()) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for item in list {
        let Some(m) = item.as_mapping() else {
            continue;
        };
        let Some((key, e)) = m.iter().next() else {
            continue;
        };
        let range = item.site();
        let selection = if item.is_aliased() { range } else { e.key.span };
        let value = &e.value;
        let (name, detail, kind, children) = match key {
            "step" | "final" => (
                value
                    .get("name")
                    .and_then(Node::as_str)
                    .unwrap_or(key)
                    .to_owned(),
                Some(if key == "final" { "final step" } else { "step" }.to_owned()),
                SymbolKind::FUNCTION,
                Vec::new(),
            ),
            "parallel" => {
                let steps = match &value.kind {
                    NodeKind::Mapping(_) if !value.is_aliased() => {
                        value.get("steps").map(items).unwrap_or_default()
                    }
                    _ => items(value),
                };
                ("parallel".to_owned(), None, SymbolKind::ARRAY, steps)
            }
            "stage" => (
                value
                    .get("name")
                    .and_then(Node::as_str)
                    .unwrap_or("stage")
                    .to_owned(),
                Some("stage".to_owned()),
                SymbolKind::CLASS,
                if value.is_aliased() {
                    Vec::new()
                } else {
                    value.get("steps").map(items).unwrap_or_default()
                },
            ),
            other => (other.to_owned(), None, SymbolKind::PROPERTY, Vec::new()),
        };
        out.push(Sym {
            name: named(&name),
            detail,
            kind,
            span: range,
            selection,
            children,
        });
    }
    out
}

fn definitions(node: &Node) -> Vec<Sym> {
    let mut out = Vec::new();
    for (key, e) in entries(node) {
        let s = match key {
            "services" => {
                let children = entries(&e.value)
                    .map(|(name, se)| {
                        let mut s = sym(se, name, SymbolKind::OBJECT, Vec::new());
                        s.detail = se
                            .value
                            .get("image")
                            .and_then(pipelint_core::model::image_name)
                            .map(str::to_owned);
                        s
                    })
                    .collect();
                sym(e, key, SymbolKind::NAMESPACE, children)
            }
            "caches" => {
                let children = entries(&e.value)
                    .map(|(name, ce)| {
                        let mut s = sym(ce, name, SymbolKind::VARIABLE, Vec::new());
                        s.detail = ce
                            .value
                            .as_str()
                            .or_else(|| ce.value.get("path").and_then(Node::as_str))
                            .map(str::to_owned);
                        s
                    })
                    .collect();
                sym(e, key, SymbolKind::NAMESPACE, children)
            }
            "pipelines" => {
                let children = entries(&e.value).map(|(p, pe)| pipeline(pe, p)).collect();
                sym(e, key, SymbolKind::NAMESPACE, children)
            }
            "steps" => sym(e, key, SymbolKind::NAMESPACE, items(&e.value)),
            _ => {
                let children = entries(&e.value)
                    .map(|(name, ie)| sym(ie, name, SymbolKind::PROPERTY, Vec::new()))
                    .collect();
                sym(e, key, SymbolKind::NAMESPACE, children)
            }
        };
        out.push(s);
    }
    out
}

/// The outline, nested when the client supports it, else flat with container names.
pub fn symbols(snap: &Snapshot, hierarchical: bool) -> DocumentSymbolResponse {
    let syms = snap
        .analysis
        .parsed
        .root()
        .map(top_level)
        .unwrap_or_default();
    let lines = snap.lines();
    if hierarchical {
        DocumentSymbolResponse::Nested(syms.into_iter().map(|s| nested(&lines, s)).collect())
    } else {
        let mut flat = Vec::new();
        for s in syms {
            flatten(snap, &lines, s, None, &mut flat);
        }
        DocumentSymbolResponse::Flat(flat)
    }
}

#[allow(deprecated)] // `DocumentSymbol::deprecated` must be given; tags replace it.
fn nested(lines: &crate::position::Lines<'_>, s: Sym) -> DocumentSymbol {
    let span = s.span.cover(s.selection);
    DocumentSymbol {
        name: s.name,
        detail: s.detail,
        kind: s.kind,
        tags: None,
        deprecated: None,
        range: lines.range(span),
        selection_range: lines.range(s.selection),
        children: (!s.children.is_empty())
            .then(|| s.children.into_iter().map(|c| nested(lines, c)).collect()),
    }
}

#[allow(deprecated)] // `SymbolInformation::deprecated` must be given; tags replace it.
fn flatten(
    snap: &Snapshot,
    lines: &crate::position::Lines<'_>,
    s: Sym,
    container: Option<&str>,
    out: &mut Vec<SymbolInformation>,
) {
    out.push(SymbolInformation {
        name: s.name.clone(),
        kind: s.kind,
        tags: None,
        deprecated: None,
        location: Location::new(snap.uri.clone(), lines.range(s.span.cover(s.selection))),
        container_name: container.map(str::to_owned),
    });
    for c in s.children {
        flatten(snap, lines, c, Some(&s.name), out);
    }
}

/// Folding ranges: each multi-line collection (from the line of its key) and each
/// multi-line block scalar.
pub fn folding_ranges(snap: &Snapshot) -> Vec<FoldingRange> {
    let Some(root) = snap.analysis.parsed.root() else {
        return Vec::new();
    };
    let lines = snap.lines();
    let mut ranges: Vec<(u32, u32)> = Vec::new();
    let mut add = |start: usize, node: &Node| {
        let span = node.span;
        let last = if span.end > span.start {
            span.end - 1
        } else {
            span.end
        };
        let a = lines.position(start).line;
        let b = lines.position(last).line;
        if b > a {
            ranges.push((a, b));
        }
    };
    fold(root, None, &mut add);
    ranges.sort_unstable();
    // One range per start line, the largest.
    let mut out: Vec<FoldingRange> = Vec::new();
    for (a, b) in ranges {
        match out.last_mut() {
            Some(last) if last.start_line == a => last.end_line = last.end_line.max(b),
            _ => out.push(FoldingRange {
                start_line: a,
                end_line: b,
                ..FoldingRange::default()
            }),
        }
    }
    out
}

fn fold<'a>(node: &'a Node, key: Option<&'a Node>, add: &mut impl FnMut(usize, &Node)) {
    if node.is_aliased() {
        return;
    }
    let start = key.map_or(node.span.start, |k| k.span.start);
    match &node.kind {
        NodeKind::Mapping(m) => {
            add(start, node);
            for e in &m.entries {
                if !e.key.is_aliased() {
                    fold(&e.value, Some(&e.key), add);
                }
            }
        }
        NodeKind::Sequence(items) => {
            add(start, node);
            for item in items {
                fold(item, None, add);
            }
        }
        NodeKind::Scalar(s) if s.style.is_block() => add(start, node),
        _ => {}
    }
}

/// Selection ranges: for each position, the node under it, then its entry (key and value),
/// the collection holding it, and so on out to the whole document.
pub fn selection_ranges(snap: &Snapshot, positions: &[Position]) -> Vec<SelectionRange> {
    let lines = snap.lines();
    let whole = Span::new(0, snap.text.len());
    positions
        .iter()
        .map(|p| {
            let offset = lines.offset(*p);
            let mut spans = vec![whole];
            if let Some(root) = snap.analysis.parsed.root() {
                let hit = cursor::locate(root, offset);
                for (node, seg) in &hit.path {
                    spans.push(node.site());
                    if let Seg::Key(e) = seg {
                        spans.push(entry_span(e));
                    }
                }
                match hit.target {
                    Target::Key(e) => {
                        spans.push(hit.container.site());
                        spans.push(entry_span(e));
                        spans.push(e.key.span);
                    }
                    Target::Value(n) => spans.push(n.site()),
                    Target::Merge(m, merge) => {
                        spans.push(m.site());
                        spans.push(merge.key_span);
                    }
                    Target::Inside(n) => spans.push(n.site()),
                }
            }
            // Keep a chain where each range holds the next and the position.
            let mut chain: Vec<Span> = Vec::new();
            for s in spans {
                let fits = chain
                    .last()
                    .is_none_or(|outer| outer.contains_span(s) && *outer != s);
                if fits && s.touches(offset) {
                    chain.push(s);
                }
            }
            let mut range: Option<SelectionRange> = None;
            for s in chain {
                range = Some(SelectionRange {
                    range: lines.range(s),
                    parent: range.map(Box::new),
                });
            }
            range.unwrap_or(SelectionRange {
                range: lines.range(Span::empty(offset)),
                parent: None,
            })
        })
        .collect()
}
