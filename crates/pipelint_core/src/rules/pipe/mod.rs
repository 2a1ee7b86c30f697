//! `pipe/`: pipes run from `script` and `after-script` (`- pipe: account/name:version`).

use pipelint_yaml::Node;

use crate::context::Context;

pub mod unpinned;
pub mod variables_type;

/// Every pipe item of every step (a step used through several aliases gives its pipes once
/// per use; the engine merges the findings).
pub(crate) fn pipe_items<'a>(cx: &Context<'a>) -> Vec<&'a Node> {
    cx.steps().iter().flat_map(|s| s.pipes()).collect()
}
