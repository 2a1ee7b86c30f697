use pipelint_yaml::Node;

use crate::context::Context;
use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::model::{PREDEFINED_CACHES, is_template};
use crate::rule::{Rule, RuleMeta};
use crate::suggest;

use super::{caches_entry, readable_definitions, step_caches};

declare_rule! {
    /// ## What it does
    /// Reports a name in a step's `caches` list that is neither one of Bitbucket's
    /// predefined caches (`docker`, `composer`, `dotnetcore`, `gradle`, `ivy2`, `maven`,
    /// `node`, `pip`, `sbt`) nor a key of `definitions.caches`. When a defined or
    /// predefined name is close, it suggests it, and the fix renames the reference.
    ///
    /// Names that are `${{ }}` templates are filled in when the pipeline starts and are not
    /// checked. Child-pipeline steps are `child/shape`'s to report.
    ///
    /// ## Why is this bad?
    /// Bitbucket does not know what directory an undefined cache stands for: the pipeline
    /// fails to start with an error about the cache. The usual causes are a typo (`npm`
    /// for `node`, `maven2`) or a definition that was renamed or not copied along with the
    /// step.
    ///
    /// ## Example
    /// ```yaml
    /// definitions:
    ///   caches:
    ///     yarn: /usr/local/share/.cache/yarn
    /// pipelines:
    ///   default:
    ///     - step:
    ///         caches: [yarn, nodes]
    ///         script: [yarn install, yarn test]
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// definitions:
    ///   caches:
    ///     yarn: /usr/local/share/.cache/yarn
    /// pipelines:
    ///   default:
    ///     - step:
    ///         caches: [yarn, node]
    ///         script: [yarn install, yarn test]
    /// ```
    ///
    /// ## Source
    /// Atlassian, "Cache dependencies"
    /// (https://support.atlassian.com/bitbucket-cloud/docs/cache-dependencies/): the
    /// predefined caches, and custom caches defined under `definitions.caches`.
    pub struct Undefined {
        id: "cache/undefined",
        severity: Error,
        summary: "A step uses a cache that is neither predefined nor defined",
        fix: true,
    }
}

impl Rule for Undefined {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let Some(file) = &cx.file else {
            return;
        };
        let Some(defs) = readable_definitions(file) else {
            return;
        };
        let defined: Vec<&str> = defs
            .map(|m| m.iter().map(|(k, _)| k).collect())
            .unwrap_or_default();
        let caches_key = caches_entry(file).map(|e| &e.key);
        for step in cx.steps() {
            if step.is_child_pipeline() {
                continue;
            }
            for node in step_caches(step) {
                let Some(name) = node.as_str() else {
                    continue;
                };
                if is_template(node) || defined.contains(&name) || PREDEFINED_CACHES.contains(&name)
                {
                    continue;
                }
                out.push(report(node, name, &defined, caches_key));
            }
        }
    }
}

fn report(node: &Node, name: &str, defined: &[&str], caches_key: Option<&Node>) -> Diagnostic {
    let candidates = defined.iter().chain(PREDEFINED_CACHES).copied();
    let mut d = match suggest::closest(name, candidates) {
        Some(best) => {
            let kind = if defined.contains(&best) {
                "defined"
            } else {
                "predefined"
            };
            Diagnostic::at(
                Undefined::META.id,
                node,
                format!(
                    "cache `{name}` is not defined; did you mean the {kind} cache `{best}`?"
                ),
            )
            .rename(node.span, name, best)
        }
        None => Diagnostic::at(
            Undefined::META.id,
            node,
            format!(
                "cache `{name}` is not defined; define it under `definitions.caches` or use a predefined cache"
            ),
        )
        .help(format!(
            "define the directory it caches:\ndefinitions:\n  caches:\n    {name}: path/to/directory\n(predefined caches: {})",
            PREDEFINED_CACHES.join(", ")
        )),
    };
    if let Some(key) = caches_key {
        d = d.related(key.span, "custom caches are defined here");
    }
    d
}
