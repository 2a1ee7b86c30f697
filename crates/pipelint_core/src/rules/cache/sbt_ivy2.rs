use pipelint_yaml::Node;

use crate::context::Context;
use crate::declare_rule;
use crate::diagnostic::{Diagnostic, Edit, Fix};
use crate::rule::{Rule, RuleMeta};
use crate::rules::docker::{dash_before, indent_before};

use super::{readable_definitions, step_caches};

declare_rule! {
    /// ## What it does
    /// Reports a step that uses the predefined `sbt` cache without the `ivy2` cache. The
    /// fix adds `ivy2` after `sbt`; it is marked unsafe because the step then restores
    /// and saves one more directory.
    ///
    /// A file that defines its own `sbt` cache under `definitions.caches` is not checked.
    ///
    /// ## Why is this bad?
    /// sbt keeps its dependencies in the Ivy cache (`~/.ivy2/cache`); the predefined `sbt`
    /// cache holds only sbt's own files. Without `ivy2`, every build downloads the
    /// dependencies again, and the `sbt` cache saves little.
    ///
    /// ## Example
    /// ```yaml
    /// image: sbtscala/scala-sbt:eclipse-temurin-17.0.4_1.7.1_3.2.0
    /// pipelines:
    ///   default:
    ///     - step:
    ///         caches:
    ///           - sbt
    ///         script: [sbt test]
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// image: sbtscala/scala-sbt:eclipse-temurin-17.0.4_1.7.1_3.2.0
    /// pipelines:
    ///   default:
    ///     - step:
    ///         caches:
    ///           - sbt
    ///           - ivy2
    ///         script: [sbt test]
    /// ```
    ///
    /// ## Source
    /// Atlassian, "Cache dependencies"
    /// (https://support.atlassian.com/bitbucket-cloud/docs/cache-dependencies/): the table
    /// of predefined caches says to use `ivy2` together with `sbt`.
    pub struct SbtIvy2 {
        id: "cache/sbt-ivy2",
        severity: Warning,
        summary: "The sbt cache without the ivy2 cache",
        fix: true,
    }
}

impl Rule for SbtIvy2 {
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
        if defs.is_some_and(|m| m.contains_key("sbt")) {
            return;
        }
        for step in cx.steps() {
            let items = step_caches(step);
            let has = |name: &str| items.iter().any(|n| n.as_str() == Some(name));
            if !has("sbt") || has("ivy2") {
                continue;
            }
            let Some(sbt) = items.iter().find(|n| n.as_str() == Some("sbt")) else {
                continue;
            };
            let mut d = Diagnostic::at(
                Self::META.id,
                sbt,
                "the `sbt` cache needs the `ivy2` cache as well: sbt's dependencies are kept in ~/.ivy2",
            )
            .help("add `ivy2` to `caches`");
            if let Some(list) = step.get("caches")
                && let Some(fix) = add_ivy2(cx.source, list, sbt)
            {
                d = d.fix(fix);
            }
            out.push(d);
        }
    }
}

/// Inserts `ivy2` after the `sbt` item: a new `- ivy2` line in a block list, `, ivy2` in a
/// flow list.
fn add_ivy2(source: &str, list: &Node, sbt: &Node) -> Option<Fix> {
    let flow = source.get(list.span.range())?.starts_with('[');
    let edit = if flow {
        Edit::insert(sbt.span.end, ", ivy2")
    } else {
        let dash = dash_before(source, sbt.span.start)?;
        let indent = indent_before(source, dash)?;
        let eol = crate::rules::docker::line_end(source, sbt.span.end);
        Edit::insert(eol, format!("\n{indent}- ivy2"))
    };
    Some(Fix::unsafe_("Add the `ivy2` cache", vec![edit]))
}

#[cfg(test)]
mod tests {
    use crate::{CheckOptions, Selection};

    fn fixed(src: &str) -> String {
        let opts = CheckOptions {
            select: Selection::Only(vec!["cache/sbt-ivy2".into()]),
            ..CheckOptions::default()
        };
        let found = crate::check(src, &opts).diagnostics;
        crate::fix::apply(src, found.iter().filter_map(|d| d.fix.as_ref())).0
    }

    #[test]
    fn adds_ivy2_in_block_and_flow_lists() {
        let src = "pipelines:\n  default:\n    - step:\n        caches:\n          - sbt  # sbt's own files\n          - node\n        script: [sbt test]\n    - step: {caches: [node, sbt], script: [sbt test]}\n";
        assert_eq!(
            fixed(src),
            "pipelines:\n  default:\n    - step:\n        caches:\n          - sbt  # sbt's own files\n          - ivy2\n          - node\n        script: [sbt test]\n    - step: {caches: [node, sbt, ivy2], script: [sbt test]}\n"
        );
    }

    #[test]
    fn a_custom_sbt_cache_is_not_checked() {
        let src = "definitions:\n  caches:\n    sbt: ~/.sbt\npipelines:\n  default:\n    - step: {caches: [sbt], script: [sbt test]}\n";
        let opts = CheckOptions {
            select: Selection::Only(vec!["cache/sbt-ivy2".into()]),
            ..CheckOptions::default()
        };
        assert!(crate::check(src, &opts).diagnostics.is_empty());
    }
}
