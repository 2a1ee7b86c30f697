use super::{image_label, image_objects, key_of};
use crate::context::Context;
use crate::declare_rule;
use crate::diagnostic::{Diagnostic, Edit, Fix};
use crate::rule::{Rule, RuleMeta};
use crate::rules::docker::whole_lines;

declare_rule! {
    /// ## What it does
    /// Reports an image's `aws` credentials for Amazon ECR that mix the two ways to log in:
    /// `access-key` without `secret-key` (or the reverse), or access keys next to
    /// `oidc-role`. For the second case an unsafe fix removes the key lines and keeps the
    /// OIDC role.
    ///
    /// ## Why is this bad?
    /// Bitbucket pulls an ECR image either with an access key pair or by assuming an IAM
    /// role through OpenID Connect. Half a key pair cannot sign a request, and keys next to
    /// a role leave it unclear which one applies; Bitbucket rejects both.
    ///
    /// ## Example
    /// ```yaml
    /// image:
    ///   name: 123456789012.dkr.ecr.eu-west-1.amazonaws.com/build:3
    ///   aws:
    ///     access-key: $AWS_ACCESS_KEY_ID
    ///     oidc-role: arn:aws:iam::123456789012:role/pipelines-ecr
    /// pipelines:
    ///   default:
    ///     - step:
    ///         oidc: true
    ///         script: [make]
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// image:
    ///   name: 123456789012.dkr.ecr.eu-west-1.amazonaws.com/build:3
    ///   aws:
    ///     oidc-role: arn:aws:iam::123456789012:role/pipelines-ecr
    /// pipelines:
    ///   default:
    ///     - step:
    ///         oidc: true
    ///         script: [make]
    /// ```
    ///
    /// ## Source
    /// Atlassian, "Docker image options"
    /// (https://support.atlassian.com/bitbucket-cloud/docs/docker-image-options/) and "Use
    /// AWS ECR images in Pipelines with OpenID Connect"
    /// (https://support.atlassian.com/bitbucket-cloud/docs/use-aws-ecr-images-in-pipelines-with-openid-connect/);
    /// the official schema (`access-key` with `secret-key`, or `oidc-role` alone).
    pub struct AwsMixed {
        id: "image/aws-mixed",
        severity: Error,
        summary: "Image `aws` credentials with half a key pair, or keys beside `oidc-role`",
        fix: true,
    }
}

impl Rule for AwsMixed {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for u in image_objects(cx) {
            let Some((_, aws)) = key_of(u.node, "aws") else {
                continue;
            };
            if aws.as_mapping().is_none() || aws.truncated {
                continue;
            }
            let access = key_of(aws, "access-key");
            let secret = key_of(aws, "secret-key");
            let role = key_of(aws, "oidc-role");
            let label = image_label(&u);
            if let Some((role_key, _)) = role {
                let keys: Vec<_> = [access, secret].into_iter().flatten().collect();
                if keys.is_empty() {
                    continue;
                }
                let names: Vec<String> = keys
                    .iter()
                    .map(|(k, _)| format!("`{}`", k.as_key().unwrap_or("")))
                    .collect();
                let mut d = Diagnostic::at(
                    Self::META.id,
                    role_key,
                    format!(
                        "{label} logs in to ECR with `oidc-role` and with {} at once; use one or the other",
                        names.join(" and ")
                    ),
                )
                .help("keep `oidc-role` alone (the step needs `oidc: true`), or remove it and give `access-key` with `secret-key`");
                for (k, _) in &keys {
                    d = d.related(k.span, "access key set here");
                }
                // Removing the key lines keeps the role: unsafe, the login changes.
                let edits: Option<Vec<Edit>> = keys
                    .iter()
                    .map(|(k, v)| {
                        whole_lines(cx.source, k.span.start, v.span.end).map(Edit::delete)
                    })
                    .collect();
                if let Some(edits) = edits.filter(|_| keys.iter().all(|(k, _)| !k.is_aliased())) {
                    d = d.fix(Fix::unsafe_(
                        format!("Remove {} and keep `oidc-role`", names.join(" and ")),
                        edits,
                    ));
                }
                out.push(d);
                continue;
            }
            let (present, has, missing, example) = match (access, secret) {
                (Some((k, _)), None) => (
                    k,
                    "access-key",
                    "secret-key",
                    "secret-key: $AWS_SECRET_ACCESS_KEY",
                ),
                (None, Some((k, _))) => (
                    k,
                    "secret-key",
                    "access-key",
                    "access-key: $AWS_ACCESS_KEY_ID",
                ),
                _ => continue,
            };
            out.push(
                Diagnostic::at(
                    Self::META.id,
                    present,
                    format!("{label} has `aws.{has}` but no `{missing}`; an access key needs both"),
                )
                .help(format!(
                    "add `{example}` (a secured variable), or log in with `oidc-role` alone"
                )),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::{CheckOptions, Selection, fix};

    #[test]
    fn keys_beside_a_role_are_removed() {
        let source = "image:\n  name: 1.dkr.ecr.eu-west-1.amazonaws.com/b:3\n  aws:\n    access-key: $K # old\n    oidc-role: arn:aws:iam::1:role/r\n    secret-key: $S\npipelines:\n  default:\n    - step: {oidc: true, script: [x]}\n";
        let opts = CheckOptions {
            select: Selection::Only(vec!["image/aws-mixed".into()]),
            ..CheckOptions::default()
        };
        let found = crate::check(source, &opts).diagnostics;
        assert_eq!(found.len(), 1, "{found:#?}");
        let (fixed, n) = fix::apply(source, found.iter().filter_map(|d| d.fix.as_ref()));
        assert_eq!(n, 1);
        assert!(
            fixed.contains("  aws:\n    oidc-role: arn:aws:iam::1:role/r\npipelines:"),
            "{fixed}"
        );
        assert!(crate::check(&fixed, &opts).diagnostics.is_empty());
    }
}
