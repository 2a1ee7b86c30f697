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
    let mut dir = std::path::absolute(dir).ok()?;
    loop {
        for name in NAMES {
            let candidate = dir.join(name);
            if candidate.is_file() {
                return Some(candidate);
            }
        }
        if dir.join(".git").exists() || !dir.pop() {
            return None;
        }
    }
}

/// Reads and parses a configuration file; the error is ready to print.
pub fn load(path: &Path) -> Result<Loaded, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("{}: cannot read: {e}", path.display()))?;
    let config = Config::parse(&text).map_err(|errors| {
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
