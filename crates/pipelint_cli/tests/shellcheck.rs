//! script/shellcheck end to end: with shellcheck absent the rule is skipped with one info
//! line; with it present, findings carry the code and the link and point into the YAML;
//! the runner caches by content and handles large scripts. Tests that need the program
//! say SKIPPED without it, except in CI, where they fail.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::Arc;

use pipelint_cli::shellcheck::ProcessChecker;
use pipelint_core::shellcheck::{ScriptJob, ShellChecker};

fn tempdir(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("shellcheck_{name}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create temp dir");
    dir
}

fn run(dir: &Path, args: &[&str], path_var: Option<&Path>) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_pipelint"));
    cmd.args(args).current_dir(dir);
    if let Some(p) = path_var {
        cmd.env("PATH", p);
    }
    cmd.output().expect("run pipelint")
}

const PIPELINE: &str = "pipelines:\n  default:\n    - step:\n        script:\n          - \"echo \\\"out:\\\" $BITBUCKET_CLONE_DIR\"\n";

/// The checker, or `None` (with a note) when shellcheck is not installed outside CI.
fn checker() -> Option<ProcessChecker> {
    match ProcessChecker::find(None) {
        Ok(c) => Some(c),
        Err(message) => {
            assert!(std::env::var_os("CI").is_none(), "CI is set but {message}");
            eprintln!("SKIPPED: {message}");
            None
        }
    }
}

#[test]
fn without_shellcheck_the_rule_is_skipped_with_one_info_line() {
    let dir = tempdir("absent");
    std::fs::write(dir.join("bitbucket-pipelines.yml"), PIPELINE).expect("write");
    std::fs::create_dir_all(dir.join("sub")).expect("mkdir");
    std::fs::write(dir.join("sub/bitbucket-pipelines.yml"), PIPELINE).expect("write");
    let empty = tempdir("absent_path");
    let o = run(&dir, &["check", "."], Some(&empty));
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(0), "{stderr}");
    assert_eq!(
        stderr.matches("pipelint: info:").count(),
        1,
        "one info line for two files: {stderr}"
    );
    assert!(stderr.contains("script/shellcheck is skipped"), "{stderr}");
    // A setting naming a missing program: the same, never an error.
    std::fs::write(
        dir.join("pipelint.toml"),
        "[settings]\nshellcheck-path = \"/nonexistent/shellcheck\"\n",
    )
    .expect("write");
    let o = run(&dir, &["check", "bitbucket-pipelines.yml"], None);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("`shellcheck-path` names"), "{stderr}");
}

#[test]
fn findings_carry_code_link_and_yaml_position() {
    if checker().is_none() {
        return;
    }
    let dir = tempdir("present");
    std::fs::write(dir.join("bitbucket-pipelines.yml"), PIPELINE).expect("write");
    let o = run(&dir, &["check", "--format", "json"], None);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    let found: Vec<&serde_json::Value> = v["diagnostics"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|d| d["rule"] == "script/shellcheck")
        .collect();
    assert_eq!(found.len(), 1, "{v:#}");
    let d = found[0];
    assert!(
        d["message"]
            .as_str()
            .is_some_and(|m| m.starts_with("SC2086: "))
    );
    assert!(
        d["help"]
            .as_str()
            .is_some_and(|h| h.contains("https://www.shellcheck.net/wiki/SC2086"))
    );
    // Line 5, after the escaped quotes: the column of `$BITBUCKET_CLONE_DIR` in the file.
    let line = PIPELINE.lines().nth(4).expect("line 5");
    let column = line.find("$BITBUCKET").expect("variable") + 1;
    assert_eq!(
        (d["line"].as_u64(), d["column"].as_u64()),
        (Some(5), Some(column as u64))
    );
    assert_eq!(
        d["end_column"].as_u64(),
        Some((column + "$BITBUCKET_CLONE_DIR".len()) as u64)
    );
}

#[test]
fn answers_are_cached_by_content_and_large_scripts_do_not_block() {
    let Some(checker) = checker() else {
        return;
    };
    let checker = Arc::new(checker);
    let job = |text: String| ScriptJob {
        text,
        shell: "bash",
        exclude: vec![2154],
    };
    // Large enough to fill a pipe buffer both ways (about 90 KB in, 390 KB out).
    let pad = "p".repeat(200);
    let big: String = (0..400)
        .map(|i| format!("echo $v{i} $x # {pad}\n"))
        .collect();
    let jobs = vec![
        job("echo $x\n".into()),
        job(big),
        job("echo \"$x\"\n".into()),
    ];
    let first = checker.check(&jobs);
    assert_eq!(first.len(), 3);
    assert_eq!(first[0].len(), 1);
    assert!(first[1].len() >= 400, "{}", first[1].len());
    assert!(first[2].is_empty());
    assert_eq!(checker.runs(), 3);
    // The same scripts again: from the cache, no new process.
    let again = checker.check(&jobs);
    assert_eq!(again, first);
    assert_eq!(checker.runs(), 3);
    // One changed script: one process.
    let changed = vec![jobs[0].clone(), job("echo $y\n".into())];
    let answers = checker.check(&changed);
    assert_eq!(answers[1].len(), 1);
    assert_eq!(checker.runs(), 4);
    assert!(checker.take_errors().is_empty());
}
