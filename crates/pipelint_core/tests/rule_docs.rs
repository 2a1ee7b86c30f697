//! The rules' documentation cannot lie: every rule's *Example* triggers exactly that rule,
//! once, and its *Use instead* triggers nothing, with only that rule enabled. Every rule
//! documents the headings, and every id is in the catalog. Examples carry no path: their
//! kind is told from their content (`version: 2` with `plan:` for Bamboo specs, a service
//! running the runner image for compose files, a `#!` line for runner scripts, in a
//! ```` ```sh ```` block), and must be of a kind the rule checks. An example for a rule
//! that depends on the user's setup starts with `# pipelint-settings: plan=free` (see
//! `Settings::from_first_line`).

use std::io::Write;
use std::process::{Command, Stdio};
use std::sync::Arc;

use pipelint_core::shellcheck::{ScriptJob, ShellChecker, ShellFinding};
use pipelint_core::{CheckOptions, FileKind, FileOracle, Selection, Settings, kind, registry};

/// The kind `check` gives a text without a path.
fn kind_of(text: &str) -> FileKind {
    if kind::is_script_text(text) {
        return FileKind::RunnerScript;
    }
    kind::from_content(text, &pipelint_yaml::parse(text, &Default::default()))
}

fn run(rule: &str, yaml: &str) -> Vec<pipelint_core::Diagnostic> {
    let settings = Settings::from_first_line(yaml)
        .unwrap_or_else(|e| panic!("{rule}: bad pipelint-settings line: {e}"));
    let mut opts = CheckOptions {
        settings,
        select: Selection::Only(vec![rule.to_owned()]),
        path: path_comment(yaml),
        ..CheckOptions::default()
    };
    directives(yaml, &mut opts);
    if rule == "script/shellcheck" {
        opts.shellcheck = Some(Arc::new(TestShellcheck));
    }
    pipelint_core::check(yaml, &opts).diagnostics
}

/// `shellcheck` on PATH, run one job at a time (the CLI's checker is tested in its crate).
struct TestShellcheck;

impl ShellChecker for TestShellcheck {
    fn check(&self, jobs: &[ScriptJob]) -> Vec<Vec<ShellFinding>> {
        jobs.iter().map(shellcheck_one).collect()
    }
}

fn shellcheck_one(job: &ScriptJob) -> Vec<ShellFinding> {
    let mut child = Command::new("shellcheck")
        .args(["-f", "json1", "-s", job.shell, "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("shellcheck runs");
    if let Some(mut stdin) = child.stdin.take() {
        stdin
            .write_all(job.text.as_bytes())
            .expect("script written");
    }
    let out = child.wait_with_output().expect("shellcheck answers");
    let answer: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json1");
    let n = |c: &serde_json::Value, k: &str| c[k].as_u64().unwrap_or(0) as usize;
    answer["comments"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|c| !job.exclude.contains(&(n(c, "code") as u32)))
        .map(|c| ShellFinding {
            line: n(c, "line"),
            column: n(c, "column"),
            end_line: n(c, "endLine"),
            end_column: n(c, "endColumn"),
            code: n(c, "code") as u32,
            level: c["level"].as_str().unwrap_or("").to_owned(),
            message: c["message"].as_str().unwrap_or("").to_owned(),
        })
        .collect()
}

/// Whether `shellcheck` can be run. Without it the shellcheck rule's examples are skipped
/// with a note, except in CI (`CI` set), where its absence fails the test.
fn shellcheck_present() -> bool {
    let present = Command::new("shellcheck")
        .arg("--version")
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !present {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI is set but shellcheck is not installed (.ci/run installs it)"
        );
        eprintln!("SKIPPED: script/shellcheck's examples (shellcheck is not installed)");
    }
    present
}

/// Leading comments that set up what a configuration- or workspace-dependent rule needs, so
/// that its documented example shows the setting that turns it on:
/// `# pipelint-settings: plan=free` (also `runner_labels=a,b`, `default_runtime=3`) and
/// `# pipelint-files: package-lock.json, yarn.lock` (the files that exist beside the
/// pipeline file; globs are matched by exact name).
/// A leading comment `# pipelint-files: package-lock.json, yarn.lock` names the files that
/// exist beside the pipeline file (globs are matched by exact name), for the rules that
/// look at the workspace. (`# pipelint-settings:` is read by `Settings::from_first_line`.)
fn directives(yaml: &str, opts: &mut CheckOptions) {
    for line in yaml.lines().take_while(|l| l.starts_with('#')) {
        if let Some(rest) = line.strip_prefix("# pipelint-files:") {
            let files: Vec<String> = rest.split(',').map(|f| f.trim().to_owned()).collect();
            opts.files = Some(FileOracle::new(move |glob| files.iter().any(|f| f == glob)));
        }
    }
}

/// The file name an example is checked under, from a leading comment
/// `# pipelint-path: bitbucket-pipelines.yaml` (for `file/name`); none by default.
fn path_comment(yaml: &str) -> Option<String> {
    yaml.lines()
        .take_while(|l| l.starts_with('#'))
        .find_map(|l| l.strip_prefix("# pipelint-path:"))
        .map(|p| p.trim().to_owned())
}

#[test]
fn examples_trigger_and_corrections_do_not() {
    let mut failures = Vec::new();
    let shellcheck = shellcheck_present();
    for meta in registry::metas() {
        let docs = meta.docs();
        for heading in [
            "What it does",
            "Why is this bad?",
            "Example",
            "Use instead",
            "Source",
        ] {
            if !docs.contains(&format!("## {heading}\n")) {
                failures.push(format!("{}: docs lack `## {heading}`", meta.id));
            }
        }
        if meta.id == "script/shellcheck" && !shellcheck {
            continue;
        }
        for heading in ["Example", "Use instead"] {
            if let Some(text) = meta.example(heading)
                && !meta.checks(kind_of(&text))
            {
                failures.push(format!(
                    "{}: {heading} reads as {:?}, a kind the rule does not check",
                    meta.id,
                    kind_of(&text)
                ));
            }
        }
        match meta.example("Example") {
            Some(example) => {
                let found = run(meta.id, &example);
                let hits = found.iter().filter(|d| d.rule == meta.id).count();
                // A hover-only rule documents a place and reports nothing there.
                let expected = usize::from(!meta.hover_only);
                if hits != expected {
                    failures.push(format!(
                        "{}: Example gives {hits} findings, expected {expected}: {found:#?}",
                        meta.id
                    ));
                }
            }
            None => failures.push(format!("{}: no ```yaml block under Example", meta.id)),
        }
        match meta.example("Use instead") {
            Some(fixed) => {
                let found = run(meta.id, &fixed);
                if !found.is_empty() {
                    failures.push(format!(
                        "{}: Use instead gives findings: {found:#?}",
                        meta.id
                    ));
                }
            }
            None => failures.push(format!("{}: no ```yaml block under Use instead", meta.id)),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn ids_are_unique_and_in_the_catalog() {
    let catalog = include_str!("catalog_ids.txt");
    let mut seen = Vec::new();
    for meta in registry::metas() {
        assert!(!seen.contains(&meta.id), "duplicate rule id {}", meta.id);
        seen.push(meta.id);
        assert!(
            catalog
                .lines()
                .any(|l| l.split('\t').next() == Some(meta.id)),
            "{} is not in tests/catalog_ids.txt (the public list of ids)",
            meta.id
        );
    }
}
