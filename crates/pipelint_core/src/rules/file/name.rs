use pipelint_yaml::Span;

use crate::context::Context;
use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::rule::{Rule, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Reports a pipeline file whose name Bitbucket does not read: `bitbucket-pipelines.yaml`
    /// (with `.yaml`), or a name that looks meant as the pipeline file (it mentions
    /// `bitbucket` or `pipeline`) but does not end in `pipelines.yml`:
    /// `bitbucket-pipeline.yml`, `Bitbucket-Pipelines.yml`, `bitbucket-pipelines.yml.bak`.
    ///
    /// Names ending in `pipelines.yml` are accepted: besides `bitbucket-pipelines.yml`,
    /// that is how shared configuration files imported from the same repository must be
    /// named. Other names (`ci.yml`, a test file) are not judged: pipelint checks them when
    /// asked to, whatever they are for. Standard input without a file name is not judged
    /// either.
    ///
    /// Only the file's name is known here, not where it stands: that the file must sit at
    /// the root of the repository is not checked. The command line and the language server
    /// know the repository and may add that check later.
    ///
    /// ## Why is this bad?
    /// Bitbucket looks for exactly `bitbucket-pipelines.yml` at the root of the repository.
    /// A file with another name, `.yaml` included, is ignored without a word: no pipeline
    /// runs.
    ///
    /// ## Example
    /// A file saved as `bitbucket-pipelines.yaml` (the comment gives the examples' test
    /// the file name):
    /// ```yaml
    /// # pipelint-path: bitbucket-pipelines.yaml
    /// pipelines:
    ///   default:
    ///     - step:
    ///         script: [make]
    /// ```
    ///
    /// ## Use instead
    /// The same file, renamed to `bitbucket-pipelines.yml`:
    /// ```yaml
    /// # pipelint-path: bitbucket-pipelines.yml
    /// pipelines:
    ///   default:
    ///     - step:
    ///         script: [make]
    /// ```
    ///
    /// ## Source
    /// Atlassian, "Configure bitbucket-pipelines.yml" (A-OLDCONF): the file is
    /// `bitbucket-pipelines.yml` at the repository root; SchemaStore commit `cd4741863`
    /// removed `.yaml` from the file match as wrong (G-SCHEMASTORE); Atlassian, "Share
    /// pipelines configurations" (A-SHARE): shared files end in `pipelines.yml`.
    pub struct Name {
        id: "file/name",
        severity: Warning,
        summary: "A pipeline file name that Bitbucket does not read",
        fix: false,
    }
}

/// The one name Bitbucket reads at the repository root.
pub const FILE_NAME: &str = "bitbucket-pipelines.yml";

impl Rule for Name {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let Some(path) = cx.path else { return };
        let base = path.rsplit(['/', '\\']).next().unwrap_or(path);
        if matches!(base, "" | "-" | "<stdin>") || base.ends_with("pipelines.yml") {
            return;
        }
        let lower = base.to_ascii_lowercase();
        if !lower.contains("bitbucket") && !lower.contains("pipeline") {
            return;
        }
        let message = if base.eq_ignore_ascii_case("bitbucket-pipelines.yaml")
            || base.ends_with("pipelines.yaml")
        {
            format!("Bitbucket reads `{FILE_NAME}`, not `{base}`: with `.yaml` the file is ignored")
        } else {
            format!(
                "Bitbucket does not read a file named `{base}`; the pipeline file must be `{FILE_NAME}`"
            )
        };
        out.push(
            Diagnostic::new(Self::META.id, Span::empty(0), message).help(format!(
                "rename the file to `{FILE_NAME}` at the root of the repository (a shared configuration file imported from it must end in `pipelines.yml`)"
            )),
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::{CheckOptions, Selection};

    fn run(path: Option<&str>) -> Vec<crate::Diagnostic> {
        let opts = CheckOptions {
            select: Selection::Only(vec!["file/name".to_owned()]),
            path: path.map(str::to_owned),
            ..CheckOptions::default()
        };
        crate::check("pipelines:\n  default:\n    - step: {script: [x]}\n", &opts).diagnostics
    }

    #[test]
    fn judges_the_base_name() {
        for bad in [
            "bitbucket-pipelines.yaml",
            "ci/Bitbucket-Pipelines.yml",
            "C:\\repo\\bitbucket-pipeline.yml",
            "pipelines.yaml",
            "bitbucket-pipelines.yml.orig",
        ] {
            assert_eq!(run(Some(bad)).len(), 1, "{bad}");
        }
        for good in [
            "bitbucket-pipelines.yml",
            "./repo/bitbucket-pipelines.yml",
            "shared/deploy-pipelines.yml",
            "owner__repo__bitbucket-pipelines.yml",
            "<stdin>",
            "-",
            "good.yml",
            "tests/ci.yml",
        ] {
            assert!(run(Some(good)).is_empty(), "{good}");
        }
        assert!(run(None).is_empty());
    }
}
