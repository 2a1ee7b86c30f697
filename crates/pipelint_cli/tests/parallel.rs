//! `pipelint check` checks many files on several threads and reports exactly what one
//! thread reports: the same standard output in every format, the same standard error in
//! the same order, the same exit status. Compares outputs only; never times anything.

use std::path::Path;
use std::process::Output;

mod common;
use common::{pipelint, stderr, stdout, tempdir};

const EXAMPLE: &str = include_str!("../../../examples/bitbucket-pipelines.yml");

/// Imports a shared file that has problems of its own.
const IMPORTING: &str = "\
image: node:20
definitions:
  imports:
    shared: .bitbucket/shared-pipelines.yml
pipelines:
  default:
    import: build@shared
  branches:
    main:
      import: missing@shared
";

const SHARED: &str = "\
definitions:
  pipelines:
    build:
      - step:
          name: Build
          scrpt:
            - npm ci
";

const SMALL: &str = "\
pipelines:
  default:
    - step:
        image: node
        script:
          - docker build .
";

fn write(path: &Path, bytes: &[u8]) {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).expect("mkdir");
    }
    std::fs::write(path, bytes).expect("write");
}

/// 200 repositories with findings: copies of the example, files that import a shared
/// file (found again by the directory search), small files, and a few that cannot be read.
fn many_files(name: &str) -> std::path::PathBuf {
    let dir = tempdir(name);
    for i in 0..200 {
        let repo = dir.join(format!("repo{i:03}"));
        let main = repo.join("bitbucket-pipelines.yml");
        match i % 5 {
            0 | 1 => write(&main, EXAMPLE.as_bytes()),
            2 => {
                write(&main, IMPORTING.as_bytes());
                write(
                    &repo.join(".bitbucket/shared-pipelines.yml"),
                    SHARED.as_bytes(),
                );
            }
            3 if i % 25 == 3 => write(&main, b"image: caf\xe9\n"),
            _ => write(&main, SMALL.as_bytes()),
        }
    }
    dir
}

fn check(dir: &Path, args: &[&str], threads: Option<&str>) -> Output {
    let mut cmd = pipelint();
    cmd.arg("check").args(args).current_dir(dir);
    // Both the flag and the variable: the flag wins.
    cmd.env("PIPELINT_THREADS", "1");
    if let Some(n) = threads {
        cmd.args(["--threads", n]);
    } else {
        cmd.env_remove("PIPELINT_THREADS");
    }
    cmd.output().expect("run pipelint")
}

fn assert_same(one: &Output, many: &Output, what: &str) {
    assert_eq!(one.status.code(), many.status.code(), "{what}: exit status");
    assert!(
        stdout(one) == stdout(many),
        "{what}: standard output differs between one thread and several"
    );
    assert_eq!(stderr(one), stderr(many), "{what}: standard error");
}

#[test]
fn many_files_on_many_threads_report_as_one_thread_does() {
    let dir = many_files("parallel_many");
    for format in ["human", "concise", "json", "sarif", "junit"] {
        let args = ["--format", format, "--color", "never", "."];
        let one = check(&dir, &args, Some("1"));
        for threads in [Some("2"), Some("7"), None] {
            let many = check(&dir, &args, threads);
            assert_same(&one, &many, &format!("{format}, threads {threads:?}"));
        }
        if format == "json" {
            // The run is worth comparing: every readable file is reported, with findings,
            // shared files included, and the unreadable ones are said on standard error.
            let v: serde_json::Value = serde_json::from_slice(&one.stdout).expect("json output");
            let diagnostics = v["diagnostics"].as_array().expect("diagnostics");
            let paths: std::collections::BTreeSet<&str> = diagnostics
                .iter()
                .filter_map(|d| d["path"].as_str())
                .collect();
            assert!(paths.len() >= 190, "{} files with findings", paths.len());
            assert!(paths.iter().any(|p| p.ends_with("shared-pipelines.yml")));
            assert_eq!(stderr(&one).matches("not valid UTF-8").count(), 8);
            assert_eq!(one.status.code(), Some(1));
        }
    }
}

#[test]
fn named_files_and_imports_keep_their_order_and_are_checked_once() {
    let dir = many_files("parallel_named");
    // The files named in reverse, some twice, and the directories after them: the report
    // follows the order of the arguments, each file once.
    let mut args: Vec<String> = vec!["--format".into(), "concise".into()];
    for i in (0..200).rev() {
        args.push(format!("repo{i:03}/bitbucket-pipelines.yml"));
        if i % 9 == 0 {
            args.push(format!("repo{i:03}/bitbucket-pipelines.yml"));
        }
    }
    args.push(".".into());
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let one = check(&dir, &args, Some("1"));
    let many = check(&dir, &args, Some("4"));
    assert_same(&one, &many, "named files");
    let out = stdout(&one);
    let first = out.find("repo199/").expect("repo199 reported");
    let last = out.find("repo000/").expect("repo000 reported");
    assert!(first < last, "reports follow the order of the arguments");
    let diff = check(&dir, &["--diff", "."], Some("1"));
    let diff_many = check(&dir, &["--diff", "."], Some("3"));
    assert_same(&diff, &diff_many, "--diff");
}

#[test]
fn parse_only_reads_and_parses_and_prints_nothing() {
    let dir = tempdir("parallel_parse_only");
    write(&dir.join("a/bitbucket-pipelines.yml"), EXAMPLE.as_bytes());
    write(&dir.join("b/bitbucket-pipelines.yml"), SMALL.as_bytes());
    let o = check(&dir, &["--parse-only", "."], None);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(stdout(&o), "");
    write(&dir.join("c/bitbucket-pipelines.yml"), b"image: caf\xe9\n");
    let o = check(&dir, &["--parse-only", "."], None);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("c/bitbucket-pipelines.yml"),
        "{}",
        stderr(&o)
    );
    // Hidden: not in the help.
    let help = pipelint().args(["check", "--help"]).output().expect("run");
    assert!(!stdout(&help).contains("parse-only"));
    assert!(!stdout(&help).contains("--threads"));
}
