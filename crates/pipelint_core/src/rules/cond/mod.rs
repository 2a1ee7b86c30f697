//! `cond/*`: step and stage conditions (`condition.changesets`, `condition.state`).

use pipelint_yaml::Node;

use crate::context::Context;
use crate::model::{ItemPlace, PipelineKind};

pub mod changesets_both;
pub mod latest_commit_only;
pub mod path_prefix;
pub mod state_length;
pub mod state_secured;

/// A `condition` of a step or a stage, with the kind of pipeline it is used in.
#[derive(Clone, Debug)]
pub(crate) struct Condition<'a> {
    /// The `condition` value.
    pub node: &'a Node,
    pub kind: PipelineKind,
}

impl<'a> Condition<'a> {
    /// The `changesets` value.
    pub fn changesets(&self) -> Option<&'a Node> {
        self.node.get("changesets")
    }

    /// The items of `includePaths` and `excludePaths`.
    pub fn paths(&self) -> Vec<&'a Node> {
        let Some(changesets) = self.changesets() else {
            return Vec::new();
        };
        ["includePaths", "excludePaths"]
            .iter()
            .filter_map(|k| changesets.get(k).and_then(Node::as_sequence))
            .flatten()
            .collect()
    }
}

/// Every condition of the file: of steps (wherever they stand) and of stages, once per use.
pub(crate) fn conditions<'a>(cx: &Context<'a>) -> Vec<Condition<'a>> {
    let mut out: Vec<Condition<'a>> = cx
        .steps()
        .iter()
        .filter_map(|s| {
            s.get("condition").map(|node| Condition {
                node,
                kind: s.pipeline_kind,
            })
        })
        .collect();
    if let Some(file) = &cx.file {
        for item in file.items() {
            if item.place == ItemPlace::Pipeline
                && let Some(node) = item.node.get("stage").and_then(|s| s.get("condition"))
            {
                out.push(Condition {
                    node,
                    kind: item.pipeline_kind,
                });
            }
        }
    }
    out
}
