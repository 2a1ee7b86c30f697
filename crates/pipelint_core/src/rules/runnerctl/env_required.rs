use crate::context::Context;
use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::rule::{Rule, RuleMeta};

/// The variables every runner container needs.
const REQUIRED: &[&str] = &[
    "ACCOUNT_UUID",
    "RUNNER_UUID",
    "OAUTH_CLIENT_ID",
    "OAUTH_CLIENT_SECRET",
    "WORKING_DIRECTORY",
];

declare_rule! {
    /// ## What it does
    /// Reports a start of the self-hosted runner image (`bitbucket-pipelines-runner`), in a
    /// shell script (`docker run`, `docker container run`) or a docker-compose service,
    /// that does not set one of `ACCOUNT_UUID`, `RUNNER_UUID`, `OAUTH_CLIENT_ID`,
    /// `OAUTH_CLIENT_SECRET` and `WORKING_DIRECTORY`. One finding per launch names every
    /// missing variable.
    /// A launch with an `--env-file` (`env_file:` in compose) is not reported: the file
    /// may hold them. `REPOSITORY_UUID`, needed by repository runners only, is not asked
    /// for, since pipelint cannot tell a repository runner from a workspace runner.
    ///
    /// ## Why is this bad?
    /// The runner identifies itself to Bitbucket with the UUIDs and the OAuth client, and
    /// builds in the working directory. Without any of them the container exits at start
    /// and the runner stays offline.
    ///
    /// ## Example
    /// ```sh
    /// #!/bin/sh
    /// docker container run -it --rm \
    ///   -v /tmp:/tmp \
    ///   -v /var/run/docker.sock:/var/run/docker.sock \
    ///   -v /var/lib/docker/containers:/var/lib/docker/containers:ro \
    ///   -e ACCOUNT_UUID="$ACCOUNT_UUID" \
    ///   -e OAUTH_CLIENT_ID="$OAUTH_CLIENT_ID" \
    ///   -e OAUTH_CLIENT_SECRET="$OAUTH_CLIENT_SECRET" \
    ///   -e WORKING_DIRECTORY=/tmp \
    ///   --name runner \
    ///   docker-public.packages.atlassian.com/sox/atlassian/bitbucket-pipelines-runner:1
    /// ```
    ///
    /// ## Use instead
    /// ```sh
    /// #!/bin/sh
    /// docker container run -it --rm \
    ///   -v /tmp:/tmp \
    ///   -v /var/run/docker.sock:/var/run/docker.sock \
    ///   -v /var/lib/docker/containers:/var/lib/docker/containers:ro \
    ///   -e ACCOUNT_UUID="$ACCOUNT_UUID" \
    ///   -e RUNNER_UUID="$RUNNER_UUID" \
    ///   -e OAUTH_CLIENT_ID="$OAUTH_CLIENT_ID" \
    ///   -e OAUTH_CLIENT_SECRET="$OAUTH_CLIENT_SECRET" \
    ///   -e WORKING_DIRECTORY=/tmp \
    ///   --name runner \
    ///   docker-public.packages.atlassian.com/sox/atlassian/bitbucket-pipelines-runner:1
    /// ```
    ///
    /// ## Source
    /// Atlassian, "Set up runners for Linux Docker" (the `docker container run` command
    /// Bitbucket generates for a new runner) and "Use your Docker images in self-hosted
    /// runners".
    pub struct EnvRequired {
        id: "runnerctl/env-required",
        severity: Error,
        summary: "A runner container started without a required environment variable",
        fix: false,
        kinds: [RunnerScript, RunnerCompose],
    }
}

impl Rule for EnvRequired {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for launch in &cx.launches {
            if launch.env_file {
                continue;
            }
            let missing: Vec<&str> = REQUIRED
                .iter()
                .copied()
                .filter(|name| launch.var(name).is_none())
                .collect();
            let (message, example) = match missing.as_slice() {
                [] => continue,
                [one] => (
                    format!(
                        "the runner container is missing the required environment variable `{one}`"
                    ),
                    format!("-e {one}=..."),
                ),
                more => (
                    format!(
                        "the runner container is missing the required environment variables {}",
                        more.iter()
                            .map(|n| format!("`{n}`"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                    more.iter()
                        .map(|n| format!("-e {n}=..."))
                        .collect::<Vec<_>>()
                        .join(" "),
                ),
            };
            out.push(
                Diagnostic::new(Self::META.id, launch.image_span, message)
                    .help(format!("pass them as in the command Bitbucket shows when the runner is added: `{example}` (under `environment:` in compose)")),
            );
        }
    }
}
