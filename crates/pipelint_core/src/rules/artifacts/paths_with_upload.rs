use crate::context::Context;
use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::rule::{Rule, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Reports a step whose `artifacts` has both `paths` and `upload`.
    ///
    /// ## Why is this bad?
    /// `paths` is the older way to keep files, `upload` the newer one with named
    /// artifacts; a step uses one of them. The schema and the online validator accept both
    /// together, but the step is rejected when the pipeline runs.
    ///
    /// ## Example
    /// ```yaml
    /// pipelines:
    ///   default:
    ///     - step:
    ///         script: [mvn -B package]
    ///         artifacts:
    ///           paths: [target/*.jar]
    ///           upload:
    ///             - name: test-reports
    ///               type: test-reports
    ///               paths: [target/surefire-reports/**]
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// pipelines:
    ///   default:
    ///     - step:
    ///         script: [mvn -B package]
    ///         artifacts:
    ///           upload:
    ///             - name: jar
    ///               paths: [target/*.jar]
    ///             - name: test-reports
    ///               type: test-reports
    ///               paths: [target/surefire-reports/**]
    /// ```
    ///
    /// ## Source
    /// pipelint's catalog (`../shared/rules/README.md`): observed behaviour, the runtime
    /// rejects what the schema accepts. Atlassian, "Pipeline artifacts"
    /// (https://support.atlassian.com/bitbucket-cloud/docs/use-artifacts-in-steps/), for
    /// the two forms.
    pub struct PathsWithUpload {
        id: "artifacts/paths-with-upload",
        severity: Error,
        summary: "Artifacts with both `paths` and `upload`",
        fix: false,
    }
}

impl Rule for PathsWithUpload {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for step in cx.steps() {
            let Some(map) = step.get("artifacts").and_then(|a| a.as_mapping()) else {
                continue;
            };
            let (Some(paths), Some(upload)) = (map.entry("paths"), map.entry("upload")) else {
                continue;
            };
            out.push(
                Diagnostic::at(
                    Self::META.id,
                    &paths.key,
                    "`artifacts` has both `paths` and `upload`; a step uses one of them",
                )
                .help(
                    "move these patterns into a named upload:\nupload:\n  - name: <artifact name>\n    paths: [...]",
                )
                .related(upload.key.span, "`upload` is set here"),
            );
        }
    }
}
