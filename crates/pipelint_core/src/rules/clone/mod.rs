//! `clone/`: how the repository is cloned for each step (`clone:` at the top level and on
//! steps): depth, LFS, certificate checks.

use pipelint_yaml::Node;

use crate::context::Context;
use crate::model::StepRef;

pub mod depth;
pub mod lfs_global;
pub mod shallow_history;
pub mod skip_ssl_verify_scope;

/// The clone depth Bitbucket uses when none is set.
pub const DEFAULT_DEPTH: u32 = 50;

/// The top-level `clone` mapping.
pub(crate) fn global_clone<'a>(cx: &Context<'a>) -> Option<&'a Node> {
    cx.file
        .as_ref()
        .and_then(|f| f.map.get("clone"))
        .filter(|c| c.as_mapping().is_some())
}

/// A step's own `clone` mapping.
pub(crate) fn step_clone<'a>(step: &StepRef<'a>) -> Option<&'a Node> {
    step.get("clone").filter(|c| c.as_mapping().is_some())
}

/// A clone setting of a step: the step's `clone.<key>`, else the top-level one.
pub(crate) fn effective<'a>(cx: &Context<'a>, step: &StepRef<'a>, key: &str) -> Option<&'a Node> {
    step_clone(step)
        .and_then(|c| c.get(key))
        .or_else(|| global_clone(cx).and_then(|c| c.get(key)))
}
