use pipelint_yaml::Node;

use crate::context::Context;
use crate::declare_rule;
use crate::diagnostic::{Diagnostic, Edit, Fix};
use crate::model::PipelineKind;
use crate::rule::{Rule, RuleMeta};
use crate::share::{ImportRef, Outcome, SourceRef, parse_import, parse_source, path_problem};
use crate::suggest;

use super::{import_uses, part_span, sources, string_value};

declare_rule! {
    /// ## What it does
    /// Checks the source of a `<pipeline-name>@<import-source>` import:
    /// - the source must be declared under `definitions.imports`;
    /// - a declared source must be a path in this repository, `<repo-slug>:<branch-or-tag>`
    ///   or `<repo-slug>:<branch-or-tag>:<path>`, and a path must stay inside the repository.
    ///
    /// When pipelint can read the repository (the CLI reads the files next to the checked
    /// file), it follows a same-repository source and also reports a file that does not
    /// exist or cannot be read, and a pipeline name the file does not define under
    /// `definitions.pipelines`. Sources in other repositories are not followed.
    ///
    /// ## Why is this bad?
    /// Bitbucket cannot find the shared pipeline and the import fails: the pipeline does
    /// not run.
    ///
    /// ## Example
    /// ```yaml
    /// definitions:
    ///   imports:
    ///     shared: .bitbucket/shared-pipelines.yml
    /// pipelines:
    ///   default:
    ///     import: build@shard
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// definitions:
    ///   imports:
    ///     shared: .bitbucket/shared-pipelines.yml
    /// pipelines:
    ///   default:
    ///     import: build@shared
    /// ```
    ///
    /// ## Source
    /// Atlassian, "Share pipelines configurations"
    /// (https://support.atlassian.com/bitbucket-cloud/docs/share-pipelines-configurations/):
    /// an import source is declared under `definitions.imports`, and for the same repository
    /// its value is the path of the file. The `@` spelling comes from a secondary source
    /// (udmada/pkl-bitbucket-pipelines).
    pub struct ImportSource {
        id: "share/import-source",
        severity: Error,
        summary: "An import source that is not declared, or a shared file or pipeline that does not exist",
        fix: true,
    }
}

impl Rule for ImportSource {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let declared = sources(cx);
        for entry in declared {
            check_declaration(cx, &entry.key, &entry.value, out);
        }
        let names: Vec<&str> = declared.iter().filter_map(|e| e.key.as_key()).collect();
        // A file cut short by a syntax error may have lost some of its sources.
        let complete = cx.file.as_ref().is_some_and(|f| {
            !f.root.truncated
                && f.definitions()
                    .and_then(|d| d.get("imports"))
                    .is_none_or(|i| !i.truncated && !i.is_invalid())
        });
        for import in import_uses(cx) {
            if import.kind == PipelineKind::Shared {
                continue;
            }
            let Some(ImportRef::Source { pipeline, source }) = parse_import(import.text) else {
                continue;
            };
            let source_at = pipeline.len() + 1;
            let Some(entry) = declared
                .iter()
                .rev()
                .find(|e| e.key.as_key() == Some(source))
            else {
                if complete {
                    out.push(undeclared(cx, import.value, source, source_at, &names));
                }
                continue;
            };
            let Some(path) = string_value(&entry.value) else {
                continue;
            };
            let Some(SourceRef::File(path)) = parse_source(path) else {
                continue;
            };
            let Some(imported) = cx.imported(path) else {
                continue;
            };
            if imported.parsed().is_none() || imported.is_broken() {
                continue;
            }
            if imported.shared_pipeline(pipeline).is_some() {
                continue;
            }
            let at = part_span(cx, import.value, 0, pipeline);
            let defined: Vec<&str> = imported
                .shared_pipelines()
                .map(|m| m.iter().map(|(k, _)| k).collect())
                .unwrap_or_default();
            let mut d = Diagnostic::new(
                Self::META.id,
                at,
                if defined.is_empty() {
                    format!(
                        "`{path}` defines no pipelines under `definitions.pipelines`, so it has no `{pipeline}` to import"
                    )
                } else {
                    format!("`{path}` has no pipeline `{pipeline}` under `definitions.pipelines`")
                },
            )
            .related(entry.value.span, format!("import source `{source}` is this file"));
            if let Some(v) = import.value.via.first() {
                d = d.via(*v);
            }
            d = match suggest::closest(pipeline, defined.iter().copied()) {
                Some(best) => d
                    .help(format!("did you mean `{best}`?"))
                    .fix(Fix::unsafe_(
                        format!("Import `{best}` instead"),
                        vec![Edit::replace(at, best.to_owned())],
                    )),
                None if defined.is_empty() => d.help(format!(
                    "define it in `{path}`:\ndefinitions:\n  pipelines:\n    {pipeline}:\n      - step:\n          script:\n            - ..."
                )),
                None => d.help(format!("`{path}` defines: {}", defined.join(", "))),
            };
            out.push(d);
        }
    }
}

/// A `name@source` whose source is not declared.
fn undeclared(
    cx: &Context<'_>,
    value: &Node,
    source: &str,
    source_at: usize,
    names: &[&str],
) -> Diagnostic {
    let at = part_span(cx, value, source_at, source);
    let mut d = Diagnostic::new(
        ImportSource::META.id,
        at,
        format!("import source `{source}` is not declared under `definitions.imports`"),
    );
    if let Some(v) = value.via.first() {
        d = d.via(*v);
    }
    match suggest::closest(source, names.iter().copied()) {
        Some(best) => d.help(format!("did you mean `{best}`?")).fix(Fix::unsafe_(
            format!("Import from `{best}` instead"),
            vec![Edit::replace(at, best.to_owned())],
        )),
        None => d.help(format!(
            "declare it:\ndefinitions:\n  imports:\n    {source}: .bitbucket/shared-pipelines.yml   # a file of this repository, or <repo-slug>:<branch-or-tag>"
        )),
    }
}

/// A `definitions.imports` entry: its form, a path's place, and what reading it gave.
fn check_declaration(cx: &Context<'_>, key: &Node, value: &Node, out: &mut Vec<Diagnostic>) {
    let name = key.as_key().unwrap_or_default();
    let Some(text) = string_value(value) else {
        return;
    };
    let id = ImportSource::META.id;
    match parse_source(text) {
        None => out.push(
            Diagnostic::at(
                id,
                value,
                format!(
                    "import source `{name}` must be a file path, `<repo-slug>:<branch-or-tag>` or `<repo-slug>:<branch-or-tag>:<path>`; got `{text}`"
                ),
            )
            .help("for a file of this repository write its path from the repository root, e.g. `.bitbucket/shared-pipelines.yml`"),
        ),
        Some(SourceRef::File(path)) => {
            if let Some(problem) = path_problem(path) {
                out.push(
                    Diagnostic::at(id, value, format!("the path of import source `{name}` {problem}"))
                        .help("a same-repository import source is a path from the repository root, e.g. `.bitbucket/shared-pipelines.yml`"),
                );
                return;
            }
            match cx.imported(path).map(|i| &i.outcome) {
                Some(Outcome::Missing) => out.push(
                    Diagnostic::at(
                        id,
                        value,
                        format!("import source `{name}`: `{path}` does not exist in this repository"),
                    )
                    .help("write the path of the shared file from the repository root, or add the file"),
                ),
                Some(Outcome::Unreadable(why)) => out.push(Diagnostic::at(
                    id,
                    value,
                    format!("import source `{name}`: `{path}` cannot be read: {why}"),
                )),
                _ => {}
            }
        }
        Some(SourceRef::Repository { .. }) => {}
    }
}
