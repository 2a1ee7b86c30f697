use crate::bamboo::is_pinned;
use crate::context::Context;
use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::rule::{Rule, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Reports a Docker runner image of Bamboo YAML specs without a tag, or with the tag
    /// `latest`. Images pinned by digest (`@sha256:...`) and images written with a Bamboo
    /// variable (`${bamboo.image}`) are not reported.
    ///
    /// ## Why is this bad?
    /// An unpinned image changes under the build whenever its publisher pushes: the same
    /// commit builds with other tools from one day to the next, and an old build cannot be
    /// reproduced. A fixed tag changes only when the specs do.
    ///
    /// ## Example
    /// ```yaml
    /// version: 2
    /// plan:
    ///   project-key: PROJ
    ///   key: BUILD
    ///   name: Build
    /// docker: maven
    /// stages:
    ///   - Build:
    ///       jobs: [Package]
    /// Package:
    ///   tasks:
    ///     - script: [mvn package]
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// version: 2
    /// plan:
    ///   project-key: PROJ
    ///   key: BUILD
    ///   name: Build
    /// docker: maven:3.9-eclipse-temurin-21
    /// stages:
    ///   - Build:
    ///       jobs: [Package]
    /// Package:
    ///   tasks:
    ///     - script: [mvn package]
    /// ```
    ///
    /// ## Source
    /// Common practice for reproducible builds; Atlassian, Bamboo Specs reference (YAML),
    /// "Docker" (the image of the Docker runner).
    pub struct UnpinnedImage {
        id: "bamboo/unpinned-image",
        severity: Info,
        summary: "A Bamboo Docker runner image without a fixed tag",
        fix: false,
        kinds: [BambooSpecs],
    }
}

impl Rule for UnpinnedImage {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for d in super::written(cx) {
            let Some(image) = d.image else { continue };
            let Some(name) = image.as_str().map(str::trim) else {
                continue;
            };
            if name.is_empty() || name.contains('$') || is_pinned(name) {
                continue;
            }
            let message = if name.ends_with(":latest") {
                format!("the runner image `{name}` uses the moving tag `latest`")
            } else {
                format!("the runner image `{name}` has no tag, so Docker pulls `latest`")
            };
            out.push(
                Diagnostic::at(Self::META.id, image, message)
                    .help("pin a version tag (`name:1.2`) or a digest (`name@sha256:...`)"),
            );
        }
    }
}
