use pipelint_yaml::Node;

use super::{image_label, image_objects, key_of};
use crate::context::Context;
use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::model::is_template;
use crate::rule::{Rule, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Reports an image written as a mapping (to give credentials or `run-as-user`) that has
    /// no `name`, or whose `name` is empty. It applies to the top-level image, a step's
    /// image and a service's image.
    ///
    /// ## Why is this bad?
    /// In the mapping form the image reference moves into `name`; without it Bitbucket
    /// does not know which image to pull and rejects the file. It happens when the string
    /// form `image: my/image:1` grows credentials and the name is left out.
    ///
    /// ## Example
    /// ```yaml
    /// image:
    ///   username: $DOCKER_USERNAME
    ///   password: $DOCKER_PASSWORD
    /// pipelines:
    ///   default:
    ///     - step:
    ///         script: [make test]
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// image:
    ///   name: acme/build-tools:2.3
    ///   username: $DOCKER_USERNAME
    ///   password: $DOCKER_PASSWORD
    /// pipelines:
    ///   default:
    ///     - step:
    ///         script: [make test]
    /// ```
    ///
    /// ## Source
    /// Atlassian, "Docker image options"
    /// (https://support.atlassian.com/bitbucket-cloud/docs/docker-image-options/); the
    /// official schema (`name` is required in the image object).
    pub struct NameMissing {
        id: "image/name-missing",
        severity: Error,
        summary: "An image mapping without `name`",
        fix: false,
    }
}

impl Rule for NameMissing {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for u in image_objects(cx) {
            let label = image_label(&u);
            match key_of(u.node, "name") {
                None => out.push(
                    Diagnostic::at(
                        Self::META.id,
                        u.key,
                        format!("{label} is a mapping without `name`, so there is no image to pull"),
                    )
                    .help("add the image reference as `name:` in the mapping, e.g. `name: acme/build-tools:2.3`"),
                ),
                Some((key, value)) if is_empty(value) => out.push(
                    Diagnostic::at(Self::META.id, key, format!("{label} has an empty `name`"))
                        .help("write the image reference, e.g. `name: acme/build-tools:2.3`"),
                ),
                Some(_) => {}
            }
        }
    }
}

fn is_empty(value: &Node) -> bool {
    !is_template(value)
        && value
            .as_scalar()
            .is_some_and(|s| value.is_null() || s.value.trim().is_empty())
}
