use pipelint_yaml::Node;

use super::pipe_items;
use crate::context::Context;
use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::model::{image_parts, is_template};
use crate::rule::{Rule, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Reports a pipe that is not pinned to an exact version: `atlassian/aws-s3-deploy`
    /// without a version, with `:latest`, or with a major version only (`:1`), and a
    /// `docker://` pipe image without a tag or with `latest`. Pipes whose name holds a
    /// variable are not judged.
    ///
    /// ## Why is this bad?
    /// A pipe is a container image that runs inside your step, usually with deployment
    /// credentials. A moving version means the pipe can change under a build that passed
    /// before, with new behaviour or new variables, and a rerun of an old build may not do
    /// what it did. Atlassian's pipe pages give an exact version to copy.
    ///
    /// ## Example
    /// ```yaml
    /// pipelines:
    ///   default:
    ///     - step:
    ///         script:
    ///           - pipe: atlassian/aws-s3-deploy:latest
    ///             variables:
    ///               S3_BUCKET: my-site
    ///               LOCAL_PATH: dist
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// pipelines:
    ///   default:
    ///     - step:
    ///         script:
    ///           - pipe: atlassian/aws-s3-deploy:1.6.0
    ///             variables:
    ///               S3_BUCKET: my-site
    ///               LOCAL_PATH: dist
    /// ```
    ///
    /// ## Source
    /// Atlassian, "What are pipes"
    /// (https://support.atlassian.com/bitbucket-cloud/docs/what-are-pipes/), whose examples
    /// name exact versions; pinning is also checked by Nick2bad4u/eslint-plugin-repo.
    pub struct Unpinned {
        id: "pipe/unpinned",
        severity: Warning,
        summary: "A pipe without an exact version (none, `latest` or a major version only)",
        fix: false,
    }
}

impl Rule for Unpinned {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for item in pipe_items(cx) {
            if let Some(node) = item.get("pipe")
                && let Some(d) = judge(node)
            {
                out.push(d);
            }
        }
    }
}

fn judge(node: &Node) -> Option<Diagnostic> {
    let id = Unpinned::META.id;
    if is_template(node) {
        return None;
    }
    let value = node.as_scalar()?.value.trim();
    if value.is_empty() || value.contains('$') {
        return None;
    }
    if let Some(image) = value.strip_prefix("docker://") {
        let parts = image_parts(image);
        if parts.digest.is_some() || parts.repository.is_empty() {
            return None;
        }
        let base = image.split(['@']).next().unwrap_or(image);
        let base = match parts.tag {
            Some(tag) => base.strip_suffix(&format!(":{tag}")).unwrap_or(base),
            None => base,
        };
        let problem = match parts.tag {
            None => "has no tag",
            Some("latest") => "uses the `latest` tag",
            Some(_) => return None,
        };
        return Some(
            Diagnostic::at(
                id,
                node,
                format!("pipe image `{image}` {problem}, so the pipe can change between runs"),
            )
            .help(format!(
                "pin a version tag or a digest: `docker://{base}:<version>` or `docker://{base}@sha256:<digest>`"
            )),
        );
    }
    let (name, version) = match value.rsplit_once(':') {
        Some((n, v)) => (n, Some(v)),
        None => (value, None),
    };
    let message = match version {
        None => format!("pipe `{name}` has no version, so each run takes whatever is newest"),
        Some("latest") => {
            format!("pipe `{value}` follows `latest`, so the pipe can change between runs")
        }
        Some(v) if !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()) => format!(
            "pipe `{value}` names only the major version {v}, so every {v}.x release runs in its place"
        ),
        Some(_) => return None,
    };
    let exact = match version {
        Some(major) if major.bytes().all(|b| b.is_ascii_digit()) => {
            format!("{major}.<minor>.<patch>")
        }
        _ => "<major>.<minor>.<patch>".to_owned(),
    };
    Some(Diagnostic::at(id, node, message).help(format!(
        "pin an exact release: `pipe: {name}:{exact}`; the pipe's page lists the current one"
    )))
}
