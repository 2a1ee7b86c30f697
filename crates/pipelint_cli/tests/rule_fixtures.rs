//! Per-rule fixtures: `tests/fixtures/rules/<group>/<name>/invalid_*.yml` must trigger the
//! rule, `valid_*.yml` must not; each gets a snapshot of the human output with only that
//! rule enabled. A snapshot without a fixture fails the test, so none are left behind.
//!
//! A fixture for a rule that depends on the user's setup starts with a settings line:
//! `# pipelint-settings: plan=free runner_labels=build,deploy default_runtime=3`
//! (space-separated `key=value` pairs; keys `plan` = free|standard|premium, `runner_labels`
//! = comma-separated labels, `default_runtime` = 2|3). Without it the defaults hold.
//! Runner scripts are `*.sh` fixtures; the kind of every other fixture is told from its
//! content, as for a file without a telling name. Files a fixture names (a mounted Docker
//! configuration) are read from the fixture's folder.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use pipelint_cli::render::{self, FileReport, Format};
use pipelint_cli::resolve::DirResolver;
use pipelint_core::{CheckOptions, FileKind, Selection, Settings, registry};

fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/rules")
}

fn snapshot_name(rule: &str, file: &str) -> String {
    format!(
        "{}__{}",
        rule.replace('/', "__"),
        file.trim_end_matches(".yml")
            .trim_end_matches(".yaml")
            .trim_end_matches(".sh")
    )
}

/// Every fixture: (rule id, file name, path).
fn fixtures() -> Vec<(String, String, PathBuf)> {
    let mut out = Vec::new();
    let Ok(groups) = std::fs::read_dir(fixtures_dir()) else {
        return out;
    };
    for group in groups.flatten() {
        let Ok(names) = std::fs::read_dir(group.path()) else {
            continue;
        };
        for name in names.flatten() {
            let rule = format!(
                "{}/{}",
                group.file_name().to_string_lossy(),
                name.file_name().to_string_lossy()
            );
            let Ok(files) = std::fs::read_dir(name.path()) else {
                continue;
            };
            for file in files.flatten() {
                let fname = file.file_name().to_string_lossy().into_owned();
                if fname.ends_with(".yml") || fname.ends_with(".yaml") || fname.ends_with(".sh") {
                    out.push((rule.clone(), fname, file.path()));
                }
            }
        }
    }
    out.sort();
    out
}

/// The file name a fixture is checked under, from a leading comment
/// `# pipelint-path: bitbucket-pipelines.yaml` (for `file/name`); none by default.
fn path_comment(source: &str) -> Option<String> {
    source
        .lines()
        .take_while(|l| l.starts_with('#'))
        .find_map(|l| l.strip_prefix("# pipelint-path:"))
        .map(|p| p.trim().to_owned())
}

#[test]
fn fixtures_trigger_their_rule_and_match_snapshots() {
    let mut failures = Vec::new();
    // script/shellcheck needs the program: without it its fixtures are skipped (and their
    // snapshots kept), except in CI, where its absence fails.
    let shellcheck = match pipelint_cli::shellcheck::ProcessChecker::find(None) {
        Ok(c) => Some(Arc::new(c)),
        Err(message) => {
            assert!(std::env::var_os("CI").is_none(), "CI is set but {message}");
            eprintln!("SKIPPED: script/shellcheck fixtures ({message})");
            None
        }
    };
    for (rule, file, path) in fixtures() {
        if rule == "script/shellcheck" && shellcheck.is_none() {
            continue;
        }
        assert!(
            registry::find(&rule).is_some(),
            "fixture folder for unknown rule `{rule}`"
        );
        let source = std::fs::read_to_string(&path).expect("fixture is UTF-8");
        let settings = match Settings::from_first_line(&source) {
            Ok(s) => s,
            Err(e) => {
                failures.push(format!("{rule}/{file}: pipelint-settings: {e}"));
                continue;
            }
        };
        let opts = CheckOptions {
            settings,
            select: Selection::Only(vec![rule.clone()]),
            path: path_comment(&source),
            kind: file.ends_with(".sh").then_some(FileKind::RunnerScript),
            // Runner setups read the Docker configuration they mount; the other rules'
            // fixtures are judged without a repository around them.
            resolver: rule.starts_with("runnerctl/").then(|| {
                std::sync::Arc::new(DirResolver::for_file(&path))
                    as std::sync::Arc<dyn pipelint_core::share::Resolver>
            }),
            shellcheck: shellcheck
                .clone()
                .map(|c| c as Arc<dyn pipelint_core::shellcheck::ShellChecker>),
            ..CheckOptions::default()
        };
        let analysis = pipelint_core::check(&source, &opts);
        let hits = analysis
            .diagnostics
            .iter()
            .filter(|d| d.rule == rule)
            .count();
        if file.starts_with("invalid") && hits == 0 {
            failures.push(format!("{rule}/{file}: expected the rule to fire"));
        }
        if file.starts_with("valid") && hits > 0 {
            failures.push(format!("{rule}/{file}: expected no finding, got {hits}"));
        }
        let report = FileReport {
            path: format!("{rule}/{file}"),
            source,
            diagnostics: analysis.diagnostics,
        };
        let output = render::render(Format::Human, &[report], false);
        insta::with_settings!({snapshot_path => "snapshots", prepend_module_to_snapshot => false, omit_expression => true}, {
            insta::assert_snapshot!(snapshot_name(&rule, &file), output);
        });
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn no_snapshot_without_a_fixture() {
    let expected: Vec<String> = fixtures()
        .iter()
        .map(|(rule, file, _)| format!("{}.snap", snapshot_name(rule, file)))
        .collect();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots");
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.ends_with(".snap") && !name.starts_with("render__") && !name.starts_with("cli__") {
            assert!(
                expected.contains(&name),
                "snapshot {name} has no fixture; delete it"
            );
        }
    }
}
