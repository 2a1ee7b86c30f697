use pipelint_yaml::Node;

use crate::context::Context;
use crate::declare_rule;
use crate::diagnostic::{Diagnostic, Edit, Fix, Severity};
use crate::model::StepRef;
use crate::rule::{Rule, RuleMeta};
use crate::rules::docker::indent_before;

/// Keys a child-pipeline step does not take: they belong to the steps of the child
/// pipeline (`deployment` is not supported in child pipelines at all).
const RESTRICTED: &[&str] = &[
    "script",
    "after-script",
    "image",
    "services",
    "caches",
    "size",
    "runtime",
    "runs-on",
    "clone",
    "oidc",
    "output-variables",
    "deployment",
];

declare_rule! {
    /// ## What it does
    /// Checks the shape of a child-pipeline step (`type: pipeline`): it names the custom
    /// pipeline to run with `custom`, does not stand inside a stage, and has none of the
    /// keys of a step that runs a container: `script`, `after-script`, `image`,
    /// `services`, `caches`, `size`, `runtime`, `runs-on`, `clone`, `oidc`,
    /// `output-variables`, `deployment`, and artifact paths (a child-pipeline step passes
    /// artifacts by name only: `artifacts: {upload: [...], download: [...]}`).
    ///
    /// A `script` or `after-script` on a child-pipeline step is reported as a warning: it is
    /// not run, but Bitbucket accepts it (its schema required `script` on every step until
    /// 2025, so older files carry a placeholder script there).
    ///
    /// It also reports `custom` on a step without `type: pipeline`, the usual way a child
    /// pipeline step is written by mistake; the fix (unsafe, as it changes what the step
    /// does) adds `type: pipeline`.
    ///
    /// ## Why is this bad?
    /// A child-pipeline step only starts another pipeline; it never runs a container of
    /// its own. Its `script` is not run, and its `services`, `caches`, `image` and the rest
    /// do nothing: they belong in the steps of the child pipeline. Without `custom` Bitbucket
    /// does not know which pipeline to start. Deployments are not supported in child
    /// pipelines.
    ///
    /// ## Example
    /// ```yaml
    /// pipelines:
    ///   default:
    ///     - step:
    ///         name: Integration suite
    ///         type: pipeline
    ///         custom: integration
    ///         services: [postgres]
    ///   custom:
    ///     integration:
    ///       - step:
    ///           script: [npm run test:integration]
    /// definitions:
    ///   services:
    ///     postgres:
    ///       image: postgres:16
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// pipelines:
    ///   default:
    ///     - step:
    ///         name: Integration suite
    ///         type: pipeline
    ///         custom: integration
    ///   custom:
    ///     integration:
    ///       - step:
    ///           services: [postgres]
    ///           script: [npm run test:integration]
    /// definitions:
    ///   services:
    ///     postgres:
    ///       image: postgres:16
    /// ```
    ///
    /// ## Source
    /// Atlassian, "Child pipeline step options"
    /// (https://support.atlassian.com/bitbucket-cloud/docs/child-pipeline-step-options/):
    /// `custom` is required with `type: pipeline`, `script` is not run, and the restricted
    /// properties listed above are not supported. Atlassian's "Share artifacts between
    /// parent and child pipelines" blog post shows the named `upload`/`download` form.
    pub struct Shape {
        id: "child/shape",
        severity: Warning,
        summary: "A child-pipeline step without `custom`, or with keys of a script step",
        fix: true,
    }
}

impl Rule for Shape {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for step in cx.steps() {
            let Some(map) = step.map() else {
                continue;
            };
            if !step.is_child_pipeline() {
                if step.get("type").is_none()
                    && let Some(custom) = map.entry("custom")
                {
                    out.push(custom_without_type(cx, step, &custom.key));
                }
                continue;
            }
            let Some(type_node) = step.get("type") else {
                continue;
            };
            if !map.contains_key("custom") && !step.node.truncated {
                out.push(
                    Diagnostic::at(
                        Self::META.id,
                        type_node,
                        "a child-pipeline step needs `custom`: the name of the custom pipeline to start",
                    )
                    .help("add `custom: <name>`, where `<name>` is a key of `pipelines.custom`"),
                );
            }
            if step.stage.is_some() {
                out.push(
                    Diagnostic::at(
                        Self::META.id,
                        type_node,
                        "a child-pipeline step can't stand inside a stage",
                    )
                    .help("move this step out of the stage, before or after it"),
                );
            }
            for (key, entry) in map.iter() {
                if RESTRICTED.contains(&key) {
                    out.push(restricted(key, &entry.key));
                } else if key == "artifacts" {
                    let paths = match entry.value.as_mapping() {
                        Some(m) => m.entry("paths").map(|e| &e.key),
                        None => entry.value.as_sequence().map(|_| &entry.key),
                    };
                    if let Some(at) = paths {
                        out.push(
                            Diagnostic::at(
                                Self::META.id,
                                at,
                                "a child-pipeline step produces no files: it passes artifacts by name only",
                            )
                            .help(
                                "name the artifacts to hand over and to bring back:\nartifacts:\n  upload: [<artifact name>]\n  download: [<artifact name>]",
                            ),
                        );
                    }
                }
            }
        }
    }
}

fn restricted(key: &str, at: &Node) -> Diagnostic {
    // A script on a child-pipeline step is ignored, not refused (Atlassian's schema required
    // `script` on every step until 2025, so older files carry a placeholder): a warning.
    // Every part of this rule rests on third-party sources (the catalog marks it): a
    // warning, whatever the key.
    let severity = Severity::Warning;
    let (message, help) = match key {
        "script" | "after-script" => (
            format!(
                "`{key}` is not run on a child-pipeline step: the steps of the child pipeline run instead"
            ),
            format!("move the commands into a step of the child pipeline, and remove `{key}` here"),
        ),
        "deployment" => (
            "`deployment` can't be used on a child-pipeline step; child pipelines do not support deployments".to_owned(),
            "deploy from a step of this pipeline instead, and remove `deployment` here".to_owned(),
        ),
        _ => (
            format!(
                "`{key}` has no effect on a child-pipeline step, which only starts the pipeline named in `custom`"
            ),
            format!("move `{key}` into the steps of the child pipeline"),
        ),
    };
    Diagnostic::at(Shape::META.id, at, message)
        .help(help)
        .severity(severity)
}

/// `custom:` on a step that is not `type: pipeline`.
fn custom_without_type(cx: &Context<'_>, step: &StepRef<'_>, key: &Node) -> Diagnostic {
    let mut d = Diagnostic::at(
        Shape::META.id,
        key,
        "`custom` only starts a child pipeline on a step with `type: pipeline`",
    )
    .help("add `type: pipeline` to start the custom pipeline, or remove `custom`");
    // The fix writes `type: pipeline` on its own line above `custom` (block mappings only).
    if !step.node.is_aliased()
        && !step.map().is_some_and(|m| m.contains_key("script"))
        && let Some(indent) = indent_before(cx.source, key.span.start)
    {
        let line_start = key.span.start - indent.len();
        d = d.fix(Fix::unsafe_(
            "Add `type: pipeline`",
            vec![Edit::insert(
                line_start,
                format!("{indent}type: pipeline\n"),
            )],
        ));
    }
    d
}

#[cfg(test)]
mod tests {
    use crate::{CheckOptions, Selection};

    fn check(src: &str) -> Vec<crate::Diagnostic> {
        let opts = CheckOptions {
            select: Selection::Only(vec!["child/shape".into()]),
            ..CheckOptions::default()
        };
        crate::check(src, &opts).diagnostics
    }

    #[test]
    fn every_restricted_key_and_the_missing_custom() {
        let src = "pipelines:\n  default:\n    - step:\n        type: pipeline\n        script: [a]\n        caches: [node]\n        artifacts: [dist/**]\n    - step:\n        type: pipeline\n        custom: c\n        artifacts: {upload: [a], download: [b]}\n  custom:\n    c:\n      - step: {script: [a]}\n";
        let found = check(src);
        let messages: Vec<&str> = found.iter().map(|d| d.message.as_str()).collect();
        assert_eq!(messages.len(), 4, "{messages:#?}");
        assert!(messages[0].contains("needs `custom`"));
    }

    #[test]
    fn custom_without_type_gets_an_unsafe_fix() {
        let src = "pipelines:\n  default:\n    - step:\n        name: run child\n        custom: c   # the child\n  custom:\n    c:\n      - step: {script: [a]}\n";
        let found = check(src);
        assert_eq!(found.len(), 1);
        let fix = found[0].fix.as_ref().expect("fix");
        let (fixed, _) = crate::fix::apply(src, [fix]);
        assert_eq!(
            fixed,
            "pipelines:\n  default:\n    - step:\n        name: run child\n        type: pipeline\n        custom: c   # the child\n  custom:\n    c:\n      - step: {script: [a]}\n"
        );
    }
}
