//! Reading the files an `import:` names: the [`Resolver`] the CLI gives core. Paths are
//! relative to the repository root, taken to be the directory of the checked
//! `bitbucket-pipelines.yml` (Bitbucket reads that file at the root of the repository).
//! Nothing outside that directory is read: absolute paths, `..` and links that lead out
//! of it are refused.

use std::io::Read;
use std::path::{Component, Path, PathBuf};

use pipelint_core::share::{Resolution, Resolver};

/// Imported files larger than this are not read.
pub const MAX_IMPORTED_BYTES: u64 = 8 * 1024 * 1024;

/// Reads files below one directory.
#[derive(Debug, Clone)]
pub struct DirResolver {
    /// The directory as given, for display paths.
    root: PathBuf,
    /// The directory with links resolved, to tell whether a file stays inside it.
    canonical: Option<PathBuf>,
}

impl DirResolver {
    /// A resolver for the repository whose root is `root`.
    pub fn new(root: &Path) -> Self {
        let root = if root.as_os_str().is_empty() {
            PathBuf::from(".")
        } else {
            root.to_path_buf()
        };
        let canonical = std::fs::canonicalize(&root).ok();
        DirResolver { root, canonical }
    }

    /// The resolver for the repository of the file at `file`: its directory.
    pub fn for_file(file: &Path) -> Self {
        DirResolver::new(file.parent().unwrap_or(Path::new(".")))
    }

    /// The file a relative path names, as a path to show and open; `None` when the path
    /// would leave the directory.
    pub fn path_of(&self, relative: &str) -> Option<PathBuf> {
        let mut out = self.root.clone();
        for comp in Path::new(relative).components() {
            match comp {
                Component::Normal(part) => out.push(part),
                Component::CurDir => {}
                Component::ParentDir | Component::RootDir | Component::Prefix(_) => {
                    return None;
                }
            }
        }
        if relative.contains('\\') || out == self.root {
            return None;
        }
        Some(out)
    }
}

impl Resolver for DirResolver {
    fn read(&self, path: &str) -> Resolution {
        let Some(full) = self.path_of(path) else {
            return Resolution::Unreadable(
                "the path leaves the repository; pipelint reads only files inside it".into(),
            );
        };
        let real = match std::fs::canonicalize(&full) {
            Ok(real) => real,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Resolution::Missing,
            Err(e) => return Resolution::Unreadable(e.to_string()),
        };
        if let Some(root) = &self.canonical
            && !real.starts_with(root)
        {
            return Resolution::Unreadable(
                "it is a link to a file outside the repository; pipelint does not follow it".into(),
            );
        }
        match std::fs::metadata(&real) {
            Ok(meta) if meta.is_dir() => {
                return Resolution::Unreadable("it is a directory".into());
            }
            Ok(meta) if meta.len() > MAX_IMPORTED_BYTES => {
                return Resolution::Unreadable(format!(
                    "it is {} bytes; pipelint reads files up to {MAX_IMPORTED_BYTES} bytes",
                    meta.len()
                ));
            }
            Ok(_) => {}
            Err(e) => return Resolution::Unreadable(e.to_string()),
        }
        let mut bytes = Vec::new();
        let read = std::fs::File::open(&real)
            .and_then(|f| f.take(MAX_IMPORTED_BYTES + 1).read_to_end(&mut bytes));
        if let Err(e) = read {
            return Resolution::Unreadable(e.to_string());
        }
        if bytes.len() as u64 > MAX_IMPORTED_BYTES {
            return Resolution::Unreadable(format!("it is larger than {MAX_IMPORTED_BYTES} bytes"));
        }
        match String::from_utf8(bytes) {
            Ok(text) if text.contains('\0') => {
                Resolution::Unreadable("it holds NUL bytes; it looks binary, not like YAML".into())
            }
            Ok(text) => Resolution::Found(match text.strip_prefix('\u{feff}') {
                Some(rest) => rest.to_owned(),
                None => text,
            }),
            Err(_) => Resolution::Unreadable("it is not valid UTF-8".into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_stay_inside() {
        let r = DirResolver::new(Path::new("repo"));
        assert_eq!(
            r.path_of(".bitbucket/shared-pipelines.yml"),
            Some(PathBuf::from("repo/.bitbucket/shared-pipelines.yml"))
        );
        assert_eq!(
            r.path_of("./ci/x-pipelines.yml"),
            Some(PathBuf::from("repo/ci/x-pipelines.yml"))
        );
        assert_eq!(r.path_of("../other/x-pipelines.yml"), None);
        assert_eq!(r.path_of("/etc/passwd"), None);
        assert_eq!(r.path_of("a/../../x"), None);
        assert_eq!(r.path_of("."), None);
        assert_eq!(r.path_of("a\\b"), None);
    }
}
