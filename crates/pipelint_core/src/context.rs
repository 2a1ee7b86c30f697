//! What a rule sees: the source, its span tree, the typed view and the settings.

use std::sync::Arc;

use pipelint_yaml::{Node, Parsed, Span};

use crate::kind::FileKind;
use crate::model::{File, StepRef};
use crate::settings::Settings;
use crate::share::Imported;

pub struct Context<'a> {
    pub source: &'a str,
    /// The file's path as the user gave it, when there is one.
    pub path: Option<&'a str>,
    pub parsed: &'a Parsed,
    /// The root of the first document.
    pub root: Option<&'a Node>,
    /// What kind of file the text is; only the rules of this kind run.
    pub kind: FileKind,
    /// The typed view of a pipeline file, when the root is a mapping (`None` for the other
    /// kinds, which have views of their own: [`crate::bamboo`], [`crate::launch`]).
    pub file: Option<File<'a>>,
    pub settings: &'a Settings,
    /// The same-repository files that imports lead to, read through the resolver (empty
    /// without one). See [`crate::share`].
    pub imported: Vec<Imported>,
    /// What the workspace around the file holds, when the caller can tell (the CLI for a
    /// file on disk); `None` in the editor buffer and for standard input.
    pub files: Option<&'a FileOracle>,
    /// Bamboo specs: the plan and deployment documents (empty for other kinds).
    pub bamboo: Vec<crate::bamboo::Spec<'a>>,
    /// Runner setups: each start of the runner image (empty for other kinds).
    pub launches: Vec<crate::launch::Launch>,
    /// Runner setups: the Docker configuration files the launches mount that the resolver
    /// could read (empty without one).
    pub mounted_configs: Vec<crate::launch::MountedConfig>,
    /// Runs shellcheck for `script/shellcheck`, when the caller can.
    pub shellcheck: Option<&'a dyn crate::shellcheck::ShellChecker>,
    steps: Vec<StepRef<'a>>,
}

impl<'a> Context<'a> {
    pub fn new(
        source: &'a str,
        path: Option<&'a str>,
        parsed: &'a Parsed,
        settings: &'a Settings,
    ) -> Self {
        Context::for_kind(source, path, parsed, settings, FileKind::Pipelines)
    }

    /// The context of a file of the given kind.
    pub fn for_kind(
        source: &'a str,
        path: Option<&'a str>,
        parsed: &'a Parsed,
        settings: &'a Settings,
        kind: FileKind,
    ) -> Self {
        let root = parsed.root();
        let file = root
            .filter(|_| kind == FileKind::Pipelines)
            .and_then(File::new);
        let steps = file.as_ref().map(File::steps).unwrap_or_default();
        Context {
            source,
            path,
            parsed,
            root,
            kind,
            file,
            settings,
            imported: Vec::new(),
            files: None,
            bamboo: match kind {
                FileKind::BambooSpecs => crate::bamboo::specs(parsed),
                _ => Vec::new(),
            },
            launches: match kind {
                FileKind::RunnerScript => crate::launch::from_script(source),
                FileKind::RunnerCompose => crate::launch::from_compose(parsed),
                _ => Vec::new(),
            },
            mounted_configs: Vec::new(),
            shellcheck: None,
            steps,
        }
    }

    /// Every step of every pipeline (computed once per check).
    pub fn steps(&self) -> &[StepRef<'a>] {
        &self.steps
    }

    /// The imported file read for the path written under `definitions.imports`.
    pub fn imported(&self, path: &str) -> Option<&Imported> {
        self.imported.iter().find(|i| i.path == path)
    }

    /// The source text of a span.
    pub fn text(&self, span: Span) -> &'a str {
        self.source.get(span.range()).unwrap_or("")
    }
}

/// A read-only question about the workspace, answered by the caller: "does a file matching
/// this glob exist, relative to the pipeline file's directory?". Core does no IO; the CLI
/// answers it from the file system. Rules that need it stay quiet without it.
#[derive(Clone)]
pub struct FileOracle(Arc<dyn Fn(&str) -> bool + Send + Sync>);

impl FileOracle {
    pub fn new(exists: impl Fn(&str) -> bool + Send + Sync + 'static) -> Self {
        FileOracle(Arc::new(exists))
    }

    /// Whether a file matching `glob` exists. An oracle that cannot tell (the workspace is
    /// too large to list, a pattern it cannot read) answers `true`.
    pub fn exists(&self, glob: &str) -> bool {
        (self.0)(glob)
    }
}

impl std::fmt::Debug for FileOracle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("FileOracle")
    }
}
