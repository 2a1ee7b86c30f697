use pipelint_yaml::Node;

use super::BUILTIN_VARIABLES;
use crate::context::Context;
use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::model::is_template;
use crate::rule::{Rule, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Reports a variable defined in the file under the name of one of Bitbucket's own
    /// variables (`CI`, `BITBUCKET_BRANCH`, `BITBUCKET_COMMIT`...): a custom pipeline
    /// variable (`- variables: [{name: ...}]`) or a child-pipeline step's
    /// `input-variables`. Pipe and service variables are not reported: they are the
    /// pipe's or the service's settings, not the step's environment.
    ///
    /// ## Why is this bad?
    /// Bitbucket lets a variable with the same name override its default variable. The
    /// step then sees the value given here (or typed in when the pipeline is run) instead
    /// of the branch, commit or build number Bitbucket set, and every script or pipe that
    /// relies on the real value gets the other one, silently.
    ///
    /// ## Example
    /// ```yaml
    /// pipelines:
    ///   custom:
    ///     deploy:
    ///       - variables:
    ///           - name: BITBUCKET_BRANCH
    ///             default: main
    ///       - step:
    ///           script: [./deploy.sh "$BITBUCKET_BRANCH"]
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// pipelines:
    ///   custom:
    ///     deploy:
    ///       - variables:
    ///           - name: BRANCH
    ///             default: main
    ///       - step:
    ///           script: [./deploy.sh "$BRANCH"]
    /// ```
    ///
    /// ## Source
    /// Atlassian, "Variables and secrets"
    /// (https://support.atlassian.com/bitbucket-cloud/docs/variables-and-secrets/): "You can
    /// override the default variables by specifying a variable with the same name."
    pub struct ReservedOverride {
        id: "var/reserved-override",
        severity: Warning,
        summary: "A variable defined under the name of a Bitbucket default variable",
        fix: false,
    }
}

impl Rule for ReservedOverride {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let Some(file) = cx.file.as_ref() else {
            return;
        };
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
                        judge(name, "custom variable", out);
                    }
                }
            }
        }
        for step in cx.steps() {
            if let Some(vars) = step.get("input-variables").and_then(Node::as_mapping) {
                for entry in &vars.entries {
                    judge(&entry.key, "input variable", out);
                }
            }
        }
    }
}

fn judge(name_node: &Node, what: &str, out: &mut Vec<Diagnostic>) {
    if is_template(name_node) {
        return;
    }
    let Some(name) = name_node.as_str() else {
        return;
    };
    let name = name.trim();
    if !BUILTIN_VARIABLES.contains(&name) {
        return;
    }
    let suggestion = match name.strip_prefix("BITBUCKET_") {
        Some(rest) => rest.to_owned(),
        None => "CI_MODE".to_owned(),
    };
    out.push(
        Diagnostic::at(
            ReservedOverride::META.id,
            name_node,
            format!(
                "{what} `{name}` overrides Bitbucket's default variable of that name: the step gets this value instead of the one Bitbucket sets"
            ),
        )
        .help(format!(
            "give it a name of its own, e.g. `{suggestion}`, and use that in the scripts"
        )),
    );
}
