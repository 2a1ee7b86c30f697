//! `share/`: shared pipelines. The form of `import:`, the import sources under
//! `definitions.imports`, what a shared file must hold and where imports may stand. The
//! parsing of imports and the following of same-repository files live in
//! [`crate::share`]; these helpers list what the rules look at.

use pipelint_yaml::{Entry, Node, Span};

use crate::context::Context;
use crate::model::{PipelineKind, is_template};

pub mod export_no_definitions;
pub mod file_suffix;
pub mod import_format;
pub mod import_source;
pub mod nested_import;

/// An `import:` of a pipeline.
pub(crate) struct ImportUse<'a> {
    /// The `import` key.
    pub key: &'a Node,
    /// Its value, a string that is not a template.
    pub value: &'a Node,
    pub text: &'a str,
    pub kind: PipelineKind,
}

/// Every `import:` whose value is a plain string, in file order, with the kind of pipeline
/// it stands for.
pub(crate) fn import_uses<'a>(cx: &Context<'a>) -> Vec<ImportUse<'a>> {
    let Some(file) = &cx.file else {
        return Vec::new();
    };
    file.pipelines()
        .into_iter()
        .filter_map(|p| {
            let entry = p.node.as_mapping()?.entry("import")?;
            let text = entry.value.as_scalar().map(|s| s.value.as_str())?;
            if is_template(&entry.value) || entry.value.is_null() {
                return None;
            }
            Some(ImportUse {
                key: &entry.key,
                value: &entry.value,
                text,
                kind: p.kind,
            })
        })
        .collect()
}

/// The entries of `definitions.imports`.
pub(crate) fn sources<'a>(cx: &Context<'a>) -> &'a [Entry] {
    cx.file
        .as_ref()
        .and_then(|f| f.definitions())
        .and_then(|d| d.get("imports"))
        .and_then(Node::as_mapping)
        .map_or(&[], |m| m.entries.as_slice())
}

/// Where the part `part` (a sub-slice of the scalar's value found at `offset`) is written.
pub(crate) fn part_span(cx: &Context<'_>, node: &Node, offset: usize, part: &str) -> Span {
    crate::model::locate_in_scalar(cx.source, node, offset, offset + part.len())
}
