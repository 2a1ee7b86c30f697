//! Self-hosted runner setups: how Bitbucket's Docker-based runner
//! (`bitbucket-pipelines-runner`) is started, read from a shell script (`docker run` or
//! `docker container run`, also across `\` line continuations) or from a docker-compose
//! service. The `runnerctl/*` rules judge each [`Launch`]: its environment variables, its
//! mounts, and the Docker configuration file it mounts.
//!
//! A mounted `.docker/config.json` whose host path lies in the repository (a relative path,
//! or one under `$(pwd)`/`$PWD`) is read through the caller's [`Resolver`] before the rules
//! run ([`read_configs`]); core itself does no IO. A script's relative paths are taken
//! from the script's directory (the CLI's resolver), a compose file's from its own, as
//! Compose does.

use pipelint_yaml::{Node, Parsed, Span};

use crate::kind::{RUNNER_IMAGE, runner_services};
use crate::share::{Resolution, Resolver};
use crate::shell::{self, Command};

/// One start of the runner image.
#[derive(Clone, Debug)]
pub struct Launch {
    /// The image as written, and where.
    pub image: String,
    pub image_span: Span,
    pub env: Vec<EnvVar>,
    /// An `--env-file`/`env_file` supplies variables pipelint cannot see.
    pub env_file: bool,
    pub mounts: Vec<Mount>,
}

/// An environment variable given to the container.
#[derive(Clone, Debug)]
pub struct EnvVar {
    pub name: String,
    /// The value, when written (`-e NAME` passes the host's value).
    pub value: Option<String>,
    pub span: Span,
}

/// A bind mount: host path to container path.
#[derive(Clone, Debug)]
pub struct Mount {
    pub host: String,
    pub container: String,
    pub span: Span,
}

/// A Docker configuration file a launch mounts, read from the repository.
#[derive(Clone, Debug)]
pub struct MountedConfig {
    /// The mount, where the findings go.
    pub span: Span,
    /// The path read, relative to the repository.
    pub path: String,
    /// What the runner cannot use in it, one sentence each.
    pub problems: Vec<String>,
}

impl Launch {
    pub fn var(&self, name: &str) -> Option<&EnvVar> {
        self.env.iter().find(|v| v.name == name)
    }

    /// Whether a mount's container path satisfies `want` (a trailing slash ignored).
    pub fn mounts_into(&self, want: impl Fn(&str) -> bool) -> bool {
        self.mounts.iter().any(|m| want(trim_slash(&m.container)))
    }

    /// The mounts of a Docker configuration (`.../.docker` or `.../.docker/config.json`).
    pub fn config_mounts(&self) -> impl Iterator<Item = &Mount> {
        self.mounts
            .iter()
            .filter(|m| crate::bamboo::is_docker_config(trim_slash(&m.container)))
    }
}

fn trim_slash(p: &str) -> &str {
    match p.strip_suffix('/') {
        Some(t) if !t.is_empty() => t,
        _ => p,
    }
}

/// Options of `docker run` that take a value in the next word.
const VALUE_OPTIONS: &[&str] = &[
    "-e",
    "--env",
    "-v",
    "--volume",
    "--mount",
    "--env-file",
    "--name",
    "-w",
    "--workdir",
    "-u",
    "--user",
    "-p",
    "--publish",
    "-h",
    "--hostname",
    "-l",
    "--label",
    "-m",
    "--memory",
    "--network",
    "--net",
    "--restart",
    "--entrypoint",
    "--platform",
    "--log-driver",
    "--log-opt",
    "--cpus",
    "--add-host",
    "--dns",
    "--device",
    "--cap-add",
    "--cap-drop",
    "--ulimit",
    "--pull",
    "--security-opt",
    "--tmpfs",
    "--stop-timeout",
    "--memory-swap",
    "--cpu-shares",
    "--shm-size",
    "--ipc",
    "--pid",
    "--label-file",
    "--runtime",
    "--volumes-from",
    "--gpus",
    "--health-cmd",
    "--cidfile",
    "--group-add",
];

/// The launches in a shell script.
pub fn from_script(source: &str) -> Vec<Launch> {
    shell::commands(source)
        .iter()
        .filter_map(launch_of_command)
        .collect()
}

fn launch_of_command(cmd: &Command) -> Option<Launch> {
    if !(cmd.is(&["docker", "run"]) || cmd.is(&["docker", "container", "run"])) {
        return None;
    }
    let args = cmd.args();
    let run = args.iter().position(|w| w.text == "run")?;
    let mut launch = Launch {
        image: String::new(),
        image_span: Span::default(),
        env: Vec::new(),
        env_file: false,
        mounts: Vec::new(),
    };
    let mut i = run + 1;
    while let Some(word) = args.get(i) {
        let text = word.as_str();
        if !text.starts_with('-') || text == "-" {
            if !text.contains(RUNNER_IMAGE) {
                return None;
            }
            launch.image = text.to_owned();
            launch.image_span = Span::new(word.start, word.end);
            return Some(launch);
        }
        let (name, inline) = match text.split_once('=') {
            Some((n, v)) if n.starts_with("--") => (n, Some(v.to_owned())),
            _ => (text, None),
        };
        let (value, span_end) = match inline {
            Some(v) => (Some(v), word.end),
            None if VALUE_OPTIONS.contains(&name) => {
                i += 1;
                let next = args.get(i);
                (
                    next.map(|w| w.text.to_string()),
                    next.map_or(word.end, |w| w.end),
                )
            }
            None => (None, word.end),
        };
        let span = Span::new(word.start, span_end);
        if let Some(value) = value {
            match name {
                "-e" | "--env" => launch.env.push(env_var(&value, span)),
                "--env-file" => launch.env_file = true,
                "-v" | "--volume" => launch.mounts.extend(short_volume(&value, span)),
                "--mount" => launch.mounts.extend(long_mount(&value, span)),
                _ => {}
            }
        }
        i += 1;
    }
    None
}

fn env_var(text: &str, span: Span) -> EnvVar {
    match text.split_once('=') {
        Some((name, value)) => EnvVar {
            name: name.to_owned(),
            value: Some(value.to_owned()),
            span,
        },
        None => EnvVar {
            name: text.to_owned(),
            value: None,
            span,
        },
    }
}

/// `host:container[:mode]`; a named volume or a lone path has no host path.
fn short_volume(text: &str, span: Span) -> Option<Mount> {
    let mut parts = text.splitn(3, ':');
    let host = parts.next()?;
    let container = parts.next()?;
    Some(Mount {
        host: host.to_owned(),
        container: container.to_owned(),
        span,
    })
}

/// `type=bind,source=...,target=...`.
fn long_mount(text: &str, span: Span) -> Option<Mount> {
    let (mut host, mut container) = (None, None);
    for field in text.split(',') {
        match field.split_once('=') {
            Some(("source" | "src", v)) => host = Some(v),
            Some(("target" | "destination" | "dst", v)) => container = Some(v),
            _ => {}
        }
    }
    Some(Mount {
        host: host?.to_owned(),
        container: container?.to_owned(),
        span,
    })
}

/// The launches in a compose file: every service whose image is the runner image.
pub fn from_compose(parsed: &Parsed) -> Vec<Launch> {
    let mut out = Vec::new();
    for root in parsed.documents.iter().filter_map(|d| d.root.as_ref()) {
        for (_, service) in runner_services(root) {
            let Some(image) = service.get("image") else {
                continue;
            };
            let mut launch = Launch {
                image: image.as_str().unwrap_or_default().to_owned(),
                image_span: image.site(),
                env: Vec::new(),
                env_file: service.get("env_file").is_some(),
                mounts: Vec::new(),
            };
            if let Some(env) = service.get("environment") {
                if let Some(map) = env.as_mapping() {
                    for e in &map.entries {
                        if let Some(name) = e.key.as_key() {
                            launch.env.push(EnvVar {
                                name: name.to_owned(),
                                value: e.value.as_str().map(str::to_owned),
                                span: e.key.site(),
                            });
                        }
                    }
                } else {
                    for item in env.as_sequence().unwrap_or(&[]) {
                        if let Some(text) = item.as_str() {
                            launch.env.push(env_var(text, item.site()));
                        }
                    }
                }
            }
            for item in service
                .get("volumes")
                .and_then(Node::as_sequence)
                .unwrap_or(&[])
            {
                if let Some(text) = item.as_str() {
                    launch.mounts.extend(short_volume(text, item.site()));
                } else if let (Some(source), Some(target)) = (
                    item.get("source").and_then(Node::as_str),
                    item.get("target").and_then(Node::as_str),
                ) {
                    launch.mounts.push(Mount {
                        host: source.to_owned(),
                        container: target.to_owned(),
                        span: item.site(),
                    });
                }
            }
            out.push(launch);
        }
    }
    out
}

/// The repository-relative path of a host path, when it lies in the repository: relative,
/// or under `$(pwd)`, `${PWD}`, `$PWD`. `None` for absolute, home and other variable paths.
pub fn repository_path(host: &str) -> Option<String> {
    let mut rest = host;
    for prefix in ["$(pwd)/", "${PWD}/", "$PWD/", "\"$(pwd)\"/"] {
        if let Some(r) = host.strip_prefix(prefix) {
            rest = r;
            break;
        }
    }
    let rest = rest.trim_start_matches("./");
    if rest.is_empty() || rest.starts_with(['/', '~', '$']) || rest.split('/').any(|p| p == "..") {
        return None;
    }
    Some(rest.to_owned())
}

/// Reads the Docker configuration files the launches mount from the repository.
pub fn read_configs(launches: &[Launch], resolver: &dyn Resolver) -> Vec<MountedConfig> {
    let mut out = Vec::new();
    for launch in launches {
        for mount in launch.config_mounts() {
            let Some(mut path) = repository_path(&mount.host) else {
                continue;
            };
            if !path.ends_with(".json") {
                path = format!("{}/config.json", path.trim_end_matches('/'));
            }
            if let Resolution::Found(text) = resolver.read(&path) {
                out.push(MountedConfig {
                    span: mount.span,
                    problems: config_problems(&text),
                    path,
                });
            }
        }
    }
    out
}

/// What the runner cannot use in a Docker configuration: credential stores and helpers
/// (the runner supports `auths` with a username and password only) and token auth.
pub fn config_problems(text: &str) -> Vec<String> {
    let Ok(json) = serde_json::from_str::<serde_json::Value>(text) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    if let Some(store) = json.get("credsStore").and_then(|v| v.as_str()) {
        out.push(format!(
            "it uses the credential store `credsStore: {store}`"
        ));
    }
    if let Some(helpers) = json.get("credHelpers").and_then(|v| v.as_object())
        && !helpers.is_empty()
    {
        let names: Vec<&str> = helpers.keys().map(String::as_str).collect();
        out.push(format!(
            "it uses credential helpers (`credHelpers`) for {}",
            names.join(", ")
        ));
    }
    if let Some(auths) = json.get("auths").and_then(|v| v.as_object()) {
        for (registry, entry) in auths {
            let basic = entry.get("auth").is_some()
                || (entry.get("username").is_some() && entry.get("password").is_some());
            let token =
                entry.get("identitytoken").is_some() || entry.get("registrytoken").is_some();
            if token && !basic {
                out.push(format!("it authenticates to `{registry}` with a token"));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_multi_line_docker_run() {
        let script = "#!/bin/sh\ndocker container run -it -v /tmp:/tmp --rm \\\n  -e ACCOUNT_UUID={a} -e RUNNER_UUID=\"{b}\" \\\n  --mount type=bind,source=/var/run/docker.sock,target=/var/run/docker.sock \\\n  --name runner docker-public.packages.atlassian.com/sox/atlassian/bitbucket-pipelines-runner:1\n";
        let l = from_script(script);
        assert_eq!(l.len(), 1);
        assert_eq!(l[0].env.len(), 2);
        assert_eq!(
            l[0].var("RUNNER_UUID").and_then(|v| v.value.as_deref()),
            Some("{b}")
        );
        assert_eq!(l[0].mounts.len(), 2);
        assert!(l[0].mounts_into(|p| p == "/var/run/docker.sock"));
        assert_eq!(
            &script[l[0].image_span.range()],
            "docker-public.packages.atlassian.com/sox/atlassian/bitbucket-pipelines-runner:1"
        );
        assert!(from_script("docker run -it alpine echo bitbucket-pipelines-runner\n").is_empty());
        assert!(from_script("echo docker run bitbucket-pipelines-runner\n").is_empty());
    }

    #[test]
    fn repository_paths_and_configs() {
        assert_eq!(repository_path("./ci/docker"), Some("ci/docker".into()));
        assert_eq!(
            repository_path("$(pwd)/config.json"),
            Some("config.json".into())
        );
        assert_eq!(repository_path("/root/.docker"), None);
        assert_eq!(repository_path("~/.docker"), None);
        assert_eq!(repository_path("../x"), None);
        assert_eq!(
            config_problems(r#"{"auths":{"r.io":{"auth":"eA=="}}}"#).len(),
            0
        );
        assert_eq!(
            config_problems(r#"{"credsStore":"desktop","credHelpers":{"a.io":"ecr-login"}}"#).len(),
            2
        );
        assert_eq!(
            config_problems(r#"{"auths":{"r.io":{"identitytoken":"t"}}}"#).len(),
            1
        );
        assert!(config_problems("not json").is_empty());
    }
}
