use crate::context::Context;
use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::rule::{Rule, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Reports a `docker` setting of Bamboo YAML specs (plan, job or deployment
    /// environment) written as a mapping without an `image`, or with an empty one.
    ///
    /// ## Why is this bad?
    /// The Docker runner starts the job's container from that image; the mapping form
    /// only adds volumes and run arguments to it. Bamboo rejects specs whose `docker`
    /// mapping names no image.
    ///
    /// ## Example
    /// ```yaml
    /// version: 2
    /// plan:
    ///   project-key: PROJ
    ///   key: BUILD
    ///   name: Build
    /// stages:
    ///   - Build:
    ///       jobs: [Compile]
    /// Compile:
    ///   docker:
    ///     volumes:
    ///       /opt/cache: /opt/cache
    ///   tasks:
    ///     - script: [make]
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// version: 2
    /// plan:
    ///   project-key: PROJ
    ///   key: BUILD
    ///   name: Build
    /// stages:
    ///   - Build:
    ///       jobs: [Compile]
    /// Compile:
    ///   docker:
    ///     image: gcc:14
    ///     volumes:
    ///       /opt/cache: /opt/cache
    ///   tasks:
    ///     - script: [make]
    /// ```
    ///
    /// ## Source
    /// Atlassian, Bamboo Specs reference (YAML), "Docker": the object form has a required
    /// `image`; SchemaStore's `bamboo-spec.json` (`definitions.docker`) requires it too.
    pub struct DockerImageRequired {
        id: "bamboo/docker-image-required",
        severity: Error,
        summary: "A Bamboo `docker` mapping without an image",
        fix: false,
        kinds: [BambooSpecs],
    }
}

impl Rule for DockerImageRequired {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for d in super::written(cx) {
            let empty = match d.image {
                None => true,
                Some(image) => {
                    image.is_null() || image.as_str().is_some_and(|s| s.trim().is_empty())
                }
            };
            if empty && d.value.as_mapping().is_some() && !d.value.truncated {
                let at = d.image.filter(|i| !i.is_null()).unwrap_or(d.key);
                out.push(
                    Diagnostic::at(Self::META.id, at, "`docker.image` is required: the Docker runner needs an image to start")
                        .help("add `image: <name>:<tag>` under `docker`, or write the image alone: `docker: <name>:<tag>`"),
                );
            }
        }
    }
}
