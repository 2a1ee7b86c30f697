//! Completion: keys valid where the cursor is (the schema's properties of the mapping
//! there, minus those already written), enum values (sizes, triggers, runtime versions,
//! architectures, artifact types...), cache names in `caches:`, service names in
//! `services:`, custom pipeline names, and anchor names after `*`.
//!
//! Where the cursor is comes from the text, not the tree: a half-typed key (`si|`) is a
//! syntax error that cuts the tree short, but the lines above still tell which mapping or
//! list the cursor is in. The path is found by indentation: the nearest line above with a
//! key left of the cursor's column is the parent, and so on up to the root; list items
//! (`- `) count as index segments.

use pipelint_core::model::{File, PREDEFINED_CACHES};
use pipelint_core::route::Segment;
use pipelint_yaml::{ScalarStyle, Span};
use serde_json::Value;
use tower_lsp_server::ls_types::{
    CompletionItem, CompletionItemKind, CompletionResponse, CompletionTextEdit, Documentation,
    MarkupContent, MarkupKind, Position, TextEdit,
};

use crate::document::Snapshot;
use crate::schema_nav::Schema;
use crate::server::Caps;

/// The structure of one line: indentation, list markers and a key.
#[derive(Debug, Default)]
struct Shape<'a> {
    blank: bool,
    indent: usize,
    /// Columns of the `-` markers, outermost first.
    dashes: Vec<usize>,
    /// Column where the content after the markers starts.
    content_col: usize,
    /// The content after the markers.
    content: &'a str,
    /// `key:` at `content_col`, and whether a value follows on the line (anchors and tags
    /// alone do not count).
    key: Option<(&'a str, bool)>,
    /// Byte index in the line just after the key's colon.
    after_colon: usize,
}

fn shape(line: &str) -> Shape<'_> {
    let bytes = line.as_bytes();
    let mut i = 0;
    while i < bytes.len() && bytes[i] == b' ' {
        i += 1;
    }
    let mut s = Shape {
        indent: i,
        ..Shape::default()
    };
    loop {
        if bytes.get(i) == Some(&b'-') && matches!(bytes.get(i + 1), None | Some(b' ')) {
            s.dashes.push(i);
            i += 1;
            while i < bytes.len() && bytes[i] == b' ' {
                i += 1;
            }
        } else {
            break;
        }
    }
    s.content_col = i;
    s.content = &line[i..];
    if s.content.is_empty() && s.dashes.is_empty() || s.content.starts_with('#') {
        s.blank = s.dashes.is_empty();
        return s;
    }
    if let Some((key, rest_at)) = split_key(s.content) {
        let rest = strip_comment(&s.content[rest_at..]).trim();
        let props_only = rest
            .split_whitespace()
            .all(|w| w.starts_with('&') || w.starts_with('!'));
        s.key = Some((key, !props_only));
        s.after_colon = i + rest_at;
    }
    s
}

/// `key: ...` or `key:` at the start of `content`: the key (unquoted) and the index just
/// after the colon.
fn split_key(content: &str) -> Option<(&str, usize)> {
    let first = content.chars().next()?;
    if "[{|>&*!%@`#".contains(first) {
        return None;
    }
    if first == '"' || first == '\'' {
        let close = content[1..].find(first)? + 1;
        let after = &content[close + 1..];
        let colon = after.find(':')?;
        if !after[..colon].trim().is_empty() {
            return None;
        }
        let at = close + 1 + colon + 1;
        if matches!(content.as_bytes().get(at), None | Some(b' ')) {
            return Some((&content[1..close], at));
        }
        return None;
    }
    let bytes = content.as_bytes();
    for (i, b) in bytes.iter().enumerate() {
        if *b == b'#' && i > 0 && bytes[i - 1] == b' ' {
            return None;
        }
        if *b == b':' && matches!(bytes.get(i + 1), None | Some(b' ')) {
            return Some((content[..i].trim_end(), i + 1));
        }
    }
    None
}

fn strip_comment(s: &str) -> &str {
    match s.find(" #") {
        Some(i) => &s[..i],
        None if s.starts_with('#') => "",
        None => s,
    }
}

/// What the path search looks for above a line.
#[derive(Clone, Copy)]
enum Looking {
    /// The parent of a mapping whose keys stand at this column.
    Mapping(usize),
    /// The parent of a list whose `-` markers stand at this column.
    List(usize),
}

/// At most this many nested levels are resolved (deeper is not a real pipeline file).
const MAX_LEVELS: usize = 64;

/// The path of the collection described by `looking`, found in the lines above `line`.
fn resolve(lines: &[&str], line: usize, looking: Looking, depth: usize) -> Option<Vec<Segment>> {
    if depth > MAX_LEVELS {
        return None;
    }
    for l in (0..line).rev() {
        let text = lines[l];
        if text.starts_with("---") || text.starts_with("...") {
            return Some(Vec::new());
        }
        let sh = shape(text);
        if sh.blank {
            continue;
        }
        let Some((key, inline)) = sh.key else {
            continue;
        };
        let kc = sh.content_col;
        let parent = match looking {
            Looking::Mapping(col) => {
                if kc == col && !sh.dashes.is_empty() {
                    // A sibling key that starts a list item: we are in that item.
                    return item_path(lines, l, &sh.dashes, depth);
                }
                kc < col
            }
            Looking::List(col) => kc <= col,
        };
        if !parent {
            continue;
        }
        if inline {
            return None; // `key: value` cannot hold a block below it
        }
        let mut base = if sh.dashes.is_empty() {
            resolve(lines, l, Looking::Mapping(kc), depth + 1)?
        } else {
            item_path(lines, l, &sh.dashes, depth)?
        };
        base.push(Segment::Key(key.to_owned()));
        return Some(base);
    }
    Some(Vec::new())
}

/// The path of the (innermost) list item started on line `l` by `dashes`.
fn item_path(lines: &[&str], l: usize, dashes: &[usize], depth: usize) -> Option<Vec<Segment>> {
    let first = *dashes.first()?;
    let mut base = resolve(lines, l, Looking::List(first), depth + 1)?;
    base.extend(dashes.iter().map(|_| Segment::Index(0)));
    Some(base)
}

/// The keys already written in the mapping whose keys stand at `col` around `line`.
fn sibling_keys<'a>(lines: &[&'a str], line: usize, col: usize, starts_item: bool) -> Vec<&'a str> {
    let mut out = Vec::new();
    if !starts_item {
        for l in (0..line).rev() {
            let sh = shape(lines[l]);
            if sh.blank {
                continue;
            }
            if sh.content_col < col && sh.indent < col {
                break;
            }
            if sh.content_col == col {
                if let Some((k, _)) = sh.key {
                    out.push(k);
                }
                if !sh.dashes.is_empty() {
                    break;
                }
            } else if sh.content_col < col {
                break;
            }
        }
    }
    for text in lines.iter().skip(line + 1) {
        let sh = shape(text);
        if sh.blank {
            continue;
        }
        if sh.indent < col || (!sh.dashes.is_empty() && sh.dashes[0] <= col) {
            break;
        }
        if sh.content_col == col
            && sh.dashes.is_empty()
            && let Some((k, _)) = sh.key
        {
            out.push(k);
        }
    }
    out
}

/// What the cursor is completing.
#[derive(Debug)]
enum Context {
    /// A key of the mapping at this path.
    Key {
        path: Vec<Segment>,
        col: usize,
        starts_item: bool,
    },
    /// The value of the last key of the path.
    Value {
        path: Vec<Segment>,
        needs_space: bool,
    },
    /// An item of the list at this path (a block `- ` item or a flow list element); the
    /// item may also be a mapping, whose first key is being written.
    Item { list: Vec<Segment>, col: usize },
}

fn context(lines: &[&str], line: usize, prefix: &str) -> Option<(Context, usize)> {
    let sh = shape(prefix);
    if let Some((key, _)) = sh.key {
        let base = if sh.dashes.is_empty() {
            resolve(lines, line, Looking::Mapping(sh.content_col), 0)?
        } else {
            item_path(lines, line, &sh.dashes, 0)?
        };
        let mut path = base;
        path.push(Segment::Key(key.to_owned()));
        let after = &prefix[sh.after_colon..];
        let value = after.trim_start();
        let value_at = prefix.len() - value.len();
        if let Some(flow) = value.strip_prefix('[') {
            if flow.contains(']') {
                return None;
            }
            let last = flow.rfind(',').map_or(0, |i| i + 1);
            let partial = flow[last..].trim_start();
            return Some((
                Context::Item {
                    list: path,
                    col: usize::MAX,
                },
                prefix.len() - partial.len(),
            ));
        }
        if value.starts_with(['{', '"', '\'', '|', '>', '&', '!', '#']) || value.contains(' ') {
            return None;
        }
        return Some((
            Context::Value {
                path,
                needs_space: after.is_empty(),
            },
            value_at,
        ));
    }
    if sh.content.contains([':', '#', '[', '{', '"', '\'']) || sh.content.contains(' ') {
        return None;
    }
    let word_at = sh.content_col;
    if sh.dashes.is_empty() {
        let path = resolve(lines, line, Looking::Mapping(sh.content_col), 0)?;
        return Some((
            Context::Key {
                path,
                col: sh.content_col,
                starts_item: false,
            },
            word_at,
        ));
    }
    // `- partial`: an item of the list whose markers are on this line.
    let mut list = resolve(lines, line, Looking::List(sh.dashes[0]), 0)?;
    list.extend(sh.dashes[1..].iter().map(|_| Segment::Index(0)));
    Some((
        Context::Item {
            list,
            col: sh.content_col,
        },
        word_at,
    ))
}

struct Out<'a> {
    snap: &'a Snapshot,
    markdown: bool,
    items: Vec<CompletionItem>,
    range: tower_lsp_server::ls_types::Range,
}

impl Out<'_> {
    fn push(
        &mut self,
        label: &str,
        kind: CompletionItemKind,
        detail: Option<String>,
        doc: Option<String>,
        insert: String,
    ) {
        if self.items.iter().any(|i| i.label == label) {
            return;
        }
        let documentation = doc.map(|d| {
            if self.markdown {
                Documentation::MarkupContent(MarkupContent {
                    kind: MarkupKind::Markdown,
                    value: d,
                })
            } else {
                Documentation::String(d)
            }
        });
        let n = self.items.len();
        self.items.push(CompletionItem {
            label: label.to_owned(),
            kind: Some(kind),
            detail,
            documentation,
            sort_text: Some(format!("{n:04}")),
            filter_text: Some(label.to_owned()),
            text_edit: Some(CompletionTextEdit::Edit(TextEdit::new(self.range, insert))),
            ..CompletionItem::default()
        });
    }

    fn keys(&mut self, schema: &Schema, path: &[Segment], present: &[&str]) {
        let Some(v) = schema.at(path) else {
            return;
        };
        for (name, prop) in schema.properties(v) {
            if present.contains(&name) {
                continue;
            }
            let insert = if schema.is_collection(prop) {
                format!("{name}:")
            } else {
                format!("{name}: ")
            };
            let doc = doc_of(schema, prop, self.markdown);
            self.push(
                name,
                CompletionItemKind::PROPERTY,
                type_of(schema, prop),
                doc,
                insert,
            );
        }
    }

    fn values(&mut self, schema: &Schema, path: &[Segment], needs_space: bool) {
        let Some(v) = schema.at(path) else {
            return;
        };
        let space = if needs_space { " " } else { "" };
        for e in schema.enum_values(v) {
            let quoted = e.is_string && !reads_as_string(&e.value);
            let insert = if quoted {
                format!("{space}\"{}\"", e.value)
            } else {
                format!("{space}{}", e.value)
            };
            self.push(
                &e.value,
                CompletionItemKind::ENUM_MEMBER,
                e.description.map(str::to_owned),
                None,
                insert,
            );
        }
        if schema.types(v).contains(&"boolean") {
            for b in ["true", "false"] {
                let default = schema.default_value(v) == Some(&Value::Bool(b == "true"));
                let detail = default.then(|| "default".to_owned());
                self.push(
                    b,
                    CompletionItemKind::VALUE,
                    detail,
                    None,
                    format!("{space}{b}"),
                );
            }
        }
    }

    fn names(&mut self, list_key: Option<&str>, path: &[Segment], needs_space: bool) {
        let root = self.snap.analysis.parsed.root();
        let file = root.and_then(File::new);
        let space = if needs_space { " " } else { "" };
        let defined = |section: &str| -> Vec<String> {
            file.as_ref()
                .and_then(|f| f.definitions())
                .and_then(|d| d.get(section))
                .and_then(|s| s.as_mapping())
                .map(|m| m.iter().map(|(k, _)| k.to_owned()).collect())
                .unwrap_or_default()
        };
        match list_key {
            Some("caches") => {
                for name in defined("caches") {
                    self.push(
                        &name,
                        CompletionItemKind::REFERENCE,
                        Some("defined in definitions.caches".into()),
                        None,
                        format!("{space}{name}"),
                    );
                }
                for name in PREDEFINED_CACHES {
                    self.push(
                        name,
                        CompletionItemKind::REFERENCE,
                        Some("predefined cache".into()),
                        None,
                        format!("{space}{name}"),
                    );
                }
            }
            Some("services") => {
                for name in defined("services") {
                    self.push(
                        &name,
                        CompletionItemKind::REFERENCE,
                        Some("defined in definitions.services".into()),
                        None,
                        format!("{space}{name}"),
                    );
                }
                self.push(
                    "docker",
                    CompletionItemKind::REFERENCE,
                    Some("Bitbucket's Docker service".into()),
                    None,
                    format!("{space}docker"),
                );
            }
            // `custom:` of a child-pipeline step, `pipelines:` of a trigger.
            Some("custom") => self.custom_names(file.as_ref(), space),
            Some("pipelines") if matches!(path.first(), Some(Segment::Key(k)) if k == "triggers") => {
                self.custom_names(file.as_ref(), space)
            }
            _ => {}
        }
    }

    /// The names under `pipelines.custom`.
    fn custom_names(&mut self, file: Option<&File<'_>>, space: &str) {
        let customs: Vec<String> = file
            .and_then(|f| f.map.get("pipelines"))
            .and_then(|p| p.get("custom"))
            .and_then(|c| c.as_mapping())
            .map(|m| m.iter().map(|(k, _)| k.to_owned()).collect())
            .unwrap_or_default();
        for name in customs {
            self.push(
                &name,
                CompletionItemKind::REFERENCE,
                Some("custom pipeline".into()),
                None,
                format!("{space}{name}"),
            );
        }
    }
}

/// Whether a plain scalar with this text is read as a string (not a number, boolean or
/// null), so it needs no quotes.
fn reads_as_string(v: &str) -> bool {
    let s = pipelint_yaml::Scalar {
        value: v.to_owned(),
        style: ScalarStyle::Plain,
    };
    matches!(s.resolve(), pipelint_yaml::Resolved::Str(_)) && !s.is_yaml11_bool()
}

fn type_of(schema: &Schema, v: &'static Value) -> Option<String> {
    let values = schema.enum_values(v);
    if !values.is_empty() {
        let list: Vec<&str> = values.iter().map(|e| e.value.as_str()).collect();
        return Some(list.join(" | "));
    }
    let types = schema.types(v);
    let words: Vec<&str> = types
        .iter()
        .map(|t| match *t {
            "object" => "mapping",
            "array" => "list",
            other => other,
        })
        .collect();
    (!words.is_empty()).then(|| words.join(" or "))
}

fn doc_of(schema: &Schema, v: &'static Value, markdown: bool) -> Option<String> {
    let d = schema.description(v)?;
    Some(match schema.docs(v) {
        Some(url) if markdown => format!("{d}\n\n[Bitbucket documentation]({url})"),
        Some(url) => format!("{d}\n\n{url}"),
        None => d.to_owned(),
    })
}

pub fn completion(snap: &Snapshot, caps: &Caps, pos: Position) -> Option<CompletionResponse> {
    let lines_conv = snap.lines();
    let offset = lines_conv.offset(pos);
    let text = &snap.text;
    let line_start = text[..offset].rfind(['\n', '\r']).map_or(0, |i| i + 1);
    let prefix = &text[line_start..offset];
    let mut out = Out {
        snap,
        markdown: caps.markdown_completion,
        items: Vec::new(),
        range: lines_conv.range(Span::empty(offset)),
    };

    // `*name`: anchors defined before the cursor.
    let word = prefix
        .char_indices()
        .rev()
        .take_while(|(_, c)| !c.is_whitespace() && !",[]{}*".contains(*c))
        .last()
        .map_or(prefix.len(), |(i, _)| i);
    if prefix[..word].ends_with('*') {
        out.range = lines_conv.range(Span::new(line_start + word, offset));
        for a in &snap.analysis.parsed.anchors {
            if a.span.start < offset && !a.name.is_empty() {
                let line = lines_conv.position(a.span.start).line + 1;
                out.push(
                    &a.name,
                    CompletionItemKind::REFERENCE,
                    Some(format!("anchor on line {line}")),
                    None,
                    a.name.clone(),
                );
            }
        }
        return Some(CompletionResponse::Array(out.items));
    }

    let all: Vec<&str> = text
        .split('\n')
        .map(|l| l.strip_suffix('\r').unwrap_or(l))
        .collect();
    let line = text[..line_start].matches('\n').count();
    let (mut cx, word_at) = context(&all, line, prefix)?;
    match &mut cx {
        Context::Key { path, .. }
        | Context::Value { path, .. }
        | Context::Item { list: path, .. } => {
            if let Some(p) = crate::cursor::as_pipeline_item(path) {
                *path = p;
            }
        }
    }
    out.range = lines_conv.range(Span::new(line_start + word_at.min(prefix.len()), offset));
    let schema = Schema::get()?;
    match cx {
        Context::Key {
            path,
            col,
            starts_item,
        } => {
            let present = sibling_keys(&all, line, col, starts_item);
            out.keys(&schema, &path, &present);
        }
        Context::Value { path, needs_space } => {
            let key = match path.last() {
                Some(Segment::Key(k)) => Some(k.as_str()),
                _ => None,
            };
            if key == Some("custom") {
                out.names(Some("custom"), &path, needs_space);
            }
            out.values(&schema, &path, needs_space);
        }
        Context::Item { list, col } => {
            let key = match list.last() {
                Some(Segment::Key(k)) => Some(k.as_str()),
                _ => None,
            };
            let mut item = list.clone();
            item.push(Segment::Index(0));
            out.names(key, &list, false);
            out.values(&schema, &item, false);
            if col != usize::MAX {
                // The item may be a mapping whose first key is being written.
                let present = sibling_keys(&all, line, col, true);
                out.keys(&schema, &item, &present);
            }
        }
    }
    Some(CompletionResponse::Array(out.items))
}

#[cfg(test)]
mod tests {
    use super::*;
    use pipelint_core::route::Route;

    fn cx(text: &str) -> Option<(Context, usize)> {
        let at = text.find('|').expect("cursor");
        let text = text.replace('|', "");
        let all: Vec<&str> = text.split('\n').collect();
        let line = text[..at].matches('\n').count();
        let start = text[..at].rfind('\n').map_or(0, |i| i + 1);
        context(&all, line, &text[start..at])
    }

    fn path_of(c: &Context) -> String {
        match c {
            Context::Key { path, .. } | Context::Value { path, .. } => {
                Route(path.clone()).to_string()
            }
            Context::Item { list, .. } => format!("{} > []", Route(list.clone())),
        }
    }

    #[test]
    fn finds_the_path_by_indentation() {
        let (c, _) =
            cx("pipelines:\n  default:\n    - step:\n        name: x\n        si|\n").expect("cx");
        assert!(matches!(c, Context::Key { .. }));
        assert_eq!(path_of(&c), "pipelines > default > 0 > step");

        let (c, _) = cx("pipelines:\n  default:\n  - step:\n      size: |\n").expect("cx");
        assert!(matches!(
            c,
            Context::Value {
                needs_space: false,
                ..
            }
        ));
        assert_eq!(path_of(&c), "pipelines > default > 0 > step > size");

        let (c, _) = cx("pipelines:\n  default:\n    - step:\n        caches:\n          - no|")
            .expect("cx");
        assert_eq!(path_of(&c), "pipelines > default > 0 > step > caches > []");

        let (c, _) =
            cx("pipelines:\n  default:\n    - step:\n        services: [docker, |").expect("cx");
        assert_eq!(
            path_of(&c),
            "pipelines > default > 0 > step > services > []"
        );

        let (c, _) = cx("pipelines:\n  default:\n    - |").expect("cx");
        assert_eq!(path_of(&c), "pipelines > default > []");

        let (c, _) = cx("options:\n  runtime:\n    cloud:\n      version:|").expect("cx");
        assert!(matches!(
            c,
            Context::Value {
                needs_space: true,
                ..
            }
        ));

        let (c, _) = cx("pipelines:\n  default:\n    - step:\n        script:\n          - echo 'a: b'\n        |").expect("cx");
        assert_eq!(path_of(&c), "pipelines > default > 0 > step");

        let (c, _) = cx("|").expect("cx");
        assert_eq!(path_of(&c), "");
    }

    #[test]
    fn siblings_are_the_keys_of_the_same_mapping() {
        let text = "pipelines:\n  default:\n    - step:\n        name: x\n        si\n        script:\n          - a\n    - step:\n        size: 2x\n";
        let all: Vec<&str> = text.split('\n').collect();
        assert_eq!(sibling_keys(&all, 4, 8, false), ["name", "script"]);
    }
}
