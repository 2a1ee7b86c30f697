//! File kinds: only the rules of a file's kind run on it, the kind is told by path or
//! content, and Bamboo's `!include` is read without a finding or a panic.

use pipelint_core::{CheckOptions, FileKind, registry};

fn rules_of(source: &str, opts: &CheckOptions) -> Vec<&'static str> {
    pipelint_core::check(source, opts)
        .diagnostics
        .iter()
        .map(|d| d.rule)
        .collect()
}

fn kind_of(rule: &str) -> &'static [FileKind] {
    registry::find(rule).map_or(&[], |r| r.meta().kinds)
}

const BAMBOO: &str = "version: 2\nplan:\n  project-key: P\n  key: K\n  name: N\ndocker:\n  volumes: {}\nstages:\n  - S:\n      jobs: [J]\nJ:\n  docker: alpine\n  tasks:\n    - script:\n        - docker build .\n";

#[test]
fn bamboo_specs_get_only_bamboo_and_yaml_rules() {
    let found = rules_of(BAMBOO, &CheckOptions::default());
    assert!(found.contains(&"bamboo/docker-image-required"), "{found:?}");
    assert!(found.contains(&"bamboo/docker-sock"), "{found:?}");
    for rule in &found {
        assert!(
            kind_of(rule).contains(&FileKind::BambooSpecs),
            "{rule} ran on Bamboo specs"
        );
    }
    // Told to read it as a pipeline file, no Bamboo rule runs (the schema complains).
    let opts = CheckOptions {
        kind: Some(FileKind::Pipelines),
        ..CheckOptions::default()
    };
    let found = rules_of(BAMBOO, &opts);
    assert!(!found.iter().any(|r| r.starts_with("bamboo/")), "{found:?}");
    assert!(!found.is_empty());
}

#[test]
fn a_path_under_bamboo_specs_is_bamboo() {
    let source = "version: 2\n---\n!include plan.yml\n";
    let opts = CheckOptions {
        path: Some("repo/bamboo-specs/bamboo.yml".into()),
        ..CheckOptions::default()
    };
    // Not a pipeline file: no `struct/pipelines-missing`, and the include is no finding.
    assert_eq!(rules_of(source, &opts), Vec::<&str>::new());
    let as_pipeline = rules_of(source, &CheckOptions::default());
    assert!(!as_pipeline.is_empty());
}

#[test]
fn runner_scripts_are_not_read_as_yaml() {
    let script = "#!/bin/bash\nset -e\nif [ -z \"$X\" ]; then exit 1; fi\ndocker run -d bitbucket-pipelines-runner\n";
    let found = rules_of(script, &CheckOptions::default());
    assert!(found.contains(&"runnerctl/env-required"), "{found:?}");
    for rule in &found {
        assert!(
            kind_of(rule).contains(&FileKind::RunnerScript),
            "{rule} ran on a script"
        );
    }
    let opts = CheckOptions {
        path: Some("start.sh".into()),
        ..CheckOptions::default()
    };
    let found = rules_of("docker run bitbucket-pipelines-runner\n", &opts);
    assert!(found.contains(&"runnerctl/mounts"), "{found:?}");
}

#[test]
fn pipeline_files_get_no_bamboo_or_runner_rules() {
    let source = "pipelines:\n  default:\n    - step:\n        script:\n          - docker run bitbucket-pipelines-runner\n";
    let found = rules_of(source, &CheckOptions::default());
    assert!(
        !found
            .iter()
            .any(|r| r.starts_with("bamboo/") || r.starts_with("runnerctl/")),
        "{found:?}"
    );
}
