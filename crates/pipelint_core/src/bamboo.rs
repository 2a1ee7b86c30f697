//! A typed view of Bamboo Data Center YAML specs (`bamboo-specs/*.yml`, `version: 2`), for
//! the `bamboo/*` rules: the Docker runner setting of each job and deployment environment.
//!
//! A file holds one or more documents (`---`); each is a plan (`plan:`, jobs as top-level
//! keys) or a deployment project (`deployment:`, environments named under `environments:`).
//! The `docker` setting is read at document level (the default for every job or
//! environment) and at job and environment level, where it replaces the default. It is a
//! string (the image) or a mapping (`image`, `volumes`, `use-default-volumes`,
//! `docker-run-arguments`).
//!
//! `!include` is not followed: Bamboo reads the named file from the repository, pipelint
//! does not. A node tagged `!include` is treated as unknown (its rules stay quiet about it),
//! and no finding says so: no rule of the catalog is about includes.

use pipelint_yaml::{Entry, Node, Parsed};

use crate::shell::{self, Command};

/// The tag Bamboo uses to pull another file into the specs.
pub const INCLUDE_TAG: &str = "!include";

/// Whether a node is an `!include` (not followed).
pub fn is_include(node: &Node) -> bool {
    node.tag.as_deref() == Some(INCLUDE_TAG)
}

/// One plan or deployment document.
pub struct Spec<'a> {
    pub root: &'a Node,
    /// A deployment project (environments) rather than a plan (jobs).
    pub deployment: bool,
    /// The document-level `docker` setting, the default of every unit.
    pub docker: Option<Setting<'a>>,
    /// The jobs (plans) or environments (deployments).
    pub units: Vec<Unit<'a>>,
}

/// A job or a deployment environment.
pub struct Unit<'a> {
    /// The key naming it.
    pub name: &'a Node,
    pub body: &'a Node,
    /// Its own `docker` setting.
    pub docker: Option<Setting<'a>>,
}

/// A `docker` setting as written.
pub enum Setting<'a> {
    /// The Docker runner with this configuration.
    Runner(Docker<'a>),
    /// An `!include`d or otherwise unreadable value: not judged.
    Unknown,
}

/// A Docker runner configuration.
pub struct Docker<'a> {
    /// The `docker` key.
    pub key: &'a Node,
    /// The value: a string (the image) or a mapping.
    pub value: &'a Node,
    /// The image: the string form, or the `image` value.
    pub image: Option<&'a Node>,
    pub volumes: Vec<Volume<'a>>,
    /// The `use-default-volumes` value.
    pub use_default_volumes: Option<&'a Node>,
    /// The items of `docker-run-arguments` (a single string counts as one).
    pub run_arguments: Vec<&'a Node>,
}

/// One `host path: container path` entry of `volumes`.
pub struct Volume<'a> {
    pub entry: &'a Entry,
    pub host: String,
    pub container: String,
}

impl<'a> Unit<'a> {
    /// The setting that applies: the unit's own, else the document's.
    pub fn effective<'s>(&'s self, spec: &'s Spec<'a>) -> Option<&'s Setting<'a>> {
        self.docker.as_ref().or(spec.docker.as_ref())
    }

    /// The unit's name as written.
    pub fn label(&self) -> &'a str {
        self.name.as_key().unwrap_or("?")
    }

    /// The script lines of its tasks and final tasks: (the scalar holding them, commands).
    pub fn scripts(&self) -> Vec<(&'a Node, Vec<Command<'a>>)> {
        let mut out = Vec::new();
        for list in ["tasks", "final-tasks"] {
            let Some(tasks) = self.body.get(list).and_then(Node::as_sequence) else {
                continue;
            };
            for task in tasks {
                let Some(script) = task.get("script") else {
                    continue;
                };
                let scripts = script.get("scripts").unwrap_or(script);
                let items: Vec<&Node> = match scripts.as_sequence() {
                    Some(items) => items.iter().collect(),
                    None => vec![scripts],
                };
                for item in items {
                    if is_include(item) {
                        continue;
                    }
                    if let Some(text) = item.as_str() {
                        out.push((item, shell::commands(text)));
                    }
                }
            }
        }
        out
    }

    /// A Docker task of the Docker plugin (`any-task` with a docker plugin key).
    pub fn docker_task(&self) -> Option<&'a Node> {
        for list in ["tasks", "final-tasks"] {
            for task in self
                .body
                .get(list)
                .and_then(Node::as_sequence)
                .unwrap_or(&[])
            {
                let key = task.get("any-task").and_then(|t| t.get("plugin-key"));
                if let Some(k) = key
                    && k.as_str().is_some_and(|s| s.contains("docker"))
                {
                    return Some(k);
                }
            }
        }
        None
    }
}

impl Docker<'_> {
    /// Whether a volume maps this host or container path (after reading Bamboo variables).
    pub fn mounts(&self, want: impl Fn(&str) -> bool) -> bool {
        self.volumes
            .iter()
            .any(|v| want(&normalize(&v.host)) || want(&normalize(&v.container)))
    }
}

/// Top-level keys of a plan document that are not jobs.
const PLAN_KEYS: &[&str] = &[
    "version",
    "plan",
    "stages",
    "variables",
    "triggers",
    "branches",
    "notifications",
    "labels",
    "dependencies",
    "other",
    "repositories",
    "docker",
    "plan-permissions",
    "deployment",
    "release-naming",
    "environments",
    "deployment-permissions",
    "environment-permissions",
];

/// Keys that make a top-level mapping a job.
const JOB_KEYS: &[&str] = &[
    "tasks",
    "final-tasks",
    "docker",
    "key",
    "requirements",
    "artifacts",
    "artifact-subscriptions",
];

/// The plan and deployment documents of a parsed file.
pub fn specs(parsed: &Parsed) -> Vec<Spec<'_>> {
    let mut out = Vec::new();
    for doc in &parsed.documents {
        let Some(root) = doc.root.as_ref().filter(|r| !is_include(r)) else {
            continue;
        };
        let Some(map) = root.as_mapping() else {
            continue;
        };
        let deployment = root.get("deployment").is_some();
        if !deployment && root.get("plan").is_none() {
            continue;
        }
        let environments: Vec<&str> = root
            .get("environments")
            .and_then(Node::as_sequence)
            .unwrap_or(&[])
            .iter()
            .filter_map(Node::as_str)
            .collect();
        let units = map
            .entries
            .iter()
            .filter(|e| {
                let Some(name) = e.key.as_key() else {
                    return false;
                };
                if PLAN_KEYS.contains(&name) || is_include(&e.value) {
                    return false;
                }
                environments.contains(&name)
                    || e.value
                        .as_mapping()
                        .is_some_and(|m| JOB_KEYS.iter().any(|k| m.contains_key(k)))
            })
            .map(|e| Unit {
                name: &e.key,
                body: &e.value,
                docker: e
                    .value
                    .as_mapping()
                    .and_then(|m| m.entry("docker"))
                    .and_then(setting),
            })
            .collect();
        out.push(Spec {
            root,
            deployment,
            docker: map.entry("docker").and_then(setting),
            units,
        });
    }
    out
}

/// Reads a `docker` entry; `None` when it is empty (no runner).
fn setting(entry: &Entry) -> Option<Setting<'_>> {
    let value = &entry.value;
    if value.is_null() {
        return None;
    }
    if is_include(value) || value.is_invalid() {
        return Some(Setting::Unknown);
    }
    if value.as_str().is_some() {
        return Some(Setting::Runner(Docker {
            key: &entry.key,
            value,
            image: Some(value),
            volumes: Vec::new(),
            use_default_volumes: None,
            run_arguments: Vec::new(),
        }));
    }
    let map = value.as_mapping()?;
    if map.entries.iter().any(|e| is_include(&e.value)) {
        return Some(Setting::Unknown);
    }
    let volumes = map
        .get("volumes")
        .and_then(Node::as_mapping)
        .map(|v| {
            v.entries
                .iter()
                .filter_map(|e| {
                    Some(Volume {
                        entry: e,
                        host: e.key.as_key()?.to_owned(),
                        container: e.value.as_str().unwrap_or_default().to_owned(),
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    let run_arguments = match map.get("docker-run-arguments") {
        Some(args) => match args.as_sequence() {
            Some(items) => items.iter().collect(),
            None if args.as_str().is_some() => vec![args],
            None => Vec::new(),
        },
        None => Vec::new(),
    };
    Some(Setting::Runner(Docker {
        key: &entry.key,
        value,
        image: map.get("image"),
        volumes,
        use_default_volumes: map.get("use-default-volumes"),
        run_arguments,
    }))
}

/// A path with Bamboo's variables read: `${bamboo.build.working.directory}` and
/// `${bamboo.working.directory}` become `<working>`, `${bamboo.tmp.directory}` becomes
/// `<tmp>`; a trailing slash is dropped. Other variables are kept as written.
pub fn normalize(path: &str) -> String {
    let path = path.trim();
    let path = path
        .replace("${bamboo.build.working.directory}", "<working>")
        .replace("${bamboo.working.directory}", "<working>")
        .replace("${bamboo.tmp.directory}", "<tmp>");
    match path.strip_suffix('/') {
        Some(p) if !p.is_empty() => p.to_owned(),
        _ => path,
    }
}

/// Whether a (normalized) path is the build's working directory.
pub fn is_working_directory(path: &str) -> bool {
    path == "<working>"
}

/// The Docker socket.
pub fn is_docker_socket(path: &str) -> bool {
    matches!(path, "/var/run/docker.sock" | "/run/docker.sock")
}

/// A Docker client configuration: a `.docker` directory, its `config.json`, or the
/// `.dockercfg-bamboo-*` copy Bamboo makes.
pub fn is_docker_config(path: &str) -> bool {
    path.ends_with("/.docker")
        || path == ".docker"
        || path.ends_with(".docker/config.json")
        || path.contains(".dockercfg")
}

/// The registry host of an image reference, when it names one other than Docker Hub
/// (`registry.example.com/team/app:1`, `localhost:5000/app`).
pub fn private_registry(image: &str) -> Option<&str> {
    let (first, _) = image.split_once('/')?;
    let host_like = first.contains('.') || first.contains(':') || first == "localhost";
    let hub = matches!(
        first,
        "docker.io" | "index.docker.io" | "registry-1.docker.io" | "registry.hub.docker.com"
    );
    (host_like && !hub && !first.contains('$')).then_some(first)
}

/// Whether an image reference is pinned: a tag other than `latest`, or a digest.
pub fn is_pinned(image: &str) -> bool {
    if image.contains('@') {
        return true;
    }
    let last = crate::shell::basename(image);
    match last.split_once(':') {
        Some((_, tag)) => !tag.is_empty() && tag != "latest",
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> Parsed {
        pipelint_yaml::parse(s, &pipelint_yaml::Options::default())
    }

    #[test]
    fn reads_plan_jobs_and_overrides() {
        let p = parse(
            "version: 2\nplan: {key: A}\ndocker: node:18\nstages:\n  - S: {jobs: [Build, Test]}\nBuild:\n  tasks:\n    - script:\n        - docker build .\nTest:\n  docker:\n    image: alpine:3\n    volumes:\n      ${bamboo.working.directory}/: /w\n  tasks: [clean]\n",
        );
        let specs = specs(&p);
        assert_eq!(specs.len(), 1);
        let s = &specs[0];
        assert_eq!(s.units.len(), 2);
        let build = &s.units[0];
        assert!(build.docker.is_none());
        match build.effective(s) {
            Some(Setting::Runner(d)) => assert_eq!(d.image.and_then(Node::as_str), Some("node:18")),
            _ => panic!("plan docker"),
        }
        assert_eq!(build.scripts().len(), 1);
        match s.units[1].effective(s) {
            Some(Setting::Runner(d)) => {
                assert!(d.mounts(is_working_directory));
                assert!(!d.mounts(is_docker_socket));
            }
            _ => panic!("job docker"),
        }
    }

    #[test]
    fn includes_are_unknown() {
        let p = parse(
            "!include a.yml\n---\nversion: 2\nplan: {key: A}\ndocker: !include d.yml\nJ:\n  tasks: !include t.yml\n",
        );
        let specs = specs(&p);
        assert_eq!(specs.len(), 1);
        assert!(matches!(specs[0].docker, Some(Setting::Unknown)));
        assert!(specs[0].units[0].scripts().is_empty());
    }

    #[test]
    fn images() {
        assert_eq!(
            private_registry("reg.example.com/a/b:1"),
            Some("reg.example.com")
        );
        assert_eq!(private_registry("localhost:5000/a"), Some("localhost:5000"));
        assert_eq!(private_registry("library/node:18"), None);
        assert_eq!(private_registry("docker.io/library/node"), None);
        assert_eq!(private_registry("node"), None);
        assert!(is_pinned("node:18"));
        assert!(is_pinned("localhost:5000/a@sha256:abc"));
        assert!(!is_pinned("localhost:5000/a"));
        assert!(!is_pinned("node:latest"));
        assert!(!is_pinned("node"));
        assert_eq!(normalize("${bamboo.build.working.directory}/"), "<working>");
    }
}
