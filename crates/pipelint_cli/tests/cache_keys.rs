//! End-to-end: `cache/key-files-missing` looks at the files of the repository that holds the
//! pipeline file (respecting .gitignore), and says nothing for standard input or for a file
//! outside a repository.

use std::io::Write;
use std::path::Path;
use std::process::{Output, Stdio};

mod common;
use common::{pipelint, stdout, tempdir};

const PIPELINE: &str = "definitions:
  caches:
    npm:
      key:
        files:
          - package-lock.json
          - \"**/yarn.lock\"
          - generated.lock
      path: ~/.npm
pipelines:
  default:
    - step:
        caches: [npm]
        script: [npm ci]
";

fn check(dir: &Path, args: &[&str]) -> Output {
    pipelint()
        .args([
            "check",
            "--select",
            "cache/key-files-missing",
            "--format",
            "concise",
        ])
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run pipelint")
}

#[test]
fn key_files_are_looked_up_beside_the_pipeline_file() {
    let dir = tempdir("cache-keys");
    let repo = dir.join("repo");
    std::fs::create_dir_all(repo.join("web")).expect("mkdir");
    std::fs::create_dir_all(repo.join(".git")).expect("mkdir");
    std::fs::write(repo.join("bitbucket-pipelines.yml"), PIPELINE).expect("write");
    std::fs::write(repo.join("web/yarn.lock"), "").expect("write");
    // Ignored files are not in a clone, so they do not count.
    std::fs::write(repo.join(".gitignore"), "generated.lock\n").expect("write");
    std::fs::write(repo.join("generated.lock"), "").expect("write");

    // Run from outside the repository: patterns are relative to the file's directory.
    let o = check(&dir, &["repo/bitbucket-pipelines.yml"]);
    let out = stdout(&o);
    let lines: Vec<&str> = out.lines().filter(|l| l.contains("[cache/")).collect();
    assert_eq!(lines.len(), 2, "{out}");
    assert!(
        lines[0].starts_with("repo/bitbucket-pipelines.yml:6:13: warning [cache/key-files-missing] no file matches `package-lock.json`"),
        "{out}"
    );
    assert!(lines[1].contains("`generated.lock`"), "{out}");
    assert_eq!(o.status.code(), Some(0), "warnings only");

    // With the lock file committed, only the ignored one is left.
    std::fs::write(repo.join("package-lock.json"), "{}").expect("write");
    let o = check(&repo, &["bitbucket-pipelines.yml"]);
    let out = stdout(&o);
    assert_eq!(out.matches("[cache/key-files-missing]").count(), 1, "{out}");
}

#[test]
fn a_file_outside_a_repository_has_no_workspace() {
    // The system's temporary directory, not the target directory (which may sit in a
    // repository).
    let dir = std::env::temp_dir().join(format!("pipelint-cache-keys-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create temp dir");
    std::fs::write(dir.join("bitbucket-pipelines.yml"), PIPELINE).expect("write");
    if dir.ancestors().any(|d| d.join(".git").exists()) {
        return; // The target directory is inside a repository: nothing to show here.
    }
    let o = check(&dir, &["bitbucket-pipelines.yml"]);
    let _ = std::fs::remove_dir_all(&dir);
    assert!(!stdout(&o).contains("key-files-missing"), "{}", stdout(&o));
}

#[test]
fn the_repository_root_is_where_key_files_are_found() {
    let dir = tempdir("cache-keys-nested");
    std::fs::create_dir_all(dir.join(".git")).expect("mkdir");
    std::fs::create_dir_all(dir.join("ci")).expect("mkdir");
    std::fs::write(dir.join("ci/shared-pipelines.yml"), PIPELINE).expect("write");
    for f in ["package-lock.json", "yarn.lock", "generated.lock"] {
        std::fs::write(dir.join(f), "").expect("write");
    }
    let o = check(&dir, &["ci/shared-pipelines.yml"]);
    assert!(!stdout(&o).contains("key-files-missing"), "{}", stdout(&o));
}

#[test]
fn standard_input_has_no_workspace() {
    let dir = tempdir("cache-keys-stdin");
    let mut child = pipelint()
        .args(["check", "-", "--select", "cache/key-files-missing"])
        .current_dir(&dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("spawn");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(PIPELINE.as_bytes())
        .expect("write");
    let o = child.wait_with_output().expect("wait");
    assert_eq!(o.status.code(), Some(0));
    assert!(!stdout(&o).contains("key-files-missing"), "{}", stdout(&o));
}
