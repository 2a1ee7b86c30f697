use pipelint_yaml::Node;

use crate::context::Context;
use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::model::{image_parts, image_uses, is_template};
use crate::rule::{Rule, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Reports an image (top-level, step or service) named without a tag or with the tag
    /// `latest`, and without a digest: `node`, `python:latest`. It reports each `image`
    /// once where it is written, however many steps use it. Names that hold a variable
    /// (`$IMAGE`, `${{ IMAGE }}`) are not judged.
    ///
    /// ## Why is this bad?
    /// Without a tag Docker pulls `latest`, which moves whenever the image's authors
    /// publish: a build that passed yesterday can fail today with no change in the
    /// repository, and old builds cannot be reproduced. A version tag (`node:20.11`) or a
    /// digest (`node@sha256:…`) keeps the build environment fixed until you change it.
    /// For `atlassian/default-image`, `latest` is the oldest version (Ubuntu 14.04).
    ///
    /// ## Example
    /// ```yaml
    /// image: python
    /// pipelines:
    ///   default:
    ///     - step:
    ///         script: [pip install -r requirements.txt, pytest]
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// image: python:3.12
    /// pipelines:
    ///   default:
    ///     - step:
    ///         script: [pip install -r requirements.txt, pytest]
    /// ```
    ///
    /// ## Source
    /// Atlassian, "Use Docker images as build environments"
    /// (https://support.atlassian.com/bitbucket-cloud/docs/use-docker-images-as-build-environments/),
    /// on the default image's versions; pinning image tags is a common best practice (also
    /// checked by Nick2bad4u/eslint-plugin-repo).
    pub struct Unpinned {
        id: "image/unpinned",
        severity: Info,
        summary: "An image without a version tag, or with `latest`",
        fix: false,
    }
}

impl Rule for Unpinned {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let Some(file) = cx.file.as_ref() else {
            return;
        };
        for u in image_uses(file, cx.steps()) {
            let Some(node) = name_node(u.node) else {
                continue;
            };
            if let Some(d) = judge(node) {
                out.push(d);
            }
        }
    }
}

/// The node that holds an image's name: the string itself or the mapping's `name`.
fn name_node(image: &Node) -> Option<&Node> {
    match image.as_mapping() {
        Some(m) => m.get("name"),
        None => Some(image),
    }
}

fn judge(node: &Node) -> Option<Diagnostic> {
    let name = node.as_scalar()?.value.trim();
    if name.is_empty() || is_template(node) || name.contains('$') {
        return None;
    }
    let parts = image_parts(name);
    if parts.digest.is_some() || parts.repository.is_empty() {
        return None;
    }
    let message = match parts.tag {
        None => {
            format!("image `{name}` has no tag, so each run pulls whatever `latest` is at the time")
        }
        Some("latest") => {
            format!(
                "image `{name}` uses the `latest` tag, which changes whenever a new version is published"
            )
        }
        Some(_) => return None,
    };
    let base = match parts.registry {
        Some(r) => format!("{r}/{}", parts.repository),
        None => parts.repository.to_owned(),
    };
    let help = if parts.repository == "atlassian/default-image" {
        format!("pin a version, e.g. `{base}:4` (Ubuntu 22.04); `latest` is the Ubuntu 14.04 image")
    } else {
        format!("pin a version tag, e.g. `{base}:<version>`, or a digest `{base}@sha256:<digest>`")
    };
    Some(Diagnostic::at(Unpinned::META.id, node, message).help(help))
}
