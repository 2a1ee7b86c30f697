use std::collections::HashMap;

use pipelint_yaml::Node;

use crate::context::Context;
use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::model::is_template;
use crate::rule::{Rule, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Reports a step whose `name` an earlier step of the same pipeline already has,
    /// counting steps in parallel groups and stages, the final step, and steps used
    /// through aliases (`- step: *build` twice gives two steps of one name).
    ///
    /// ## Why is this bad?
    /// Bitbucket shows steps by name: two steps of one name are hard to tell apart in the
    /// pipeline view, in logs and in notifications. It is often a copied step whose name
    /// was not changed.
    ///
    /// ## Example
    /// ```yaml
    /// pipelines:
    ///   default:
    ///     - step:
    ///         name: Build
    ///         script: [make]
    ///     - step:
    ///         name: Build
    ///         script: [make package]
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// pipelines:
    ///   default:
    ///     - step:
    ///         name: Build
    ///         script: [make]
    ///     - step:
    ///         name: Package
    ///         script: [make package]
    /// ```
    ///
    /// ## Source
    /// A readability convention from the research (§5.3, secondary source); the official
    /// schema's description of `name` asks for unique names within a pipeline.
    pub struct DuplicateName {
        id: "step/duplicate-name",
        severity: Info,
        summary: "Two steps of one pipeline with the same name",
        fix: false,
    }
}

impl Rule for DuplicateName {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        // The first name node per (pipeline, name).
        let mut first_of: HashMap<(usize, &str), &Node> = HashMap::new();
        for step in cx.steps() {
            let Some(node) = step.get("name") else {
                continue;
            };
            let Some(name) = node.as_str().filter(|n| !n.trim().is_empty()) else {
                continue;
            };
            if is_template(node) {
                continue;
            }
            let Some(first) = first_of.get(&(step.pipeline, name)).copied() else {
                first_of.insert((step.pipeline, name), node);
                continue;
            };
            let mut d = Diagnostic::at(
                Self::META.id,
                node,
                format!("another step of this pipeline is also named `{name}`; the two are hard to tell apart"),
            )
            .help("give each step of a pipeline its own name");
            let first_site = first.site();
            if first_site != node.site() {
                d = d.related(first_site, format!("the first step named `{name}`"));
            }
            out.push(d);
        }
    }
}
