use crate::context::Context;
use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::model::{Origin, ScriptCommand, image_name, is_template, locate_word};
use crate::route::{Route, Segment};
use crate::rule::{Rule, RuleMeta};
use crate::rules::docker::{is_cloud_v3, uses_docker};
use crate::shell::Command;

declare_rule! {
    /// ## What it does
    /// Reports a Runtime v3 step that runs the Docker CLI (`docker ...`,
    /// `docker-compose ...`) in an image that is known not to ship it, when the script does
    /// not install it either (`apt-get install docker.io`, `apk add docker-cli`, Docker's
    /// `get.docker.com` script...).
    ///
    /// The images known to lack the CLI, with any tag: Bitbucket's default image
    /// `atlassian/default-image` (also used when no `image` is set), `node`, `python`,
    /// `maven`, `gradle`, `openjdk`, `eclipse-temurin`, `amazoncorretto`, `golang`, `rust`,
    /// `ruby`, `php`, `composer`, `ubuntu`, `debian`, `alpine`, `amazon/aws-cli` and
    /// `mcr.microsoft.com/dotnet/sdk`. Other images are not judged. Images whose name
    /// starts with `docker` (`docker:27-cli`, `myorg/docker-tools`) and those configured as
    /// carrying the CLI (the `docker_cli_images` setting, matched by prefix) are never
    /// reported.
    ///
    /// It points at the image, or at the step's `step` key when the step uses the default
    /// image. A step that has the Docker service but runs no `docker` command itself (a
    /// test library talking to the daemon, for example) is not reported: it needs the
    /// daemon, not the CLI.
    ///
    /// ## Why is this bad?
    /// On Runtime v2 the Docker service mounts the `docker` binary into the build
    /// container. Runtime v3 no longer does: the image must contain the CLI, or the step
    /// fails with `docker: command not found`.
    ///
    /// ## Example
    /// ```yaml
    /// options:
    ///   runtime:
    ///     cloud:
    ///       version: "3"
    /// pipelines:
    ///   default:
    ///     - step:
    ///         image: node:20
    ///         services: [docker]
    ///         script:
    ///           - npm ci && npm run build
    ///           - docker build -t app .
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// options:
    ///   runtime:
    ///     cloud:
    ///       version: "3"
    /// pipelines:
    ///   default:
    ///     - step:
    ///         image: node:20
    ///         services: [docker]
    ///         script:
    ///           - apt-get update && apt-get install -y docker.io
    ///           - npm ci && npm run build
    ///           - docker build -t app .
    /// ```
    ///
    /// ## Source
    /// Atlassian, "Enable and use Runtime v3" and the announcement "Introducing Runtime v3:
    /// multi-arch images and more control over Docker": the Docker CLI is no longer
    /// mounted into the build container. The images' contents are from their official
    /// Dockerfiles.
    pub struct DockerCliMissing {
        id: "v3/docker-cli-missing",
        severity: Warning,
        summary: "A Runtime v3 step runs docker in an image without the Docker CLI",
        fix: false,
    }
}

/// Images known not to ship the Docker CLI, by repository (registry `docker.io/` and
/// `library/` removed, any tag or digest). `atlassian/default-image` is also what a step
/// without `image` runs in.
pub const IMAGES_WITHOUT_DOCKER_CLI: &[&str] = &[
    "atlassian/default-image",
    "node",
    "python",
    "maven",
    "gradle",
    "openjdk",
    "eclipse-temurin",
    "amazoncorretto",
    "golang",
    "rust",
    "ruby",
    "php",
    "composer",
    "ubuntu",
    "debian",
    "alpine",
    "amazon/aws-cli",
    "mcr.microsoft.com/dotnet/sdk",
];

/// Images known to ship the Docker CLI: the official `docker` image (`docker:27-cli`,
/// `docker:dind`...) and images whose repository name starts with `docker`
/// (`something/docker-compose`...). Matched on the repository's last path segment.
pub const IMAGES_WITH_DOCKER_CLI: &[&str] = &["docker"];

/// The default image Bitbucket runs a step in when it names none.
const DEFAULT_IMAGE: &str = "atlassian/default-image";

impl Rule for DockerCliMissing {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let Some(file) = cx.file.as_ref() else {
            return;
        };
        for step in cx.steps() {
            if step.is_child_pipeline() || !is_cloud_v3(step, cx) {
                continue;
            }
            let commands = step.script_commands();
            let Some(first) = commands.iter().find(|c| uses_docker(&c.command)) else {
                continue;
            };
            if commands.iter().any(|c| installs_docker(&c.command)) {
                continue;
            }
            let program = first.command.program().unwrap_or("docker");
            let help = "use an image that has the Docker CLI (such as `docker:27-cli`), or \
                        install it first in the script (`apt-get update && apt-get install -y \
                        docker.io`, `apk add docker-cli`)";
            let image = step.image(file);
            let mut d = match &image {
                None => {
                    let mut d = Diagnostic::at(
                        Self::META.id,
                        step.key,
                        format!(
                            "this Runtime v3 step runs `{program}` in the default image \
                             (`{DEFAULT_IMAGE}`), which has no Docker CLI; v3 no longer mounts it"
                        ),
                    );
                    d.route = step.route.clone();
                    d
                }
                Some(image) => {
                    let Some(node) = image.node else { continue };
                    let name_node = node.get("name").unwrap_or(node);
                    if is_template(name_node)
                        || !lacks_docker_cli(image.value, &cx.settings.docker_cli_images)
                    {
                        continue;
                    }
                    let mut route = match image.origin {
                        Origin::Step => step.route.push(Segment::Key("image".into())),
                        _ => Route(vec![Segment::Key("image".into())]),
                    };
                    if !std::ptr::eq(name_node, node) {
                        route = route.push(Segment::Key("name".into()));
                    }
                    let mut d = Diagnostic::at(
                        Self::META.id,
                        name_node,
                        format!(
                            "`{}` has no Docker CLI, and Runtime v3 no longer mounts it: \
                             `{program}` will not be found",
                            image_name(node).unwrap_or(image.value)
                        ),
                    );
                    d.route = route;
                    d
                }
            };
            d = d.help(help).related(
                command_span(cx.source, first),
                format!("`{program}` runs here"),
            );
            if image.is_some() {
                // The image may be shared by many steps (the file's `image`): name the step
                // through the alias it came by, if any.
                if let Some(site) = step.node.via.first() {
                    d = d.via(*site);
                }
            }
            out.push(d);
        }
    }
}

fn command_span(source: &str, sc: &ScriptCommand<'_>) -> pipelint_yaml::Span {
    match sc.command.words.first() {
        Some(w) => locate_word(source, sc.node, w),
        None => sc.node.span,
    }
}

/// The repository of an image reference: no tag, no digest, no `docker.io/` or `library/`.
fn repository(image: &str) -> &str {
    let image = image.split('@').next().unwrap_or(image);
    let slash = image.rfind('/').map_or(0, |i| i + 1);
    let image = match image[slash..].find(':') {
        Some(colon) => &image[..slash + colon],
        None => image,
    };
    let image = image.strip_prefix("docker.io/").unwrap_or(image);
    image.strip_prefix("library/").unwrap_or(image)
}

/// Whether the image is known not to have the Docker CLI (and is not configured as
/// having it).
fn lacks_docker_cli(image: &str, configured: &[String]) -> bool {
    if configured
        .iter()
        .any(|p| !p.is_empty() && image.starts_with(p.as_str()))
    {
        return false;
    }
    let repo = repository(image);
    let last = crate::shell::basename(repo);
    if IMAGES_WITH_DOCKER_CLI.iter().any(|p| last.starts_with(p)) {
        return false;
    }
    IMAGES_WITHOUT_DOCKER_CLI.contains(&repo)
}

/// Whether the command installs the Docker CLI: a package manager installing a docker
/// package, or Docker's install script / static binaries being fetched.
fn installs_docker(cmd: &Command) -> bool {
    let args = cmd.args();
    let has_arg = |pred: &dyn Fn(&str) -> bool| args.iter().any(|w| pred(&w.text));
    let installing = |verb: &str| args.iter().any(|w| w.text == verb);
    match cmd.program() {
        Some("apt-get" | "apt" | "aptitude") => {
            installing("install")
                && has_arg(&|a| matches!(a, "docker.io" | "docker-ce" | "docker-ce-cli"))
        }
        Some("apk") => {
            installing("add") && has_arg(&|a| a == "docker" || a.starts_with("docker-cli"))
        }
        Some("yum" | "dnf" | "microdnf") => {
            installing("install")
                && has_arg(&|a| matches!(a, "docker" | "docker-ce" | "docker-ce-cli" | "moby-cli"))
        }
        Some("curl" | "wget") => {
            has_arg(&|a| a.contains("get.docker.com") || a.contains("download.docker.com"))
        }
        Some("sh" | "bash") => has_arg(&|a| a.ends_with("get-docker.sh")),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::shell::commands;

    #[test]
    fn repositories() {
        assert_eq!(repository("node:20-alpine"), "node");
        assert_eq!(
            repository("docker.io/library/python:3.12@sha256:abc"),
            "python"
        );
        assert_eq!(
            repository("localhost:5000/team/node:1"),
            "localhost:5000/team/node"
        );
        assert_eq!(
            repository("mcr.microsoft.com/dotnet/sdk:8.0"),
            "mcr.microsoft.com/dotnet/sdk"
        );
    }

    #[test]
    fn known_images() {
        let none: &[String] = &[];
        assert!(lacks_docker_cli("node:20", none));
        assert!(lacks_docker_cli("atlassian/default-image:4", none));
        assert!(!lacks_docker_cli("docker:27-cli", none));
        assert!(!lacks_docker_cli("mycorp/node", none));
        assert!(!lacks_docker_cli("node:20", &["node:20".to_owned()]));
    }

    #[test]
    fn the_docs_list_every_image() {
        let docs = DockerCliMissing::META.docs();
        for image in IMAGES_WITHOUT_DOCKER_CLI {
            assert!(
                docs.contains(&format!("`{image}`")),
                "{image} is not in the docs"
            );
        }
    }

    #[test]
    fn installs() {
        let found = |s: &str| commands(s).iter().any(installs_docker);
        assert!(found("apt-get update && apt-get install -y docker.io"));
        assert!(found("apk add --no-cache docker-cli"));
        assert!(found("curl -fsSL https://get.docker.com | sh"));
        assert!(!found("pip install docker"));
        assert!(!found("apt-get install -y curl"));
    }
}
