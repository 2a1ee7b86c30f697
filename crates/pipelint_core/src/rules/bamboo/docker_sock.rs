use pipelint_yaml::Span;

use crate::bamboo::is_docker_socket;
use crate::context::Context;
use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::model::locate_word;
use crate::rule::{Rule, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Reports a Bamboo job or deployment environment that runs in the Docker runner, runs
    /// `docker` (or `docker-compose`) in a script task or has a Docker task, and whose
    /// `docker` setting does not mount `/var/run/docker.sock`. The finding is at the
    /// `docker` setting that applies (the job's, or the plan's when the job has none).
    ///
    /// ## Why is this bad?
    /// Inside the runner container there is no Docker daemon. Docker commands reach the
    /// agent's daemon only through its socket, mounted as a volume; without it they fail
    /// with "Cannot connect to the Docker daemon".
    ///
    /// ## Example
    /// ```yaml
    /// version: 2
    /// plan:
    ///   project-key: PROJ
    ///   key: IMG
    ///   name: Image
    /// stages:
    ///   - Build:
    ///       jobs: [Image]
    /// Image:
    ///   docker: docker:27-cli
    ///   tasks:
    ///     - script:
    ///         - docker build -t app .
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// version: 2
    /// plan:
    ///   project-key: PROJ
    ///   key: IMG
    ///   name: Image
    /// stages:
    ///   - Build:
    ///       jobs: [Image]
    /// Image:
    ///   docker:
    ///     image: docker:27-cli
    ///     volumes:
    ///       /var/run/docker.sock: /var/run/docker.sock
    ///   tasks:
    ///     - script:
    ///         - docker build -t app .
    /// ```
    ///
    /// ## Source
    /// Atlassian knowledge base, "Docker-in-Docker in Bamboo Docker Runner" (mount
    /// `/var/run/docker.sock`); Bamboo Specs reference (YAML), "Docker" (`volumes`).
    pub struct DockerSock {
        id: "bamboo/docker-sock",
        severity: Warning,
        summary: "Docker commands in a Bamboo Docker runner job without the Docker socket",
        fix: false,
        kinds: [BambooSpecs],
    }
}

impl Rule for DockerSock {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for (spec, unit, d) in super::runner_units(cx) {
            if d.mounts(is_docker_socket) {
                continue;
            }
            let Some(use_site) = docker_use(cx, unit) else {
                continue;
            };
            let name = super::unit_name(spec, unit);
            out.push(
                Diagnostic::at(Self::META.id, d.key, format!("{name} runs Docker commands in the Docker runner, but `/var/run/docker.sock` is not mounted"))
                    .related(use_site, "Docker is used here")
                    .help("add `/var/run/docker.sock: /var/run/docker.sock` under `docker.volumes`"),
            );
        }
    }
}

/// Where the unit first uses Docker: a `docker`/`docker-compose` command or a Docker task.
pub(crate) fn docker_use(cx: &Context<'_>, unit: &crate::bamboo::Unit<'_>) -> Option<Span> {
    for (node, commands) in unit.scripts() {
        for cmd in commands {
            if matches!(cmd.program(), Some("docker" | "docker-compose"))
                && let Some(word) = cmd.words.first()
            {
                return Some(locate_word(cx.source, node, word));
            }
        }
    }
    unit.docker_task().map(|n| n.span)
}
