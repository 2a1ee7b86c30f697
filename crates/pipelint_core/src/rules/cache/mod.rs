//! `cache/*`: the step caches Bitbucket restores and saves.

use pipelint_yaml::{Entry, Mapping, Node};

use crate::model::{File, StepRef};

pub mod definition_empty;
pub mod docker_v3;
pub mod info_limits;
pub mod key_files_missing;
pub mod sbt_ivy2;
pub mod undefined;
pub mod unused;

/// The items of a step's `caches` list.
pub(crate) fn step_caches<'a>(step: &StepRef<'a>) -> &'a [Node] {
    step.get("caches")
        .and_then(Node::as_sequence)
        .unwrap_or(&[])
}

/// The `definitions.caches` entry, when the file has one.
pub(crate) fn caches_entry<'a>(file: &File<'a>) -> Option<&'a Entry> {
    file.definitions()?.as_mapping()?.entry("caches")
}

/// The definitions of `definitions.caches`, when they can be read whole: `None` when the
/// file broke off or the mapping could not be read, so that no cache is called undefined
/// or unused on a partial view.
pub(crate) fn readable_definitions<'a>(file: &File<'a>) -> Option<Option<&'a Mapping>> {
    if file.root.truncated {
        return None;
    }
    match caches_entry(file) {
        None => Some(None),
        Some(e) if e.value.truncated || e.value.is_invalid() => None,
        Some(e) => Some(e.value.as_mapping()),
    }
}
