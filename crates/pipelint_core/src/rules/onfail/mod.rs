//! `onfail/*`: the failure strategies (`on-fail`) of steps, stages and parallel groups.

use pipelint_yaml::Node;

use crate::context::Context;
use crate::model::{ItemPlace, StepRef};

pub mod deployment;
pub mod strategy;
pub mod with_fail_fast;

/// What holds an `on-fail`.
#[derive(Clone, Debug)]
pub(crate) enum Owner<'a> {
    Step(StepRef<'a>),
    /// A stage mapping.
    Stage(&'a Node),
    /// A parallel group in its object form (`parallel: {steps: ..., on-fail: ...}`).
    Parallel(&'a Node),
}

/// One `on-fail` mapping with what holds it.
#[derive(Clone, Debug)]
pub(crate) struct OnFail<'a> {
    /// The `on-fail` value.
    pub node: &'a Node,
    pub owner: Owner<'a>,
}

impl<'a> OnFail<'a> {
    /// The `strategy` value, when it is one of the strategies other than `fail`
    /// (`retry`, `ignore`).
    pub fn lenient_strategy(&self) -> Option<&'a Node> {
        self.node
            .get("strategy")
            .filter(|s| matches!(s.as_str(), Some("retry" | "ignore")))
    }
}

/// Every `on-fail` of the file: on steps (wherever they stand), stages and parallel groups.
pub(crate) fn on_fails<'a>(cx: &Context<'a>) -> Vec<OnFail<'a>> {
    let mut out = Vec::new();
    for step in cx.steps() {
        if let Some(node) = step.get("on-fail") {
            out.push(OnFail {
                node,
                owner: Owner::Step(step.clone()),
            });
        }
    }
    let Some(file) = &cx.file else {
        return out;
    };
    for item in file.items() {
        if item.place != ItemPlace::Pipeline {
            continue;
        }
        if let Some(stage) = item.node.get("stage")
            && let Some(node) = stage.get("on-fail")
        {
            out.push(OnFail {
                node,
                owner: Owner::Stage(stage),
            });
        }
        if let Some(group) = item.node.get("parallel")
            && let Some(node) = group.get("on-fail")
        {
            out.push(OnFail {
                node,
                owner: Owner::Parallel(group),
            });
        }
    }
    out
}
