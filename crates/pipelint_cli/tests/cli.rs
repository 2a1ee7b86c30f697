//! End-to-end tests of the `pipelint` binary: the CLI contract (paths, formats, exit
//! status) and bad input.

use std::io::Write;
use std::process::Stdio;

mod common;
use common::{pipelint, run, stderr, stdout, tempdir};

const GOOD: &str = "image: node:20\npipelines:\n  default:\n    - step:\n        name: test\n        script:\n          - npm ci\n          - npm test\n";
const TYPO: &str = "image: node:20\npipelines:\n  default:\n    - step:\n        script:\n          - npm test\n        cache:\n          - node\n";

#[test]
fn version_and_help() {
    let dir = tempdir("version");
    let o = run(&["--version"], &dir);
    assert!(o.status.success());
    assert!(stdout(&o).starts_with("pipelint "), "{}", stdout(&o));
    let o = run(&["--help"], &dir);
    assert!(o.status.success());
    assert!(stdout(&o).contains("Examples:"));
    let o = run(&["check", "--help"], &dir);
    assert!(stdout(&o).contains("--format"));
}

#[test]
fn clean_file_exits_zero() {
    let dir = tempdir("clean");
    std::fs::write(dir.join("bitbucket-pipelines.yml"), GOOD).expect("write");
    let o = run(&["check"], &dir);
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    assert!(stdout(&o).contains("No problems found in 1 file."));
}

#[test]
fn warning_only_exits_zero_and_human_output_shows_the_place() {
    let dir = tempdir("typo");
    std::fs::write(dir.join("bitbucket-pipelines.yml"), TYPO).expect("write");
    let o = run(&["check", "bitbucket-pipelines.yml"], &dir);
    assert_eq!(o.status.code(), Some(0));
    let out = stdout(&o);
    assert!(
        out.contains("bitbucket-pipelines.yml:7:9: warning[schema/unknown-key]"),
        "{out}"
    );
    assert!(out.contains("did you mean `caches`?"), "{out}");
    assert!(out.contains("7 |         cache:"), "{out}");
    assert!(out.contains("^^^^^"), "{out}");
    assert!(out.contains("= help: rename it to `caches`"), "{out}");
}

#[test]
fn errors_exit_one() {
    let dir = tempdir("errors");
    std::fs::write(
        dir.join("bitbucket-pipelines.yml"),
        "pipelines:\n  default:\n    - step:\n        max-time: 800\n        script: [make]\n",
    )
    .expect("write");
    let o = run(&["check"], &dir);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
}

#[test]
fn json_format_is_the_versioned_contract() {
    let dir = tempdir("json");
    std::fs::write(dir.join("bitbucket-pipelines.yml"), TYPO).expect("write");
    let o = run(&["check", "--format", "json"], &dir);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("valid JSON");
    assert_eq!(v["version"], 1);
    assert_eq!(v["files_checked"], 1);
    let d = &v["diagnostics"][0];
    assert_eq!(d["path"], "bitbucket-pipelines.yml");
    assert_eq!(d["rule"], "schema/unknown-key");
    assert_eq!(d["severity"], "warning");
    assert_eq!(d["line"], 7);
    assert_eq!(d["column"], 9);
    assert_eq!(d["end_line"], 7);
    assert_eq!(d["end_column"], 14);
    assert_eq!(d["help"], "rename it to `caches`");
    assert_eq!(d["route"], "pipelines > default > 0 > step > cache");
    assert!(d["related"].is_array());
    assert_eq!(d["fix"]["applicability"], "safe");
    assert_eq!(d["fix"]["edits"][0]["content"], "caches");
    assert_eq!(d["fix"]["edits"][0]["line"], 7);
}

#[test]
fn columns_count_characters() {
    let dir = tempdir("unicode");
    std::fs::write(
        dir.join("bitbucket-pipelines.yml"),
        "pipelines:\n  default:\n    - step: {name: \"🚀 é\", scripts: [x], script: [y]}\n",
    )
    .expect("write");
    let o = run(&["check", "--format", "json"], &dir);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    let d = v["diagnostics"]
        .as_array()
        .and_then(|all| all.iter().find(|d| d["rule"] == "schema/unknown-key"))
        .expect("the unknown key is reported");
    // `    - step: {name: "🚀 é", ` is 26 characters; the emoji counts as one.
    assert_eq!(d["column"], 27, "{d}");
}

#[test]
fn stdin_with_a_name() {
    let dir = tempdir("stdin");
    let mut child = pipelint()
        .args([
            "check",
            "-",
            "--stdin-filename",
            "ci/bitbucket-pipelines.yml",
            "--format",
            "concise",
        ])
        .current_dir(&dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("spawn");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(TYPO.as_bytes())
        .expect("write stdin");
    let o = child.wait_with_output().expect("wait");
    assert_eq!(
        stdout(&o),
        "ci/bitbucket-pipelines.yml:7:9: warning [schema/unknown-key] unknown key `cache` in `step`; did you mean `caches`?\n"
    );
}

#[test]
fn missing_path_exits_two() {
    let dir = tempdir("missing");
    let o = run(&["check", "nope.yml"], &dir);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("nope.yml"), "{}", stderr(&o));
}

#[test]
fn directory_without_pipeline_files() {
    let dir = tempdir("nofiles");
    std::fs::write(dir.join("other.yml"), "a: 1\n").expect("write");
    let o = run(&["check"], &dir);
    assert_eq!(o.status.code(), Some(0));
    assert!(
        stderr(&o).contains("no bitbucket-pipelines.yml under ."),
        "{}",
        stderr(&o)
    );
    assert!(stdout(&o).contains("No problems found in 0 files."));
}

#[test]
fn directory_search_respects_gitignore_and_sorts() {
    let dir = tempdir("walk");
    for sub in ["b", "a", "ignored"] {
        std::fs::create_dir_all(dir.join(sub)).expect("mkdir");
        std::fs::write(dir.join(sub).join("bitbucket-pipelines.yml"), TYPO).expect("write");
    }
    std::fs::create_dir_all(dir.join(".git")).expect("git dir");
    std::fs::write(dir.join(".gitignore"), "ignored/\n").expect("write");
    let o = run(&["check", "--format", "concise"], &dir);
    let out = stdout(&o);
    let paths: Vec<&str> = out
        .lines()
        .map(|l| l.split(':').next().unwrap_or(""))
        .collect();
    assert_eq!(
        paths,
        ["a/bitbucket-pipelines.yml", "b/bitbucket-pipelines.yml"],
        "{out}"
    );
}

#[test]
fn bad_inputs_are_reported_and_others_still_checked() {
    let dir = tempdir("bad");
    let cases: &[(&str, &[u8])] = &[
        ("not-yaml.yml", b"pipelines:\n  default: [\n"),
        ("empty.yml", b""),
        ("list.yml", b"- step:\n    script: [x]\n"),
        ("scalar.yml", b"just some text\n"),
        ("binary.yml", b"\x00\x01\x02pipelines"),
        ("latin1.yml", b"name: caf\xe9\n"),
    ];
    for (name, bytes) in cases {
        std::fs::write(dir.join(name), bytes).expect("write");
    }
    std::fs::write(dir.join("good.yml"), GOOD).expect("write");
    let mut args = vec!["check", "--format", "json"];
    args.extend(cases.iter().map(|(n, _)| *n));
    args.push("good.yml");
    let o = run(&args, &dir);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(
        err.contains("binary.yml: the file holds NUL bytes"),
        "{err}"
    );
    assert!(
        err.contains("latin1.yml: the file is not valid UTF-8"),
        "{err}"
    );
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    assert_eq!(v["files_checked"], 5, "the readable files are all checked");
    let rules_for = |file: &str| -> Vec<String> {
        v["diagnostics"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|d| d["path"] == file)
            .map(|d| d["rule"].as_str().unwrap_or("").to_owned())
            .collect()
    };
    assert_eq!(rules_for("not-yaml.yml"), ["yaml/syntax"]);
    assert!(!rules_for("list.yml").is_empty());
    assert!(!rules_for("scalar.yml").is_empty());
    assert!(
        !rules_for("empty.yml").is_empty(),
        "an empty file says what is missing"
    );
    assert!(rules_for("good.yml").is_empty());
}

#[test]
fn unknown_select_exits_two() {
    let dir = tempdir("select");
    let o = run(&["check", "--select", "nope/rule"], &dir);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("no such rule"));
}

#[test]
fn rules_listing_and_docs() {
    let dir = tempdir("rules");
    let o = run(&["rules", "--format", "json"], &dir);
    assert!(o.status.success());
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    let list = v.as_array().expect("array");
    assert!(list.len() >= 10);
    for r in list {
        for field in ["id", "severity", "summary", "has_fix"] {
            assert!(!r[field].is_null(), "{r} lacks {field}");
        }
    }
    let o = run(&["rule", "yaml/duplicate-key"], &dir);
    assert!(o.status.success());
    assert!(stdout(&o).contains("## Why is this bad?"));
    let o = run(&["rule", "yaml/duplicate-keys"], &dir);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("did you mean `yaml/duplicate-key`?"));
}

#[test]
fn bad_arguments_exit_two() {
    let dir = tempdir("args");
    let o = run(&["check", "--format", "xml"], &dir);
    assert_eq!(o.status.code(), Some(2));
    let o = run(&["frobnicate"], &dir);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn exit_zero_and_fail_on() {
    let dir = tempdir("failon");
    std::fs::write(dir.join("bitbucket-pipelines.yml"), TYPO).expect("write");
    // A warning only: 0 by default, 1 with --fail-on warning, 0 again with --exit-zero.
    assert_eq!(run(&["check"], &dir).status.code(), Some(0));
    assert_eq!(
        run(&["check", "--fail-on", "warning"], &dir).status.code(),
        Some(1)
    );
    assert_eq!(
        run(&["check", "--fail-on", "info"], &dir).status.code(),
        Some(1)
    );
    assert_eq!(
        run(&["check", "--fail-on", "warning", "--exit-zero"], &dir)
            .status
            .code(),
        Some(0)
    );
    assert_eq!(
        run(&["check", "nope.yml", "--exit-zero"], &dir)
            .status
            .code(),
        Some(2)
    );
}

#[test]
fn output_to_a_file_and_code_insights_to_a_directory() {
    let dir = tempdir("output");
    std::fs::write(dir.join("bitbucket-pipelines.yml"), TYPO).expect("write");
    let o = run(
        &["check", "--format", "sarif", "--output", "out.sarif"],
        &dir,
    );
    assert_eq!(o.status.code(), Some(0));
    assert!(stdout(&o).is_empty());
    let sarif: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("out.sarif")).expect("written"))
            .expect("json");
    assert_eq!(sarif["version"], "2.1.0");
    let o = run(
        &["check", "--format", "code-insights", "--output", "insights"],
        &dir,
    );
    assert_eq!(o.status.code(), Some(0));
    let report: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.join("insights/report.json")).expect("report"),
    )
    .expect("json");
    assert_eq!(report["result"], "PASSED");
    assert_eq!(report["reporter"], "pipelint");
    let annotations: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.join("insights/annotations.json")).expect("annotations"),
    )
    .expect("json");
    assert_eq!(annotations[0]["path"], "bitbucket-pipelines.yml");
    assert_eq!(annotations[0]["line"], 7);
    assert_eq!(annotations[0]["annotation_type"], "CODE_SMELL");
}
