//! End to end: `pipelint check` finds Bamboo specs and self-hosted runner setups in a
//! directory by name and content, and checks each with the rules of its kind.

use std::path::Path;
use std::process::Command;

mod common;
use common::tempdir;

fn write(dir: &Path, path: &str, text: &str) {
    let full = dir.join(path);
    if let Some(parent) = full.parent() {
        std::fs::create_dir_all(parent).expect("mkdir");
    }
    std::fs::write(full, text).expect("write");
}

const RUNNER: &str =
    "docker-public.packages.atlassian.com/sox/atlassian/bitbucket-pipelines-runner:1";

#[test]
fn a_directory_search_finds_bamboo_specs_and_runner_setups() {
    let dir = tempdir("bamboo-and-runners");
    write(
        &dir,
        "bamboo-specs/bamboo.yml",
        "version: 2\nplan:\n  project-key: P\n  key: K\n  name: N\ndocker: maven\nstages:\n  - S:\n      jobs: [J]\nJ:\n  tasks:\n    - script: [mvn package]\n---\n!include deploy.yml\n",
    );
    write(
        &dir,
        "ops/docker-compose.yml",
        &format!(
            "services:\n  runner:\n    image: {RUNNER}\n    environment: [WORKING_DIRECTORY=/tmp]\n    volumes: [/tmp:/tmp]\n"
        ),
    );
    write(
        &dir,
        "ops/start-runner.sh",
        &format!("#!/bin/sh\ndocker run -d \\\n  -e ACCOUNT_UUID=a \\\n  {RUNNER}\n"),
    );
    // Not runner setups: no runner image in them.
    write(&dir, "ops/build.sh", "#!/bin/sh\ndocker run -d alpine\n");
    write(
        &dir,
        "docker-compose.yml",
        "services:\n  db:\n    image: postgres:16\n",
    );
    // Not Bamboo specs: not directly under bamboo-specs/.
    write(&dir, "bamboo-specs/lib/x.yml", "plan: [1\n");
    let out = Command::new(env!("CARGO_BIN_EXE_pipelint"))
        .args(["check", "--format", "concise", "."])
        .current_dir(&dir)
        .output()
        .expect("run pipelint");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stdout}{stderr}");
    assert!(
        stdout.contains("bamboo-specs/bamboo.yml:6:9: info [bamboo/unpinned-image]"),
        "{stdout}"
    );
    assert!(
        stdout.contains("ops/docker-compose.yml:3:12: error [runnerctl/env-required]"),
        "{stdout}"
    );
    assert!(
        stdout.contains("ops/docker-compose.yml:3:12: warning [runnerctl/mounts]"),
        "{stdout}"
    );
    assert!(
        stdout.contains("ops/start-runner.sh:4:3: error [runnerctl/env-required]"),
        "{stdout}"
    );
    for not_checked in ["build.sh", "./docker-compose.yml", "lib/x.yml"] {
        assert!(
            !stdout.contains(not_checked),
            "{not_checked} was checked: {stdout}"
        );
    }
    // No pipeline-file rule ran on these files.
    for bitbucket in ["schema/", "struct/", "yaml/syntax"] {
        assert!(!stdout.contains(bitbucket), "{stdout}");
    }
}
