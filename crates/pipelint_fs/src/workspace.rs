//! What the workspace around a pipeline file holds, for the rules that ask
//! (`cache/key-files-missing`): core does no IO, so the CLI answers its questions.

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use pipelint_core::FileOracle;

/// The most files listed under one directory; beyond it every question is answered "yes"
/// (pipelint cannot tell, and does not guess that a file is missing).
pub const MAX_FILES: usize = 20_000;

/// The files under a directory, as `/`-separated paths relative to it.
struct Listing {
    files: Vec<String>,
    /// The walk stopped at [`MAX_FILES`].
    complete: bool,
}

/// The oracle for a pipeline file on disk: rooted at the repository that holds it (the
/// nearest directory, from the file's own upwards, that has a `.git`), as Bitbucket
/// resolves key files relative to the clone directory. `None` outside a repository: a file
/// copied elsewhere has no workspace to judge by.
pub fn for_file(path: &Path) -> Option<FileOracle> {
    Some(oracle(&repo_root(path)?))
}

/// The root of the repository holding the file at `path`: the nearest directory, from the
/// file's own upwards, that has a `.git`.
pub fn repo_root(path: &Path) -> Option<PathBuf> {
    let dir = std::path::absolute(path).ok()?.parent()?.to_path_buf();
    dir.ancestors()
        .find(|d| d.join(".git").exists())
        .map(Path::to_path_buf)
}

/// An oracle answering "does a file matching this glob exist under `dir`?". The directory
/// is listed once, on the first question, respecting `.gitignore` (a clone does not have
/// ignored files) and skipping `.git`. Globs are matched as Bitbucket reads them: `*` does
/// not cross `/`, `**` does; a leading `./` is ignored. A glob that cannot be read is
/// answered "yes".
pub fn oracle(dir: &Path) -> FileOracle {
    let dir: PathBuf = dir.to_path_buf();
    let listing: Arc<OnceLock<Listing>> = Arc::new(OnceLock::new());
    FileOracle::new(move |glob| {
        let listing = listing.get_or_init(|| list(&dir));
        let pattern = glob.trim().trim_start_matches("./");
        let Ok(matcher) = globset::GlobBuilder::new(pattern)
            .literal_separator(true)
            .build()
            .map(|g| g.compile_matcher())
        else {
            return true;
        };
        !listing.complete || listing.files.iter().any(|f| matcher.is_match(f))
    })
}

fn list(dir: &Path) -> Listing {
    let mut files = Vec::new();
    let walk = ignore::WalkBuilder::new(dir)
        .hidden(false)
        .require_git(false)
        .filter_entry(|e| e.file_name() != ".git")
        .build();
    for entry in walk {
        let Ok(entry) = entry else { continue };
        if !entry.file_type().is_some_and(|t| t.is_file()) {
            continue;
        }
        if files.len() >= MAX_FILES {
            return Listing {
                files,
                complete: false,
            };
        }
        if let Ok(rel) = entry.path().strip_prefix(dir) {
            let parts: Vec<String> = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            files.push(parts.join("/"));
        }
    }
    Listing {
        files,
        complete: true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs_match_relative_paths() {
        let dir = std::env::temp_dir().join(format!("pipelint-ws-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("web/app")).expect("mkdir");
        std::fs::write(dir.join("web/app/package-lock.json"), "{}").expect("write");
        std::fs::write(dir.join("go.sum"), "").expect("write");
        assert!(
            for_file(&dir.join("web/bitbucket-pipelines.yml")).is_none_or(|_| {
                // Only when the temporary directory itself is inside a repository.
                dir.ancestors().any(|d| d.join(".git").exists())
            })
        );
        let o = oracle(&dir);
        assert!(o.exists("go.sum"));
        assert!(o.exists("./go.sum"));
        assert!(o.exists("**/package-lock.json"));
        assert!(o.exists("web/*/package-lock.json"));
        assert!(!o.exists("*/package-lock.json"));
        assert!(!o.exists("package-lock.json"));
        assert!(o.exists("[unclosed"));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
