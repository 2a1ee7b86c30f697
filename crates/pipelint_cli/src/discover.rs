//! Finding the files to check.

use std::io::{self, Read};
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

/// Whether a file name may be a shared configuration file: Bitbucket imports those from
/// files whose name ends in `pipelines.yml`. Other tools use such names too
/// (`azure-pipelines.yml`), so a candidate is checked only if its content is shared
/// configuration ([`is_shared_config`]).
pub fn is_shared_candidate(name: &str) -> bool {
    !is_pipeline_file(name) && (name.ends_with("pipelines.yml") || name.ends_with("pipelines.yaml"))
}

/// Shared candidates larger than this are not opened during a search.
const MAX_SNIFF_BYTES: u64 = 8 * 1024 * 1024;

/// Whether a text is a Bitbucket shared configuration file: its root mapping has
/// `export` or `definitions.pipelines`.
pub fn is_shared_config(text: &str) -> bool {
    if !text.contains("export") && !text.contains("definitions") {
        return false;
    }
    let parsed = pipelint_yaml::parse(text, &pipelint_yaml::Options::default());
    let Some(root) = parsed.root() else {
        return false;
    };
    root.get("export").is_some()
        || root
            .get("definitions")
            .and_then(|d| d.get("pipelines"))
            .is_some()
}

fn sniff(path: &Path) -> bool {
    let Ok(file) = std::fs::File::open(path) else {
        return false;
    };
    let mut bytes = Vec::new();
    if file
        .take(MAX_SNIFF_BYTES + 1)
        .read_to_end(&mut bytes)
        .is_err()
        || bytes.len() as u64 > MAX_SNIFF_BYTES
    {
        return false;
    }
    std::str::from_utf8(&bytes).is_ok_and(is_shared_config)
}

/// Hidden directories are skipped, except `.bitbucket`, where Atlassian's example keeps
/// shared configuration files.
fn keep_entry(entry: &ignore::DirEntry) -> bool {
    if entry.depth() == 0 {
        return true;
    }
    let name = entry.file_name().to_string_lossy();
    !name.starts_with('.')
        || (name == ".bitbucket" && entry.file_type().is_some_and(|t| t.is_dir()))
}

/// A named file is always checked; a directory is searched (respecting .gitignore and
/// skipping hidden directories but `.bitbucket`) for pipeline files and for shared
/// configuration files (`*pipelines.yml` with `export` or `definitions.pipelines`),
/// sorted by path.
pub fn find(path: &Path) -> io::Result<Vec<PathBuf>> {
    let meta = std::fs::metadata(path)?;
    if !meta.is_dir() {
        return Ok(vec![path.to_path_buf()]);
    }
    let mut found = Vec::new();
    let walk = ignore::WalkBuilder::new(path)
        .hidden(false)
        .filter_entry(keep_entry)
        .build();
    for entry in walk {
        let Ok(entry) = entry else { continue };
        if !entry.file_type().is_some_and(|t| t.is_file()) {
            continue;
        }
        let Some(name) = entry.file_name().to_str() else {
            continue;
        };
        if is_pipeline_file(name) || (is_shared_candidate(name) && sniff(entry.path())) {
            found.push(entry.into_path());
        }
    }
    found.sort();
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shared_files_are_told_by_content() {
        assert!(is_shared_candidate("shared-pipelines.yml"));
        assert!(is_shared_candidate("azure-pipelines.yml"));
        assert!(!is_shared_candidate("bitbucket-pipelines.yml"));
        assert!(!is_shared_candidate("pipeline.yml"));
        assert!(is_shared_config(
            "definitions:\n  pipelines:\n    build:\n      - step: {script: [make]}\n"
        ));
        assert!(is_shared_config("export: true\n"));
        assert!(!is_shared_config(
            "trigger:\n  - main\npool:\n  vmImage: ubuntu-latest\nsteps:\n  - script: make\n"
        ));
        assert!(!is_shared_config("definitions: {services: {}}\n"));
        assert!(!is_shared_config("- export\n"));
    }
}
