//! What in a step needs its OIDC token (`oidc: true`): an image pulled with
//! `aws.oidc-role` (the step's, the global one, or a service's), a script that reads
//! `$BITBUCKET_STEP_OIDC_TOKEN`, or a pipe that is given an OIDC role or the token.

use pipelint_yaml::{Node, NodeKind, Span};

use crate::context::Context;
use crate::model::{File, StepRef, is_template};
use crate::shell;

/// The variable that holds the step's token.
pub const TOKEN_VAR: &str = "BITBUCKET_STEP_OIDC_TOKEN";

/// One thing in a step that needs the token.
#[derive(Clone, Debug)]
pub struct Use<'a> {
    /// The node to report at (an alias it came through is remembered by the diagnostic).
    pub node: &'a Node,
    /// A narrower place inside `node` (a word of a script), when known.
    pub span: Option<Span>,
    /// Where the need is written, when it is not at `node` (a shared definition).
    pub origin: Option<&'a Node>,
    pub kind: UseKind,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum UseKind {
    /// The step's own image has `aws.oidc-role` (`node` is the role).
    StepImage,
    /// The global image has `aws.oidc-role` (`node` is the step key, `origin` the role).
    GlobalImage,
    /// A service's image has `aws.oidc-role` (`node` is the service's name in the step, or
    /// the step key for docker added by `options.docker`; `origin` the role).
    Service(String),
    /// A script reads the token (`node` is the script item, `span` the reference).
    Script,
    /// A pipe variable names an OIDC role (`node` is the variable's key).
    PipeRole(String),
    /// A pipe variable passes the token (`node` is the value).
    PipeToken,
}

/// The `aws.oidc-role` of an image, when it has one.
pub fn oidc_role(image: &Node) -> Option<&Node> {
    image
        .get("aws")
        .and_then(|a| a.get("oidc-role"))
        .filter(|r| !r.is_null())
}

/// Everything in `step` that needs the token, in this order: the step's image, the
/// scripts and pipes in order, the services, the global image.
pub fn uses<'a>(cx: &Context<'a>, file: &File<'a>, step: &StepRef<'a>) -> Vec<Use<'a>> {
    let mut out = Vec::new();
    let mut global = None;
    match step.get("image") {
        Some(image) => {
            if let Some(role) = oidc_role(image) {
                out.push(Use {
                    node: role,
                    span: None,
                    origin: None,
                    kind: UseKind::StepImage,
                });
            }
        }
        None => {
            global = file.map.get("image").and_then(oidc_role).map(|role| Use {
                node: step.key,
                span: None,
                origin: Some(role),
                kind: UseKind::GlobalImage,
            });
        }
    }
    for key in ["script", "after-script"] {
        for item in step.get(key).and_then(Node::as_sequence).unwrap_or(&[]) {
            if item.as_scalar().is_some() {
                script_uses(cx, item, &mut out);
            } else if item.get("pipe").is_some() {
                pipe_uses(item, &mut out);
            }
        }
    }
    let services = file.services();
    let role_of = |name: &str| {
        services
            .and_then(|m| m.get(name))
            .and_then(|d| d.get("image"))
            .and_then(oidc_role)
    };
    let mut lists_docker = false;
    for n in step.service_nodes() {
        let Some(name) = n.as_str() else {
            continue;
        };
        lists_docker |= name == "docker";
        if let Some(role) = role_of(name) {
            out.push(Use {
                node: n,
                span: None,
                origin: Some(role),
                kind: UseKind::Service(name.to_owned()),
            });
        }
    }
    if !lists_docker
        && file.options_docker()
        && let Some(role) = role_of("docker")
    {
        out.push(Use {
            node: step.key,
            span: None,
            origin: Some(role),
            kind: UseKind::Service("docker".to_owned()),
        });
    }
    out.extend(global);
    out
}

/// The first read of the token in one script item: in the words of its commands (see
/// [`reference_in`]), or in assignments (`T=$BITBUCKET_STEP_OIDC_TOKEN`), which the shell
/// reader leaves out of the commands.
fn script_uses<'a>(cx: &Context<'a>, item: &'a Node, out: &mut Vec<Use<'a>>) {
    let Some(scalar) = item.as_scalar() else {
        return;
    };
    let text = scalar.value.as_str();
    if !text.contains(TOKEN_VAR) {
        return;
    }
    let mut found: Option<(usize, usize)> = None;
    for cmd in shell::commands(text) {
        for w in &cmd.words {
            if let Some(r) = reference_in(text, w.start, w.end) {
                found = Some(found.map_or(r, |f| if r.0 < f.0 { r } else { f }));
            }
        }
    }
    if found.is_none() {
        found = assignment_reference(text);
    }
    if let Some((start, end)) = found {
        out.push(Use {
            node: item,
            span: Some(locate_in_scalar(cx.source, item, text, start, end)),
            origin: None,
            kind: UseKind::Script,
        });
    }
}

/// The token reference inside the word `text[start..end]`: an expansion (`$NAME`,
/// `${NAME...}`), or the bare name as the whole word or after `=` (`printenv NAME`,
/// `docker run -e NAME`, `--secret id=t,env=NAME`), which passes the variable on by name.
/// A mention inside other text (`echo "set NAME"`) is not a read.
fn reference_in(text: &str, start: usize, end: usize) -> Option<(usize, usize)> {
    let word = text.get(start..end)?;
    let is_ident = |c: char| c.is_ascii_alphanumeric() || c == '_';
    for (i, _) in word.match_indices(TOKEN_VAR) {
        let at = start + i;
        let name_end = at + TOKEN_VAR.len();
        let before = text.get(start..at)?;
        let after = text.get(name_end..end)?;
        if after.starts_with(is_ident) || before.ends_with(is_ident) {
            continue;
        }
        if before.ends_with("${") {
            let close = after.find('}').map_or(name_end, |j| name_end + j + 1);
            return Some((at - 2, close));
        }
        if before.ends_with('$') {
            return Some((at - 1, name_end));
        }
        let whole = matches!(before, "" | "\"" | "'") || before.ends_with('=');
        if whole && matches!(after, "" | "\"" | "'") {
            return Some((at, name_end));
        }
    }
    None
}

/// A reference in the leading `NAME=value` words of a line: `T=$BITBUCKET_STEP_OIDC_TOKEN`
/// alone, or before a command.
fn assignment_reference(text: &str) -> Option<(usize, usize)> {
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let line_start = offset;
        offset += line.len();
        let mut pos = line_start;
        for word in line.split_whitespace() {
            let Some(rel) = text.get(pos..).and_then(|rest| rest.find(word)) else {
                break;
            };
            let start = pos + rel;
            pos = start + word.len();
            if !is_assignment(word) {
                break;
            }
            if let Some(r) = reference_in(text, start, pos) {
                return Some(r);
            }
        }
    }
    None
}

fn is_assignment(word: &str) -> bool {
    let Some((name, _)) = word.split_once('=') else {
        return false;
    };
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Pipe variables that name an OIDC role or pass the token.
fn pipe_uses<'a>(pipe: &'a Node, out: &mut Vec<Use<'a>>) {
    let Some(vars) = pipe.get("variables").and_then(Node::as_mapping) else {
        return;
    };
    for (key, entry) in vars.iter() {
        if key.to_ascii_uppercase().contains("OIDC") && is_set(&entry.value) {
            out.push(Use {
                node: &entry.key,
                span: None,
                origin: None,
                kind: UseKind::PipeRole(key.to_owned()),
            });
            continue;
        }
        let passes_token = match &entry.value.kind {
            NodeKind::Scalar(s) => s.value.contains(TOKEN_VAR),
            NodeKind::Sequence(items) => items
                .iter()
                .any(|i| i.as_str().is_some_and(|s| s.contains(TOKEN_VAR))),
            _ => false,
        };
        if passes_token {
            out.push(Use {
                node: &entry.value,
                span: None,
                origin: None,
                kind: UseKind::PipeToken,
            });
        }
    }
}

/// A pipe variable that turns something on: not empty, not `false`/`no`.
fn is_set(value: &Node) -> bool {
    if is_template(value) {
        return true;
    }
    match value.as_str() {
        Some(s) => {
            let s = s.trim();
            !s.is_empty() && !matches!(s.to_ascii_lowercase().as_str(), "false" | "no" | "off")
        }
        None => false,
    }
}

/// Where `cooked[start..end]` (a piece of the scalar's value) is written in the source.
/// The raw text of plain, quoted and block scalars holds a word without quotes or escapes
/// literally, so the n-th occurrence in the value is the n-th in the raw text; when it is
/// not found, the whole scalar.
pub fn locate_in_scalar(source: &str, node: &Node, cooked: &str, start: usize, end: usize) -> Span {
    let (Some(needle), Some(before), Some(raw)) = (
        cooked.get(start..end),
        cooked.get(..start),
        source.get(node.span.range()),
    ) else {
        return node.span;
    };
    if needle.is_empty() {
        return node.span;
    }
    let nth = before.matches(needle).count();
    match raw.match_indices(needle).nth(nth) {
        Some((i, _)) => Span::new(node.span.start + i, node.span.start + i + needle.len()),
        None => node.span,
    }
}

/// What the step's `oidc` says: `Some(true)` for `true` (or YAML 1.1's `yes`/`on`),
/// `Some(false)` when it is missing or false, `None` when unknown (a template).
pub fn oidc_enabled(step: &StepRef<'_>) -> Option<bool> {
    let Some(value) = step.get("oidc") else {
        return Some(false);
    };
    if is_template(value) || value.is_invalid() {
        return None;
    }
    let scalar = value.as_scalar()?;
    if scalar.is_yaml11_bool() {
        return Some(matches!(
            scalar.value.to_ascii_lowercase().as_str(),
            "true" | "yes" | "on"
        ));
    }
    Some(value.as_bool() == Some(true))
}
