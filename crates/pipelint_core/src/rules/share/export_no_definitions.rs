use crate::context::Context;
use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::model::is_yaml_true;
use crate::rule::{Rule, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Reports `export: true` in a file that has no pipelines under `definitions.pipelines`.
    ///
    /// ## Why is this bad?
    /// Only the pipelines under `definitions.pipelines` are exported. With none there,
    /// other repositories have nothing to import, and the pipelines under `pipelines:` are
    /// not shared: a repository that imports one of them gets an error. `export: true` also
    /// makes the whole file readable to every repository of the workspace, for nothing.
    ///
    /// ## Example
    /// ```yaml
    /// export: true
    /// pipelines:
    ///   custom:
    ///     deploy:
    ///       - step:
    ///           script:
    ///             - ./deploy.sh
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// export: true
    /// definitions:
    ///   pipelines:
    ///     deploy:
    ///       - step:
    ///           script:
    ///             - ./deploy.sh
    /// ```
    ///
    /// ## Source
    /// Atlassian, "Share pipelines configurations"
    /// (https://support.atlassian.com/bitbucket-cloud/docs/share-pipelines-configurations/):
    /// "All pipelines defined under the definitions > pipelines section will be exported".
    pub struct ExportNoDefinitions {
        id: "share/export-no-definitions",
        severity: Warning,
        summary: "`export: true` without `definitions.pipelines` to export",
        fix: false,
    }
}

impl Rule for ExportNoDefinitions {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let Some(file) = &cx.file else {
            return;
        };
        let Some(export) = file.map.entry("export") else {
            return;
        };
        if !is_yaml_true(&export.value) || file.root.truncated {
            return;
        }
        let shared = file.definitions().and_then(|d| d.get("pipelines"));
        let has_some = match shared {
            Some(n) => n.as_mapping().is_none_or(|m| !m.is_empty()),
            None => false,
        };
        if has_some {
            return;
        }
        let message = if shared.is_some() {
            "`export: true`, but `definitions.pipelines` is empty: nothing is exported"
        } else {
            "`export: true`, but there is no `definitions.pipelines`: nothing is exported"
        };
        let mut d = Diagnostic::at(Self::META.id, &export.key, message);
        d = if file.map.contains_key("pipelines") {
            d.help("only pipelines under `definitions.pipelines` are exported; move the pipelines to share there:\ndefinitions:\n  pipelines:\n    <name>:\n      - step: ...")
        } else {
            d.help("add the pipelines to share:\ndefinitions:\n  pipelines:\n    <name>:\n      - step: ...")
        };
        out.push(d);
    }
}
