use crate::context::Context;
use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::model::{PipelineKind, StepRef};
use crate::rule::{Rule, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Reports a file whose steps run on Bitbucket's default build image because neither
    /// the top level nor the step sets an `image`. It reports once per file, at
    /// `pipelines`, with the first such steps as related locations. Child-pipeline steps,
    /// steps on shell, Windows and macOS runners (which run no image), and the shared
    /// pipelines under `definitions.pipelines` are not counted.
    ///
    /// ## Why is this bad?
    /// Without an image Bitbucket uses `atlassian/default-image:latest`, which is version 1
    /// of that image: Ubuntu 14.04 with Node 4, Python 2.7 and Java 8. Atlassian upgrades it
    /// rarely, on purpose, and recommends naming a specific image instead; version 4
    /// (Ubuntu 22.04) is the current one.
    ///
    /// ## Example
    /// ```yaml
    /// pipelines:
    ///   default:
    ///     - step:
    ///         script: [make test]
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// image: atlassian/default-image:4
    /// pipelines:
    ///   default:
    ///     - step:
    ///         script: [make test]
    /// ```
    ///
    /// ## Source
    /// Atlassian, "Use Docker images as build environments"
    /// (https://support.atlassian.com/bitbucket-cloud/docs/use-docker-images-as-build-environments/):
    /// the default image is `atlassian/default-image:latest`, the same as `:1` (Ubuntu
    /// 14.04); `:4` is recommended.
    pub struct DefaultImage {
        id: "image/default-image",
        severity: Info,
        summary: "Steps that run on the default image (Ubuntu 14.04) because none is set",
        fix: false,
    }
}

/// How many of the steps to show as related locations.
const SHOWN: usize = 3;

impl Rule for DefaultImage {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let Some(file) = cx.file.as_ref() else {
            return;
        };
        if file.map.get("image").is_some() {
            return;
        }
        let Some(pipelines) = file.map.entry("pipelines") else {
            return;
        };
        let mut sites = Vec::new();
        for step in cx.steps() {
            if uses_default_image(step) && !sites.contains(&step.key.site()) {
                sites.push(step.key.site());
            }
        }
        let Some(first) = sites.first() else {
            return;
        };
        let count = sites.len();
        let which = if count == 1 {
            "a step runs".to_owned()
        } else {
            format!("{count} steps run")
        };
        let mut d = Diagnostic::new(
            Self::META.id,
            pipelines.key.span,
            format!(
                "{which} on the default image atlassian/default-image:latest (Ubuntu 14.04): no `image` is set at the top level or on the step"
            ),
        )
        .help("name an image at the top level, e.g. `image: atlassian/default-image:4` (Ubuntu 22.04), or one made for the build such as `node:20` or `python:3.12`");
        d = d.related(*first, "this step has no image");
        for site in sites.iter().skip(1).take(SHOWN - 1) {
            d = d.related(*site, "this step has no image");
        }
        out.push(d);
    }
}

/// A step that runs a build container and names no image of its own.
fn uses_default_image(step: &StepRef<'_>) -> bool {
    if step.pipeline_kind == PipelineKind::Shared
        || step.map().is_none()
        || step.get("image").is_some()
        || step.is_child_pipeline()
    {
        return false;
    }
    let labels = step.runs_on();
    !labels
        .iter()
        .any(|l| matches!(*l, "linux.shell" | "windows" | "macos"))
}
