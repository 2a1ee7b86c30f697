use crate::context::Context;
use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::rule::{Rule, RuleMeta};

use super::conditions;

declare_rule! {
    /// ## What it does
    /// Reports a `condition.changesets` that sets both `includePaths` and `excludePaths`,
    /// at the one written second.
    ///
    /// ## Why is this bad?
    /// A changeset condition takes one list: `includePaths` runs the step when at least one
    /// changed file matches, `excludePaths` skips it when every changed file matches.
    /// Atlassian's schema allows only one of the two, so how both together behave is not
    /// defined, and editors that use the schema flag the file.
    ///
    /// ## Example
    /// ```yaml
    /// pipelines:
    ///   default:
    ///     - step:
    ///         name: Build the API
    ///         condition:
    ///           changesets:
    ///             includePaths: ["api/**"]
    ///             excludePaths: ["api/docs/**"]
    ///         script: [make -C api]
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// pipelines:
    ///   default:
    ///     - step:
    ///         name: Build the API
    ///         condition:
    ///           changesets:
    ///             includePaths: ["api/src/**", "api/Makefile"]
    ///         script: [make -C api]
    /// ```
    ///
    /// ## Source
    /// Atlassian's official schema for `bitbucket-pipelines.yml` (`changesets` has
    /// `maxProperties: 1`; as vendored in atlassian/atlascode), and "Step options"
    /// (https://support.atlassian.com/bitbucket-cloud/docs/step-options/), which documents
    /// `includePaths` and `excludePaths`.
    pub struct ChangesetsBoth {
        id: "cond/changesets-both",
        severity: Warning,
        summary: "A changeset condition with both includePaths and excludePaths",
        fix: false,
    }
}

impl Rule for ChangesetsBoth {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for condition in conditions(cx) {
            let Some(map) = condition.changesets().and_then(|c| c.as_mapping()) else {
                continue;
            };
            let (Some(include), Some(exclude)) =
                (map.entry("includePaths"), map.entry("excludePaths"))
            else {
                continue;
            };
            let (first, second) = if include.key.span.start <= exclude.key.span.start {
                (include, exclude)
            } else {
                (exclude, include)
            };
            let second_name = second.key.as_key().unwrap_or_default();
            let first_name = first.key.as_key().unwrap_or_default();
            out.push(
                Diagnostic::at(
                    Self::META.id,
                    &second.key,
                    format!(
                        "`{second_name}` beside `{first_name}`: a changeset condition takes only one of them"
                    ),
                )
                .help(
                    "keep one list: `includePaths` runs the step when a matching file changed; \
                     `excludePaths` skips it when only matching files changed",
                )
                .related(first.key.span, format!("`{first_name}` is set here")),
            );
        }
    }
}
