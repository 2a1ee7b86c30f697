use crate::context::Context;
use crate::declare_rule;
use crate::diagnostic::{Diagnostic, Edit, Fix};
use crate::model::{is_template, locate_in_scalar};
use crate::rule::{Rule, RuleMeta};

use super::{alternatives, pattern_maps};

declare_rule! {
    /// ## What it does
    /// Points out a branch pattern that is `'*'` or ends in `/*` (`feature/*`), under
    /// `branches` or `pull-requests`, when no `**` pattern covers the nested names next to
    /// it.
    ///
    /// ## Why is this bad?
    /// In Bitbucket's patterns `*` does not match `/`. `feature/*` runs for
    /// `feature/login` but not for `feature/team/login`, and `'*'` skips every branch with
    /// a `/` in its name. Such pushes silently run the `default` pipeline, or nothing. If
    /// nested names should run this pipeline too, write `**`.
    ///
    /// ## Example
    /// ```yaml
    /// pipelines:
    ///   branches:
    ///     feature/*:
    ///       - step:
    ///           script:
    ///             - make test
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// pipelines:
    ///   branches:
    ///     feature/**:
    ///       - step:
    ///           script:
    ///             - make test
    /// ```
    ///
    /// ## Source
    /// Atlassian, "Use glob patterns on the Pipelines yaml file"
    /// (https://support.atlassian.com/bitbucket-cloud/docs/use-glob-patterns-on-the-pipelines-yaml-file/):
    /// "The glob pattern doesn't match the slash (/) ... If you need the slash to match,
    /// use '**' instead of '*'."
    pub struct StarNoSlash {
        id: "glob/star-no-slash",
        severity: Info,
        summary: "A branch pattern `*` or `prefix/*` that skips names with a further `/`",
        fix: true,
    }
}

impl Rule for StarNoSlash {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for map in pattern_maps(cx) {
            if map.names != "branch" {
                continue;
            }
            let all: Vec<String> = map
                .entries
                .iter()
                .filter_map(|e| e.key.as_key())
                .flat_map(alternatives)
                .collect();
            for entry in map.entries {
                let Some(key) = entry.key.as_key() else {
                    continue;
                };
                if is_template(&entry.key) {
                    continue;
                }
                let Some(alt) = alternatives(key).into_iter().find(|a| {
                    let single = a == "*" || a.ends_with("/*");
                    let covered = all.contains(&format!("{a}*"));
                    single && !a.contains("**") && !covered
                }) else {
                    continue;
                };
                let (matched, missed) = match alt.strip_suffix('*') {
                    Some("") | None => ("main".to_owned(), "feature/login".to_owned()),
                    Some(prefix) => (format!("{prefix}login"), format!("{prefix}team/login")),
                };
                let mut d = Diagnostic::at(
                    Self::META.id,
                    &entry.key,
                    format!(
                        "`*` does not match `/`: `{alt}` matches `{matched}` but not `{missed}`"
                    ),
                )
                .help(format!(
                    "if nested names should run this pipeline too, write `{alt}*`"
                ));
                if let Some(at) = star_offset(key, &alt) {
                    let span = locate_in_scalar(cx.source, &entry.key, at, at + 1);
                    if span.len() == 1 {
                        d = d.fix(Fix::unsafe_(
                            format!("Match nested names too: `{alt}*`"),
                            vec![Edit::replace(span, "**")],
                        ));
                    }
                }
                out.push(d);
            }
        }
    }
}

/// The offset in `key` of the final `*` of `alt`, when `alt` is written whole in `key`
/// and not as the start of a `**`.
fn star_offset(key: &str, alt: &str) -> Option<usize> {
    key.match_indices(alt)
        .map(|(i, _)| i + alt.len() - 1)
        .find(|&star| key.as_bytes().get(star + 1) != Some(&b'*'))
}

#[cfg(test)]
mod tests {
    use super::star_offset;
    use crate::{CheckOptions, Selection};

    #[test]
    fn star_offsets() {
        assert_eq!(star_offset("feature/*", "feature/*"), Some(8));
        assert_eq!(star_offset("{feature/**,feature/*}", "feature/*"), Some(20));
        assert_eq!(star_offset("*", "*"), Some(0));
    }

    #[test]
    fn the_fix_doubles_the_star_inside_quotes() {
        let text = "pipelines:\n  branches:\n    '*':\n      - step: {script: [make]}\n    \"{main,hotfix/*}\":\n      - step: {script: [make]}\n";
        let opts = CheckOptions {
            select: Selection::Only(vec!["glob/star-no-slash".into()]),
            ..CheckOptions::default()
        };
        let found = crate::check(text, &opts).diagnostics;
        assert_eq!(found.len(), 2, "{found:#?}");
        let fixes: Vec<_> = found.iter().filter_map(|d| d.fix.as_ref()).collect();
        let (fixed, n) = crate::fix::apply(text, fixes);
        assert_eq!(n, 2);
        assert!(fixed.contains("    '**':\n"), "{fixed}");
        assert!(fixed.contains("\"{main,hotfix/**}\":"), "{fixed}");
    }
}
