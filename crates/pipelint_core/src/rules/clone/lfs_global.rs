use crate::context::Context;
use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::model::is_yaml_true;
use crate::rule::{Rule, RuleMeta};

use super::global_clone;

declare_rule! {
    /// ## What it does
    /// Points out `lfs: true` in the top-level `clone`, which downloads Git LFS files in
    /// every step.
    ///
    /// ## Why is this bad?
    /// LFS files are often large (models, media, archives). Downloaded for every step,
    /// they slow down and bill the steps that never read them. Setting `lfs: true` on the
    /// `clone` of the steps that need the files keeps the others fast.
    ///
    /// ## Example
    /// ```yaml
    /// clone:
    ///   lfs: true
    /// pipelines:
    ///   default:
    ///     - step:
    ///         name: Lint
    ///         script:
    ///           - make lint
    ///     - step:
    ///         name: Render
    ///         script:
    ///           - make render
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// pipelines:
    ///   default:
    ///     - step:
    ///         name: Lint
    ///         script:
    ///           - make lint
    ///     - step:
    ///         name: Render
    ///         clone:
    ///           lfs: true
    ///         script:
    ///           - make render
    /// ```
    ///
    /// ## Source
    /// Atlassian, "Git clone behavior"
    /// (https://support.atlassian.com/bitbucket-cloud/docs/git-clone-behavior/): `lfs` at
    /// the top level applies to every step; a step's `clone` can set it for that step.
    pub struct LfsGlobal {
        id: "clone/lfs-global",
        severity: Info,
        summary: "Top-level `clone.lfs: true` downloads LFS files in every step",
        fix: false,
    }
}

impl Rule for LfsGlobal {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let Some(lfs) = global_clone(cx)
            .and_then(|c| c.as_mapping())
            .and_then(|m| m.entry("lfs"))
        else {
            return;
        };
        if !is_yaml_true(&lfs.value) {
            return;
        }
        out.push(
            Diagnostic::at(
                Self::META.id,
                &lfs.key,
                "`lfs: true` at the top level downloads the Git LFS files in every step",
            )
            .help("if only some steps read LFS files, set it on their clone instead:\n- step:\n    clone:\n      lfs: true"),
        );
    }
}
