use pipelint_yaml::NodeKind;

use crate::context::Context;
use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::model::is_template;
use crate::rule::{Rule, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Reports a parallel group without steps: `parallel:` with nothing after it,
    /// `parallel: []`, or the object form without `steps` or with `steps: []`.
    ///
    /// ## Why is this bad?
    /// Bitbucket rejects the pipeline: a parallel group needs at least one step. Often
    /// the steps below it lost their indentation.
    ///
    /// ## Example
    /// ```yaml
    /// pipelines:
    ///   default:
    ///     - parallel:
    ///         fail-fast: true
    ///     - step:
    ///         script: [make test]
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// pipelines:
    ///   default:
    ///     - parallel:
    ///         fail-fast: true
    ///         steps:
    ///           - step:
    ///               script: [make test]
    ///           - step:
    ///               script: [make lint]
    /// ```
    ///
    /// ## Source
    /// The official schema (G-ATLASCODE): `parallel` holds at least one step; Atlassian,
    /// "Parallel step options" (A-PAR).
    pub struct Empty {
        id: "parallel/empty",
        severity: Error,
        summary: "A parallel group without steps",
        fix: false,
    }
}

impl Rule for Empty {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let Some(file) = &cx.file else { return };
        for group in super::groups(file) {
            let value = &group.entry.value;
            if value.truncated || value.is_invalid() || is_template(value) {
                continue;
            }
            let d = match &value.kind {
                NodeKind::Scalar(_) if value.is_null() => Diagnostic::at(
                    Self::META.id,
                    &group.entry.key,
                    "this parallel group is empty; it needs at least one step",
                ),
                NodeKind::Sequence(items) if items.is_empty() => Diagnostic::at(
                    Self::META.id,
                    value,
                    "this parallel group is an empty list; it needs at least one step",
                ),
                NodeKind::Mapping(m) => match m.entry("steps") {
                    None => Diagnostic::at(
                        Self::META.id,
                        &group.entry.key,
                        "this parallel group has no `steps`; it needs at least one step",
                    ),
                    Some(steps) if steps.value.is_null() => Diagnostic::at(
                        Self::META.id,
                        &steps.key,
                        "the `steps` of this parallel group are empty; it needs at least one step",
                    ),
                    Some(steps) if steps.value.as_sequence().is_some_and(<[_]>::is_empty) => {
                        Diagnostic::at(
                            Self::META.id,
                            &steps.value,
                            "the `steps` of this parallel group are an empty list; it needs at least one step",
                        )
                    }
                    Some(_) => continue,
                },
                _ => continue,
            };
            out.push(d.help("list the steps that run at the same time, indented under it:\n- parallel:\n    - step:\n        script: [make test]\n    - step:\n        script: [make lint]"));
        }
    }
}
