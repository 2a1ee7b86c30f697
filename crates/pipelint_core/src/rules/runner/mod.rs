//! `runner/`: `runs-on` labels of steps that run on self-hosted runners: their limits,
//! the system labels that choose the runner's kind, and keys such runners ignore.

use pipelint_yaml::{Node, NodeKind};

use crate::model::StepRef;

pub mod conflicting_os;
pub mod docker_only_keys;
pub mod labels_limits;
pub mod os_label;

/// The label every self-hosted runner carries.
pub const SELF_HOSTED: &str = "self.hosted";

/// The system labels that name a runner's kind; a runner carries exactly one of them
/// (Linux Docker, Linux Docker on ARM64, Linux Shell, Windows, macOS).
pub const SYSTEM_OS_LABELS: &[&str] = &["linux", "linux.arm64", "linux.shell", "windows", "macos"];

/// The kinds of runner that run the script directly on the host, without containers.
pub const NO_DOCKER_LABELS: &[&str] = &["linux.shell", "windows", "macos"];

/// The most labels a step may list, and the longest a label may be.
pub const MAX_LABELS: usize = 10;
pub const MAX_LABEL_CHARS: usize = 50;

/// The `runs-on` label nodes of a step, with their text (templates and non-strings left
/// out).
pub(crate) fn label_nodes<'a>(step: &StepRef<'a>) -> Vec<(&'a Node, &'a str)> {
    let Some(n) = step.get("runs-on") else {
        return Vec::new();
    };
    let nodes: Vec<&'a Node> = match &n.kind {
        NodeKind::Sequence(items) => items.iter().collect(),
        _ => vec![n],
    };
    nodes
        .into_iter()
        .filter(|n| !crate::model::is_template(n))
        .filter_map(|n| n.as_str().map(|s| (n, s)))
        .collect()
}

/// The step's system OS labels, in order, with their nodes.
pub(crate) fn os_labels<'a>(step: &StepRef<'a>) -> Vec<(&'a Node, &'a str)> {
    label_nodes(step)
        .into_iter()
        .filter(|(_, s)| SYSTEM_OS_LABELS.contains(s))
        .collect()
}
