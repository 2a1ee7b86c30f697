use super::{image_label, image_objects, key_of};
use crate::context::Context;
use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::rule::{Rule, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Reports an image mapping with `username` but no `password`, or `password` but no
    /// `username`. It points at the key that is there.
    ///
    /// ## Why is this bad?
    /// Registry credentials go together: Bitbucket rejects an image with only one of them.
    /// Often the other one was lost when the block was copied, or put at the wrong
    /// indentation.
    ///
    /// ## Example
    /// ```yaml
    /// image:
    ///   name: registry.example.com/team/build:1.4
    ///   username: $REGISTRY_USER
    /// pipelines:
    ///   default:
    ///     - step:
    ///         script: [make]
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// image:
    ///   name: registry.example.com/team/build:1.4
    ///   username: $REGISTRY_USER
    ///   password: $REGISTRY_PASSWORD
    /// pipelines:
    ///   default:
    ///     - step:
    ///         script: [make]
    /// ```
    ///
    /// ## Source
    /// Atlassian, "Docker image options"
    /// (https://support.atlassian.com/bitbucket-cloud/docs/docker-image-options/); the
    /// official schema (`username` and `password` depend on each other).
    pub struct AuthPartial {
        id: "image/auth-partial",
        severity: Error,
        summary: "An image with `username` but no `password`, or the reverse",
        fix: false,
    }
}

impl Rule for AuthPartial {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for u in image_objects(cx) {
            let user = key_of(u.node, "username");
            let pass = key_of(u.node, "password");
            let (present, missing, example) = match (user, pass) {
                (Some((key, _)), None) => (key, "password", "password: $DOCKER_PASSWORD"),
                (None, Some((key, _))) => (key, "username", "username: $DOCKER_USERNAME"),
                _ => continue,
            };
            let has = if missing == "password" {
                "username"
            } else {
                "password"
            };
            out.push(
                Diagnostic::at(
                    Self::META.id,
                    present,
                    format!(
                        "{} has `{has}` but no `{missing}`; registry credentials need both",
                        image_label(&u)
                    ),
                )
                .help(format!(
                    "add `{example}` beside it (a secured variable), or remove `{has}` for a public image"
                )),
            );
        }
    }
}
