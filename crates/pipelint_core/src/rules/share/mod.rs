//! `share/`: shared pipelines. The form of `import:`, the import sources under
//! `definitions.imports`, what a shared file must hold and where imports may stand. The
//! parsing of imports and the following of same-repository files live in
//! [`crate::share`]; these helpers list what the rules look at.

use pipelint_yaml::{Entry, Node, Resolved, Span};

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
        .iter()
        .filter_map(|p| {
            let entry = p.node.as_mapping()?.entry("import")?;
            let text = string_value(&entry.value)?;
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

/// A string value that is neither a template nor another type written bare (`5`, `true`):
/// those are the schema pass's to report.
pub(crate) fn string_value(node: &Node) -> Option<&str> {
    let scalar = node.as_scalar()?;
    if !matches!(scalar.resolve(), Resolved::Str(_)) || is_template(node) {
        return None;
    }
    Some(scalar.value.as_str())
}

/// Where the part `part` (a sub-slice of the scalar's value found at `offset`) is written.
pub(crate) fn part_span(cx: &Context<'_>, node: &Node, offset: usize, part: &str) -> Span {
    crate::model::locate_in_scalar(cx.source, node, offset, offset + part.len())
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;
    use std::sync::{Arc, Mutex};

    use crate::share::{Resolution, Resolver};
    use crate::{CheckOptions, Selection};

    /// Files in memory; records what was asked.
    #[derive(Default)]
    struct Files {
        files: HashMap<&'static str, Resolution>,
        asked: Mutex<Vec<String>>,
    }

    impl Resolver for Files {
        fn read(&self, path: &str) -> Resolution {
            if let Ok(mut asked) = self.asked.lock() {
                asked.push(path.to_owned());
            }
            self.files.get(path).cloned().unwrap_or(Resolution::Missing)
        }
    }

    fn check(text: &str, files: &Arc<Files>) -> (Vec<(String, String)>, Vec<String>) {
        let opts = CheckOptions {
            select: Selection::Only(vec!["share".into()]),
            resolver: Some(files.clone()),
            ..CheckOptions::default()
        };
        let analysis = crate::check(text, &opts);
        (
            analysis
                .diagnostics
                .into_iter()
                .map(|d| (d.rule.to_owned(), d.message))
                .collect(),
            analysis.followed,
        )
    }

    const MAIN: &str = "definitions:\n  imports:\n    shared: ci/shared-pipelines.yml\n    other: platform:main\n    yaml: ci/other-pipelines.yaml\npipelines:\n  default:\n    import: build@shared\n  branches:\n    main:\n      import: deploy@shared\n    dev:\n      import: build@other\n    x:\n      import: build@yaml\n";

    #[test]
    fn a_source_is_read_once_and_only_same_repository_files_are_asked_for() {
        let files = Arc::new(Files {
            files: HashMap::from([(
                "ci/shared-pipelines.yml",
                Resolution::Found(
                    "definitions:\n  pipelines:\n    build:\n      - step: {script: [make]}\n    deploy:\n      - step: {script: [make deploy]}\n".into(),
                ),
            )]),
            ..Files::default()
        });
        let (found, followed) = check(MAIN, &files);
        // `yaml` is the file-suffix rule's; nothing else is wrong.
        assert_eq!(
            found.iter().map(|(r, _)| r.as_str()).collect::<Vec<_>>(),
            ["share/file-suffix"],
            "{found:#?}"
        );
        assert_eq!(followed, ["ci/shared-pipelines.yml"]);
        let asked = files.asked.lock().map(|a| a.clone()).unwrap_or_default();
        assert_eq!(asked, ["ci/shared-pipelines.yml"]);
    }

    #[test]
    fn missing_unreadable_and_broken_files() {
        let text = "definitions:\n  imports:\n    gone: ci/gone-pipelines.yml\n    big: ci/big-pipelines.yml\n    broken: ci/broken-pipelines.yml\npipelines:\n  default:\n    import: build@gone\n  custom:\n    a:\n      import: build@big\n    b:\n      import: build@broken\n";
        let files = Arc::new(Files {
            files: HashMap::from([
                (
                    "ci/big-pipelines.yml",
                    Resolution::Unreadable("it is larger than 8388608 bytes".into()),
                ),
                (
                    "ci/broken-pipelines.yml",
                    Resolution::Found("definitions:\n  pipelines:\n    build: [\n".into()),
                ),
            ]),
            ..Files::default()
        });
        let (found, followed) = check(text, &files);
        let messages: Vec<&str> = found.iter().map(|(_, m)| m.as_str()).collect();
        assert_eq!(
            messages,
            [
                "import source `gone`: `ci/gone-pipelines.yml` does not exist in this repository",
                "import source `big`: `ci/big-pipelines.yml` cannot be read: it is larger than 8388608 bytes",
            ],
            "a broken file says nothing about what it lacks"
        );
        assert_eq!(followed, ["ci/broken-pipelines.yml"]);
    }

    #[test]
    fn without_a_resolver_nothing_is_followed() {
        let opts = CheckOptions {
            select: Selection::Only(vec!["share".into()]),
            ..CheckOptions::default()
        };
        let analysis = crate::check(MAIN, &opts);
        assert!(analysis.followed.is_empty());
        assert_eq!(analysis.diagnostics.len(), 1, "{:#?}", analysis.diagnostics);
    }

    #[test]
    fn the_unsafe_fix_names_the_closest_pipeline() {
        let files = Arc::new(Files {
            files: HashMap::from([(
                "ci/shared-pipelines.yml",
                Resolution::Found(
                    "definitions:\n  pipelines:\n    deploy:\n      - step: {script: [make deploy]}\n".into(),
                ),
            )]),
            ..Files::default()
        });
        let text = "definitions:\n  imports:\n    shared: ci/shared-pipelines.yml\npipelines:\n  default:\n    import: deplyo@shared\n";
        let opts = CheckOptions {
            select: Selection::Only(vec!["share/import-source".into()]),
            resolver: Some(files),
            ..CheckOptions::default()
        };
        let found = crate::check(text, &opts).diagnostics;
        assert_eq!(found.len(), 1, "{found:#?}");
        let fix = found[0].fix.as_ref().expect("a fix");
        assert_eq!(fix.applicability, crate::Applicability::Unsafe);
        let (fixed, _) = crate::fix::apply(text, [fix]);
        assert!(fixed.ends_with("    import: deploy@shared\n"), "{fixed}");
    }
}
