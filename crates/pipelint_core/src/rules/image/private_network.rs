use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use pipelint_yaml::Node;

use crate::context::Context;
use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::model::{ImagePlace, StepRef, image_parts, image_uses, is_template};
use crate::rule::{Rule, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Reports an image pulled from a registry on a private network by a step that runs on
    /// Bitbucket Cloud: a registry host that is `localhost` (or `*.localhost`), a loopback,
    /// private (RFC 1918), link-local or unique-local IP address, or a name under `.local`,
    /// `.lan` or `.home.arpa`. Images used only by steps on self-hosted runners are not
    /// reported; the top-level image is judged by the steps that use it.
    ///
    /// ## Why is this bad?
    /// Cloud steps run on Atlassian's infrastructure, which cannot reach your office or
    /// VPC network: the pull fails and the step never starts. Atlassian states that
    /// Pipelines cannot access Docker images that are not reachable over the internet.
    ///
    /// ## Example
    /// ```yaml
    /// image: 192.168.1.20:5000/team/build:1.4
    /// pipelines:
    ///   default:
    ///     - step:
    ///         script: [make]
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// image: 192.168.1.20:5000/team/build:1.4
    /// pipelines:
    ///   default:
    ///     - step:
    ///         runs-on: [self.hosted, linux]
    ///         script: [make]
    /// ```
    ///
    /// ## Source
    /// Atlassian, "Use Docker images as build environments"
    /// (https://support.atlassian.com/bitbucket-cloud/docs/use-docker-images-as-build-environments/):
    /// "Bitbucket Pipelines cannot currently access Docker images that cannot be accessed
    /// via the internet."
    pub struct PrivateNetwork {
        id: "image/private-network",
        severity: Warning,
        summary: "An image from a private-network registry on a Bitbucket Cloud step",
        fix: false,
    }
}

impl Rule for PrivateNetwork {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let Some(file) = cx.file.as_ref() else {
            return;
        };
        let steps = cx.steps();
        for u in image_uses(file, steps) {
            let Some(node) = name_node(u.node) else {
                continue;
            };
            let Some(host) = private_host(node) else {
                continue;
            };
            let on_cloud = match u.place {
                ImagePlace::Step(i) => steps.get(i).is_some_and(is_cloud),
                ImagePlace::Top => steps
                    .iter()
                    .any(|s| is_cloud(s) && s.get("image").is_none() && !s.is_child_pipeline()),
                ImagePlace::Service(name) => steps.iter().any(|s| {
                    is_cloud(s) && s.service_nodes().iter().any(|n| n.as_str() == Some(name))
                }),
            };
            if !on_cloud {
                continue;
            }
            let name = node.as_str().unwrap_or("").trim();
            out.push(
                Diagnostic::at(
                    Self::META.id,
                    node,
                    format!(
                        "image `{name}` comes from `{host}`, a private-network registry that Bitbucket Cloud steps cannot reach"
                    ),
                )
                .help("push the image to a registry reachable from the internet (Docker Hub, ECR, GCR, ACR...), or run the steps that use it on a self-hosted runner: `runs-on: [self.hosted, linux]`"),
            );
        }
    }
}

fn is_cloud(step: &StepRef<'_>) -> bool {
    !step.is_self_hosted()
}

fn name_node(image: &Node) -> Option<&Node> {
    match image.as_mapping() {
        Some(m) => m.get("name"),
        None => Some(image),
    }
}

/// The registry host of the image when it is on a private network.
fn private_host(node: &Node) -> Option<&str> {
    if is_template(node) {
        return None;
    }
    let name = node.as_scalar()?.value.trim();
    if name.contains('$') {
        return None;
    }
    let registry = image_parts(name).registry?;
    is_private(registry).then_some(registry)
}

/// Whether a registry (`host[:port]`) is on a private network.
pub(crate) fn is_private(registry: &str) -> bool {
    let host = if let Some(rest) = registry.strip_prefix('[') {
        rest.split(']').next().unwrap_or(rest)
    } else {
        registry.split(':').next().unwrap_or(registry)
    };
    let host = host.to_ascii_lowercase();
    if let Ok(ip) = host.parse::<IpAddr>() {
        return match ip {
            IpAddr::V4(v4) => private_v4(v4),
            IpAddr::V6(v6) => private_v6(v6),
        };
    }
    host == "localhost"
        || [".localhost", ".local", ".lan", ".home.arpa"]
            .iter()
            .any(|suffix| host.ends_with(suffix))
}

fn private_v4(ip: Ipv4Addr) -> bool {
    ip.is_loopback() || ip.is_private() || ip.is_link_local() || ip.is_unspecified()
}

fn private_v6(ip: Ipv6Addr) -> bool {
    let first = ip.segments()[0];
    ip.is_loopback() || (first & 0xfe00) == 0xfc00 || (first & 0xffc0) == 0xfe80
}

#[cfg(test)]
mod tests {
    use super::is_private;

    #[test]
    fn private_registries() {
        for r in [
            "localhost:5000",
            "127.0.0.1",
            "10.1.2.3:5000",
            "172.20.0.1",
            "192.168.0.10:443",
            "169.254.1.1",
            "[::1]:5000",
            "[fd00::1]",
            "registry.local",
            "nas.lan:5000",
        ] {
            assert!(is_private(r), "{r}");
        }
        for r in [
            "docker.io",
            "ghcr.io",
            "172.32.0.1",
            "8.8.8.8:5000",
            "123456789012.dkr.ecr.eu-west-1.amazonaws.com",
            "localhost.example.com",
        ] {
            assert!(!is_private(r), "{r}");
        }
    }
}
