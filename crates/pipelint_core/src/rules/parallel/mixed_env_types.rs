use pipelint_yaml::Node;

use crate::context::Context;
use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::model::is_template;
use crate::rule::{Rule, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Reports a parallel group whose steps deploy to environments of different types:
    /// test, staging and production.
    ///
    /// Only the environments Bitbucket creates for every repository are known by type:
    /// `Test`, `Staging` and `Production` (in any case). Environments added in the
    /// repository settings can have any name and type, which the file does not show, so
    /// they are not judged.
    ///
    /// ## Why is this bad?
    /// Bitbucket rejects the pipeline: "All environments in a parallel step set must be of
    /// the same type."
    ///
    /// ## Example
    /// ```yaml
    /// pipelines:
    ///   default:
    ///     - parallel:
    ///         - step:
    ///             deployment: staging
    ///             script: [./deploy.sh staging]
    ///         - step:
    ///             deployment: production
    ///             script: [./deploy.sh production]
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// pipelines:
    ///   default:
    ///     - step:
    ///         deployment: staging
    ///         script: [./deploy.sh staging]
    ///     - step:
    ///         deployment: production
    ///         trigger: manual
    ///         script: [./deploy.sh production]
    /// ```
    ///
    /// ## Source
    /// Atlassian, "Parallel step options" (A-PAR,
    /// <https://support.atlassian.com/bitbucket-cloud/docs/parallel-step-options/>): "All
    /// environments in a parallel step set must be of the same type".
    pub struct MixedEnvTypes {
        id: "parallel/mixed-env-types",
        severity: Error,
        summary: "A parallel group that deploys to environments of different types",
        fix: false,
    }
}

/// The type of one of the environments every repository has, by name.
fn env_type(name: &str) -> Option<&'static str> {
    match name.to_ascii_lowercase().as_str() {
        "test" => Some("test"),
        "staging" => Some("staging"),
        "production" => Some("production"),
        _ => None,
    }
}

impl Rule for MixedEnvTypes {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let Some(file) = &cx.file else { return };
        for group in super::groups(file) {
            let deployments: Vec<(&Node, &str, &str)> = group
                .items
                .iter()
                .filter_map(|i| i.get("step")?.get("deployment"))
                .filter(|n| !is_template(n))
                .filter_map(|n| {
                    let name = n.as_str()?;
                    Some((n, name, env_type(name)?))
                })
                .collect();
            let Some(&(first, first_name, first_type)) = deployments.first() else {
                continue;
            };
            for &(node, name, kind) in &deployments[1..] {
                if kind == first_type {
                    continue;
                }
                out.push(
                    Diagnostic::at(
                        Self::META.id,
                        node,
                        format!("`{name}` is a {kind} environment, but this parallel group also deploys to `{first_name}`, a {first_type} environment; all environments of a parallel group must be of the same type"),
                    )
                    .related(first.site(), format!("`{first_name}` ({first_type})"))
                    .help("deploy to environments of different types in separate steps after one another, e.g. staging in the group and production in a later (manual) step"),
                );
            }
        }
    }
}
