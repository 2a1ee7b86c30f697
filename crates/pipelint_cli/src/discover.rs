//! Finding the files to check: pipeline files and shared configuration files, Bamboo YAML
//! specs (`bamboo-specs/*.yml`), and self-hosted runner setups (compose files and shell
//! scripts that mention the `bitbucket-pipelines-runner` image).

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
    read_bounded(path, MAX_SNIFF_BYTES).is_some_and(|text| is_shared_config(&text))
}

/// The text of a file of at most `limit` bytes; `None` for a larger, unreadable or
/// non-UTF-8 file.
fn read_bounded(path: &Path, limit: u64) -> Option<String> {
    let file = std::fs::File::open(path).ok()?;
    let mut bytes = Vec::new();
    if file.take(limit + 1).read_to_end(&mut bytes).is_err() || bytes.len() as u64 > limit {
        return None;
    }
    String::from_utf8(bytes).ok()
}

/// Whether a path is a Bamboo YAML specs file: a `.yml`/`.yaml` file directly in a
/// `bamboo-specs` directory.
pub fn is_bamboo_spec(path: &Path) -> bool {
    let yaml = path.extension().is_some_and(|e| e == "yml" || e == "yaml");
    yaml && path
        .parent()
        .and_then(Path::file_name)
        .is_some_and(|d| d == "bamboo-specs")
}

/// Whether a file name may be a runner setup: a compose file (`docker-compose*.yml`,
/// `compose*.yml`, also `.yaml`) or a shell script (`*.sh`). It is checked only if its
/// content mentions the runner image ([`mentions_runner`]).
pub fn is_runner_candidate(name: &str) -> bool {
    let yaml = name.ends_with(".yml") || name.ends_with(".yaml");
    (yaml && (name.starts_with("docker-compose") || name.starts_with("compose")))
        || name.ends_with(".sh")
}

/// Runner setup candidates larger than this are not opened during a search.
const MAX_RUNNER_SNIFF_BYTES: u64 = 1024 * 1024;

/// Whether a file's text mentions the self-hosted runner image.
pub fn mentions_runner(path: &Path) -> bool {
    read_bounded(path, MAX_RUNNER_SNIFF_BYTES)
        .is_some_and(|text| text.contains(pipelint_core::kind::RUNNER_IMAGE))
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
/// skipping hidden directories but `.bitbucket`) for pipeline files, for shared
/// configuration files (`*pipelines.yml` with `export` or `definitions.pipelines`), for
/// Bamboo specs (`bamboo-specs/*.yml`) and for runner setups (compose files and `*.sh`
/// scripts that mention `bitbucket-pipelines-runner`), sorted by path.
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
        if is_pipeline_file(name)
            || (is_shared_candidate(name) && sniff(entry.path()))
            || is_bamboo_spec(entry.path())
            || (is_runner_candidate(name) && mentions_runner(entry.path()))
        {
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

    #[test]
    fn bamboo_specs_and_runner_candidates_by_name() {
        assert!(is_bamboo_spec(Path::new("r/bamboo-specs/bamboo.yml")));
        assert!(is_bamboo_spec(Path::new("bamboo-specs/deploy.yaml")));
        assert!(!is_bamboo_spec(Path::new("r/bamboo-specs/nested/x.yml")));
        assert!(!is_bamboo_spec(Path::new("r/bamboo-specs/readme.md")));
        assert!(is_runner_candidate("docker-compose.runner.yml"));
        assert!(is_runner_candidate("compose.yaml"));
        assert!(is_runner_candidate("start-runner.sh"));
        assert!(!is_runner_candidate("runner.yml"));
    }
}
