use crate::bamboo::private_registry;
use crate::context::Context;
use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::rule::{Rule, RuleMeta};

/// The runner's own images, which can be pulled from a private mirror.
const IMAGE_VARS: &[&str] = &["PAUSE_IMAGE", "AUTH_PROXY_IMAGE", "CLONE_IMAGE"];

declare_rule! {
    /// ## What it does
    /// Reports, on a start of the self-hosted runner image (`bitbucket-pipelines-runner`):
    /// - `PAUSE_IMAGE`, `AUTH_PROXY_IMAGE` or `CLONE_IMAGE` naming an image of a private
    ///   registry when no Docker configuration (`.../.docker/config.json` or
    ///   `.../.docker`) is mounted into the container;
    /// - a mounted Docker configuration that lies in the repository (a relative host path,
    ///   or one under `$(pwd)`/`$PWD`) and uses `credsStore`, `credHelpers` or token auth
    ///   (`identitytoken`, `registrytoken`). Configurations outside the repository are not
    ///   read.
    ///
    /// ## Why is this bad?
    /// The runner pulls its own images and the steps' private images with the credentials
    /// of a `config.json` mounted into its container, and it understands only
    /// `auths` entries with a username and password (`auth`). Credential stores and
    /// helpers run programs the runner container does not have, so the pulls fail.
    ///
    /// ## Example
    /// ```sh
    /// #!/bin/sh
    /// docker container run -d \
    ///   -v /tmp:/tmp \
    ///   -v /var/run/docker.sock:/var/run/docker.sock \
    ///   -v /var/lib/docker/containers:/var/lib/docker/containers:ro \
    ///   -e ACCOUNT_UUID="$ACCOUNT_UUID" -e RUNNER_UUID="$RUNNER_UUID" \
    ///   -e OAUTH_CLIENT_ID="$OAUTH_CLIENT_ID" -e OAUTH_CLIENT_SECRET="$OAUTH_CLIENT_SECRET" \
    ///   -e WORKING_DIRECTORY=/tmp \
    ///   -e PAUSE_IMAGE=registry.example.com/mirror/pause:3.9 \
    ///   docker-public.packages.atlassian.com/sox/atlassian/bitbucket-pipelines-runner:1
    /// ```
    ///
    /// ## Use instead
    /// ```sh
    /// #!/bin/sh
    /// docker container run -d \
    ///   -v /tmp:/tmp \
    ///   -v /var/run/docker.sock:/var/run/docker.sock \
    ///   -v /var/lib/docker/containers:/var/lib/docker/containers:ro \
    ///   -v /etc/runner/docker-config.json:/root/.docker/config.json:ro \
    ///   -e ACCOUNT_UUID="$ACCOUNT_UUID" -e RUNNER_UUID="$RUNNER_UUID" \
    ///   -e OAUTH_CLIENT_ID="$OAUTH_CLIENT_ID" -e OAUTH_CLIENT_SECRET="$OAUTH_CLIENT_SECRET" \
    ///   -e WORKING_DIRECTORY=/tmp \
    ///   -e PAUSE_IMAGE=registry.example.com/mirror/pause:3.9 \
    ///   docker-public.packages.atlassian.com/sox/atlassian/bitbucket-pipelines-runner:1
    /// ```
    ///
    /// ## Source
    /// Atlassian, "Use your Docker images in self-hosted runners" (private registries for
    /// the runner's images through a mounted `.docker/config.json`; only basic
    /// authentication in `auths` is supported, not credential stores or helpers).
    pub struct RegistryAuth {
        id: "runnerctl/registry-auth",
        severity: Warning,
        summary: "Runner images from a private registry without usable credentials",
        fix: false,
        kinds: [RunnerScript, RunnerCompose],
    }
}

impl Rule for RegistryAuth {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for launch in &cx.launches {
            if launch.config_mounts().next().is_some() {
                continue;
            }
            for var in launch
                .env
                .iter()
                .filter(|v| IMAGE_VARS.contains(&v.name.as_str()))
            {
                let Some(host) = var.value.as_deref().and_then(private_registry) else {
                    continue;
                };
                out.push(
                    Diagnostic::new(Self::META.id, var.span, format!("`{}` comes from the private registry `{host}`, but no Docker configuration is mounted into the runner", var.name))
                        .help("mount a `config.json` with basic-auth `auths` for that registry: `-v /path/to/config.json:/root/.docker/config.json:ro`"),
                );
            }
        }
        for config in &cx.mounted_configs {
            for problem in &config.problems {
                out.push(
                    Diagnostic::new(Self::META.id, config.span, format!("the mounted Docker configuration `{}`: {problem}; the runner supports only username/password `auths`", config.path))
                        .help("write the registry's credentials as `\"auths\": {\"<registry>\": {\"auth\": \"<base64 user:password>\"}}`"),
                );
            }
        }
    }
}
