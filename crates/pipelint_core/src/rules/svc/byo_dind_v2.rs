use pipelint_yaml::{Node, Span};

use crate::context::Context;
use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::model::{File, RuntimeVersion, StepRef, image_name};
use crate::rule::{Rule, RuleMeta};
use crate::rules::docker::RUNTIME_V3_YAML;

declare_rule! {
    /// ## What it does
    /// Reports a Docker-in-Docker service with its own image (`definitions.services.docker`
    /// with an `image`, or a `type: docker` service with an `image`) that a Bitbucket Cloud
    /// step on Runtime v2 uses, through `services` or `options.docker: true`. It reports
    /// once at the service's `image`, with the steps as related locations. Steps on
    /// self-hosted runners and steps whose runtime is a `${{ }}` template are not judged.
    ///
    /// ## Why is this bad?
    /// Bringing your own Docker-in-Docker image is a Runtime v3 feature: Atlassian lists it
    /// among what v3 adds. On v2 the step runs Bitbucket's own Docker service, so the
    /// image you chose (its Docker version, its settings) is not what the build gets, or
    /// the step is refused.
    ///
    /// ## Example
    /// ```yaml
    /// definitions:
    ///   services:
    ///     docker:
    ///       image: docker:27-dind
    ///       memory: 3072
    /// pipelines:
    ///   default:
    ///     - step:
    ///         image: docker:27-cli
    ///         services: [docker]
    ///         script: [docker build -t app .]
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// definitions:
    ///   services:
    ///     docker:
    ///       image: docker:27-dind
    ///       memory: 3072
    /// pipelines:
    ///   default:
    ///     - step:
    ///         image: docker:27-cli
    ///         runtime:
    ///           cloud:
    ///             version: "3"
    ///         services: [docker]
    ///         script: [docker build -t app .]
    /// ```
    ///
    /// ## Source
    /// Atlassian, "Enable and use Runtime v3"
    /// (https://support.atlassian.com/bitbucket-cloud/docs/enable-and-use-runtime-v3/) and
    /// the Runtime v3 announcement (B-V3) list "bring your own DinD image" as a v3
    /// capability. What v2 does with such an image rests on third-party reports only
    /// (the project's seed material), hence a warning.
    pub struct ByoDindV2 {
        id: "svc/byo-dind-v2",
        severity: Warning,
        summary: "A custom Docker-in-Docker image used on a Runtime v2 step",
        fix: false,
    }
}

impl Rule for ByoDindV2 {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let Some(file) = cx.file.as_ref() else {
            return;
        };
        let Some(services) = file.services() else {
            return;
        };
        for (name, def) in services.iter() {
            let Some(image) = def.value.get("image") else {
                continue;
            };
            let is_dind =
                name == "docker" || def.value.get("type").and_then(Node::as_str) == Some("docker");
            if !is_dind || image.is_null() {
                continue;
            }
            let mut users: Vec<Span> = Vec::new();
            for step in cx.steps() {
                if let Some(site) = uses_on_v2(step, file, cx, name)
                    && !users.contains(&site)
                {
                    users.push(site);
                }
            }
            if users.is_empty() {
                continue;
            }
            let shown = image_name(image).unwrap_or("").trim();
            let mut d = Diagnostic::at(
                Self::META.id,
                image,
                format!(
                    "service `{name}` runs its own Docker-in-Docker image (`{shown}`), a Runtime v3 feature, but {} on Runtime v2",
                    if users.len() == 1 {
                        "a step that uses it runs".to_owned()
                    } else {
                        format!("{} steps that use it run", users.len())
                    }
                ),
            )
            .help(format!(
                "run those steps on Runtime v3 (`{RUNTIME_V3_YAML}` on the step or under `options:`; v3 no longer mounts the Docker CLI, so the step image must have it), or remove `image` from the service to use Bitbucket's Docker"
            ));
            for site in users {
                d = d.related(site, "used here on Runtime v2");
            }
            out.push(d);
        }
    }
}

/// Where the step names the service, when it uses it on a cloud step with Runtime v2.
fn uses_on_v2<'a>(
    step: &StepRef<'a>,
    file: &File<'a>,
    cx: &Context<'a>,
    name: &str,
) -> Option<Span> {
    if step.is_self_hosted() || step.runtime(file, cx.settings).value != RuntimeVersion::V2 {
        return None;
    }
    if let Some(item) = step
        .service_nodes()
        .iter()
        .find(|n| n.as_str() == Some(name))
    {
        return Some(item.site());
    }
    (name == "docker" && file.options_docker()).then(|| step.key.site())
}
