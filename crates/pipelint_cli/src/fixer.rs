//! `--fix` and `--diff`: applying fixes to files on disk.
//!
//! Writing is atomic (a temporary file in the same folder, then a rename, keeping the
//! file's permissions), refuses to touch a file that changed since it was read, and keeps
//! a byte-order mark. Line endings and comments are kept by the fixes themselves, which
//! only replace the bytes they name.

use std::io::Write;
use std::path::Path;

use similar::TextDiff;

/// The file's content as it was read, to detect a change before writing.
pub struct Original {
    pub bytes: Vec<u8>,
    pub bom: bool,
}

/// Writes `text` (plus the BOM when the original had one) over `path` atomically, unless
/// the file no longer holds `original`.
pub fn write_atomically(path: &Path, original: &Original, text: &str) -> Result<(), String> {
    let now =
        std::fs::read(path).map_err(|e| format!("cannot read it again before writing: {e}"))?;
    if now != original.bytes {
        return Err("the file changed while pipelint was checking it; not written".into());
    }
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "pipelines".into());
    let tmp = dir.join(format!(".{name}.pipelint-{}.tmp", std::process::id()));
    let result = (|| {
        let mut file = std::fs::File::create(&tmp)?;
        if original.bom {
            file.write_all("\u{feff}".as_bytes())?;
        }
        file.write_all(text.as_bytes())?;
        file.sync_all()?;
        if let Ok(meta) = std::fs::metadata(path) {
            std::fs::set_permissions(&tmp, meta.permissions())?;
        }
        std::fs::rename(&tmp, path)
    })();
    if let Err(e) = result {
        let _ = std::fs::remove_file(&tmp);
        return Err(format!("cannot write: {e}"));
    }
    Ok(())
}

/// A unified diff of the fix, `--- path` / `+++ path`.
pub fn unified_diff(path: &str, before: &str, after: &str) -> String {
    TextDiff::from_lines(before, after)
        .unified_diff()
        .context_radius(3)
        .header(path, path)
        .to_string()
}
