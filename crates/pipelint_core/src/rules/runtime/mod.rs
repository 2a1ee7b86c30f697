//! `runtime/`: a step's `runtime.cloud` settings (architecture) and what the plan allows.

use pipelint_yaml::Node;

use crate::context::Context;

pub mod arch_enum;
pub mod arm_plan;

/// Every `runtime.cloud` mapping in force: `options.runtime.cloud` and each step's own (a
/// step used through several aliases comes once per use), with the step when there is one.
pub(crate) fn cloud_runtimes<'a>(cx: &Context<'a>) -> Vec<(&'a Node, Option<usize>)> {
    let cloud = |n: &'a Node| n.get("runtime").and_then(|r| r.get("cloud"));
    let mut out = Vec::new();
    if let Some(c) = cx.file.as_ref().and_then(|f| f.options()).and_then(cloud) {
        out.push((c, None));
    }
    for (i, step) in cx.steps().iter().enumerate() {
        if let Some(c) = cloud(step.node) {
            out.push((c, Some(i)));
        }
    }
    out.retain(|(c, _)| c.as_mapping().is_some());
    out
}

/// A key of a mapping and its value.
pub(crate) fn entry<'a>(map: &'a Node, key: &str) -> Option<(&'a Node, &'a Node)> {
    map.as_mapping()?.entry(key).map(|e| (&e.key, &e.value))
}
