//! The configuration file end to end: found upward from the checked file, rule levels by
//! id and group, per-path overrides, settings, `extend-ignore`, errors with a line and a
//! did-you-mean, `--config`, and `pipelint config --show`.

use std::path::{Path, PathBuf};
use std::process::Output;

mod common;
use common::run;

fn tempdir(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("config-{name}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join(".git")).expect("create temp repo");
    dir
}

const DOCKER: &str = "image: node:22\npipelines:\n  default:\n    - step:\n        cache: [node]\n        script:\n          - docker build .\n";

fn rules(o: &Output) -> Vec<String> {
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json output");
    v["diagnostics"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|d| {
            format!(
                "{} {}",
                d["rule"].as_str().unwrap_or(""),
                d["severity"].as_str().unwrap_or("")
            )
        })
        .collect()
}

#[test]
fn levels_overrides_and_search_upward() {
    let dir = tempdir("levels");
    std::fs::write(
        dir.join("pipelint.toml"),
        "[rules]\n\"docker\" = \"warning\"\n\"schema/unknown-key\" = \"error\"\n\n[[overrides]]\nfiles = [\"legacy/**\"]\nrules = { \"docker/*\" = \"off\" }\n",
    )
    .expect("write config");
    std::fs::create_dir_all(dir.join("app")).expect("mkdir");
    std::fs::create_dir_all(dir.join("legacy")).expect("mkdir");
    std::fs::write(dir.join("app/bitbucket-pipelines.yml"), DOCKER).expect("write");
    std::fs::write(dir.join("legacy/bitbucket-pipelines.yml"), DOCKER).expect("write");
    let o = run(
        &["check", "--format", "json", "app/bitbucket-pipelines.yml"],
        &dir,
    );
    assert_eq!(
        rules(&o),
        ["schema/unknown-key error", "docker/no-service warning"]
    );
    assert_eq!(o.status.code(), Some(1), "the unknown key is an error now");
    let o = run(&["check", "--format", "json", "legacy"], &dir);
    assert_eq!(rules(&o), ["schema/unknown-key error"]);
}

#[test]
fn settings_and_extend_ignore() {
    let dir = tempdir("settings");
    std::fs::write(
        dir.join(".pipelint.toml"),
        "extend-ignore = [\"vendor/**\"]\n\n[settings]\ndefault-runtime = 3\n",
    )
    .expect("write config");
    std::fs::create_dir_all(dir.join("vendor")).expect("mkdir");
    std::fs::write(dir.join("vendor/bitbucket-pipelines.yml"), DOCKER).expect("write");
    std::fs::write(
        dir.join("bitbucket-pipelines.yml"),
        "pipelines:\n  default:\n    - step:\n        services: [docker]\n        caches: [docker]\n        script: [docker build .]\n",
    )
    .expect("write");
    let o = run(&["check", "--format", "json", "."], &dir);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    assert_eq!(v["files_checked"], 1, "vendor/ is ignored");
    assert!(
        rules(&o).contains(&"cache/docker-v3 warning".to_owned()),
        "{:?}",
        rules(&o)
    );
}

#[test]
fn errors_name_the_line_and_exit_two() {
    let dir = tempdir("errors");
    std::fs::write(
        dir.join("pipelint.toml"),
        "[rules]\n\"docker/no-servce\" = \"off\"\n\n[setings]\n",
    )
    .expect("write");
    std::fs::write(dir.join("bitbucket-pipelines.yml"), DOCKER).expect("write");
    let o = run(&["check"], &dir);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("pipelint.toml:2: `docker/no-servce` is not a pipelint rule or group; did you mean `docker/no-service`?"), "{err}");
    assert!(
        err.contains(
            "pipelint.toml:4: unknown key `setings` in the top level; did you mean `settings`?"
        ),
        "{err}"
    );
}

#[test]
fn explicit_config_and_show() {
    let dir = tempdir("show");
    std::fs::write(
        dir.join("strict.toml"),
        "[rules]\n\"schema/unknown-key\" = \"error\"\n[settings]\nplan = \"free\"\n",
    )
    .expect("write");
    std::fs::write(dir.join("bitbucket-pipelines.yml"), DOCKER).expect("write");
    let o = run(
        &["check", "--config", "strict.toml", "--format", "json"],
        &dir,
    );
    assert!(rules(&o).contains(&"schema/unknown-key error".to_owned()));
    let o = run(&["config", "--show", "--config", "strict.toml"], &dir);
    assert!(o.status.success());
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains("plan = \"free\""), "{out}");
    assert!(
        out.contains("\"schema/unknown-key\" = \"error\" # changed"),
        "{out}"
    );
    assert!(out.contains("\"docker/no-service\" = \"error\"\n"), "{out}");
    let o = run(&["config", "--show"], &dir);
    assert!(String::from_utf8_lossy(&o.stdout).contains("none found"));
}
