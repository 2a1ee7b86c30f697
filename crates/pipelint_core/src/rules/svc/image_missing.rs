use pipelint_yaml::Node;

use crate::context::Context;
use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::model::is_template;
use crate::rule::{Rule, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Reports a service under `definitions.services` that has no `image`. The built-in
    /// `docker` service and services with `type: docker` (extra Docker-in-Docker services)
    /// need none and are not reported.
    ///
    /// ## Why is this bad?
    /// A service is a container, and Bitbucket needs to know which image to start. It
    /// rejects the file with "'image' required in service definition".
    ///
    /// ## Example
    /// ```yaml
    /// definitions:
    ///   services:
    ///     redis:
    ///       memory: 512
    /// pipelines:
    ///   default:
    ///     - step:
    ///         services: [redis]
    ///         script: [npm test]
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// definitions:
    ///   services:
    ///     redis:
    ///       image: redis:7
    ///       memory: 512
    /// pipelines:
    ///   default:
    ///     - step:
    ///         services: [redis]
    ///         script: [npm test]
    /// ```
    ///
    /// ## Source
    /// Atlassian, "Databases and service containers" (every service definition names its
    /// image; `docker` and `type: docker` services are the exceptions). The message is the
    /// one ktomk/pipelines, a local runner that emulates Bitbucket's parser, gives.
    pub struct ImageMissing {
        id: "svc/image-missing",
        severity: Error,
        summary: "A service definition without an image",
        fix: false,
    }
}

impl Rule for ImageMissing {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let Some(services) = cx.file.as_ref().and_then(|f| f.services()) else {
            return;
        };
        for (name, entry) in services.iter() {
            if name == "docker" {
                continue;
            }
            let Some(def) = entry.value.as_mapping() else {
                // Not a mapping: the schema pass reports the shape.
                continue;
            };
            if entry.value.truncated || def.contains_key("image") {
                continue;
            }
            if let Some(kind) = def.get("type")
                && (kind.as_str() == Some("docker") || is_template(kind))
            {
                continue;
            }
            // A merge key that could not be read may have held the image.
            if def.entries.iter().any(|e| e.value.is_invalid())
                || has_unreadable_merge(&entry.value)
            {
                continue;
            }
            out.push(
                Diagnostic::at(
                    Self::META.id,
                    &entry.key,
                    format!("'image' required in service definition: service `{name}` has no `image`"),
                )
                .help(format!(
                    "add the container to start, e.g. `image: {name}:<tag>`; for an extra Docker-in-Docker service write `type: docker` instead"
                )),
            );
        }
    }
}

/// A merge key whose alias could not be read (reported by the YAML layer) leaves the
/// mapping incomplete.
fn has_unreadable_merge(node: &Node) -> bool {
    node.as_mapping()
        .is_some_and(|m| m.merges.iter().any(|merge| merge.sources.is_empty()))
}
