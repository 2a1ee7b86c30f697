//! `parallel/*`: parallel groups and the steps in them.

pub mod empty;
pub mod mixed_env_types;
pub mod nested;
pub mod single;
pub mod trigger;

use pipelint_yaml::{Entry, Node, NodeKind};

use crate::model::{File, ItemPlace, ItemRef};

/// A parallel group: the `parallel` entry of a pipeline item, with its step items.
pub(crate) struct Group<'f, 'a> {
    pub entry: &'a Entry,
    /// The list of items: the value itself, or its `steps`.
    pub list: Option<&'a Node>,
    pub items: &'a [Node],
    pub item: &'f ItemRef<'a>,
}

/// Every parallel group written as a pipeline item.
pub(crate) fn groups<'f, 'a>(file: &'f File<'a>) -> Vec<Group<'f, 'a>> {
    let mut out = Vec::new();
    for item in file.items() {
        if item.place != ItemPlace::Pipeline {
            continue;
        }
        let Some(entry) = item.node.as_mapping().and_then(|m| m.entry("parallel")) else {
            continue;
        };
        let list = match &entry.value.kind {
            NodeKind::Sequence(_) => Some(&entry.value),
            NodeKind::Mapping(m) => m.get("steps"),
            _ => None,
        };
        let items = list.and_then(Node::as_sequence).unwrap_or(&[]);
        out.push(Group {
            entry,
            list,
            items,
            item,
        });
    }
    out
}
