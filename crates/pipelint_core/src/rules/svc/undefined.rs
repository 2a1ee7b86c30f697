use pipelint_yaml::Node;

use crate::context::Context;
use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::model::is_template;
use crate::rule::{Rule, RuleMeta};
use crate::suggest;

declare_rule! {
    /// ## What it does
    /// Reports a name in a step's `services` list that is neither `docker` (built in) nor
    /// a key of `definitions.services`. When a defined name is close, it suggests it, and
    /// the fix renames the reference.
    ///
    /// Names that are `${{ }}` templates are filled in when the pipeline starts and are not
    /// checked.
    ///
    /// ## Why is this bad?
    /// Bitbucket cannot start a service it has no definition for: the pipeline fails before
    /// the step runs. A typo (`postgress`) or a definition that was renamed or deleted is the
    /// usual cause.
    ///
    /// ## Example
    /// ```yaml
    /// definitions:
    ///   services:
    ///     postgres:
    ///       image: postgres:16
    /// pipelines:
    ///   default:
    ///     - step:
    ///         services: [postgress]
    ///         script: [npm test]
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// definitions:
    ///   services:
    ///     postgres:
    ///       image: postgres:16
    /// pipelines:
    ///   default:
    ///     - step:
    ///         services: [postgres]
    ///         script: [npm test]
    /// ```
    ///
    /// ## Source
    /// Atlassian, "Databases and service containers" (services are defined under
    /// `definitions.services` and referenced by name) and "Run Docker commands in Bitbucket
    /// Pipelines" (`docker` is built in and needs no definition).
    pub struct Undefined {
        id: "svc/undefined",
        severity: Error,
        summary: "A step uses a service that is not defined",
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
        // A file cut short by a syntax error may have lost its definitions.
        if file.root.truncated {
            return;
        }
        let services_entry = file
            .definitions()
            .and_then(Node::as_mapping)
            .and_then(|d| d.entry("services"));
        if services_entry.is_some_and(|e| e.value.truncated || e.value.is_invalid()) {
            return;
        }
        let defined: Vec<&str> = file
            .services()
            .map(|m| m.iter().map(|(k, _)| k).collect())
            .unwrap_or_default();
        for step in cx.steps() {
            for name_node in step.service_nodes() {
                let Some(name) = name_node.as_str() else {
                    continue;
                };
                if name == "docker" || is_template(name_node) || defined.contains(&name) {
                    continue;
                }
                out.push(report(
                    name_node,
                    name,
                    &defined,
                    services_entry.map(|e| &e.key),
                ));
            }
        }
    }
}

fn report(node: &Node, name: &str, defined: &[&str], services_key: Option<&Node>) -> Diagnostic {
    let candidates = defined.iter().copied().chain(std::iter::once("docker"));
    let mut d = match suggest::closest(name, candidates) {
        Some(best) => Diagnostic::at(
            Undefined::META.id,
            node,
            format!(
                "service `{name}` is not defined under `definitions.services`; did you mean `{best}`?"
            ),
        )
        .rename(node.span, name, best),
        None => Diagnostic::at(
            Undefined::META.id,
            node,
            format!("service `{name}` is not defined under `definitions.services`"),
        )
        .help(format!(
            "define it under `definitions.services`: `{name}: {{image: <image>}}`, or remove it from this list"
        )),
    };
    if let Some(key) = services_key {
        d = d.related(key.span, "services are defined here");
    }
    d
}
