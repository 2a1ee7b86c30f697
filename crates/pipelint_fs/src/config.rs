//! Finding and loading `pipelint.toml` / `.pipelint.toml`: from the checked file's folder
//! upward to the repository root (the folder holding `.git`), or the file `--config` names.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use pipelint_core::config::Config;

pub const NAMES: &[&str] = &["pipelint.toml", ".pipelint.toml"];

/// A loaded configuration and the folder its relative paths start from.
#[derive(Debug)]
pub struct Loaded {
    pub path: PathBuf,
    pub dir: PathBuf,
    pub config: Config,
}

impl Loaded {
    /// `file` relative to the configuration's folder, with `/` separators.
    pub fn relative(&self, file: &Path) -> String {
        let abs = std::path::absolute(file).unwrap_or_else(|_| file.to_path_buf());
        let rel = abs.strip_prefix(&self.dir).unwrap_or(&abs);
        rel.to_string_lossy().replace('\\', "/")
    }
}

/// The configuration file that applies to files in `dir`, if any.
pub fn find(dir: &Path) -> Option<PathBuf> {
    find_within(dir, None)
}

/// Whether a file name is one of the configuration file's names.
pub fn is_config_name(name: &str) -> bool {
    NAMES.contains(&name)
}

/// The configuration file for files in `dir`, looking upward no further than the
/// repository root (a folder holding `.git`) nor than `ceiling` (the editor's workspace
/// folder), when `dir` is inside it.
pub fn find_within(dir: &Path, ceiling: Option<&Path>) -> Option<PathBuf> {
    let mut dir = std::path::absolute(dir).ok()?;
    let ceiling = ceiling
        .and_then(|c| std::path::absolute(c).ok())
        .filter(|c| dir.starts_with(c));
    loop {
        for name in NAMES {
            let candidate = dir.join(name);
            if candidate.is_file() {
                return Some(candidate);
            }
        }
        if dir.join(".git").exists() || ceiling.as_ref() == Some(&dir) || !dir.pop() {
            return None;
        }
    }
}

/// Reads and parses a configuration file; the error is ready to print.
pub fn load(path: &Path) -> Result<Loaded, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("{}: cannot read: {e}", path.display()))?;
    parse_at(path, &text)
}

/// Parses the text of the configuration file at `path`; the error is ready to print, one
/// problem a line, each with the file and the line.
pub fn parse_at(path: &Path, text: &str) -> Result<Loaded, String> {
    let config = Config::parse(text).map_err(|errors| {
        errors
            .iter()
            .map(|e| match e.line {
                Some(line) => format!("{}:{line}: {}", path.display(), e.message),
                None => format!("{}: {}", path.display(), e.message),
            })
            .collect::<Vec<_>>()
            .join("\n")
    })?;
    let abs = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let dir = abs.parent().map(Path::to_path_buf).unwrap_or_default();
    Ok(Loaded {
        path: path.to_path_buf(),
        dir,
        config,
    })
}

/// Loads each configuration file once.
#[derive(Default)]
pub struct Cache {
    explicit: Option<PathBuf>,
    loaded: HashMap<PathBuf, Option<std::rc::Rc<Loaded>>>,
}

impl Cache {
    pub fn new(explicit: Option<PathBuf>) -> Self {
        Cache {
            explicit,
            loaded: HashMap::new(),
        }
    }

    /// The configuration for a file in `dir` (or the explicit one).
    pub fn for_dir(&mut self, dir: &Path) -> Result<Option<std::rc::Rc<Loaded>>, String> {
        let path = match &self.explicit {
            Some(p) => Some(p.clone()),
            None => find(dir),
        };
        let Some(path) = path else { return Ok(None) };
        if let Some(hit) = self.loaded.get(&path) {
            return Ok(hit.clone());
        }
        let loaded = std::rc::Rc::new(load(&path)?);
        self.loaded.insert(path, Some(loaded.clone()));
        Ok(Some(loaded))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn found_upward_but_not_past_the_repository_or_the_ceiling() {
        let base = std::env::temp_dir().join(format!("pipelint-cfg-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&base);
        let repo = base.join("repo");
        let deep = repo.join("a/b");
        std::fs::create_dir_all(&deep).expect("mkdir");
        std::fs::create_dir_all(repo.join(".git")).expect("mkdir");
        std::fs::write(base.join("pipelint.toml"), "").expect("write");
        assert_eq!(find(&deep), None, "the repository root stops the search");
        std::fs::write(repo.join(".pipelint.toml"), "").expect("write");
        assert_eq!(find(&deep), Some(repo.join(".pipelint.toml")));
        assert_eq!(find_within(&deep, Some(&repo.join("a"))), None);
        assert_eq!(
            find_within(&deep, Some(Path::new("/elsewhere"))),
            Some(repo.join(".pipelint.toml")),
            "a ceiling the folder is not inside does not count"
        );
        std::fs::write(repo.join("a/pipelint.toml"), "").expect("write");
        assert_eq!(
            find_within(&deep, Some(&repo.join("a"))),
            Some(repo.join("a/pipelint.toml"))
        );
        assert!(is_config_name(".pipelint.toml") && !is_config_name("pipelint.yml"));
        let _ = std::fs::remove_dir_all(&base);
    }

    #[test]
    fn errors_name_the_file_and_line() {
        let err = parse_at(
            Path::new("/r/pipelint.toml"),
            "[rules]\n\"nope/x\" = \"off\"\n",
        )
        .expect_err("invalid");
        assert!(err.starts_with("/r/pipelint.toml:2: `nope/x`"), "{err}");
    }
}
