use pipelint_yaml::Node;

use crate::context::Context;
use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::rule::{Rule, RuleMeta};

use super::{MAX_LABEL_CHARS, MAX_LABELS};

declare_rule! {
    /// ## What it does
    /// Reports a `runs-on` with more than 10 labels, or a label longer than 50 characters.
    ///
    /// ## Why is this bad?
    /// Bitbucket rejects the step. No runner can carry such a label, and a step asking for
    /// more labels than a runner may have waits for a runner that never comes.
    ///
    /// ## Example
    /// ```yaml
    /// pipelines:
    ///   default:
    ///     - step:
    ///         runs-on:
    ///           - self.hosted
    ///           - linux
    ///           - build.server.in.the.basement.next.to.the.coffee.machine
    ///         script:
    ///           - make
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// pipelines:
    ///   default:
    ///     - step:
    ///         runs-on:
    ///           - self.hosted
    ///           - linux
    ///           - basement.builder
    ///         script:
    ///           - make
    /// ```
    ///
    /// ## Source
    /// The official schema (`runs-on`: 1 to 10 labels of at most 50 characters each);
    /// Atlassian, "Runners" (https://support.atlassian.com/bitbucket-cloud/docs/runners/).
    pub struct LabelsLimits {
        id: "runner/labels-limits",
        severity: Error,
        summary: "`runs-on` with more than 10 labels or a label over 50 characters",
        fix: false,
    }
}

impl Rule for LabelsLimits {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for step in cx.steps() {
            let Some(runs_on) = step.get("runs-on") else {
                continue;
            };
            let labels: Vec<&Node> = match runs_on.as_sequence() {
                Some(items) => items.iter().collect(),
                None => vec![runs_on],
            };
            if labels.len() > MAX_LABELS {
                out.push(
                    Diagnostic::at(
                        Self::META.id,
                        runs_on,
                        format!(
                            "`runs-on` lists {} labels; at most {MAX_LABELS} are allowed",
                            labels.len()
                        ),
                    )
                    .related(labels[MAX_LABELS].span, format!("label {} is over the limit", MAX_LABELS + 1))
                    .help("keep `self.hosted`, the system label (`linux`, `windows`, ...) and the custom labels that tell the runners apart"),
                );
            }
            for label in labels {
                let Some(text) = label.as_str() else { continue };
                if crate::model::is_template(label) {
                    continue;
                }
                let len = text.chars().count();
                if len > MAX_LABEL_CHARS {
                    out.push(
                        Diagnostic::at(
                            Self::META.id,
                            label,
                            format!(
                                "the runner label `{text}` is {len} characters long; labels are at most {MAX_LABEL_CHARS}"
                            ),
                        )
                        .help("give the runner a shorter label in the runner settings and use it here"),
                    );
                }
            }
        }
    }
}
