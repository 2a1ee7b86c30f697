//! `--fix` and `--diff` end to end: fixes are written atomically, keep comments, CRLF line
//! endings, a BOM and permissions; a second run finds nothing to fix; the fixed file
//! re-checks without new findings; `--diff` writes nothing.

use std::path::PathBuf;
use std::process::Command;

mod common;
use common::run;

fn tempdir(name: &str) -> PathBuf {
    common::tempdir(&format!("fix-{name}"))
}

const BROKEN: &str = "# CI for the app\nimage: node:22\npipelines:\n  default:\n    - step:\n        cache: [node]  # npm cache\n        max_time: 10\n        script: [npm test]\n";
const FIXED: &str = "# CI for the app\nimage: node:22\npipelines:\n  default:\n    - step:\n        caches: [node]  # npm cache\n        max-time: 10\n        script: [npm test]\n";

#[test]
fn fix_writes_keeps_comments_and_is_idempotent() {
    let dir = tempdir("basic");
    let file = dir.join("bitbucket-pipelines.yml");
    std::fs::write(&file, BROKEN).expect("write");
    let o = run(&["check", "--fix", "--format", "json"], &dir);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert_eq!(std::fs::read_to_string(&file).expect("read"), FIXED);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    assert_eq!(
        v["diagnostics"].as_array().map(Vec::len),
        Some(0),
        "the fixed file re-checks clean"
    );
    assert!(String::from_utf8_lossy(&o.stderr).contains("fixed 2 problems"));
    // A second run has nothing to fix and leaves the file alone.
    let o = run(&["check", "--fix"], &dir);
    assert!(String::from_utf8_lossy(&o.stderr).contains("fixed 0 problems"));
    assert_eq!(std::fs::read_to_string(&file).expect("read"), FIXED);
    // No temporary file is left behind.
    let names: Vec<String> = std::fs::read_dir(&dir)
        .expect("dir")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["bitbucket-pipelines.yml"]);
}

#[test]
fn fix_keeps_crlf_bom_and_permissions() {
    let dir = tempdir("crlf");
    let file = dir.join("bitbucket-pipelines.yml");
    let crlf = format!("\u{feff}{}", BROKEN.replace('\n', "\r\n"));
    std::fs::write(&file, &crlf).expect("write");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o640)).expect("chmod");
    }
    let o = run(&["check", "--fix"], &dir);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );
    let after = std::fs::read_to_string(&file).expect("read");
    assert_eq!(after, format!("\u{feff}{}", FIXED.replace('\n', "\r\n")));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&file).expect("meta").permissions().mode() & 0o777;
        assert_eq!(mode, 0o640);
    }
}

#[test]
fn diff_shows_and_writes_nothing() {
    let dir = tempdir("diff");
    let file = dir.join("bitbucket-pipelines.yml");
    std::fs::write(&file, BROKEN).expect("write");
    let o = run(&["check", "--diff"], &dir);
    assert_eq!(o.status.code(), Some(1));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains("--- bitbucket-pipelines.yml"), "{out}");
    assert!(
        out.contains("\n-        cache: [node]  # npm cache\n"),
        "{out}"
    );
    assert!(
        out.contains("\n+        caches: [node]  # npm cache\n"),
        "{out}"
    );
    assert_eq!(std::fs::read_to_string(&file).expect("read"), BROKEN);
    std::fs::write(&file, FIXED).expect("write");
    assert_eq!(run(&["check", "--diff"], &dir).status.code(), Some(0));
}

#[test]
fn stdin_fix_prints_the_fixed_text() {
    use std::io::Write;
    let dir = tempdir("stdin");
    let mut child = Command::new(env!("CARGO_BIN_EXE_pipelint"))
        .args(["check", "--fix", "-"])
        .current_dir(&dir)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(BROKEN.as_bytes())
        .expect("write");
    let o = child.wait_with_output().expect("wait");
    assert_eq!(String::from_utf8_lossy(&o.stdout), FIXED);
}
