use crate::context::Context;
use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::rule::{Rule, RuleMeta};

use super::{NO_DOCKER_LABELS, label_nodes};

declare_rule! {
    /// ## What it does
    /// Reports `image` or `services` on a step that runs on a Linux Shell, Windows or
    /// macOS runner (`runs-on` lists `linux.shell`, `windows` or `macos`).
    ///
    /// ## Why is this bad?
    /// These runners run the script directly on the host; they start no containers. The
    /// step's `image` is not used and its services are not started, so a script that
    /// counts on the image's tools or on a database service fails or uses whatever the
    /// host has.
    ///
    /// ## Example
    /// ```yaml
    /// pipelines:
    ///   default:
    ///     - step:
    ///         runs-on: [self.hosted, macos]
    ///         image: node:20
    ///         script:
    ///           - npm ci
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// pipelines:
    ///   default:
    ///     - step:
    ///         runs-on: [self.hosted, macos]
    ///         script:
    ///           - npm ci
    /// ```
    ///
    /// ## Source
    /// Atlassian, "Docker image options"
    /// (https://support.atlassian.com/bitbucket-cloud/docs/docker-image-options/) and
    /// "Bitbucket Runners Comparison"
    /// (https://support.atlassian.com/bitbucket-cloud/kb/bitbucket-runners-comparison/):
    /// Linux Shell, Windows (PowerShell) and macOS runners have no Docker runtime.
    pub struct DockerOnlyKeys {
        id: "runner/docker-only-keys",
        severity: Warning,
        summary: "`image` or `services` on a Shell, Windows or macOS runner, which runs no containers",
        fix: false,
    }
}

impl Rule for DockerOnlyKeys {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for step in cx.steps() {
            let Some((label_node, label)) = label_nodes(step)
                .into_iter()
                .find(|(_, s)| NO_DOCKER_LABELS.contains(s))
            else {
                continue;
            };
            let Some(map) = step.map() else { continue };
            let kind = match label {
                "linux.shell" => "Linux Shell",
                "windows" => "Windows",
                _ => "macOS",
            };
            for (key, what) in [
                ("image", "the image is not used"),
                ("services", "its services are not started"),
            ] {
                let Some(entry) = map.entry(key) else {
                    continue;
                };
                out.push(
                    Diagnostic::at(
                        Self::META.id,
                        &entry.key,
                        format!("{kind} runners run the script on the host, not in containers: {what}"),
                    )
                    .related(label_node.span, format!("the step runs on a {kind} runner (`{label}`)"))
                    .help(format!(
                        "remove `{key}` from this step and install what it needs on the runner's host, or run the step on a Linux Docker runner (`runs-on: [self.hosted, linux]`)"
                    )),
                );
            }
        }
    }
}
