//! Inlay hints (when the `inlayHints` setting is on): after a step's name, the runtime
//! version and size the step gets from `options` or from the defaults, which the step
//! itself does not show.

use pipelint_core::Settings;
use pipelint_core::model::{File, Origin, RuntimeVersion};
use pipelint_yaml::Node;
use tower_lsp_server::ls_types::{InlayHint, InlayHintLabel, InlayHintTooltip, Range};

use crate::document::Snapshot;

fn from(origin: Origin) -> &'static str {
    match origin {
        Origin::Options => "from `options`",
        Origin::Default => "the default",
        Origin::Step => "set on the step",
    }
}

pub fn inlay_hints(snap: &Snapshot, range: Range, settings: &Settings) -> Vec<InlayHint> {
    let Some(file) = snap.analysis.parsed.root().and_then(File::new) else {
        return Vec::new();
    };
    let lines = snap.lines();
    let wanted = lines.span(range);
    let mut out = Vec::new();
    for step in file.steps() {
        if step.key.is_aliased() || step.is_child_pipeline() {
            continue;
        }
        let mut parts = Vec::new();
        let mut why = Vec::new();
        let runtime = step.runtime(&file, settings);
        if runtime.origin != Origin::Step {
            let v = match runtime.value {
                RuntimeVersion::V2 => Some("2"),
                RuntimeVersion::V3 => Some("3"),
                RuntimeVersion::Unknown => None,
            };
            if let Some(v) = v {
                parts.push(format!("runtime {v}"));
                why.push(format!("runtime {v} is {}", from(runtime.origin)));
            }
        }
        let size = step.size(&file);
        if size.origin != Origin::Step && !size.value.is_empty() {
            parts.push(size.value.to_owned());
            why.push(format!("size {} is {}", size.value, from(size.origin)));
        }
        if parts.is_empty() {
            continue;
        }
        // After the name when it is written in the step, else after the `step:` value
        // (an alias) or the key.
        let at = match step.get("name") {
            Some(name) if !name.is_aliased() && name.as_scalar().is_some() => name.span.end,
            _ if step.node.is_aliased() => step.node.site().end,
            _ => step_key_end(&snap.text, step.key),
        };
        if at < wanted.start || at > wanted.end {
            continue;
        }
        out.push(InlayHint {
            position: lines.position(at),
            label: InlayHintLabel::String(parts.join(", ")),
            kind: None,
            text_edits: None,
            tooltip: Some(InlayHintTooltip::String(format!("{}.", why.join("; ")))),
            padding_left: Some(true),
            padding_right: None,
            data: None,
        });
    }
    out
}

/// The end of `step:`: after the colon when it follows the key.
fn step_key_end(text: &str, key: &Node) -> usize {
    let end = key.span.end;
    if text.as_bytes().get(end) == Some(&b':') {
        end + 1
    } else {
        end
    }
}
