use pipelint_yaml::Node;

use crate::context::Context;
use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::model::is_template;
use crate::rule::{Rule, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Reports a variable name that is not letters, digits and underscores, or that starts
    /// with a digit. It checks the names of custom pipeline variables
    /// (`- variables: [{name: ...}]`), of service variables
    /// (`definitions.services.<name>.variables`), of a child-pipeline step's
    /// `input-variables`, of `output-variables`, and of pipe `variables`.
    ///
    /// ## Why is this bad?
    /// These names become environment variables, which a shell can only read when they
    /// have that form. Bitbucket rejects the file: "The variable name "discovery.type" is
    /// invalid. It should contain only alphanumeric characters and underscores and it
    /// should not begin with a number."
    ///
    /// ## Example
    /// ```yaml
    /// definitions:
    ///   services:
    ///     elasticsearch:
    ///       image: elasticsearch:8.13.0
    ///       variables:
    ///         discovery.type: single-node
    /// pipelines:
    ///   default:
    ///     - step:
    ///         services: [elasticsearch]
    ///         script: [make test]
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// definitions:
    ///   services:
    ///     elasticsearch:
    ///       image: elasticsearch:8.13.0
    ///       variables:
    ///         DISCOVERY_TYPE: single-node
    /// pipelines:
    ///   default:
    ///     - step:
    ///         services: [elasticsearch]
    ///         script: [make test]
    /// ```
    ///
    /// ## Source
    /// Atlassian, "Variables and secrets" (names are letters, digits and underscores, not
    /// starting with a digit); the message is Bitbucket's own, as reported by a user hitting
    /// it on a service variable.
    pub struct NameInvalid {
        id: "var/name-invalid",
        severity: Error,
        summary: "A variable name that is not letters, digits and underscores",
        fix: false,
    }
}

impl Rule for NameInvalid {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let Some(file) = &cx.file else {
            return;
        };
        // Custom (and shared) pipelines: `- variables: [{name: ...}]`.
        for pipeline in file.pipelines() {
            if !pipeline.kind.is_custom_like() {
                continue;
            }
            for item in pipeline.items() {
                let Some(vars) = item.get("variables").and_then(Node::as_sequence) else {
                    continue;
                };
                for var in vars {
                    if let Some(name) = var.get("name") {
                        check_name(name, out);
                    }
                }
            }
        }
        // Service variables.
        if let Some(services) = file.services() {
            for (_, service) in services.iter() {
                if let Some(vars) = service.value.get("variables").and_then(Node::as_mapping) {
                    for entry in &vars.entries {
                        check_name(&entry.key, out);
                    }
                }
            }
        }
        for step in cx.steps() {
            if let Some(vars) = step.get("input-variables").and_then(Node::as_mapping) {
                for entry in &vars.entries {
                    check_name(&entry.key, out);
                }
            }
            if let Some(names) = step.get("output-variables").and_then(Node::as_sequence) {
                for name in names {
                    check_name(name, out);
                }
            }
            for pipe in step.pipes() {
                if let Some(vars) = pipe.get("variables").and_then(Node::as_mapping) {
                    for entry in &vars.entries {
                        check_name(&entry.key, out);
                    }
                }
            }
        }
    }
}

fn check_name(node: &Node, out: &mut Vec<Diagnostic>) {
    // Only strings are names; other values are the schema pass's to report.
    let Some(scalar) = node.as_scalar() else {
        return;
    };
    if node.is_null() || is_template(node) {
        return;
    }
    let name = scalar.value.as_str();
    if is_valid(name) {
        return;
    }
    let mut d = Diagnostic::at(
        NameInvalid::META.id,
        node,
        format!(
            "The variable name \"{name}\" is invalid. It should contain only alphanumeric characters and underscores and it should not begin with a number."
        ),
    );
    if let Some(better) = suggestion(name) {
        d = d.help(format!(
            "rename it to `{better}`, and use the new name wherever the variable is read"
        ));
    }
    out.push(d);
}

/// `[A-Za-z_][A-Za-z0-9_]*`.
pub fn is_valid(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// The name with every run of other characters turned into one `_`, and `_` before a
/// leading digit; `None` when nothing of the name is left.
fn suggestion(name: &str) -> Option<String> {
    let mut out = String::new();
    for c in name.trim().chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.ends_with('_') {
            out.push('_');
        }
    }
    if out.chars().all(|c| c == '_') {
        return None;
    }
    if out.starts_with(|c: char| c.is_ascii_digit()) {
        return Some(format!("_{out}"));
    }
    Some(out)
}
