//! Shared pipelines: the two forms of `import:`, the sources under `definitions.imports`,
//! and following a same-repository source to the file it names.
//!
//! Core does no IO. To follow an import it asks a [`Resolver`], which the caller (the CLI,
//! the language server) passes in [`crate::CheckOptions::resolver`]. Without one, imports
//! are checked for their form and their declared source only.
//!
//! What is followed: a `<pipeline>@<source>` import whose source is a path in this
//! repository. The file is read once per check, whatever the number of imports that name
//! it, parsed with the same bounds as the checked file, and kept in the [`Context`] for the
//! `share/*` rules. One level only: a shared pipeline cannot import again, so nothing in
//! the imported file is followed. Sources in other repositories (`repo:ref[:path]`) and the
//! older `repo:ref:pipeline` form cannot be read from here and are not followed; that is
//! not a finding.
//!
//! [`Context`]: crate::context::Context

use std::collections::HashSet;
use std::fmt;

use pipelint_yaml::{Node, Parsed, ProblemKind};

use crate::model::File;

/// The most same-repository files one check follows (Bitbucket allows at most 50 import
/// sources per file, a figure from a secondary source).
pub const MAX_IMPORTED_FILES: usize = 50;

/// Imported files longer than this are not parsed (the same bound as a checked file).
pub const MAX_IMPORTED_BYTES: usize = 8 * 1024 * 1024;

/// The suffix Bitbucket requires of a same-repository shared configuration file.
pub const SHARED_FILE_SUFFIX: &str = "pipelines.yml";

/// Reads the files of the repository that a checked file refers to. The CLI reads them
/// from disk next to the checked file; the language server may read open documents.
pub trait Resolver: Send + Sync {
    /// The file at `path`, a path relative to the repository root (the directory of the
    /// checked `bitbucket-pipelines.yml`) as written under `definitions.imports`. Core only
    /// asks for relative paths without `..` segments; a resolver still refuses any path
    /// that would leave the repository.
    fn read(&self, path: &str) -> Resolution;
}

impl fmt::Debug for dyn Resolver {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Resolver")
    }
}

/// What a [`Resolver`] found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Resolution {
    /// The file's text.
    Found(String),
    /// There is no such file.
    Missing,
    /// The file cannot be used: it lies outside the repository, is too large, is not
    /// UTF-8, or could not be read. The text says why, in a user's words.
    Unreadable(String),
}

/// The value of an `import:` key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ImportRef<'s> {
    /// `<repo-slug>:<branch-or-tag>:<pipeline-name>`: a pipeline exported by another
    /// repository of the workspace.
    Repository {
        repo: &'s str,
        reference: &'s str,
        pipeline: &'s str,
    },
    /// `<pipeline-name>@<import-source>`, the source declared under `definitions.imports`.
    Source { pipeline: &'s str, source: &'s str },
}

/// Reads an `import:` value; `None` when it has neither form (the schema's pattern
/// `^(?:[^:]+:[^:]+:[^:]+|[^:@]+@[^:@]+)$`).
pub fn parse_import(value: &str) -> Option<ImportRef<'_>> {
    if !value.contains(':') {
        let (pipeline, source) = value.split_once('@')?;
        if pipeline.is_empty() || source.is_empty() || source.contains('@') {
            return None;
        }
        return Some(ImportRef::Source { pipeline, source });
    }
    let mut parts = value.split(':');
    let (repo, reference, pipeline) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || [repo, reference, pipeline].iter().any(|p| p.is_empty()) {
        return None;
    }
    Some(ImportRef::Repository {
        repo,
        reference,
        pipeline,
    })
}

/// The value of a `definitions.imports` entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SourceRef<'s> {
    /// A file of this repository, by its path from the repository root.
    File(&'s str),
    /// `<repo-slug>:<branch-or-tag>` or `<repo-slug>:<branch-or-tag>:<path>`.
    Repository {
        repo: &'s str,
        reference: &'s str,
        path: Option<&'s str>,
    },
}

/// Reads a `definitions.imports` value; `None` when it is empty or has more than three
/// `:`-separated parts or an empty part.
pub fn parse_source(value: &str) -> Option<SourceRef<'_>> {
    if value.trim().is_empty() {
        return None;
    }
    if !value.contains(':') {
        return Some(SourceRef::File(value));
    }
    let parts: Vec<&str> = value.split(':').collect();
    if parts.iter().any(|p| p.is_empty()) {
        return None;
    }
    match parts.as_slice() {
        [repo, reference] => Some(SourceRef::Repository {
            repo,
            reference,
            path: None,
        }),
        [repo, reference, path] => Some(SourceRef::Repository {
            repo,
            reference,
            path: Some(path),
        }),
        _ => None,
    }
}

/// Why a same-repository path cannot name a file of the repository, if it cannot.
pub fn path_problem(path: &str) -> Option<&'static str> {
    if path.starts_with('/') || path.starts_with('\\') {
        return Some("is absolute; write it relative to the repository root");
    }
    if path.contains('\\') {
        return Some("uses `\\`; separate directories with `/`");
    }
    if path.split('/').any(|seg| seg == "..") {
        return Some("leaves the repository with `..`; write it relative to the repository root");
    }
    if path.ends_with('/') {
        return Some("names a directory, not a file");
    }
    None
}

/// A same-repository file an import led to.
#[derive(Debug)]
pub struct Imported {
    /// The path as written under `definitions.imports`.
    pub path: String,
    pub outcome: Outcome,
}

/// What reading an imported file gave.
#[derive(Debug)]
pub enum Outcome {
    Read { text: String, parsed: Parsed },
    Missing,
    Unreadable(String),
}

impl Imported {
    /// The parsed file, when it was read.
    pub fn parsed(&self) -> Option<&Parsed> {
        match &self.outcome {
            Outcome::Read { parsed, .. } => Some(parsed),
            _ => None,
        }
    }

    /// Whether the file was read but is not valid YAML (or too large or deep to read
    /// whole): what it lacks cannot be told.
    pub fn is_broken(&self) -> bool {
        self.parsed().is_some_and(|p| {
            p.problems.iter().any(|pr| {
                matches!(
                    pr.kind,
                    ProblemKind::Syntax | ProblemKind::TooDeep | ProblemKind::TooLarge
                )
            })
        })
    }

    /// `definitions.pipelines` of the file, when it has one that is a mapping.
    pub fn shared_pipelines(&self) -> Option<&pipelint_yaml::Mapping> {
        self.parsed()?
            .root()?
            .get("definitions")?
            .get("pipelines")?
            .as_mapping()
    }

    /// The pipeline `name` under `definitions.pipelines`.
    pub fn shared_pipeline(&self, name: &str) -> Option<&Node> {
        self.shared_pipelines()?.get(name)
    }
}

/// The same-repository file paths that the imports of `file` lead to: every
/// `<pipeline>@<source>` import outside `definitions.pipelines` whose source is declared
/// as a path of this repository that Bitbucket would accept (relative, inside the
/// repository, ending in `pipelines.yml`). Each path once, in order of first use, at most
/// [`MAX_IMPORTED_FILES`].
pub fn followed_paths<'a>(file: &File<'a>) -> Vec<&'a str> {
    let mut out: Vec<&'a str> = Vec::new();
    let mut seen = HashSet::new();
    let sources = file
        .definitions()
        .and_then(|d| d.get("imports"))
        .and_then(Node::as_mapping);
    let Some(sources) = sources else {
        return out;
    };
    for p in file.pipelines() {
        if p.kind == crate::model::PipelineKind::Shared {
            continue;
        }
        let Some(value) = p.node.get("import").and_then(Node::as_str) else {
            continue;
        };
        let Some(ImportRef::Source { source, .. }) = parse_import(value) else {
            continue;
        };
        let Some(path) = sources.get(source).and_then(Node::as_str) else {
            continue;
        };
        if crate::model::is_template_str(path) {
            continue;
        }
        let Some(SourceRef::File(path)) = parse_source(path) else {
            continue;
        };
        if path_problem(path).is_some() || !path.ends_with(SHARED_FILE_SUFFIX) {
            continue;
        }
        if out.len() < MAX_IMPORTED_FILES && seen.insert(path) {
            out.push(path);
        }
    }
    out
}

/// Reads and parses the files [`followed_paths`] names, through `resolver`.
pub fn follow(
    file: &File<'_>,
    resolver: &dyn Resolver,
    yaml: &pipelint_yaml::Options,
) -> Vec<Imported> {
    followed_paths(file)
        .into_iter()
        .map(|path| {
            let outcome = match resolver.read(path) {
                Resolution::Found(text) if text.len() > MAX_IMPORTED_BYTES => {
                    Outcome::Unreadable(format!("it is larger than {MAX_IMPORTED_BYTES} bytes"))
                }
                Resolution::Found(text) => {
                    let parsed = pipelint_yaml::parse(&text, yaml);
                    Outcome::Read { text, parsed }
                }
                Resolution::Missing => Outcome::Missing,
                Resolution::Unreadable(why) => Outcome::Unreadable(why),
            };
            Imported {
                path: path.to_owned(),
                outcome,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn import_forms() {
        assert_eq!(
            parse_import("build@shared"),
            Some(ImportRef::Source {
                pipeline: "build",
                source: "shared"
            })
        );
        assert_eq!(
            parse_import("shared-pipeline:master:share-pipeline-1"),
            Some(ImportRef::Repository {
                repo: "shared-pipeline",
                reference: "master",
                pipeline: "share-pipeline-1"
            })
        );
        for bad in [
            "build",
            "build@",
            "@shared",
            "a@b@c",
            "repo:main",
            "repo::p",
            "a:b:c:d",
            "build@repo:main",
            "",
        ] {
            assert_eq!(parse_import(bad), None, "{bad}");
        }
    }

    #[test]
    fn source_forms() {
        assert_eq!(
            parse_source(".bitbucket/shared-pipelines.yml"),
            Some(SourceRef::File(".bitbucket/shared-pipelines.yml"))
        );
        assert_eq!(
            parse_source("ci-config:main"),
            Some(SourceRef::Repository {
                repo: "ci-config",
                reference: "main",
                path: None
            })
        );
        assert_eq!(
            parse_source("ci-config:v2:ci/common-pipelines.yml"),
            Some(SourceRef::Repository {
                repo: "ci-config",
                reference: "v2",
                path: Some("ci/common-pipelines.yml")
            })
        );
        assert_eq!(parse_source("a:b:c:d"), None);
        assert_eq!(parse_source("a::c"), None);
        assert_eq!(parse_source(" "), None);
    }

    #[test]
    fn paths_that_leave_the_repository() {
        assert!(path_problem("ci/shared-pipelines.yml").is_none());
        assert!(path_problem("./ci/shared-pipelines.yml").is_none());
        assert!(path_problem("/etc/shared-pipelines.yml").is_some());
        assert!(path_problem("../other/shared-pipelines.yml").is_some());
        assert!(path_problem("ci/../../x-pipelines.yml").is_some());
        assert!(path_problem("ci\\shared-pipelines.yml").is_some());
    }
}
