use super::{credentials, distinct_spans};
use crate::context::Context;
use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::route::{Route, Segment};
use crate::rule::{Rule, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Reports a file that shares its pipelines (`export: true`) and holds hard-coded
    /// credentials, as `sec/literal-credential` finds them. It reports once, at `export`,
    /// with each credential as a related location.
    ///
    /// ## Why is this bad?
    /// An exported configuration is read by every repository in the workspace that imports
    /// from it. A credential in it is handed to all of them, and to everyone who can change
    /// their pipelines.
    ///
    /// ## Example
    /// ```yaml
    /// export: true
    /// definitions:
    ///   pipelines:
    ///     deploy:
    ///       - step:
    ///           script:
    ///             - pipe: atlassian/ftp-deploy:0.7.1
    ///               variables:
    ///                 USER: deploy
    ///                 PASSWORD: Tr0ub4dor-and-3
    ///                 SERVER: ftp.example.com
    ///                 REMOTE_PATH: /var/www
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
    ///             - pipe: atlassian/ftp-deploy:0.7.1
    ///               variables:
    ///                 USER: deploy
    ///                 PASSWORD: $FTP_PASSWORD
    ///                 SERVER: ftp.example.com
    ///                 REMOTE_PATH: /var/www
    /// ```
    ///
    /// ## Source
    /// Atlassian, "Share pipelines configurations"
    /// (https://support.atlassian.com/bitbucket-cloud/docs/share-pipelines-configurations/):
    /// `export: true` makes the definitions available to other repositories of the
    /// workspace.
    pub struct ExportSecrets {
        id: "sec/export-secrets",
        severity: Error,
        summary: "Hard-coded credentials in a file that exports its pipelines",
        fix: false,
    }
}

impl Rule for ExportSecrets {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let Some(export) = cx.file.as_ref().and_then(|f| f.map.entry("export")) else {
            return;
        };
        if export.value.as_bool() != Some(true) {
            return;
        }
        let found = credentials(cx);
        let spans = distinct_spans(&found);
        if spans.is_empty() {
            return;
        }
        let count = if spans.len() == 1 {
            "a hard-coded credential".to_owned()
        } else {
            format!("{} hard-coded credentials", spans.len())
        };
        let mut d = Diagnostic::new(
            Self::META.id,
            export.key.span.cover(export.value.span),
            format!(
                "this file exports its pipelines and holds {count}: every repository in the workspace that imports it can read them"
            ),
        )
        .help("move the values into secured variables (`$NAME`) before sharing the file, and revoke the exposed ones");
        for span in spans {
            d = d.related(span, "hard-coded credential");
        }
        d.route = Route(vec![Segment::Key("export".into())]);
        out.push(d);
    }
}
