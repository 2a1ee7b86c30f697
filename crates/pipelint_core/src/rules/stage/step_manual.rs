use pipelint_yaml::Node;

use crate::context::Context;
use crate::declare_rule;
use crate::diagnostic::{Diagnostic, Edit, Fix};
use crate::model::{StepRef, entry_lines, indent_at, is_template};
use crate::rule::{Rule, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Reports `trigger: manual` on a step inside a stage.
    ///
    /// For the stage's first step, the fix (unsafe: the whole stage then waits) moves the
    /// trigger to the stage.
    ///
    /// ## Why is this bad?
    /// A stage runs its steps as a unit; only the stage as a whole can wait for someone to
    /// start it. Bitbucket rejects the pipeline: "A step within stage can't contain a
    /// manual trigger. Try defining a manual trigger on a stage."
    ///
    /// ## Example
    /// ```yaml
    /// pipelines:
    ///   default:
    ///     - step:
    ///         script: [make]
    ///     - stage:
    ///         name: Deploy
    ///         deployment: production
    ///         steps:
    ///           - step:
    ///               trigger: manual
    ///               script: [./deploy.sh]
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// pipelines:
    ///   default:
    ///     - step:
    ///         script: [make]
    ///     - stage:
    ///         name: Deploy
    ///         deployment: production
    ///         trigger: manual
    ///         steps:
    ///           - step:
    ///               script: [./deploy.sh]
    /// ```
    ///
    /// ## Source
    /// Bitbucket's message for it, quoted in a public course lab (G-LAB, research §3 #5);
    /// Atlassian, "Stage options" (A-STAGE): `trigger` is a stage option.
    pub struct StepManual {
        id: "stage/step-manual",
        severity: Error,
        summary: "`trigger: manual` on a step inside a stage",
        fix: true,
    }
}

impl Rule for StepManual {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for step in cx.steps() {
            let Some(stage) = step.stage else { continue };
            if step.parallel.is_some() {
                continue;
            }
            let Some(entry) = step.map().and_then(|m| m.entry("trigger")) else {
                continue;
            };
            if is_template(&entry.value) || entry.value.as_str() != Some("manual") {
                continue;
            }
            let stage_manual = stage.get("trigger").and_then(Node::as_str) == Some("manual");
            let help = if stage_manual {
                "remove `trigger: manual` from the step; the stage is manual already"
            } else {
                "put `trigger: manual` on the stage instead; the whole stage then waits to be started"
            };
            let mut d = Diagnostic::at(
                Self::META.id,
                &entry.value,
                "a step within a stage can't have a manual trigger; define the manual trigger on the stage",
            )
            .help(help);
            if entry.merged_from.is_none()
                && let Some(fix) = move_to_stage(cx.source, step, stage, stage_manual)
            {
                d = d.fix(fix);
            }
            out.push(d);
        }
    }
}

/// Removes the step's `trigger` line and, unless the stage is manual already, writes
/// `trigger: manual` on the stage before its `steps:`. Only for the stage's first step,
/// written in block style outside any alias.
fn move_to_stage(
    source: &str,
    step: &StepRef<'_>,
    stage: &Node,
    stage_manual: bool,
) -> Option<Fix> {
    let first = stage.get("steps")?.as_sequence()?.first()?.get("step")?;
    if !std::ptr::eq(first, step.node) {
        return None;
    }
    let entry = step.map()?.entry("trigger")?;
    let remove = entry_lines(source, &entry.key, &entry.value)?;
    let mut edits = vec![Edit::delete(remove)];
    if !stage_manual {
        if stage.get("trigger").is_some() || stage.is_aliased() {
            return None;
        }
        let steps_key = &stage.as_mapping()?.entry("steps")?.key;
        let indent = indent_at(source, steps_key.span.start);
        let line_start = steps_key.span.start.checked_sub(indent.len())?;
        if source.get(line_start..steps_key.span.start)? != indent
            || (line_start > 0 && source.as_bytes().get(line_start - 1) != Some(&b'\n'))
        {
            return None;
        }
        edits.push(Edit::insert(
            line_start,
            format!("{indent}trigger: manual\n"),
        ));
    }
    Some(Fix::unsafe_("Move `trigger: manual` to the stage", edits))
}

#[cfg(test)]
mod tests {

    fn run(text: &str) -> Vec<crate::Diagnostic> {
        crate::check_only("stage/step-manual", text)
    }

    #[test]
    fn moves_the_trigger_to_the_stage() {
        let text = "pipelines:\n  default:\n    - step: {script: [make]}\n    - stage:\n        name: Deploy\n        steps:\n          - step:\n              trigger: manual\n              script: [a]\n          - step:\n              trigger: manual\n              script: [b]\n";
        let found = run(text);
        assert_eq!(found.len(), 2, "{found:#?}");
        assert!(
            found[1].fix.is_none(),
            "only the first step's trigger moves"
        );
        let fix = found[0].fix.as_ref().expect("fix");
        let (fixed, n) = crate::fix::apply(text, [fix]);
        assert_eq!(n, 1);
        assert_eq!(
            fixed,
            "pipelines:\n  default:\n    - step: {script: [make]}\n    - stage:\n        name: Deploy\n        trigger: manual\n        steps:\n          - step:\n              script: [a]\n          - step:\n              trigger: manual\n              script: [b]\n"
        );
    }
}
