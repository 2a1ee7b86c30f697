//! End-to-end tests of shared configuration: same-repository imports are followed and the
//! imported file is checked too; shared files are found by a directory search and checked
//! as such; nothing outside the repository is read.

use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};

mod common;
use common::{pipelint, run, stderr, stdout};

/// A fresh directory under the target dir.
fn tempdir(name: &str) -> PathBuf {
    common::tempdir(&format!("shared_config_{name}"))
}

fn write(dir: &Path, path: &str, text: &str) {
    let full = dir.join(path);
    if let Some(parent) = full.parent() {
        std::fs::create_dir_all(parent).expect("mkdir");
    }
    std::fs::write(full, text).expect("write");
}

/// (path, rule, message) of every diagnostic in JSON output.
fn findings(o: &Output) -> Vec<(String, String, String)> {
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json output");
    v["diagnostics"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|d| {
            (
                d["path"].as_str().unwrap_or("").to_owned(),
                d["rule"].as_str().unwrap_or("").to_owned(),
                d["message"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect()
}

const MAIN: &str = "\
image: node:20
definitions:
  imports:
    shared: .bitbucket/shared-pipelines.yml
pipelines:
  default:
    import: build@shared
  branches:
    main:
      import: deploy@shared
";

const SHARED: &str = "\
definitions:
  pipelines:
    build:
      - step:
          name: Build
          script:
            - npm ci
            - npm test
    deploy:
      - step:
          name: Deploy
          deployment: production
          script:
            - ./deploy.sh
";

#[test]
fn a_followed_import_is_clean_when_the_pipeline_exists() {
    let dir = tempdir("clean");
    write(&dir, "bitbucket-pipelines.yml", MAIN);
    write(&dir, ".bitbucket/shared-pipelines.yml", SHARED);
    let o = run(
        &["check", "--format", "json", "bitbucket-pipelines.yml"],
        &dir,
    );
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    assert_eq!(
        v["files_checked"], 2,
        "the imported file is checked with the file that imports it"
    );
    assert!(findings(&o).is_empty(), "{:#?}", findings(&o));
}

#[test]
fn the_imported_file_is_checked_and_reported_under_its_own_path() {
    let dir = tempdir("checked");
    write(&dir, "bitbucket-pipelines.yml", MAIN);
    // The shared pipeline has a mistake of its own: a typo in a step key.
    write(
        &dir,
        ".bitbucket/shared-pipelines.yml",
        &SHARED.replace(
            "          name: Build\n",
            "          name: Build\n          cache: [node]\n",
        ),
    );
    let o = run(
        &["check", "--format", "json", "bitbucket-pipelines.yml"],
        &dir,
    );
    let found = findings(&o);
    assert!(
        found
            .iter()
            .any(|(path, rule, _)| path == ".bitbucket/shared-pipelines.yml"
                && rule == "schema/unknown-key"),
        "{found:#?}"
    );
    let o = run(
        &["check", "--format", "concise", "bitbucket-pipelines.yml"],
        &dir,
    );
    assert!(
        stdout(&o).contains(".bitbucket/shared-pipelines.yml:6:11: warning [schema/unknown-key]"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn a_missing_pipeline_in_the_shared_file_is_named() {
    let dir = tempdir("missing_pipeline");
    write(
        &dir,
        "bitbucket-pipelines.yml",
        &MAIN.replace("deploy@shared", "deplyo@shared"),
    );
    write(&dir, ".bitbucket/shared-pipelines.yml", SHARED);
    let o = run(
        &["check", "--format", "concise", "bitbucket-pipelines.yml"],
        &dir,
    );
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        stdout(&o).lines().next().unwrap_or(""),
        "bitbucket-pipelines.yml:10:15: error [share/import-source] `.bitbucket/shared-pipelines.yml` has no pipeline `deplyo` under `definitions.pipelines`",
        "{}",
        stdout(&o)
    );
    let o = run(
        &["check", "bitbucket-pipelines.yml", "--color", "never"],
        &dir,
    );
    assert!(
        stdout(&o).contains("did you mean `deploy`?"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn a_missing_shared_file_is_reported_at_its_declaration() {
    let dir = tempdir("missing_file");
    write(&dir, "bitbucket-pipelines.yml", MAIN);
    let o = run(&["check", "--format", "concise"], &dir);
    assert_eq!(o.status.code(), Some(1));
    let out = stdout(&o);
    assert_eq!(
        out.lines()
            .filter(|l| l.contains("[share/"))
            .collect::<Vec<_>>(),
        [
            "bitbucket-pipelines.yml:4:13: error [share/import-source] import source `shared`: `.bitbucket/shared-pipelines.yml` does not exist in this repository"
        ],
        "{out}"
    );
}

#[test]
fn a_shared_pipeline_that_imports_again_is_reported_in_both_files() {
    let dir = tempdir("nested");
    write(&dir, "bitbucket-pipelines.yml", MAIN);
    write(
        &dir,
        ".bitbucket/shared-pipelines.yml",
        "definitions:\n  pipelines:\n    build:\n      import: platform:main:build\n    deploy:\n      - step: {script: [./deploy.sh]}\n",
    );
    let o = run(
        &["check", "--format", "json", "bitbucket-pipelines.yml"],
        &dir,
    );
    let nested: Vec<String> = findings(&o)
        .into_iter()
        .filter(|(_, rule, _)| rule == "share/nested-import")
        .map(|(path, _, _)| path)
        .collect();
    assert_eq!(
        nested,
        ["bitbucket-pipelines.yml", ".bitbucket/shared-pipelines.yml"],
        "{}",
        stdout(&o)
    );
}

#[test]
fn nothing_outside_the_repository_is_read() {
    let root = tempdir("outside");
    let repo = root.join("repo");
    write(
        &root,
        "secret-pipelines.yml",
        "definitions:\n  pipelines:\n    build:\n      - step: {script: [make]}\n",
    );
    write(
        &repo,
        "bitbucket-pipelines.yml",
        "definitions:\n  imports:\n    up: ../secret-pipelines.yml\n    abs: /etc/shared-pipelines.yml\npipelines:\n  default:\n    import: build@up\n  custom:\n    x:\n      import: build@abs\n",
    );
    let o = run(&["check", "--format", "json", "repo"], &root);
    let found = findings(&o);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    assert_eq!(v["files_checked"], 1, "{found:#?}");
    let messages: Vec<&str> = found
        .iter()
        .filter(|(_, rule, _)| rule == "share/import-source")
        .map(|(_, _, m)| m.as_str())
        .collect();
    assert_eq!(
        messages,
        [
            "the path of import source `up` leaves the repository with `..`; write it relative to the repository root",
            "the path of import source `abs` is absolute; write it relative to the repository root",
        ],
        "{found:#?}"
    );
}

#[cfg(unix)]
#[test]
fn a_link_that_leads_out_of_the_repository_is_not_followed() {
    let root = tempdir("link");
    let repo = root.join("repo");
    write(&root, "secret-pipelines.yml", SHARED);
    write(&repo, "bitbucket-pipelines.yml", MAIN);
    std::fs::create_dir_all(repo.join(".bitbucket")).expect("mkdir");
    std::os::unix::fs::symlink(
        root.join("secret-pipelines.yml"),
        repo.join(".bitbucket/shared-pipelines.yml"),
    )
    .expect("symlink");
    let o = run(
        &["check", "--format", "json", "repo/bitbucket-pipelines.yml"],
        &root,
    );
    let found = findings(&o);
    assert!(
        found
            .iter()
            .any(|(_, rule, m)| rule == "share/import-source"
                && m.contains("cannot be read: it is a link to a file outside the repository")),
        "{found:#?}"
    );
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    assert_eq!(v["files_checked"], 1);
}

#[test]
fn other_repository_imports_are_not_followed_and_not_reported() {
    let dir = tempdir("other_repo");
    write(
        &dir,
        "bitbucket-pipelines.yml",
        "definitions:\n  imports:\n    platform: platform-ci:main\npipelines:\n  default:\n    import: build@platform\n  custom:\n    legacy:\n      import: platform-ci:v2:deploy\n",
    );
    let o = run(&["check", "--format", "json"], &dir);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert!(findings(&o).is_empty(), "{:#?}", findings(&o));
}

#[test]
fn a_directory_search_finds_shared_files_and_skips_other_pipelines_files() {
    let dir = tempdir("search");
    std::fs::create_dir_all(dir.join(".git")).expect("git dir");
    write(&dir, "bitbucket-pipelines.yml", MAIN);
    write(&dir, ".bitbucket/shared-pipelines.yml", SHARED);
    // Exported to other repositories, imported by nothing here.
    write(
        &dir,
        "ci/platform-pipelines.yml",
        "export: true\ndefinitions:\n  pipelines:\n    lint:\n      - step: {script: [make lint]}\n",
    );
    // Other tools' files with similar names are left alone.
    write(
        &dir,
        "azure-pipelines.yml",
        "trigger: [main]\nsteps:\n  - script: make\n",
    );
    write(&dir, "ci/pipelines.yaml", "stages: [build]\n");
    write(&dir, "ci/notes.yml", "definitions:\n  pipelines: {}\n");
    // Other hidden directories stay skipped.
    write(&dir, ".cache/old-pipelines.yml", "export: true\n");
    let o = run(&["check", "--format", "json"], &dir);
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    assert_eq!(v["files_checked"], 3, "{}", stdout(&o));
    let o = run(
        &[
            "check",
            "--format",
            "concise",
            "--select",
            "struct/pipelines-missing",
        ],
        &dir,
    );
    assert!(stdout(&o).trim().is_empty(), "{}", stdout(&o));
}

#[test]
fn an_export_flag_without_pipelines_to_export_is_reported() {
    let dir = tempdir("export_only");
    write(
        &dir,
        "ci/release-pipelines.yml",
        "export: true\nimage: node:20\n",
    );
    let o = run(&["check", "--format", "concise"], &dir);
    let out = stdout(&o);
    assert!(
        out.contains("ci/release-pipelines.yml:1:1: warning [share/export-no-definitions]"),
        "{out}"
    );
    assert!(
        !out.contains("struct/pipelines-missing"),
        "an exporting file is not asked for `pipelines`: {out}"
    );
}

#[test]
fn stdin_imports_resolve_next_to_the_named_file() {
    let dir = tempdir("stdin");
    write(&dir, "repo/.bitbucket/shared-pipelines.yml", SHARED);
    let mut child = pipelint()
        .args([
            "check",
            "-",
            "--stdin-filename",
            "repo/bitbucket-pipelines.yml",
            "--format",
            "json",
        ])
        .current_dir(&dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("spawn");
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().expect("stdin");
        stdin
            .write_all(MAIN.replace("build@shared", "buld@shared").as_bytes())
            .expect("write stdin");
    }
    let o = child.wait_with_output().expect("wait");
    let found = findings(&o);
    assert!(
        found
            .iter()
            .any(|(path, rule, m)| path == "repo/bitbucket-pipelines.yml"
                && rule == "share/import-source"
                && m.contains("no pipeline `buld`")),
        "{found:#?}"
    );
}

/// The corpus file of a real export-only configuration (3,867 lines, every pipeline under
/// `definitions.pipelines`) checks without an error or a warning, with every rule (infos,
/// such as artifacts expiring before a manual step, are fine).
#[test]
fn a_real_export_only_file_checks_cleanly() {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join(
        "../../../shared/corpus/real/abhi29tyagi__bitbucket-pipeline__bitbucket-pipelines.yml",
    );
    if !corpus.is_file() {
        eprintln!("SKIPPED: the shared corpus is not beside the checkout");
        return;
    }
    let dir = tempdir("real_export");
    let text = std::fs::read_to_string(&corpus).expect("read corpus file");
    write(&dir, "ci/platform-pipelines.yml", &text);
    // Its scripts have real shell problems (a `'` closing a `bash -c '...'` early), which
    // script/shellcheck reports; that is not what this test is about.
    write(
        &dir,
        "pipelint.toml",
        "[rules]\n\"script/shellcheck\" = \"off\"\n",
    );
    let o = run(&["check", "--format", "json"], &dir);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    assert_eq!(v["files_checked"], 1, "found by the directory search");
    let serious: Vec<&serde_json::Value> = v["diagnostics"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|d| d["severity"] != "info")
        // The file deliberately sets a custom variable named BITBUCKET_BRANCH.
        .filter(|d| d["rule"] != "var/reserved-override")
        .collect();
    assert!(serious.is_empty(), "{serious:#?}");
}
