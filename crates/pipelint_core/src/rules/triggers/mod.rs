//! `triggers/`: the top-level `triggers` section, which starts custom pipelines on
//! repository and pull-request events.

use pipelint_yaml::{Entry, Node};

use crate::context::Context;

pub mod custom_only;
pub mod limits;

/// The event types `triggers` takes (from a secondary source, udmada/pkl-bitbucket-pipelines;
/// the same list as the project's schema).
pub const EVENTS: &[&str] = &[
    "repository-push",
    "pullrequest-push",
    "pullrequest-created",
    "pullrequest-updated",
    "pullrequest-fulfilled",
    "pullrequest-rejected",
    "pullrequest-reviewer-status-updated",
    "pipeline-completed",
    "deployment-completed",
    "package-artifact-created",
];

/// The most conditions one event type may list (secondary source).
pub const MAX_CONDITIONS: usize = 20;

/// The most pipelines the conditions of one event type may start in all (secondary source).
pub const MAX_PIPELINES_PER_EVENT: usize = 100;

/// The event entries of `triggers`, when it is a mapping that was read whole.
pub(crate) fn events<'a>(cx: &Context<'a>) -> &'a [Entry] {
    cx.file
        .as_ref()
        .and_then(|f| f.map.get("triggers"))
        .filter(|t| !t.truncated)
        .and_then(Node::as_mapping)
        .map_or(&[], |m| m.entries.as_slice())
}

/// The condition items of one event entry.
pub(crate) fn conditions(event: &Entry) -> &[Node] {
    event.value.as_sequence().unwrap_or(&[])
}

/// The pipeline names a condition item lists.
pub(crate) fn pipeline_names(condition: &Node) -> &[Node] {
    condition
        .get("pipelines")
        .and_then(Node::as_sequence)
        .unwrap_or(&[])
}
