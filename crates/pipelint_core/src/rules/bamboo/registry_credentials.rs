use crate::bamboo::{is_docker_config, private_registry};
use crate::context::Context;
use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::model::locate_word;
use crate::rule::{Rule, RuleMeta};
use crate::shell::Command;

declare_rule! {
    /// ## What it does
    /// Reports a Bamboo job or deployment environment that runs in the Docker runner and
    /// pulls or pushes an image of a private registry (`docker pull` or `docker push` of a
    /// name whose first part is a host other than Docker Hub) when its `docker` volumes
    /// mount no Docker configuration (`~/.docker`, `.docker/config.json`) and no script of
    /// it runs `docker login`.
    ///
    /// ## Why is this bad?
    /// Bamboo gives Docker commands the agent user's registry credentials by copying its
    /// `~/.docker/config.json` to `~/.dockercfg-bamboo-<agent UUID>` and passing
    /// `--config`. Inside the runner container that file exists only if it is mounted, so
    /// the pull or push fails with "unauthorized" or "no basic auth credentials".
    ///
    /// ## Example
    /// ```yaml
    /// version: 2
    /// plan:
    ///   project-key: PROJ
    ///   key: IMG
    ///   name: Image
    /// stages:
    ///   - Publish:
    ///       jobs: [Push]
    /// Push:
    ///   docker:
    ///     image: docker:27-cli
    ///     volumes:
    ///       /var/run/docker.sock: /var/run/docker.sock
    ///   tasks:
    ///     - script:
    ///         - docker push registry.example.com/team/app:1.0
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
    ///   - Publish:
    ///       jobs: [Push]
    /// Push:
    ///   docker:
    ///     image: docker:27-cli
    ///     volumes:
    ///       /var/run/docker.sock: /var/run/docker.sock
    ///       /home/bamboo/.docker: /root/.docker
    ///   tasks:
    ///     - script:
    ///         - docker push registry.example.com/team/app:1.0
    /// ```
    ///
    /// ## Source
    /// Atlassian knowledge base, "Docker-in-Docker in Bamboo Docker Runner" (credentials
    /// come from the agent user's `~/.docker/config.json`, copied to
    /// `~/.dockercfg-bamboo-<agent UUID>` and passed with `--config`).
    pub struct RegistryCredentials {
        id: "bamboo/registry-credentials",
        severity: Warning,
        summary: "A private registry used in a Bamboo Docker runner job without credentials",
        fix: false,
        kinds: [BambooSpecs],
    }
}

impl Rule for RegistryCredentials {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for (spec, unit, d) in super::runner_units(cx) {
            if d.mounts(is_docker_config) {
                continue;
            }
            let scripts = unit.scripts();
            let logs_in = scripts
                .iter()
                .flat_map(|(_, cmds)| cmds)
                .any(|c| c.is(&["docker", "login"]));
            if logs_in {
                continue;
            }
            let found = scripts.iter().find_map(|(node, cmds)| {
                cmds.iter()
                    .find_map(|c| private_image(c))
                    .map(|(word, host)| (locate_word(cx.source, node, word), host))
            });
            let Some((span, host)) = found else { continue };
            let name = super::unit_name(spec, unit);
            out.push(
                Diagnostic::at(Self::META.id, d.key, format!("{name} uses the private registry `{host}` in the Docker runner, but the agent's Docker credentials are not mounted"))
                    .related(span, "the image is pulled or pushed here")
                    .help("mount the agent user's Docker configuration under `docker.volumes` (e.g. `/home/bamboo/.docker: /root/.docker`), or run `docker login` first"),
            );
        }
    }
}

/// The image word and its registry, for `docker pull|push` of a private registry image.
fn private_image<'c>(cmd: &'c Command<'c>) -> Option<(&'c crate::shell::Word<'c>, String)> {
    let pulls = ["pull", "push"]
        .iter()
        .any(|sub| cmd.is(&["docker", sub]) || cmd.is(&["docker", "image", sub]));
    if !pulls {
        return None;
    }
    let word = cmd.args().iter().rev().find(|w| !w.text.starts_with('-'))?;
    private_registry(&word.text).map(|host| (word, host.to_owned()))
}
