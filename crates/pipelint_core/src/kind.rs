//! What kind of file a text is: a Bitbucket pipeline file, a Bamboo YAML specs file, or a
//! self-hosted runner setup (a docker-compose file or a shell script that starts the
//! `bitbucket-pipelines-runner` image). Every rule declares the kind it checks, and
//! [`crate::check`] runs only the rules of the file's kind.
//!
//! The caller may say the kind ([`crate::CheckOptions::kind`]); otherwise it is detected
//! from the path ([`from_path`]) and then from the content ([`from_content`]).

use pipelint_yaml::{Node, Parsed};

/// The image name that marks a self-hosted runner setup.
pub const RUNNER_IMAGE: &str = "bitbucket-pipelines-runner";

/// The kinds of files pipelint checks.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum FileKind {
    /// `bitbucket-pipelines.yml` and shared pipeline files.
    #[default]
    Pipelines,
    /// Bamboo Data Center YAML specs (`bamboo-specs/*.yml`).
    BambooSpecs,
    /// A docker-compose file with a service running the self-hosted runner image.
    RunnerCompose,
    /// A shell script that starts the self-hosted runner image with `docker run`.
    RunnerScript,
}

impl FileKind {
    /// The name used in directives and messages (`pipelines`, `bamboo`, `compose`, `script`).
    pub fn as_str(self) -> &'static str {
        match self {
            FileKind::Pipelines => "pipelines",
            FileKind::BambooSpecs => "bamboo",
            FileKind::RunnerCompose => "compose",
            FileKind::RunnerScript => "script",
        }
    }

    /// The kind named by [`FileKind::as_str`].
    pub fn from_name(name: &str) -> Option<FileKind> {
        [
            FileKind::Pipelines,
            FileKind::BambooSpecs,
            FileKind::RunnerCompose,
            FileKind::RunnerScript,
        ]
        .into_iter()
        .find(|k| k.as_str() == name)
    }

    /// Whether the file is read as YAML (every kind but shell scripts).
    pub fn is_yaml(self) -> bool {
        self != FileKind::RunnerScript
    }
}

/// The kind a path names, when its name alone tells: `bitbucket-pipelines.yml`, a YAML file
/// directly under a `bamboo-specs` directory, a compose file name
/// (`docker-compose*.yml`, `compose*.yml`), a shell script (`*.sh`, `*.bash`).
pub fn from_path(path: &str) -> Option<FileKind> {
    let path = path.replace('\\', "/");
    let mut parts = path.rsplit('/');
    let name = parts.next().unwrap_or("");
    let parent = parts.next();
    let yaml = name.ends_with(".yml") || name.ends_with(".yaml");
    if name.ends_with("bitbucket-pipelines.yml") || name.ends_with("bitbucket-pipelines.yaml") {
        Some(FileKind::Pipelines)
    } else if yaml && parent == Some("bamboo-specs") {
        Some(FileKind::BambooSpecs)
    } else if yaml && (name.starts_with("docker-compose") || name.starts_with("compose")) {
        Some(FileKind::RunnerCompose)
    } else if name.ends_with(".sh") || name.ends_with(".bash") {
        Some(FileKind::RunnerScript)
    } else {
        None
    }
}

/// The kind a text is by its content, for a path that does not tell: a script with a
/// shebang line is a runner script; YAML whose document has `version` with `plan` or
/// `deployment` is Bamboo specs; YAML with a service running the runner image is a compose
/// file; anything else is a pipeline file. `parsed` is the text parsed as YAML.
pub fn from_content(source: &str, parsed: &Parsed) -> FileKind {
    if source.starts_with("#!") {
        return FileKind::RunnerScript;
    }
    let roots = || parsed.documents.iter().filter_map(|d| d.root.as_ref());
    if roots().any(is_bamboo_document) {
        return FileKind::BambooSpecs;
    }
    if roots().any(|r| !runner_services(r).is_empty()) {
        return FileKind::RunnerCompose;
    }
    FileKind::Pipelines
}

/// Whether a text starts with a shebang line (cheap, before any parse).
pub fn is_script_text(source: &str) -> bool {
    source.starts_with("#!")
}

fn is_bamboo_document(root: &Node) -> bool {
    root.get("version").is_some()
        && (root.get("plan").is_some() || root.get("deployment").is_some())
}

/// The compose services whose image is the self-hosted runner image: (name key, service).
pub fn runner_services(root: &Node) -> Vec<(&Node, &Node)> {
    let Some(services) = root.get("services").and_then(Node::as_mapping) else {
        return Vec::new();
    };
    services
        .entries
        .iter()
        .filter(|e| {
            e.value
                .get("image")
                .and_then(Node::as_str)
                .is_some_and(|i| i.contains(RUNNER_IMAGE))
        })
        .map(|e| (&e.key, &e.value))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> Parsed {
        pipelint_yaml::parse(s, &pipelint_yaml::Options::default())
    }

    #[test]
    fn paths() {
        assert_eq!(
            from_path("a/bitbucket-pipelines.yml"),
            Some(FileKind::Pipelines)
        );
        assert_eq!(
            from_path("bamboo-specs/bamboo.yml"),
            Some(FileKind::BambooSpecs)
        );
        assert_eq!(
            from_path("r\\bamboo-specs\\x.yaml"),
            Some(FileKind::BambooSpecs)
        );
        assert_eq!(from_path("bamboo.yml"), None);
        assert_eq!(
            from_path("docker-compose.runner.yml"),
            Some(FileKind::RunnerCompose)
        );
        assert_eq!(from_path("compose.yaml"), Some(FileKind::RunnerCompose));
        assert_eq!(
            from_path("scripts/start-runner.sh"),
            Some(FileKind::RunnerScript)
        );
        assert_eq!(from_path("ci.yml"), None);
    }

    #[test]
    fn contents() {
        let k = |s: &str| from_content(s, &parse(s));
        assert_eq!(k("version: 2\nplan:\n  key: A\n"), FileKind::BambooSpecs);
        assert_eq!(
            k("---\nversion: 2\ndeployment:\n  name: x\n"),
            FileKind::BambooSpecs
        );
        assert_eq!(
            k(
                "services:\n  r:\n    image: docker-public.packages.atlassian.com/sox/atlassian/bitbucket-pipelines-runner\n"
            ),
            FileKind::RunnerCompose
        );
        assert_eq!(k("#!/bin/sh\ndocker run x\n"), FileKind::RunnerScript);
        assert_eq!(k("pipelines:\n  default: []\n"), FileKind::Pipelines);
        assert_eq!(k("plan: 1\n"), FileKind::Pipelines);
    }
}
