//! Hover: what a key means (its schema description and documentation link), what an enum
//! value means (`size: 2x` gives its memory), what an alias or a merge key resolves to
//! (the effective YAML), and, on a `step` key, the step's effective runtime, size, image,
//! services and the memory left for its build container; on a rule id in a suppression
//! comment (`# pipelint: ignore[docker/no-service]`), that rule's documentation.

use pipelint_core::model::{
    self, BUILD_CONTAINER_MIN_MB, DEFAULT_SERVICE_MEMORY_MB, File, Origin, RuntimeVersion, StepRef,
};
use pipelint_core::route::Segment;
use pipelint_core::{registry, suppress};
use pipelint_yaml::{Entry, LineIndex, Merge, Node, Span};
use tower_lsp_server::ls_types::{Hover, HoverContents, MarkupContent, MarkupKind, Position};

use crate::cursor::{self, Target};
use crate::document::Snapshot;
use crate::render;
use crate::schema_nav::Schema;
use crate::server::Caps;

/// The image steps run in when neither they nor the file name one.
const DEFAULT_IMAGE: &str = "atlassian/default-image:latest";

pub fn hover(snap: &Snapshot, caps: &Caps, pos: Position) -> Option<Hover> {
    let offset = snap.lines().offset(pos);
    let (text, span) = suppressed_rule(snap, offset).or_else(|| node_hover(snap, offset))?;
    Some(Hover {
        contents: HoverContents::Markup(MarkupContent {
            kind: if caps.markdown_hover {
                MarkupKind::Markdown
            } else {
                MarkupKind::PlainText
            },
            value: text,
        }),
        range: Some(snap.lines().range(span)),
    })
}

/// The documentation of the rule (or group) whose id is under the cursor in a suppression
/// comment.
fn suppressed_rule(snap: &Snapshot, offset: usize) -> Option<(String, Span)> {
    let text = &snap.text;
    if !text.contains("pipelint:") {
        return None;
    }
    let index = LineIndex::new(text);
    let scalars = suppress::scalar_spans(&snap.analysis.parsed);
    let entry = suppress::parse(text, &index, &scalars)
        .into_iter()
        .flat_map(|s| s.entries)
        .find(|e| e.span.start <= offset && offset <= e.span.end)?;
    Some((rule_docs(&entry.id), entry.span))
}

/// A rule's documentation with its page, or the rules of a group.
pub fn rule_docs(id: &str) -> String {
    if let Some(rule) = registry::find(id) {
        let meta = rule.meta();
        return format!(
            "**`{}`** ({}{})\n\n{}\n\n[Rule documentation]({})",
            meta.id,
            meta.severity.as_str(),
            if meta.has_fix { ", fixable" } else { "" },
            meta.docs().trim_end(),
            meta.url()
        );
    }
    let group = id.strip_suffix("/*").unwrap_or(id);
    let members: Vec<String> = registry::metas()
        .filter(|m| m.group() == group)
        .map(|m| format!("- [`{}`]({}): {}", m.id, m.url(), m.summary))
        .collect();
    if members.is_empty() {
        format!("`{id}` is not a pipelint rule or group; `pipelint rules` lists them")
    } else {
        format!(
            "**Group `{group}`**: every rule below\n\n{}",
            members.join("\n")
        )
    }
}

fn node_hover(snap: &Snapshot, offset: usize) -> Option<(String, Span)> {
    let parsed = &snap.analysis.parsed;
    let root = parsed.root()?;
    let found = if let Some((span, anchor)) = cursor::alias_at(parsed, offset) {
        (alias(snap, root, span, anchor)?, span)
    } else if let Some(i) = cursor::anchor_at(parsed, offset) {
        let a = &parsed.anchors[i];
        let uses = match a.uses.len() {
            0 => "not used by any alias".to_owned(),
            1 => "used by 1 alias".to_owned(),
            n => format!("used by {n} aliases"),
        };
        (format!("**Anchor `&{}`**, {uses}", a.name), a.span)
    } else {
        let hit = cursor::locate(root, offset);
        match hit.target {
            Target::Key(entry) => (key(snap, root, &hit, entry)?, entry.key.span),
            Target::Value(node) => (value(snap, root, &hit, node)?, node.site()),
            Target::Merge(mapping, merge) => (merge_key(snap, mapping, merge), merge.key_span),
            Target::Inside(_) => return None,
        }
    };
    Some(found)
}

fn yaml_block(body: &str) -> String {
    format!("```yaml\n{body}\n```")
}

fn alias(snap: &Snapshot, root: &Node, span: Span, anchor: Option<usize>) -> Option<String> {
    let written = snap.text.get(span.range()).unwrap_or("*");
    let Some(info) = anchor.and_then(|i| snap.analysis.parsed.anchors.get(i)) else {
        return Some(format!(
            "**Alias `{written}`**: no anchor of this name comes before it"
        ));
    };
    let line = snap.lines().position(info.span.start).line + 1;
    let node = cursor::anchored_node(root, info)?;
    Some(format!(
        "**Alias `{written}`** of the anchor `&{}` (line {line}), which reads as:\n\n{}",
        info.name,
        yaml_block(&render::to_yaml(node, &|_| None))
    ))
}

fn merge_key(snap: &Snapshot, mapping: &Node, merge: &Merge) -> String {
    let Some(m) = mapping.as_mapping() else {
        return String::new();
    };
    let sources: Vec<String> = merge
        .sources
        .iter()
        .map(|s| format!("`{}`", snap.text.get(s.range()).unwrap_or("?").trim()))
        .collect();
    let note = |i: usize| {
        let e = m.entries.get(i)?;
        let site = e.merged_from?;
        Some(format!("from {}", snap.text.get(site.range())?.trim()))
    };
    let mut out = format!(
        "**Merge key `<<`** of {}: the mapping after the merge (keys written here win, then earlier sources over later ones):\n\n{}",
        sources.join(", "),
        yaml_block(&render::to_yaml(mapping, &note))
    );
    if !merge.overrides.is_empty() {
        let names: Vec<String> = merge
            .overrides
            .iter()
            .map(|o| format!("`{}`", o.key))
            .collect();
        out.push_str(&format!(
            "\n\nWritten here, hiding the merged value: {}. The merge is shallow: a nested mapping is replaced, not merged.",
            names.join(", ")
        ));
    }
    out
}

fn key(snap: &Snapshot, root: &Node, hit: &cursor::Hit<'_>, entry: &Entry) -> Option<String> {
    let name = entry.key.as_key()?;
    let mut out = String::new();
    if let Some(schema) = Schema::get() {
        let parents = cursor::schema_routes(&snap.analysis.parsed, root, hit);
        let routes: Vec<Vec<Segment>> = parents
            .into_iter()
            .map(|mut r| {
                r.push(Segment::Key(name.to_owned()));
                r
            })
            .collect();
        if let Some(v) = schema.at_any(&routes) {
            out.push_str(&format!("**`{name}`**"));
            if let Some(d) = schema.description(v) {
                out.push_str("\n\n");
                out.push_str(d);
            }
            let values = schema.enum_values(v);
            if !values.is_empty() && values.iter().any(|e| e.description.is_some()) {
                out.push_str("\n\n");
                for e in &values {
                    match e.description {
                        Some(d) => out.push_str(&format!("- `{}`: {d}\n", e.value)),
                        None => out.push_str(&format!("- `{}`\n", e.value)),
                    }
                }
                out.truncate(out.trim_end().len());
            } else if let Some(default) = schema.default_value(v) {
                out.push_str(&format!("\n\nDefault: `{default}`"));
            }
            if let Some(url) = schema.docs(v) {
                out.push_str(&format!("\n\n[Bitbucket documentation]({url})"));
            }
        }
    }
    if matches!(name, "step" | "final")
        && let Some(summary) = step_summary(snap, root, entry)
    {
        if !out.is_empty() {
            out.push_str("\n\n---\n\n");
        }
        out.push_str(&summary);
    }
    (!out.is_empty()).then_some(out)
}

fn value(snap: &Snapshot, root: &Node, hit: &cursor::Hit<'_>, node: &Node) -> Option<String> {
    let text = node.as_str()?;
    let keys = hit.keys();
    let list_of = match keys.as_slice() {
        [.., Some(k), None] => Some(*k),
        _ => None,
    };
    let file = File::new(root);
    // Names of services and caches: what they are defined as.
    match (list_of, &file) {
        (Some("services"), Some(f)) => {
            return Some(match f.services().and_then(|m| m.get(text)) {
                Some(def) => format!(
                    "**Service `{text}`**\n\n{}",
                    yaml_block(&render::to_yaml(def, &|_| None))
                ),
                None if text == "docker" => format!(
                    "**Service `docker`**: Bitbucket's Docker daemon, {DEFAULT_SERVICE_MEMORY_MB} MB unless `definitions.services.docker.memory` says otherwise"
                ),
                None => format!("**Service `{text}`** is not defined in `definitions.services`"),
            });
        }
        (Some("caches"), Some(f)) => {
            return Some(match f.caches().and_then(|m| m.get(text)) {
                Some(def) => format!(
                    "**Cache `{text}`**\n\n{}",
                    yaml_block(&render::to_yaml(def, &|_| None))
                ),
                None if model::PREDEFINED_CACHES.contains(&text) => {
                    format!("**Cache `{text}`**: one of the caches Bitbucket predefines")
                }
                None => format!("**Cache `{text}`** is not defined in `definitions.caches`"),
            });
        }
        _ => {}
    }
    let schema = Schema::get()?;
    let routes = cursor::schema_routes(&snap.analysis.parsed, root, hit);
    let v = schema.at_any(&routes)?;
    let found = schema
        .enum_values(v)
        .into_iter()
        .find(|e| e.value == text)?;
    let mut out = format!("**`{text}`**");
    if let Some(d) = found.description {
        out.push_str(&format!(": {d}"));
    }
    if let Some(mb) = model::size_memory(text).filter(|_| keys.last() == Some(&Some("size"))) {
        out.push_str(&format!("\n\nA {text} step has {mb} MB of memory, shared by its build container and its services."));
    }
    Some(out)
}

fn origin(o: Origin, from_options: &str) -> String {
    match o {
        Origin::Step => "set on the step".to_owned(),
        Origin::Options => from_options.to_owned(),
        Origin::Default => "the default".to_owned(),
    }
}

/// The effective settings of the step whose `step`/`final` key is `entry`'s key.
fn step_summary(snap: &Snapshot, root: &Node, entry: &Entry) -> Option<String> {
    let file = File::new(root)?;
    let steps = file.steps();
    let step: &StepRef<'_> = steps
        .iter()
        .find(|s| s.key.span == entry.key.span && !s.key.is_aliased())?;
    let settings = &snap.settings;
    let mut out = match step.name() {
        Some(n) => format!("**Step `{n}`** runs with:\n"),
        None => "**This step** runs with:\n".to_owned(),
    };
    if step.is_child_pipeline() {
        let target = step.get("custom").and_then(Node::as_str).unwrap_or("?");
        out.push_str(&format!(
            "- a child pipeline: `{target}` from `pipelines.custom`\n"
        ));
        return Some(out.trim_end().to_owned());
    }
    let runtime = step.runtime(&file, settings);
    let version = match runtime.value {
        RuntimeVersion::V2 => "2".to_owned(),
        RuntimeVersion::V3 => "3".to_owned(),
        RuntimeVersion::Unknown => runtime
            .node
            .and_then(Node::as_str)
            .map_or("unknown".to_owned(), |s| {
                format!("`{s}` (unknown until it runs)")
            }),
    };
    out.push_str(&format!(
        "- runtime: v{version} ({})\n",
        origin(runtime.origin, "from `options.runtime`")
    ));
    let size = step.size(&file);
    let step_mb = model::size_memory(size.value);
    match step_mb {
        Some(mb) => out.push_str(&format!(
            "- size: {} = {mb} MB ({})\n",
            size.value,
            origin(size.origin, "from `options.size`")
        )),
        None => out.push_str(&format!("- size: `{}` (not a known size)\n", size.value)),
    }
    match step.image(&file) {
        Some(img) => out.push_str(&format!(
            "- image: `{}` ({})\n",
            img.value,
            origin(img.origin, "from the file's `image`")
        )),
        None => out.push_str(&format!("- image: `{DEFAULT_IMAGE}` (the default)\n")),
    }

    // Services and their memory, as `svc/memory-budget` counts them.
    let defs = file.services();
    let mut shares: Vec<(String, Option<u64>)> = Vec::new();
    let mut names: Vec<&str> = step
        .service_nodes()
        .iter()
        .filter_map(Node::as_str)
        .collect();
    if file.options_docker() && !names.contains(&"docker") {
        names.push("docker");
    }
    for name in names {
        if shares.iter().any(|(n, _)| n == name) {
            continue;
        }
        let def = defs.and_then(|m| m.get(name));
        let mb = match def {
            Some(d) => match d.get("memory") {
                Some(m) => m.as_i64().and_then(|v| u64::try_from(v).ok()),
                None => Some(DEFAULT_SERVICE_MEMORY_MB),
            },
            None if name == "docker" => Some(DEFAULT_SERVICE_MEMORY_MB),
            None => None,
        };
        shares.push((name.to_owned(), mb));
    }
    if shares.is_empty() {
        out.push_str("- services: none\n");
    } else {
        let list: Vec<String> = shares
            .iter()
            .map(|(n, mb)| match (mb, defs.and_then(|m| m.get(n))) {
                (Some(mb), _) => format!("`{n}` {mb} MB"),
                (None, Some(_)) => format!("`{n}` (memory unknown)"),
                (None, None) => format!("`{n}` (not defined)"),
            })
            .collect();
        out.push_str(&format!("- services: {}\n", list.join(", ")));
    }
    if let Some(step_mb) = step_mb {
        let used: u64 = shares.iter().filter_map(|(_, mb)| *mb).sum();
        let left = step_mb.saturating_sub(used);
        let verdict = if left >= BUILD_CONTAINER_MIN_MB {
            format!("at least {BUILD_CONTAINER_MIN_MB} MB needed")
        } else {
            format!("less than the {BUILD_CONTAINER_MIN_MB} MB it needs")
        };
        out.push_str(&format!("- build container: {left} MB left ({verdict})\n"));
    }
    Some(out.trim_end().to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::Document;
    use crate::position::Encoding;
    use pipelint_core::CheckOptions;
    use std::str::FromStr;
    use tower_lsp_server::ls_types::Uri;

    #[test]
    fn rule_ids_in_suppressions() {
        let text = "a: 1 # pipelint: ignore[docker/no-service, docker, nope/x] why\nb: \"# pipelint: ignore[yaml/syntax]\"\n";
        let uri = Uri::from_str("file:///r/bitbucket-pipelines.yml").expect("uri");
        let mut doc = Document::new(uri, 1, text);
        let (snap, _) = doc.snapshot(Encoding::Utf16, 0, CheckOptions::default);
        let at = |needle: &str| {
            let offset = text.find(needle).expect("needle") + 1;
            suppressed_rule(&snap, offset)
        };
        let (docs, span) = at("docker/no-service").expect("a rule");
        assert_eq!(&text[span.range()], "docker/no-service");
        assert!(docs.contains("## What it does"), "{docs}");
        assert!(docs.ends_with("/docker/no-service.md)"), "{docs}");
        let (group, _) = at("docker, ").expect("a group");
        assert!(group.starts_with("**Group `docker`**") && group.contains("`docker/no-service`"));
        let (unknown, _) = at("nope/x").expect("an unknown id");
        assert!(unknown.contains("not a pipelint rule"));
        assert!(
            at("why").is_none() && at("yaml/syntax").is_none(),
            "not in a scalar"
        );
    }
}
