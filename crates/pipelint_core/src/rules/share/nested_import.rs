use pipelint_yaml::Node;

use crate::context::Context;
use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::model::PipelineKind;
use crate::rule::{Rule, RuleMeta};
use crate::share::{ImportRef, SourceRef, parse_import, parse_source};

use super::{import_uses, part_span, sources, string_value};

declare_rule! {
    /// ## What it does
    /// Reports an `import:` inside `definitions.pipelines`: a shared pipeline that is
    /// itself an import. When pipelint follows a same-repository import (the CLI does), it
    /// also reports an import of a shared pipeline that is an import in its file.
    ///
    /// ## Why is this bad?
    /// Bitbucket follows one level of sharing only: "a shared pipeline definition can't
    /// contain another `import` property". The importing pipeline fails.
    ///
    /// ## Example
    /// ```yaml
    /// export: true
    /// definitions:
    ///   pipelines:
    ///     deploy:
    ///       import: platform-pipelines:main:deploy
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// export: true
    /// definitions:
    ///   pipelines:
    ///     deploy:
    ///       - step:
    ///           name: Deploy
    ///           script:
    ///             - ./deploy.sh
    /// ```
    ///
    /// ## Source
    /// Atlassian, "Share pipelines configurations"
    /// (https://support.atlassian.com/bitbucket-cloud/docs/share-pipelines-configurations/)
    /// and the official schema's description of `export`: a shared pipeline definition
    /// can't contain another `import` property.
    pub struct NestedImport {
        id: "share/nested-import",
        severity: Error,
        summary: "A shared pipeline that is itself an import",
        fix: false,
    }
}

impl Rule for NestedImport {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let declared = sources(cx);
        for import in import_uses(cx) {
            if import.kind == PipelineKind::Shared {
                out.push(
                    Diagnostic::at(
                        Self::META.id,
                        import.key,
                        "a pipeline under `definitions.pipelines` can't be an import: a shared pipeline can't contain another `import`",
                    )
                    .help("copy the steps of the imported pipeline here, or let the repositories that use this one import the original directly"),
                );
                continue;
            }
            // A followed import whose pipeline is an import in its own file.
            let Some(ImportRef::Source { pipeline, source }) = parse_import(import.text) else {
                continue;
            };
            let Some(path) = declared
                .iter()
                .rev()
                .find(|e| e.key.as_key() == Some(source))
                .and_then(|e| string_value(&e.value))
                .and_then(parse_source)
                .and_then(|s| match s {
                    SourceRef::File(p) => Some(p),
                    SourceRef::Repository { .. } => None,
                })
            else {
                continue;
            };
            let Some(shared) = cx.imported(path).and_then(|i| i.shared_pipeline(pipeline)) else {
                continue;
            };
            let Some(inner) = shared.get("import").and_then(Node::as_str) else {
                continue;
            };
            let at = part_span(cx, import.value, 0, pipeline);
            let mut d = Diagnostic::new(
                Self::META.id,
                at,
                format!(
                    "`{pipeline}` in `{path}` is itself an import (`import: {inner}`); Bitbucket doesn't follow an import inside a shared pipeline"
                ),
            )
            .help(format!(
                "import the original pipeline here instead, or write the steps of `{pipeline}` in `{path}`"
            ));
            if let Some(v) = import.value.via.first() {
                d = d.via(*v);
            }
            out.push(d);
        }
    }
}
