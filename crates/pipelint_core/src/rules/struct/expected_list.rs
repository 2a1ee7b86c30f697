use pipelint_yaml::{Node, NodeKind, ProblemKind};

use crate::context::Context;
use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::model::is_pipeline_mapping;
use crate::rule::{Rule, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Reports a section that must be a list but is written as a mapping or a single
    /// value: a pipeline (`default:`, a branch, a custom pipeline) whose items lack the
    /// leading `- `, a `script` or `after-script` written as one string, custom pipeline
    /// `variables` written as a mapping, or a whole file whose top level is a list.
    ///
    /// ## Why is this bad?
    /// Bitbucket rejects the file with "This section should be a list (it is currently
    /// defined as a map)". Atlassian's validator may still call such a file valid when it
    /// uses anchors.
    ///
    /// ## Example
    /// ```yaml
    /// pipelines:
    ///   default:
    ///     step:
    ///       script:
    ///         - make test
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// pipelines:
    ///   default:
    ///     - step:
    ///         script:
    ///           - make test
    /// ```
    ///
    /// ## Source
    /// Bitbucket's own error message, quoted in "How to fix this section should be a list"
    /// (sikilinda.com) and Atlassian community answers; the official schema.
    pub struct ExpectedList {
        id: "struct/expected-list",
        severity: Error,
        summary: "A section that must be a list is a mapping or a single value",
        fix: false,
    }
}

impl Rule for ExpectedList {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let broken = cx
            .parsed
            .problems
            .iter()
            .any(|p| matches!(p.kind, ProblemKind::Syntax | ProblemKind::TooDeep));
        let Some(root) = cx.root else { return };
        if root.as_sequence().is_some() && !broken {
            out.push(
                Diagnostic::at(
                    Self::META.id,
                    root,
                    "the top level of a pipeline file must be a mapping of keys such as `pipelines:`, not a list",
                )
                .help("start the file with `image:`, `definitions:` or `pipelines:` at column 1, without a leading `- `"),
            );
            return;
        }
        if root.as_mapping().is_none() && !broken && !root.is_invalid() && !root.is_null() {
            out.push(
                Diagnostic::at(
                    Self::META.id,
                    root,
                    format!("the file is {}, not a mapping of keys such as `pipelines:`", root.kind_name()),
                )
                .help("a pipeline file starts with keys such as `image:`, `definitions:` or `pipelines:`"),
            );
            return;
        }
        let Some(file) = &cx.file else { return };
        for p in file.pipelines() {
            if is_pipeline_mapping(p.node) && !p.node.truncated {
                out.push(
                    Diagnostic::at(
                        Self::META.id,
                        p.node,
                        format!(
                            "`{}` should be a list of steps (it is currently defined as a map)",
                            p.name_str()
                        ),
                    )
                    .help("start each item with `- `, as in `- step:`"),
                );
            } else if !matches!(
                p.node.kind,
                NodeKind::Sequence(_) | NodeKind::Mapping(_) | NodeKind::Invalid
            ) && !p.node.is_null()
            {
                out.push(
                    Diagnostic::at(
                        Self::META.id,
                        p.node,
                        format!(
                            "`{}` should be a list of steps (it is currently defined as {})",
                            p.name_str(),
                            p.node.kind_name()
                        ),
                    )
                    .help("write the pipeline as a list: `- step: {script: [...]}`"),
                );
            }
            // Custom pipeline variables.
            for item in p.items() {
                if let Some(vars) = item.get("variables") {
                    not_a_list(out, "variables", vars);
                }
            }
        }
        for step in cx.steps() {
            for key in ["script", "after-script"] {
                if let Some(node) = step.get(key) {
                    not_a_list(out, key, node);
                }
            }
        }
    }
}

fn not_a_list(out: &mut Vec<Diagnostic>, key: &str, node: &Node) {
    let shape = match &node.kind {
        NodeKind::Mapping(_) => "a map",
        NodeKind::Scalar(_) if !node.is_null() => "a single value",
        _ => return,
    };
    let help = match key {
        "variables" => "write each variable as a list item: `- name: ENVIRONMENT`".to_owned(),
        _ => format!("put each command on its own line starting with `- ` under `{key}:`"),
    };
    out.push(
        Diagnostic::at(
            "struct/expected-list",
            node,
            format!("`{key}` should be a list (it is currently defined as {shape})"),
        )
        .help(help),
    );
}
