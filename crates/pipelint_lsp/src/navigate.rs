//! Navigation between names and their definitions: anchors (`&name`) and their aliases
//! (`*name`), services and caches (`definitions.services.NAME`, `definitions.caches.NAME`)
//! and the steps that list them, custom pipelines (`pipelines.custom.NAME`) and what starts
//! them (`custom:` of child-pipeline steps, `pipelines:` of `triggers`).
//!
//! Go to definition goes from a use to its definition, references list every use, and
//! rename changes the definition and every use at once. Occurrences are found in the text
//! where they are written (a use inside an anchored block counts once, not once per
//! alias).

use pipelint_yaml::{Node, Parsed, Span};
use tower_lsp_server::jsonrpc::{Error, Result};
use tower_lsp_server::ls_types::{
    GotoDefinitionResponse, Location, Position, PrepareRenameResponse, TextEdit, WorkspaceEdit,
};

use crate::actions::workspace_edit;
use crate::cursor::{self, Step, Target};
use crate::document::Snapshot;
use crate::server::request_failed;

/// A name that has a definition and uses.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Name {
    /// Index into `Parsed::anchors`.
    Anchor(usize),
    Service(String),
    Cache(String),
    Custom(String),
}

/// A name found at the cursor, with the span of its text there.
#[derive(Clone, Debug)]
pub struct At {
    pub name: Name,
    pub span: Span,
}

fn without_sigil(span: Span) -> Span {
    Span::new((span.start + 1).min(span.end), span.end)
}

/// The name at `offset`, if any.
pub fn identify(snap: &Snapshot, offset: usize) -> Option<At> {
    let parsed = &snap.analysis.parsed;
    if let Some((span, anchor)) = cursor::alias_at(parsed, offset) {
        return anchor.map(|i| At {
            name: Name::Anchor(i),
            span: without_sigil(span),
        });
    }
    if let Some(i) = cursor::anchor_at(parsed, offset) {
        return Some(At {
            name: Name::Anchor(i),
            span: without_sigil(parsed.anchors[i].span),
        });
    }
    let root = parsed.root()?;
    let hit = cursor::locate(root, offset);
    let keys = hit.keys();
    match hit.target {
        Target::Key(e) => {
            let key = e.key.as_key()?.to_owned();
            let name = match keys.as_slice() {
                [Some("definitions"), Some("services")] => Name::Service(key),
                [Some("definitions"), Some("caches")] => Name::Cache(key),
                [Some("pipelines"), Some("custom")] => Name::Custom(key),
                _ => return None,
            };
            Some(At {
                name,
                span: cursor::inner_span(&snap.text, &e.key),
            })
        }
        Target::Value(node) if !node.is_aliased() => {
            let value = node.as_str()?.to_owned();
            let name = match keys.as_slice() {
                [.., Some("services"), None] => Name::Service(value),
                [.., Some("caches"), None] => Name::Cache(value),
                [.., Some(_), Some("custom")] => Name::Custom(value),
                [Some("triggers"), Some(_), None, Some("pipelines"), None] => Name::Custom(value),
                _ => return None,
            };
            Some(At {
                name,
                span: cursor::inner_span(&snap.text, node),
            })
        }
        _ => None,
    }
}

/// Where a name is defined and used: the definition's name span, and every use's.
pub fn occurrences(snap: &Snapshot, name: &Name) -> (Option<Span>, Vec<Span>) {
    let parsed: &Parsed = &snap.analysis.parsed;
    if let Name::Anchor(i) = name {
        let def = parsed.anchors.get(*i).map(|a| without_sigil(a.span));
        let uses = parsed
            .aliases
            .iter()
            .filter(|a| a.anchor == Some(*i))
            .map(|a| without_sigil(a.span))
            .collect();
        return (def, uses);
    }
    let Some(root) = parsed.root() else {
        return (None, Vec::new());
    };
    let (section, wanted): (&[&str], &str) = match name {
        Name::Service(n) => (&["definitions", "services"], n),
        Name::Cache(n) => (&["definitions", "caches"], n),
        Name::Custom(n) => (&["pipelines", "custom"], n),
        Name::Anchor(_) => return (None, Vec::new()),
    };
    let def = section
        .iter()
        .try_fold(root, |node, key| node.get(key))
        .and_then(Node::as_mapping)
        .and_then(|m| m.entry(wanted))
        .filter(|e| !e.key.is_aliased())
        .map(|e| cursor::inner_span(&snap.text, &e.key));
    let mut uses = Vec::new();
    cursor::walk(root, &mut |path, node| {
        if node.as_str() != Some(wanted) || node.as_scalar().is_none() {
            return;
        }
        let is_use = match name {
            Name::Service(_) => matches!(path, [.., Step::Key("services"), Step::Index(_)]),
            Name::Cache(_) => matches!(path, [.., Step::Key("caches"), Step::Index(_)]),
            Name::Custom(_) => {
                matches!(path, [.., Step::Key(_), Step::Key("custom")])
                    || matches!(
                        path,
                        [
                            Step::Key("triggers"),
                            Step::Key(_),
                            Step::Index(_),
                            Step::Key("pipelines"),
                            Step::Index(_)
                        ]
                    )
            }
            Name::Anchor(_) => false,
        };
        if is_use {
            uses.push(cursor::inner_span(&snap.text, node));
        }
    });
    (def, uses)
}

pub fn definition(snap: &Snapshot, pos: Position) -> Option<GotoDefinitionResponse> {
    let offset = snap.lines().offset(pos);
    let at = identify(snap, offset)?;
    let (def, _) = occurrences(snap, &at.name);
    let def = def.filter(|d| *d != at.span)?;
    Some(GotoDefinitionResponse::Scalar(Location::new(
        snap.uri.clone(),
        snap.lines().range(def),
    )))
}

pub fn references(
    snap: &Snapshot,
    pos: Position,
    include_declaration: bool,
) -> Option<Vec<Location>> {
    let offset = snap.lines().offset(pos);
    let at = identify(snap, offset)?;
    let (def, uses) = occurrences(snap, &at.name);
    let lines = snap.lines();
    let mut spans: Vec<Span> = Vec::new();
    if include_declaration {
        spans.extend(def);
    }
    spans.extend(uses);
    spans.sort();
    spans.dedup();
    Some(
        spans
            .into_iter()
            .map(|s| Location::new(snap.uri.clone(), lines.range(s)))
            .collect(),
    )
}

fn what(name: &Name) -> &'static str {
    match name {
        Name::Anchor(_) => "anchor",
        Name::Service(_) => "service",
        Name::Cache(_) => "cache",
        Name::Custom(_) => "custom pipeline",
    }
}

/// Why the name at the cursor cannot be renamed, if it cannot.
fn refuse(snap: &Snapshot, at: &At) -> Option<Error> {
    let (def, _) = occurrences(snap, &at.name);
    match &at.name {
        Name::Anchor(_) => None,
        Name::Service(n) if n == "docker" => Some(request_failed(
            "`docker` is Bitbucket's own service name; it cannot be renamed",
        )),
        Name::Cache(n)
            if def.is_none() && pipelint_core::model::PREDEFINED_CACHES.contains(&n.as_str()) =>
        {
            Some(request_failed(format!(
                "`{n}` is a cache Bitbucket predefines; it cannot be renamed"
            )))
        }
        Name::Service(n) | Name::Cache(n) | Name::Custom(n) if def.is_none() => {
            Some(request_failed(format!(
                "the {} `{n}` is not defined in this file, so it cannot be renamed",
                what(&at.name)
            )))
        }
        _ => None,
    }
}

pub fn prepare_rename(snap: &Snapshot, pos: Position) -> Result<Option<PrepareRenameResponse>> {
    let offset = snap.lines().offset(pos);
    let Some(at) = identify(snap, offset) else {
        return Ok(None);
    };
    if let Some(err) = refuse(snap, &at) {
        return Err(err);
    }
    Ok(Some(PrepareRenameResponse::RangeWithPlaceholder {
        range: snap.lines().range(at.span),
        placeholder: snap
            .text
            .get(at.span.range())
            .unwrap_or_default()
            .to_owned(),
    }))
}

/// Whether `name` can be written in place of the old name without quoting.
fn valid_new_name(name: &Name, new: &str) -> bool {
    let Some(first) = new.chars().next() else {
        return false;
    };
    match name {
        // YAML anchors: any printable characters but spaces and flow indicators.
        Name::Anchor(_) => new
            .chars()
            .all(|c| !c.is_whitespace() && !c.is_control() && !",[]{}".contains(c)),
        // Keys and plain values that stay plain: letters, digits, `_`, `-`, `.`, `/`.
        _ => {
            (first.is_alphanumeric() || first == '_')
                && new
                    .chars()
                    .all(|c| c.is_alphanumeric() || "_-./".contains(c))
        }
    }
}

pub fn rename(
    snap: &Snapshot,
    pos: Position,
    new_name: &str,
    document_changes: bool,
) -> Result<Option<WorkspaceEdit>> {
    let offset = snap.lines().offset(pos);
    let Some(at) = identify(snap, offset) else {
        return Ok(None);
    };
    if let Some(err) = refuse(snap, &at) {
        return Err(err);
    }
    if !valid_new_name(&at.name, new_name) {
        return Err(Error::invalid_params(format!(
            "`{new_name}` is not a valid {} name here (use letters, digits, `_`, `-`, `.` or `/`)",
            what(&at.name)
        )));
    }
    let taken = match &at.name {
        Name::Anchor(_) => false,
        Name::Service(_) => {
            new_name == "docker"
                || occurrences(snap, &Name::Service(new_name.into()))
                    .0
                    .is_some()
        }
        Name::Cache(_) => occurrences(snap, &Name::Cache(new_name.into())).0.is_some(),
        Name::Custom(_) => occurrences(snap, &Name::Custom(new_name.into()))
            .0
            .is_some(),
    };
    if taken {
        return Err(request_failed(format!(
            "a {} named `{new_name}` exists already",
            what(&at.name)
        )));
    }
    let (def, uses) = occurrences(snap, &at.name);
    let lines = snap.lines();
    let mut spans: Vec<Span> = def.into_iter().chain(uses).collect();
    spans.sort();
    spans.dedup();
    let edits: Vec<TextEdit> = spans
        .into_iter()
        .map(|s| TextEdit::new(lines.range(s), new_name.to_owned()))
        .collect();
    Ok(Some(workspace_edit(snap, edits, document_changes)))
}
