use std::collections::HashMap;

use pipelint_yaml::Entry;

use crate::context::Context;
use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::rule::{Rule, RuleMeta};

use super::{alternatives, has_wildcard, pattern_maps};

declare_rule! {
    /// ## What it does
    /// Points out a pipeline that can never be chosen because other keys take every push
    /// it would match:
    /// - `default` next to a `'**'` branch pattern: `default` runs only for pushes that
    ///   no branch pipeline matches, and `'**'` matches every branch;
    /// - a `{a,b}` pattern of plain names that each have a pipeline of their own: an
    ///   exact name beats any pattern;
    /// - two patterns of one section that match the same names (`'{main,dev}'` and
    ///   `'{dev,main}'`): only one of them runs.
    ///
    /// ## Why is this bad?
    /// The shadowed pipeline looks active but never runs; changes to it have no effect.
    /// (Atlassian has confirmed a bug where a pattern with several `{...}` alternatives
    /// wins over an exact name: then the exact pipelines are the ones that never run.
    /// Either way one of the two is dead.)
    ///
    /// ## Example
    /// ```yaml
    /// pipelines:
    ///   default:
    ///     - step:
    ///         script:
    ///           - make test
    ///   branches:
    ///     '**':
    ///       - step:
    ///           script:
    ///             - make test lint
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// pipelines:
    ///   default:
    ///     - step:
    ///         script:
    ///           - make test lint
    /// ```
    ///
    /// ## Source
    /// Atlassian, "Use glob patterns on the Pipelines yaml file"
    /// (https://support.atlassian.com/bitbucket-cloud/docs/use-glob-patterns-on-the-pipelines-yaml-file/):
    /// an exact name overrides any more generic expression, `'**'` matches all branches;
    /// "Pipeline start conditions"
    /// (https://support.atlassian.com/bitbucket-cloud/docs/pipeline-start-conditions/):
    /// `default` runs for pushes that match no branch pipeline. The bug with several
    /// alternatives: Atlassian Community, "What is the rules for the order of branch
    /// pipelines?" (qaq-p/2474333).
    pub struct Shadowed {
        id: "glob/shadowed",
        severity: Info,
        summary: "A pipeline that other keys always take precedence over, so it never runs",
        fix: false,
    }
}

impl Rule for Shadowed {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        self.default_under_catch_all(cx, out);
        for map in pattern_maps(cx) {
            let keyed: Vec<(&Entry, &str, Vec<String>)> = map
                .entries
                .iter()
                .filter_map(|e| {
                    let k = e.key.as_key()?;
                    (!k.contains("${{")).then(|| (e, k, alternatives(k)))
                })
                .collect();
            let exact: Vec<(&Entry, &str)> = keyed
                .iter()
                .filter(|(_, k, alts)| alts.len() == 1 && alts[0] == *k && !has_wildcard(k))
                .map(|(e, k, _)| (*e, *k))
                .collect();
            // Each key's set of names, and the first key that matches each set.
            let sets: Vec<Vec<&String>> = keyed
                .iter()
                .map(|(_, _, alts)| {
                    let mut set: Vec<&String> = alts.iter().collect();
                    set.sort();
                    set.dedup();
                    set
                })
                .collect();
            let mut first_with: HashMap<&[&String], usize> = HashMap::new();
            for (i, set) in sets.iter().enumerate() {
                first_with.entry(set.as_slice()).or_insert(i);
            }
            for (i, (entry, key, alts)) in keyed.iter().enumerate() {
                // A `{...}` group of plain names, each with its own exact key.
                if key.contains('{') && alts.iter().all(|a| !has_wildcard(a)) {
                    let owners: Vec<&(&Entry, &str)> = alts
                        .iter()
                        .filter_map(|a| exact.iter().find(|(_, k)| k == a))
                        .collect();
                    if owners.len() == alts.len() {
                        let mut d = Diagnostic::at(
                            Self::META.id,
                            &entry.key,
                            format!(
                                "`{key}` never runs: every {} it names has a pipeline of its own, and an exact name takes precedence",
                                map.names
                            ),
                        )
                        .help(format!("remove `{key}`, or remove the exact keys it repeats"));
                        for (owner, name) in owners {
                            d = d.related(
                                owner.key.span,
                                format!("`{name}` has its own pipeline here"),
                            );
                        }
                        out.push(d);
                        continue;
                    }
                }
                // The same set of names as an earlier key written differently.
                // (The first earlier key with the same set and a different spelling: a key
                // written twice the same way is `yaml/duplicate-key`'s.)
                let first = first_with.get(sets[i].as_slice()).copied().unwrap_or(i);
                let earlier = (first < i)
                    .then(|| keyed[first..i].iter().zip(&sets[first..i]))
                    .into_iter()
                    .flatten()
                    .find(|((_, k, _), set)| *k != *key && **set == sets[i])
                    .map(|(keyed, _)| keyed);
                if let Some((earlier, earlier_key, _)) = earlier {
                    out.push(
                        Diagnostic::at(
                            Self::META.id,
                            &entry.key,
                            format!("`{key}` matches the same names as `{earlier_key}`: only one of the two pipelines runs"),
                        )
                        .related(earlier.key.span, format!("`{earlier_key}` is defined here"))
                        .help("merge the two pipelines into one key"),
                    );
                }
            }
        }
    }
}

impl Shadowed {
    /// `default` when `branches` has a pattern that matches every branch.
    fn default_under_catch_all(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let Some(pipelines) = cx.file.as_ref().and_then(|f| f.map.get("pipelines")) else {
            return;
        };
        let Some(default) = pipelines.as_mapping().and_then(|m| m.entry("default")) else {
            return;
        };
        let Some(catch_all) = pipelines
            .get("branches")
            .and_then(|b| b.as_mapping())
            .and_then(|m| {
                m.entries.iter().find(|e| {
                    e.key
                        .as_key()
                        .is_some_and(|k| alternatives(k).iter().any(|a| a == "**"))
                })
            })
        else {
            return;
        };
        let pattern = catch_all.key.as_key().unwrap_or("**");
        out.push(
            Diagnostic::at(
                Self::META.id,
                &default.key,
                format!("`default` never runs on a push: the branch pattern `{pattern}` matches every branch, and `default` only runs for pushes no branch pipeline matches"),
            )
            .related(catch_all.key.span, format!("`{pattern}` matches every branch"))
            .help(format!("move these steps into the `{pattern}` pipeline, or remove `{pattern}` so that `default` runs for the other branches")),
        );
    }
}
