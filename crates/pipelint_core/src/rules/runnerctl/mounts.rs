use crate::context::Context;
use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::rule::{Rule, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Reports a start of the self-hosted runner image (`bitbucket-pipelines-runner`), in a
    /// shell script or a docker-compose service, that does not mount one of:
    /// `/var/run/docker.sock`, `/var/lib/docker/containers` (read-only is enough), and the
    /// directory its `WORKING_DIRECTORY` names (when that is written in the launch).
    ///
    /// ## Why is this bad?
    /// The runner starts each step's build and service containers through the host's
    /// Docker daemon (the socket), reads their logs from the containers directory, and
    /// shares the working directory with them by its host path. A missing mount makes
    /// steps fail to start, lose their logs, or see an empty clone.
    ///
    /// ## Example
    /// ```yaml
    /// services:
    ///   runner:
    ///     image: docker-public.packages.atlassian.com/sox/atlassian/bitbucket-pipelines-runner:1
    ///     environment:
    ///       ACCOUNT_UUID: ${ACCOUNT_UUID}
    ///       RUNNER_UUID: ${RUNNER_UUID}
    ///       OAUTH_CLIENT_ID: ${OAUTH_CLIENT_ID}
    ///       OAUTH_CLIENT_SECRET: ${OAUTH_CLIENT_SECRET}
    ///       WORKING_DIRECTORY: /tmp
    ///     volumes:
    ///       - /tmp:/tmp
    ///       - /var/run/docker.sock:/var/run/docker.sock
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// services:
    ///   runner:
    ///     image: docker-public.packages.atlassian.com/sox/atlassian/bitbucket-pipelines-runner:1
    ///     environment:
    ///       ACCOUNT_UUID: ${ACCOUNT_UUID}
    ///       RUNNER_UUID: ${RUNNER_UUID}
    ///       OAUTH_CLIENT_ID: ${OAUTH_CLIENT_ID}
    ///       OAUTH_CLIENT_SECRET: ${OAUTH_CLIENT_SECRET}
    ///       WORKING_DIRECTORY: /tmp
    ///     volumes:
    ///       - /tmp:/tmp
    ///       - /var/run/docker.sock:/var/run/docker.sock
    ///       - /var/lib/docker/containers:/var/lib/docker/containers:ro
    /// ```
    ///
    /// ## Source
    /// Atlassian, "Set up runners for Linux Docker" (the generated `docker container run`
    /// command mounts `/tmp`, the Docker socket and `/var/lib/docker/containers:ro`).
    pub struct Mounts {
        id: "runnerctl/mounts",
        severity: Warning,
        summary: "A runner container without the Docker socket, containers or working directory mounted",
        fix: false,
        kinds: [RunnerScript, RunnerCompose],
    }
}

impl Rule for Mounts {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for launch in &cx.launches {
            let mut missing: Vec<(String, String)> = Vec::new();
            if !launch.mounts_into(|p| p == "/var/run/docker.sock" || p == "/run/docker.sock") {
                missing.push((
                    "the Docker socket `/var/run/docker.sock`".into(),
                    "/var/run/docker.sock:/var/run/docker.sock".into(),
                ));
            }
            if !launch.mounts_into(|p| p == "/var/lib/docker/containers") {
                missing.push((
                    "the containers directory `/var/lib/docker/containers`".into(),
                    "/var/lib/docker/containers:/var/lib/docker/containers:ro".into(),
                ));
            }
            let wd = launch
                .var("WORKING_DIRECTORY")
                .and_then(|v| v.value.as_deref())
                .map(|v| v.trim().trim_end_matches('/'))
                .filter(|v| !v.is_empty());
            if let Some(wd) = wd
                && !launch.mounts_into(|p| p == wd)
            {
                missing.push((
                    format!("the working directory `{wd}`"),
                    format!("{wd}:{wd}"),
                ));
            }
            for (what, volume) in missing {
                out.push(
                    Diagnostic::new(
                        Self::META.id,
                        launch.image_span,
                        format!("the runner container does not mount {what}"),
                    )
                    .help(format!(
                        "mount it: `-v {volume}` (`- {volume}` under `volumes:` in compose)"
                    )),
                );
            }
        }
    }
}
