use crate::context::Context;
use crate::declare_rule;
use crate::diagnostic::{Diagnostic, Edit, Fix};
use crate::rule::{Rule, RuleMeta};
use crate::suggest;

use super::{EVENTS, MAX_CONDITIONS, MAX_PIPELINES_PER_EVENT, conditions, events, pipeline_names};

declare_rule! {
    /// ## What it does
    /// Checks the shape of `triggers` beyond types: every key must be a known event type
    /// (`repository-push`, `pullrequest-created`, `pullrequest-fulfilled`,
    /// `pipeline-completed`, ...), an event type takes at most 20 conditions, and its
    /// conditions start at most 100 pipelines in all.
    ///
    /// ## Why is this bad?
    /// Bitbucket refuses a `triggers` section with an event type it does not know (often a
    /// misspelling such as `pullrequest-merged` or `repository_push`) or over its limits;
    /// the triggers never fire.
    ///
    /// ## Example
    /// ```yaml
    /// triggers:
    ///   repository_push:
    ///     - condition: BITBUCKET_BRANCH == "main"
    ///       pipelines: [publish]
    /// pipelines:
    ///   custom:
    ///     publish:
    ///       - step:
    ///           script:
    ///             - ./publish.sh
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// triggers:
    ///   repository-push:
    ///     - condition: BITBUCKET_BRANCH == "main"
    ///       pipelines: [publish]
    /// pipelines:
    ///   custom:
    ///     publish:
    ///       - step:
    ///           script:
    ///             - ./publish.sh
    /// ```
    ///
    /// ## Source
    /// The `triggers` section is announced in Atlassian's "Reimagining how you structure
    /// workflows in Bitbucket Pipelines"
    /// (https://www.atlassian.com/blog/bitbucket/reimagining-how-you-structure-workflows-in-bitbucket-pipelines).
    /// The list of event types and both limits rest on a third-party source only
    /// (udmada/pkl-bitbucket-pipelines, a typed model of the configuration): verify them
    /// against Bitbucket before relying on this rule; this is why its default severity is
    /// a warning.
    pub struct Limits {
        id: "triggers/limits",
        severity: Warning,
        summary: "An unknown event type in `triggers`, or more conditions or pipelines than allowed",
        fix: true,
    }
}

impl Rule for Limits {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let events = events(cx);
        let present: Vec<&str> = events.iter().filter_map(|e| e.key.as_key()).collect();
        for event in events {
            let Some(name) = event.key.as_key() else {
                continue;
            };
            if !EVENTS.contains(&name) {
                let candidates = EVENTS.iter().copied().filter(|e| !present.contains(e));
                let mut d = Diagnostic::at(
                    Self::META.id,
                    &event.key,
                    format!("`{name}` is not an event type `triggers` knows"),
                );
                d = match near_miss(name).or_else(|| suggest::closest(name, candidates)) {
                    Some(best) if !present.contains(&best) => {
                        d.message = format!(
                            "`{name}` is not an event type `triggers` knows; did you mean `{best}`?"
                        );
                        let edits = vec![Edit::replace(event.key.span, best.to_owned())];
                        let message = format!("Rename `{name}` to `{best}`");
                        // Only a change of case or `_` for `-` is sure to mean the same event.
                        let spelling = name.to_ascii_lowercase().replace('_', "-") == best;
                        d.help(format!("rename it to `{best}`")).fix(if spelling {
                            Fix::safe(message, edits)
                        } else {
                            Fix::unsafe_(message, edits)
                        })
                    }
                    _ => d.help(format!("event types: {}", EVENTS.join(", "))),
                };
                out.push(d);
                continue;
            }
            let list = conditions(event);
            if list.len() > MAX_CONDITIONS {
                out.push(
                    Diagnostic::at(
                        Self::META.id,
                        &event.key,
                        format!(
                            "`{name}` has {} conditions; at most {MAX_CONDITIONS} are allowed per event type",
                            list.len()
                        ),
                    )
                    .related(list[MAX_CONDITIONS].span, format!("condition {} is over the limit", MAX_CONDITIONS + 1))
                    .help("merge conditions that start the same pipelines with `||`"),
                );
            }
            let started: usize = list.iter().map(|c| pipeline_names(c).len()).sum();
            if started > MAX_PIPELINES_PER_EVENT {
                out.push(
                    Diagnostic::at(
                        Self::META.id,
                        &event.key,
                        format!(
                            "the conditions of `{name}` start {started} pipelines in all; at most {MAX_PIPELINES_PER_EVENT} are allowed per event type"
                        ),
                    )
                    .help("start fewer pipelines from this event, for example one that runs the others as child pipelines"),
                );
            }
        }
    }
}

/// Event types people write from memory of other names: `_` for `-`, the GitHub-style
/// `pull-request`/`merged` words.
fn near_miss(name: &str) -> Option<&'static str> {
    let normal = name
        .to_ascii_lowercase()
        .replace('_', "-")
        .replace("pull-request", "pullrequest")
        .replace("merged", "fulfilled")
        .replace("declined", "rejected")
        .replace("opened", "created");
    EVENTS.iter().copied().find(|e| *e == normal)
}

#[cfg(test)]
mod tests {
    use super::near_miss;

    #[test]
    fn near_misses() {
        assert_eq!(
            near_miss("pull-request-merged"),
            Some("pullrequest-fulfilled")
        );
        assert_eq!(
            near_miss("PULLREQUEST_CREATED"),
            Some("pullrequest-created")
        );
        assert_eq!(near_miss("push"), None);
    }
}
