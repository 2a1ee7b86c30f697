//! The project around a document on disk, as the CLI sees it: the configuration file
//! (`pipelint.toml` / `.pipelint.toml`, found from the document's folder upward to the
//! repository root or the workspace folder), the resolver that follows same-repository
//! imports, and the oracle that says which files exist (for cache keys). All three come
//! from `pipelint_fs`, the code the CLI uses, so both check a file alike.
//!
//! Documents that are not on disk (`untitled:` ones, or `file:` ones whose folder does not
//! exist) get the client settings only.
//!
//! What was read is cached: configuration files by path (with their text, to tell when one
//! changed), the configuration found for each folder, and one oracle per repository.
//! [`Project::refresh`] reads everything again and says whether a configuration changed;
//! the server calls it when the client reports a watched configuration file changed, or,
//! for clients that cannot watch files, on every open and save.
//!
//! Precedence: the configuration file gives settings, rule levels and per-path overrides;
//! the client's `select` narrows the rules further and its `severity` wins over the file's.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use pipelint_core::{CheckOptions, FileOracle};
use pipelint_fs::config::{self as fsconfig, Loaded};
use pipelint_fs::resolve::DirResolver;
use pipelint_fs::workspace;
use tower_lsp_server::ls_types::Uri;

use crate::config::Config;

/// The glob a client is asked to watch.
pub const CONFIG_GLOB: &str = "**/{pipelint,.pipelint}.toml";

/// One configuration file as last read.
#[derive(Clone)]
struct Entry {
    /// Its text; `None` when it could not be read.
    text: Option<String>,
    /// The parsed configuration, or the problems ready to show.
    result: Result<Arc<Loaded>, String>,
}

/// What the server knows of the files around the open documents.
#[derive(Default)]
pub struct Project {
    /// The workspace folders: the configuration search stops at the one holding a document.
    roots: Vec<PathBuf>,
    /// The configuration file found for each folder (none: `None`).
    found: HashMap<PathBuf, Option<PathBuf>>,
    /// Configuration files read, by path.
    loaded: HashMap<PathBuf, Entry>,
    /// One file oracle per repository root.
    oracles: HashMap<PathBuf, FileOracle>,
    /// Problems already shown to the user, so each is shown once.
    reported: HashSet<String>,
    /// Problems to show and log (taken by the server).
    pending: Vec<String>,
}

/// The path of a `file:` URI whose folder exists.
pub fn disk_path(uri: &Uri) -> Option<PathBuf> {
    if !uri.scheme().as_str().eq_ignore_ascii_case("file") {
        return None;
    }
    let path = uri.to_file_path()?.into_owned();
    path.parent().is_some_and(Path::is_dir).then_some(path)
}

/// The folder a `file:` URI names, when it exists.
pub fn disk_dir(uri: &Uri) -> Option<PathBuf> {
    if !uri.scheme().as_str().eq_ignore_ascii_case("file") {
        return None;
    }
    let path = uri.to_file_path()?.into_owned();
    path.is_dir().then_some(path)
}

impl Project {
    /// The workspace folders.
    pub fn roots(&self) -> &[PathBuf] {
        &self.roots
    }

    /// Sets the workspace folders (from `initialize` or a change of folders).
    pub fn set_roots(&mut self, roots: Vec<PathBuf>) {
        self.roots = roots;
        self.found.clear();
    }

    /// The configuration problems not yet shown, each once.
    pub fn take_pending(&mut self) -> Vec<String> {
        std::mem::take(&mut self.pending)
    }

    /// The check options of the document at `uri`: the client settings, the configuration
    /// file, the resolver and the file oracle.
    pub fn options(&mut self, uri: &Uri, client: &Config) -> CheckOptions {
        let name = crate::document::file_name(uri).to_owned();
        let mut opts = client.check_options(Some(name));
        let Some(path) = disk_path(uri) else {
            return opts;
        };
        if let Some(loaded) = self.config_for(&path) {
            loaded.config.apply(&mut opts, &loaded.relative(&path));
            // The client's severities win over the file's.
            for (id, severity) in &client.severity {
                opts.severities.insert(id.clone(), *severity);
            }
        }
        opts.resolver = Some(Arc::new(DirResolver::for_file(&path)));
        opts.files = workspace::repo_root(&path).map(|root| {
            self.oracles
                .entry(root)
                .or_insert_with_key(|root| workspace::oracle(root))
                .clone()
        });
        opts
    }

    /// The configuration that applies to the file at `path`, if any loads.
    fn config_for(&mut self, path: &Path) -> Option<Arc<Loaded>> {
        let dir = path.parent()?.to_path_buf();
        let config_path = match self.found.get(&dir) {
            Some(found) => found.clone(),
            None => {
                let found = fsconfig::find_within(&dir, self.ceiling(&dir));
                self.found.insert(dir, found.clone());
                found
            }
        }?;
        let entry = match self.loaded.get(&config_path) {
            Some(entry) => entry.clone(),
            None => {
                let entry = read(&config_path);
                self.loaded.insert(config_path, entry.clone());
                entry
            }
        };
        match entry.result {
            Ok(loaded) => Some(loaded),
            Err(problems) => {
                if self.reported.insert(problems.clone()) {
                    self.pending.push(problems);
                }
                None
            }
        }
    }

    /// The innermost workspace folder holding `dir`.
    fn ceiling(&self, dir: &Path) -> Option<&Path> {
        self.roots
            .iter()
            .filter(|r| dir.starts_with(r))
            .max_by_key(|r| r.as_os_str().len())
            .map(PathBuf::as_path)
    }

    /// Reads the files again. Returns whether any document's configuration changed (a file
    /// edited, created or deleted); then everything cached is dropped. File oracles are
    /// always dropped, so the next check lists the repository afresh.
    pub fn refresh(&mut self) -> bool {
        self.oracles.clear();
        let found_changed = self
            .found
            .iter()
            .any(|(dir, found)| fsconfig::find_within(dir, self.ceiling(dir)) != *found);
        let text_changed = self
            .loaded
            .iter()
            .any(|(path, entry)| std::fs::read_to_string(path).ok() != entry.text);
        let changed = found_changed || text_changed;
        if changed {
            self.found.clear();
            self.loaded.clear();
            // A problem fixed and made again is worth showing again.
            self.reported.clear();
        }
        changed
    }
}

fn read(path: &Path) -> Entry {
    match std::fs::read_to_string(path) {
        Ok(text) => Entry {
            result: fsconfig::parse_at(path, &text).map(Arc::new),
            text: Some(text),
        },
        Err(e) => Entry {
            text: None,
            result: Err(format!("{}: cannot read: {e}", path.display())),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pipelint_core::Severity;

    fn temp_repo(tag: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("pipelint-lsp-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join(".git")).expect("mkdir");
        std::fs::create_dir_all(dir.join("sub")).expect("mkdir");
        dir
    }

    fn uri_of(path: &Path) -> Uri {
        Uri::from_file_path(path).expect("uri")
    }

    #[test]
    fn configuration_applies_and_the_client_wins_on_severity() {
        let repo = temp_repo("apply");
        std::fs::write(
            repo.join("pipelint.toml"),
            "[rules]\n\"yaml/duplicate-key\" = \"off\"\n\"schema/unknown-key\" = \"error\"\n\"yaml/unquoted-star\" = \"info\"\n[[overrides]]\nfiles = [\"sub/**\"]\nrules = { \"schema/unknown-key\" = \"off\" }\n",
        )
        .expect("write");
        let mut project = Project::default();
        let client = Config {
            severity: vec![("yaml/unquoted-star".into(), Severity::Error)],
            ..Config::default()
        };
        let opts = project.options(&uri_of(&repo.join("bitbucket-pipelines.yml")), &client);
        assert!(!opts.is_enabled("yaml/duplicate-key"));
        assert_eq!(
            opts.severities.get("schema/unknown-key"),
            Some(&Severity::Error)
        );
        assert_eq!(
            opts.severities.get("yaml/unquoted-star"),
            Some(&Severity::Error),
            "the client's severity wins"
        );
        assert!(opts.resolver.is_some() && opts.files.is_some());
        let sub = project.options(&uri_of(&repo.join("sub/x-pipelines.yml")), &client);
        assert!(!sub.is_enabled("schema/unknown-key"), "per-path override");
        assert!(project.take_pending().is_empty());

        // Not on disk: client settings only.
        let untitled: Uri = "untitled:Untitled-1".parse().expect("uri");
        let opts = project.options(&untitled, &client);
        assert!(opts.is_enabled("yaml/duplicate-key") && opts.resolver.is_none());
        let _ = std::fs::remove_dir_all(&repo);
    }

    #[test]
    fn changes_are_seen_on_refresh_and_problems_reported_once() {
        let repo = temp_repo("refresh");
        let doc = uri_of(&repo.join("sub/bitbucket-pipelines.yml"));
        let mut project = Project::default();
        let client = Config::default();
        assert!(project.options(&doc, &client).disabled.is_empty());
        assert!(!project.refresh(), "nothing changed");

        std::fs::write(repo.join(".pipelint.toml"), "[rulez]\n").expect("write");
        assert!(project.refresh(), "a file was created");
        assert!(project.options(&doc, &client).disabled.is_empty());
        let pending = project.take_pending();
        assert_eq!(pending.len(), 1);
        assert!(
            pending[0].contains(":1: unknown key `rulez`"),
            "{pending:?}"
        );
        project.options(&doc, &client);
        assert!(project.take_pending().is_empty(), "shown once");

        std::fs::write(repo.join(".pipelint.toml"), "[rules]\n\"yaml\" = \"off\"\n")
            .expect("write");
        assert!(project.refresh(), "the file was edited");
        assert!(!project.options(&doc, &client).is_enabled("yaml/syntax"));
        assert!(!project.refresh());
        let _ = std::fs::remove_dir_all(&repo);
    }

    #[test]
    fn the_search_stops_at_the_workspace_folder() {
        let repo = temp_repo("ceiling");
        std::fs::write(repo.join("pipelint.toml"), "[rules]\n\"yaml\" = \"off\"\n").expect("write");
        let doc = uri_of(&repo.join("sub/bitbucket-pipelines.yml"));
        let mut project = Project::default();
        project.set_roots(vec![repo.join("sub")]);
        assert!(
            project
                .options(&doc, &Config::default())
                .disabled
                .is_empty()
        );
        project.set_roots(vec![repo.clone()]);
        assert!(
            !project
                .options(&doc, &Config::default())
                .disabled
                .is_empty()
        );
        let _ = std::fs::remove_dir_all(&repo);
    }
}
