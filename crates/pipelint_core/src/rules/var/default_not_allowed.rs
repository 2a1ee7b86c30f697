use pipelint_yaml::Node;

use crate::context::Context;
use crate::declare_rule;
use crate::diagnostic::{Diagnostic, Edit, Fix};
use crate::model::is_template;
use crate::rule::{Rule, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Reports a custom pipeline variable whose `default` is not one of its
    /// `allowed-values`. When one allowed value differs from the default only in case
    /// (`Prod` and `prod`), an unsafe fix writes that value.
    ///
    /// ## Why is this bad?
    /// `allowed-values` makes the run dialog offer a choice of values, with the default
    /// preselected. A default outside the list cannot be offered: the pipeline cannot be
    /// started with its defaults, or starts with a value the list was meant to exclude.
    ///
    /// ## Example
    /// ```yaml
    /// pipelines:
    ///   custom:
    ///     deploy:
    ///       - variables:
    ///           - name: ENVIRONMENT
    ///             default: prod
    ///             allowed-values: [staging, production]
    ///       - step:
    ///           script: [./deploy.sh "$ENVIRONMENT"]
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// pipelines:
    ///   custom:
    ///     deploy:
    ///       - variables:
    ///           - name: ENVIRONMENT
    ///             default: production
    ///             allowed-values: [staging, production]
    ///       - step:
    ///           script: [./deploy.sh "$ENVIRONMENT"]
    /// ```
    ///
    /// ## Source
    /// Atlassian, "Introducing default values for custom pipeline variables" (B-DEFAULTVARS)
    /// and the official schema (`default`, `allowed-values`). That the default must be one
    /// of the allowed values follows from their meaning; Atlassian's exact wording was not
    /// captured, hence a warning.
    pub struct DefaultNotAllowed {
        id: "var/default-not-allowed",
        severity: Warning,
        summary: "A custom variable `default` that is not among its `allowed-values`",
        fix: true,
    }
}

impl Rule for DefaultNotAllowed {
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
                    if let Some(d) = judge(var) {
                        out.push(d);
                    }
                }
            }
        }
    }
}

fn judge(var: &Node) -> Option<Diagnostic> {
    let default = var.get("default")?;
    let allowed = var.get("allowed-values")?.as_sequence()?;
    if allowed.is_empty() || is_template(default) || allowed.iter().any(is_template) {
        return None;
    }
    let value = default.as_scalar()?.value.as_str();
    let values: Vec<&str> = allowed
        .iter()
        .filter_map(|n| n.as_scalar().map(|s| s.value.as_str()))
        .collect();
    if values.contains(&value) {
        return None;
    }
    let name = var
        .get("name")
        .and_then(Node::as_str)
        .unwrap_or("the variable");
    let listed: Vec<String> = values.iter().map(|v| format!("`{v}`")).collect();
    let mut d = Diagnostic::at(
        DefaultNotAllowed::META.id,
        default,
        format!(
            "the default `{value}` of `{name}` is not one of its allowed-values ({})",
            listed.join(", ")
        ),
    )
    .related(
        var.get("allowed-values")?.span,
        "allowed values listed here",
    );
    let same_but_case: Vec<&&str> = values
        .iter()
        .filter(|v| v.eq_ignore_ascii_case(value))
        .collect();
    match same_but_case.as_slice() {
        [only] => {
            d = d
                .help(format!(
                    "write the allowed value exactly: `default: {only}`"
                ))
                .fix(Fix::unsafe_(
                    format!("Write `{only}`"),
                    vec![Edit::replace(default.span, quote_like(default, only))],
                ));
        }
        _ => {
            d = d.help("make the default one of the allowed values, or add it to `allowed-values`");
        }
    }
    Some(d)
}

/// `value` written with the quotes the node had.
fn quote_like(node: &Node, value: &str) -> String {
    use pipelint_yaml::ScalarStyle;
    match node.as_scalar().map(|s| s.style) {
        Some(ScalarStyle::DoubleQuoted) => {
            format!("\"{}\"", value.replace('\\', "\\\\").replace('"', "\\\""))
        }
        Some(ScalarStyle::SingleQuoted) => format!("'{}'", value.replace('\'', "''")),
        _ => value.to_owned(),
    }
}
