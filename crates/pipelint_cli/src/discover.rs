//! Finding the files to check.

use std::io;
use std::path::{Path, PathBuf};

pub enum Input {
    File(PathBuf),
    Stdin,
}

/// Whether a file name is one pipelint checks when it searches a directory:
/// `bitbucket-pipelines.yml` or `.yaml`, also with a prefix (`ci_bitbucket-pipelines.yml`).
pub fn is_pipeline_file(name: &str) -> bool {
    name.ends_with("bitbucket-pipelines.yml") || name.ends_with("bitbucket-pipelines.yaml")
}

/// A named file is always checked; a directory is searched (respecting .gitignore and
/// skipping hidden directories) for pipeline files, sorted by path.
pub fn find(path: &Path) -> io::Result<Vec<PathBuf>> {
    let meta = std::fs::metadata(path)?;
    if !meta.is_dir() {
        return Ok(vec![path.to_path_buf()]);
    }
    let mut found = Vec::new();
    for entry in ignore::WalkBuilder::new(path).build() {
        let Ok(entry) = entry else { continue };
        if entry.file_type().is_some_and(|t| t.is_file())
            && entry.file_name().to_str().is_some_and(is_pipeline_file)
        {
            found.push(entry.into_path());
        }
    }
    found.sort();
    Ok(found)
}
