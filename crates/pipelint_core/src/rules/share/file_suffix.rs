use crate::context::Context;
use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::rule::{Rule, RuleMeta};
use crate::share::{SHARED_FILE_SUFFIX, SourceRef, parse_source, path_problem};

use super::{sources, string_value};

declare_rule! {
    /// ## What it does
    /// Reports an import source under `definitions.imports` that names a file of this
    /// repository whose name does not end in `pipelines.yml`.
    ///
    /// ## Why is this bad?
    /// Bitbucket only imports shared configuration from files named `*pipelines.yml`
    /// (`.bitbucket/shared-pipelines.yml`, `ci/deploy-pipelines.yml`). Any other file,
    /// `.yaml` spelling included, is refused and the imports from it fail.
    ///
    /// ## Example
    /// ```yaml
    /// definitions:
    ///   imports:
    ///     shared: .bitbucket/shared.yml
    /// pipelines:
    ///   default:
    ///     import: build@shared
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
    /// "Create a separate YAML file within your repository, with the suffix
    /// `*pipelines.yml`".
    pub struct FileSuffix {
        id: "share/file-suffix",
        severity: Error,
        summary: "A same-repository shared file whose name does not end in `pipelines.yml`",
        fix: false,
    }
}

impl Rule for FileSuffix {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for entry in sources(cx) {
            let Some(text) = string_value(&entry.value) else {
                continue;
            };
            let Some(SourceRef::File(path)) = parse_source(text) else {
                continue;
            };
            // A path that leaves the repository is `share/import-source`'s.
            if path_problem(path).is_some() || path.ends_with(SHARED_FILE_SUFFIX) {
                continue;
            }
            let name = entry.key.as_key().unwrap_or_default();
            let file = crate::shell::basename(path);
            let suggested = suggested_name(file);
            let message = if file.ends_with("pipelines.yaml") {
                format!(
                    "import source `{name}`: `{file}` ends in `.yaml`; shared configuration files must end with `pipelines.yml`"
                )
            } else {
                format!(
                    "import source `{name}`: `{file}` does not end with `pipelines.yml`; Bitbucket only imports shared configuration from such files"
                )
            };
            out.push(
                Diagnostic::at(Self::META.id, &entry.value, message).help(format!(
                    "rename the file to `{suggested}` and change this path to match"
                )),
            );
        }
    }
}

/// A file name that ends in `pipelines.yml`, close to `file`.
fn suggested_name(file: &str) -> String {
    let stem = file
        .strip_suffix(".yaml")
        .or_else(|| file.strip_suffix(".yml"))
        .unwrap_or(file);
    if stem.ends_with("pipelines") {
        return format!("{stem}.yml");
    }
    if stem.ends_with("pipeline") {
        return format!("{stem}s.yml");
    }
    let stem = stem.trim_end_matches(['-', '_', '.']);
    if stem.is_empty() {
        "shared-pipelines.yml".into()
    } else {
        format!("{stem}-pipelines.yml")
    }
}

#[cfg(test)]
mod tests {
    use super::suggested_name;

    #[test]
    fn suggested_names_end_in_pipelines_yml() {
        assert_eq!(suggested_name("shared.yml"), "shared-pipelines.yml");
        assert_eq!(
            suggested_name("shared-pipelines.yaml"),
            "shared-pipelines.yml"
        );
        assert_eq!(
            suggested_name("deploy_pipeline.yml"),
            "deploy_pipelines.yml"
        );
        assert_eq!(suggested_name("ci"), "ci-pipelines.yml");
    }
}
