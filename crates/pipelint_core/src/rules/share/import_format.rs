use crate::context::Context;
use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::model::PipelineKind;
use crate::rule::{Rule, RuleMeta};
use crate::share::parse_import;

use super::import_uses;

declare_rule! {
    /// ## What it does
    /// Reports an `import:` whose value has neither form Bitbucket reads:
    /// `<repo-slug>:<branch-or-tag>:<pipeline-name>` (a pipeline exported by another
    /// repository) or `<pipeline-name>@<import-source>` (a pipeline from a source declared
    /// under `definitions.imports`).
    ///
    /// ## Why is this bad?
    /// Bitbucket cannot tell which shared pipeline to run and rejects the file. A common
    /// slip is `repo:branch` without the pipeline name, or a repository written after the
    /// `@`, where only the name of a declared import source may stand.
    ///
    /// ## Example
    /// ```yaml
    /// pipelines:
    ///   custom:
    ///     deploy:
    ///       import: shared-pipelines:main
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// pipelines:
    ///   custom:
    ///     deploy:
    ///       import: shared-pipelines:main:deploy
    /// ```
    ///
    /// ## Source
    /// Atlassian, "Share pipelines configurations"
    /// (https://support.atlassian.com/bitbucket-cloud/docs/share-pipelines-configurations/):
    /// the `repo:branch:pipeline` form and the import of "the pipeline name and the name of
    /// the import source"; the official schema's pattern for `import`. The `@` spelling of
    /// the second form comes from a secondary source (udmada/pkl-bitbucket-pipelines).
    pub struct ImportFormat {
        id: "share/import-format",
        severity: Error,
        summary: "An `import:` that is neither `repo:ref:pipeline` nor `pipeline@source`",
        fix: false,
    }
}

impl Rule for ImportFormat {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for import in import_uses(cx) {
            // An import inside `definitions.pipelines` is wrong whatever its form:
            // `share/nested-import` says so.
            if import.kind == PipelineKind::Shared || parse_import(import.text).is_some() {
                continue;
            }
            out.push(
                Diagnostic::at(
                    Self::META.id,
                    import.value,
                    format!(
                        "`import: {}` is neither `<repo-slug>:<branch-or-tag>:<pipeline-name>` nor `<pipeline-name>@<import-source>`",
                        import.text
                    ),
                )
                .help(help(import.text)),
            );
        }
    }
}

/// What to write instead, from what the value looks like.
fn help(text: &str) -> String {
    let colons = text.matches(':').count();
    if let Some((pipeline, rest)) = text.split_once('@')
        && rest.contains(':')
        && !pipeline.is_empty()
    {
        return format!(
            "after `@` stands the name of an import source, not a repository; declare the repository as a source and import from it:\ndefinitions:\n  imports:\n    shared: {rest}\npipelines:\n  ...\n      import: {pipeline}@shared"
        );
    }
    if text.contains('@') {
        return "write `<pipeline-name>@<import-source>`, one `@` with a name on each side".into();
    }
    match colons {
        0 => format!(
            "name where `{text}` comes from: `{text}@<import-source>` with the source declared under `definitions.imports`, or `<repo-slug>:<branch-or-tag>:{text}`"
        ),
        1 => format!(
            "add the name of the exported pipeline: `import: {text}:<pipeline-name>`"
        ),
        _ => "write `<repo-slug>:<branch-or-tag>:<pipeline-name>`: three parts, none empty, separated by `:`".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::help;

    #[test]
    fn help_names_the_slip() {
        assert!(help("shared:main").contains("shared:main:<pipeline-name>"));
        assert!(help("deploy").contains("deploy@<import-source>"));
        assert!(help("deploy@ci-config:main").contains("shared: ci-config:main"));
        assert!(help("a:b:c:d").contains("three parts"));
        assert!(help("deploy@").contains("one `@`"));
    }
}
