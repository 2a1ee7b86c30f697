use crate::context::Context;
use crate::declare_rule;
use crate::diagnostic::{Diagnostic, Severity};
use crate::model::ItemPlace;
use crate::rule::{Rule, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Reports a `- final:` item that is not where a final step goes:
    /// - not the last item of its pipeline (error);
    /// - inside a parallel group or a stage (error);
    /// - the pipeline's only step, with no ordinary step before it (warning).
    ///
    /// A pipeline takes one final step; with several, all but the last are reported as not
    /// last.
    ///
    /// ## Why is this bad?
    /// A final step runs after all the other steps of the pipeline, whatever happened to
    /// them, and Atlassian has it written as the last entry of the pipeline. Written
    /// elsewhere, it does not run where it stands, and Bitbucket may reject the file; in a
    /// group or a stage it is not a pipeline entry at all. A final step alone has nothing
    /// to follow: an ordinary step does the same.
    ///
    /// ## Example
    /// ```yaml
    /// pipelines:
    ///   default:
    ///     - step:
    ///         script: [make]
    ///     - final:
    ///         script: [./cleanup.sh]
    ///     - step:
    ///         script: [./deploy.sh]
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// pipelines:
    ///   default:
    ///     - step:
    ///         script: [make]
    ///     - step:
    ///         script: [./deploy.sh]
    ///     - final:
    ///         script: [./cleanup.sh]
    /// ```
    ///
    /// ## Source
    /// Atlassian, "Introducing Final Steps in Bitbucket Pipelines" (B-FINAL,
    /// <https://community.atlassian.com/forums/Bitbucket-articles/Introducing-Final-Steps-in-Bitbucket-Pipelines/ba-p/3215497>)
    /// and Atlassian's blog announcement: the final step runs last and is added "as the
    /// last entry in your pipeline definition". That it can't be inside a stage or a
    /// parallel group, that a pipeline has only one, and that an ordinary step must come
    /// before it rest on a third-party source only: the typed model
    /// udmada/pkl-bitbucket-pipelines and its tests (G-PKL); the last of these is
    /// therefore a warning.
    pub struct Placement {
        id: "final/placement",
        severity: Error,
        summary: "A final step that is not the last item of its pipeline",
        fix: false,
    }
}

impl Rule for Placement {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let Some(file) = &cx.file else { return };
        for item in file.items() {
            let where_ = match item.place {
                ItemPlace::Parallel => "a parallel group",
                ItemPlace::Stage => "a stage",
                ItemPlace::Pipeline => continue,
            };
            let Some(entry) = item.node.as_mapping().and_then(|m| m.entry("final")) else {
                continue;
            };
            out.push(
                Diagnostic::at(
                    Self::META.id,
                    &entry.key,
                    format!("a final step can't be inside {where_}; it is an item of the pipeline itself"),
                )
                .help("move the `- final:` item out, to the end of the pipeline's list"),
            );
        }
        for pipeline in file.pipelines() {
            let items = pipeline.items();
            let finals: Vec<usize> = items
                .iter()
                .enumerate()
                .filter(|(_, i)| i.get("final").is_some())
                .map(|(n, _)| n)
                .collect();
            let Some(&last_final) = finals.last() else {
                continue;
            };
            for &n in &finals {
                let Some(entry) = items[n].as_mapping().and_then(|m| m.entry("final")) else {
                    continue;
                };
                if n + 1 < items.len() {
                    let message = if finals.len() > 1 {
                        "a pipeline takes one final step, as its last item; this one is not the last"
                    } else {
                        "the final step must be the last item of the pipeline"
                    };
                    let mut d = Diagnostic::at(Self::META.id, &entry.key, message)
                        .help("move the `- final:` item to the end of the pipeline's list; it runs after all other steps anyway");
                    if n != last_final
                        && let Some(other) = items[last_final]
                            .as_mapping()
                            .and_then(|m| m.entry("final"))
                    {
                        d = d.related(other.key.site(), "another final step");
                    }
                    out.push(d);
                    continue;
                }
                let ordinary_before = items[..n].iter().any(|i| {
                    ["step", "parallel", "stage"]
                        .iter()
                        .any(|k| i.get(k).is_some())
                });
                if !ordinary_before && finals.len() == 1 {
                    out.push(
                        Diagnostic::at(
                            Self::META.id,
                            &entry.key,
                            "a final step needs at least one ordinary step before it",
                        )
                        .help("write it as an ordinary `- step:`, or add the steps it should follow before it")
                        .severity(Severity::Warning),
                    );
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::Severity;

    fn run(text: &str) -> Vec<crate::Diagnostic> {
        crate::check_only("final/placement", text)
    }

    #[test]
    fn one_final_last_after_a_step() {
        let two = "pipelines:\n  default:\n    - step: {script: [a]}\n    - final: {script: [b]}\n    - final: {script: [c]}\n";
        let found = run(two);
        assert_eq!(found.len(), 1, "{found:#?}");
        assert!(
            found[0]
                .message
                .starts_with("a pipeline takes one final step")
        );
        assert_eq!(found[0].related.len(), 1);

        let alone = "pipelines:\n  custom:\n    x:\n      - variables: [{name: A}]\n      - final: {script: [b]}\n";
        let found = run(alone);
        assert_eq!(found.len(), 1, "{found:#?}");
        assert_eq!(found[0].severity, Severity::Warning);

        let fine = "pipelines:\n  default:\n    - parallel:\n        - step: {script: [a]}\n        - step: {script: [b]}\n    - final: {script: [c]}\n";
        assert!(run(fine).is_empty());
    }
}
