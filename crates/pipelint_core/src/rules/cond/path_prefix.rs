use pipelint_yaml::{Node, ScalarStyle};

use crate::context::Context;
use crate::declare_rule;
use crate::diagnostic::{Diagnostic, Edit, Fix};
use crate::model::{is_template, locate_in_scalar};
use crate::rule::{Rule, RuleMeta};

use super::conditions;

declare_rule! {
    /// ## What it does
    /// Reports an `includePaths` or `excludePaths` pattern that starts with `./`, `/` or
    /// `$BITBUCKET_CLONE_DIR`. The fix (unsafe: the step then runs or is skipped
    /// differently) removes the prefix, and quotes the pattern when it then starts with
    /// `*`.
    ///
    /// ## Why is this bad?
    /// Changeset patterns are matched against the paths of the changed files relative to
    /// the repository root (the clone directory), such as `src/app.js`. A pattern written
    /// as `./src/**`, `/src/**` or `$BITBUCKET_CLONE_DIR/src/**` matches none of them, and
    /// variables are not expanded there: the step is always skipped (`includePaths`) or
    /// never skipped (`excludePaths`).
    ///
    /// ## Example
    /// ```yaml
    /// pipelines:
    ///   default:
    ///     - step:
    ///         name: Build the frontend
    ///         condition:
    ///           changesets:
    ///             includePaths:
    ///               - ./frontend/**
    ///         script: [make -C frontend]
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// pipelines:
    ///   default:
    ///     - step:
    ///         name: Build the frontend
    ///         condition:
    ///           changesets:
    ///             includePaths:
    ///               - frontend/**
    ///         script: [make -C frontend]
    /// ```
    ///
    /// ## Source
    /// Atlassian, "Step options" (https://support.atlassian.com/bitbucket-cloud/docs/step-options/),
    /// `condition.changesets`; Atlassian Community, "How does a pipeline with trigger
    /// conditions determine which files changed?"
    /// (https://community.atlassian.com/t5/Bitbucket-questions/How-does-a-pipeline-with-trigger-conditions-determine-which/qaq-p/2619335):
    /// paths are relative to the clone directory.
    pub struct PathPrefix {
        id: "cond/path-prefix",
        severity: Warning,
        summary: "A changeset path that starts with ./, / or $BITBUCKET_CLONE_DIR",
        fix: true,
    }
}

impl Rule for PathPrefix {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for condition in conditions(cx) {
            for node in condition.paths() {
                let Some(value) = node.as_str() else {
                    continue;
                };
                if is_template(node) {
                    continue;
                }
                let Some(prefix) = clone_dir_prefix(value) else {
                    continue;
                };
                let rest = &value[prefix.len()..];
                let mut d = Diagnostic::at(
                    Self::META.id,
                    node,
                    format!(
                        "changeset paths are relative to the clone directory; `{value}` starts with `{prefix}` and matches no changed file"
                    ),
                );
                if rest.is_empty() {
                    d = d.help("write the path relative to the repository root, e.g. `src/**`");
                } else {
                    d = d.help(format!("write `{rest}`"));
                    if let Some(fix) = strip_fix(cx.source, node, prefix, rest) {
                        d = d.fix(fix);
                    }
                }
                out.push(d);
            }
        }
    }
}

/// The prefix that makes a pattern absolute or clone-dir based, as written.
pub(crate) fn clone_dir_prefix(value: &str) -> Option<&str> {
    for var in ["$BITBUCKET_CLONE_DIR", "${BITBUCKET_CLONE_DIR}"] {
        if let Some(rest) = value.strip_prefix(var) {
            let len = var.len() + usize::from(rest.starts_with('/'));
            return value.get(..len);
        }
    }
    if value.starts_with("./") {
        return value.get(..2);
    }
    if value.starts_with('/') {
        let slashes = value.len() - value.trim_start_matches('/').len();
        return value.get(..slashes);
    }
    None
}

/// The edit that removes `prefix` from the scalar: deletes it where it is written, or,
/// for a plain scalar whose rest would start with a YAML indicator (`*` ...), rewrites it
/// single-quoted.
pub(crate) fn strip_fix(source: &str, node: &Node, prefix: &str, rest: &str) -> Option<Fix> {
    let scalar = node.as_scalar()?;
    let message = format!("Remove `{prefix}`");
    if scalar.style == ScalarStyle::Plain && rest.starts_with(is_indicator) {
        let quoted = format!("'{}'", rest.replace('\'', "''"));
        return Some(Fix::unsafe_(
            message,
            vec![Edit::replace(node.span, quoted)],
        ));
    }
    if scalar.style.is_block() {
        return None;
    }
    let at = locate_in_scalar(source, node, 0, prefix.len());
    (at != node.span || source.get(node.span.range()) == Some(prefix))
        .then(|| Fix::unsafe_(message, vec![Edit::delete(at)]))
}

fn is_indicator(c: char) -> bool {
    matches!(
        c,
        '*' | '&'
            | '!'
            | '|'
            | '>'
            | '\''
            | '"'
            | '%'
            | '@'
            | '`'
            | '{'
            | '['
            | '#'
            | ','
            | '?'
            | ':'
            | '-'
    )
}

#[cfg(test)]
mod tests {
    use crate::{CheckOptions, Selection};

    fn fixed(src: &str) -> String {
        let opts = CheckOptions {
            select: Selection::Only(vec!["cond/path-prefix".into()]),
            ..CheckOptions::default()
        };
        let found = crate::check(src, &opts).diagnostics;
        crate::fix::apply(src, found.iter().filter_map(|d| d.fix.as_ref())).0
    }

    #[test]
    fn prefixes_are_removed_and_stars_quoted() {
        let src = "pipelines:\n  default:\n    - step:\n        condition:\n          changesets:\n            includePaths:\n              - ./src/**   # app\n              - \"$BITBUCKET_CLONE_DIR/lib/**\"\n              - ./**/*.md\n              - //etc\n        script: [a]\n    - stage:\n        condition: {changesets: {excludePaths: ['/docs/**']}}\n        steps:\n          - step: {script: [b]}\n";
        let want = "pipelines:\n  default:\n    - step:\n        condition:\n          changesets:\n            includePaths:\n              - src/**   # app\n              - \"lib/**\"\n              - '**/*.md'\n              - etc\n        script: [a]\n    - stage:\n        condition: {changesets: {excludePaths: ['docs/**']}}\n        steps:\n          - step: {script: [b]}\n";
        assert_eq!(fixed(src), want);
    }
}
