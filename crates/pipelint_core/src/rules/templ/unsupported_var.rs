use pipelint_yaml::{Node, NodeKind, Span};

use crate::context::Context;
use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::model::locate_in_scalar;
use crate::rule::{Rule, RuleMeta};
use crate::rules::var::BUILTIN_VARIABLES;

/// The default variables that YAML templating can read.
const AVAILABLE: &[&str] = &[
    "BITBUCKET_WORKSPACE",
    "BITBUCKET_REPO_SLUG",
    "BITBUCKET_BRANCH",
    "BITBUCKET_COMMIT",
    "BITBUCKET_PR_ID",
];

declare_rule! {
    /// ## What it does
    /// Reports a `${{ NAME }}` template whose name is one of Bitbucket's default variables
    /// that templating cannot read: any `BITBUCKET_*` name other than
    /// `BITBUCKET_WORKSPACE`, `BITBUCKET_REPO_SLUG`, `BITBUCKET_BRANCH`, `BITBUCKET_COMMIT`
    /// and `BITBUCKET_PR_ID`, and `CI`.
    ///
    /// ## Why is this bad?
    /// Templates are filled in when Bitbucket reads the file, before any step runs. At that
    /// point only non-secured workspace and repository variables and those five default
    /// variables exist; `BITBUCKET_TAG`, `BITBUCKET_BUILD_NUMBER` or
    /// `BITBUCKET_DEPLOYMENT_ENVIRONMENT` do not, so the template cannot be filled as
    /// meant. In a script, the shell form `$BITBUCKET_TAG` reads the variable when the step
    /// runs.
    ///
    /// ## Example
    /// ```yaml
    /// pipelines:
    ///   tags:
    ///     'v*':
    ///       - step:
    ///           name: Release ${{ BITBUCKET_TAG }}
    ///           script: [./release.sh]
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// pipelines:
    ///   tags:
    ///     'v*':
    ///       - step:
    ///           name: Release
    ///           script: [./release.sh "$BITBUCKET_TAG"]
    /// ```
    ///
    /// ## Source
    /// Atlassian, "YAML templating"
    /// (https://support.atlassian.com/bitbucket-cloud/docs/yaml-templating/): templates can
    /// use non-secured workspace and repository variables and the default variables
    /// BITBUCKET_WORKSPACE, BITBUCKET_REPO_SLUG, BITBUCKET_BRANCH, BITBUCKET_COMMIT and
    /// BITBUCKET_PR_ID.
    pub struct UnsupportedVar {
        id: "templ/unsupported-var",
        severity: Warning,
        summary: "A `${{ }}` template naming a Bitbucket variable that templating can't read",
        fix: false,
    }
}

impl Rule for UnsupportedVar {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let Some(root) = cx.root else {
            return;
        };
        let mut seen: Vec<Span> = Vec::new();
        root.walk(&mut |node: &Node| {
            let NodeKind::Scalar(s) = &node.kind else {
                return;
            };
            if !s.value.contains("${{") {
                return;
            }
            for (start, end, name) in templates(&s.value) {
                if !is_unavailable(name) {
                    continue;
                }
                let span = locate_in_scalar(cx.source, node, start, end);
                if seen.contains(&span) {
                    continue;
                }
                seen.push(span);
                let help = format!(
                    "templates can read only BITBUCKET_WORKSPACE, BITBUCKET_REPO_SLUG, BITBUCKET_BRANCH, BITBUCKET_COMMIT and BITBUCKET_PR_ID of Bitbucket's variables; in a script write `${name}`, which the shell reads when the step runs"
                );
                out.push(
                    Diagnostic::new(
                        Self::META.id,
                        span,
                        format!("`${{{{ {name} }}}}` can't be filled in: `{name}` is not available when Bitbucket reads the file"),
                    )
                    .help(help),
                );
            }
        });
    }
}

fn is_unavailable(name: &str) -> bool {
    if AVAILABLE.contains(&name) {
        return false;
    }
    name.starts_with("BITBUCKET_") || BUILTIN_VARIABLES.contains(&name)
}

/// The `${{ NAME }}` templates of a text: (start, end, name) with byte offsets of the
/// whole template.
fn templates(text: &str) -> Vec<(usize, usize, &str)> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(rel) = text.get(from..).and_then(|t| t.find("${{")) {
        let start = from + rel;
        let inner_start = start + 3;
        let Some(close) = text.get(inner_start..).and_then(|t| t.find("}}")) else {
            break;
        };
        let end = inner_start + close + 2;
        let name = text[inner_start..inner_start + close].trim();
        if !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            out.push((start, end, name));
        }
        from = end;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::templates;

    #[test]
    fn finds_templates() {
        let text = "app-${{BITBUCKET_TAG}}-${{ BITBUCKET_COMMIT }} ${{ not a name }} ${{X";
        let found: Vec<&str> = templates(text).into_iter().map(|(_, _, n)| n).collect();
        assert_eq!(found, ["BITBUCKET_TAG", "BITBUCKET_COMMIT"]);
        let (s, e, _) = templates(text)[0];
        assert_eq!(&text[s..e], "${{BITBUCKET_TAG}}");
    }
}
