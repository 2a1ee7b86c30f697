//! `artifacts/*`: the files steps keep for later steps, and the named artifacts they
//! upload and download.

use pipelint_yaml::Node;

use crate::context::Context;
use crate::model::{PipelineKind, StepRef, is_template};

pub mod bad_path;
pub mod download_scoped;
pub mod download_unknown;
pub mod manual_expiry;
pub mod parallel_sibling;
pub mod paths_with_upload;
pub mod upload_required;

/// Days after which Bitbucket deletes artifacts.
pub const ARTIFACT_LIFETIME_DAYS: u32 = 14;

/// A named artifact a step uploads (`upload: [{name: ..., paths: [...]}]`).
#[derive(Clone, Debug)]
pub(crate) struct Upload<'a> {
    pub name: &'a str,
    pub name_node: &'a Node,
    /// The `type` value, when written.
    pub kind: Option<&'a Node>,
}

impl Upload<'_> {
    /// `scoped` and `test-reports` artifacts stay with their step.
    pub fn is_scoped(&self) -> bool {
        matches!(
            self.kind.and_then(Node::as_str),
            Some("scoped" | "test-reports")
        )
    }
}

/// The named uploads of an inline step.
pub(crate) fn uploads<'a>(step: &StepRef<'a>) -> Vec<Upload<'a>> {
    if step.is_child_pipeline() {
        return Vec::new();
    }
    step.get("artifacts")
        .and_then(|a| a.get("upload"))
        .and_then(Node::as_sequence)
        .unwrap_or(&[])
        .iter()
        .filter_map(|entry| {
            let name_node = entry.get("name")?;
            Some(Upload {
                name: name_node.as_str()?,
                name_node,
                kind: entry.get("type"),
            })
        })
        .collect()
}

/// The glob patterns of an inline step's artifacts: the list form, `paths`, and the
/// `paths` and `ignore-paths` of each upload.
pub(crate) fn globs<'a>(step: &StepRef<'a>) -> Vec<&'a Node> {
    let Some(artifacts) = step.get("artifacts") else {
        return Vec::new();
    };
    if step.is_child_pipeline() {
        return Vec::new();
    }
    let mut out: Vec<&Node> = Vec::new();
    if let Some(items) = artifacts.as_sequence() {
        out.extend(items);
    }
    if let Some(paths) = artifacts.get("paths").and_then(Node::as_sequence) {
        out.extend(paths);
    }
    for entry in artifacts
        .get("upload")
        .and_then(Node::as_sequence)
        .unwrap_or(&[])
    {
        for key in ["paths", "ignore-paths"] {
            if let Some(items) = entry.get(key).and_then(Node::as_sequence) {
                out.extend(items);
            }
        }
    }
    out.retain(|n| n.as_scalar().is_some());
    out
}

/// The items of a step's `artifacts.download` list (`None` for `true`/`false`/absent).
pub(crate) fn download_list<'a>(step: &StepRef<'a>) -> Option<&'a [Node]> {
    step.get("artifacts")?.get("download")?.as_sequence()
}

/// The string items of a child-pipeline step's `artifacts.<key>` (`upload` or `download`).
pub(crate) fn child_names<'a>(step: &StepRef<'a>, key: &str) -> &'a [Node] {
    if !step.is_child_pipeline() {
        return &[];
    }
    step.get("artifacts")
        .and_then(|a| a.get(key))
        .and_then(Node::as_sequence)
        .unwrap_or(&[])
}

/// Where a step stands relative to another of the same pipeline.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Order {
    /// Runs (and finishes) before.
    Earlier,
    /// In the same parallel group.
    Sibling,
    /// Runs after, or is the step itself, or is in another pipeline.
    Other,
}

/// Where `other` (index `j` in `cx.steps()`) stands relative to `step` (index `i`).
pub(crate) fn order(steps: &[StepRef<'_>], i: usize, j: usize) -> Order {
    let (s, t) = (&steps[i], &steps[j]);
    if i == j || s.pipeline != t.pipeline {
        return Order::Other;
    }
    if t.item_index < s.item_index {
        return Order::Earlier;
    }
    if t.item_index > s.item_index {
        return Order::Other;
    }
    if s.parallel.is_some() {
        return Order::Sibling;
    }
    // Steps of one stage run in order.
    if s.stage.is_some() && j < i {
        Order::Earlier
    } else {
        Order::Other
    }
}

/// Something that gives a later step an artifact by name.
#[derive(Clone, Debug)]
pub(crate) struct Provider<'a> {
    /// Index of the providing step in `cx.steps()`; `None` for artifacts a parent
    /// pipeline hands in.
    pub step: Option<usize>,
    pub node: &'a Node,
    /// The `type: scoped` (or `test-reports`) of an upload that stays with its step.
    pub scoped: Option<&'a Node>,
}

/// What provides the artifact `name` to the steps of pipeline `pipeline`: named uploads,
/// artifact globs written as the same text, the names a child-pipeline step brings back,
/// and (for a custom pipeline started as a child) the names the parent hands in.
pub(crate) fn providers<'a>(cx: &Context<'a>, pipeline: usize, name: &str) -> Vec<Provider<'a>> {
    let steps = cx.steps();
    let mut out = Vec::new();
    for (j, t) in steps.iter().enumerate() {
        if t.pipeline != pipeline {
            continue;
        }
        for u in uploads(t) {
            if u.name == name {
                out.push(Provider {
                    step: Some(j),
                    node: u.name_node,
                    scoped: u.kind.filter(|_| u.is_scoped()),
                });
            }
        }
        for g in globs(t) {
            if g.as_str() == Some(name) {
                out.push(Provider {
                    step: Some(j),
                    node: g,
                    scoped: None,
                });
            }
        }
        for n in child_names(t, "download") {
            if n.as_str() == Some(name) {
                out.push(Provider {
                    step: Some(j),
                    node: n,
                    scoped: None,
                });
            }
        }
    }
    // A custom pipeline that a child-pipeline step starts gets what the step hands in.
    if let Some(file) = &cx.file
        && let Some(p) = file.pipelines().get(pipeline)
        && p.kind == PipelineKind::Custom
    {
        let custom_name = p.name_str();
        for parent in steps {
            if parent.get("custom").and_then(Node::as_str) == Some(custom_name) {
                for n in child_names(parent, "upload") {
                    if n.as_str() == Some(name) {
                        out.push(Provider {
                            step: None,
                            node: n,
                            scoped: None,
                        });
                    }
                }
            }
        }
    }
    out
}

/// Whether a download item can be judged: a plain name, not a template.
pub(crate) fn judged_name(node: &Node) -> Option<&str> {
    if is_template(node) {
        return None;
    }
    node.as_str()
}

/// The step's display name for messages: its `name`, else "step N" of its pipeline.
pub(crate) fn step_label(step: &StepRef<'_>) -> String {
    match step.name() {
        Some(name) => format!("step `{name}`"),
        None => "a step".to_owned(),
    }
}

/// Whether a pipeline's custom pipelines are started as children by some step, and which
/// (for `child` downloads): the index of the custom pipeline named `name`.
pub(crate) fn custom_pipeline_index(cx: &Context<'_>, name: &str) -> Option<usize> {
    cx.file
        .as_ref()?
        .pipelines()
        .iter()
        .position(|p| p.kind == PipelineKind::Custom && p.name_str() == name)
}

/// The artifact names a step asks of the steps before it: its `download` list, or, for a
/// child-pipeline step, the names it hands to the child pipeline (`upload`).
pub(crate) fn requested<'a>(step: &StepRef<'a>) -> &'a [Node] {
    if step.is_child_pipeline() {
        child_names(step, "upload")
    } else {
        download_list(step).unwrap_or(&[])
    }
}
