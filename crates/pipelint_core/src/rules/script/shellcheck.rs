use crate::context::Context;
use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::route::Segment;
use crate::rule::{Rule, RuleMeta};
use crate::shellcheck::{run, step_scripts, wiki_url};

declare_rule! {
    /// ## What it does
    /// Checks each step's `script` and `after-script` with
    /// [shellcheck](https://www.shellcheck.net) and reports what it finds, with its code
    /// (`SC2086`) and a link to the code's page, at the exact characters in the YAML file,
    /// also inside quoted scalars with escapes and `|` and `>` block scalars.
    ///
    /// The string items of `script` are checked together as one bash script, as they run
    /// in one shell: a variable set by one item is known in the next. `after-script` is a
    /// script of its own. Pipes are left out.
    ///
    /// The rule needs the `shellcheck` program: the `shellcheck-path` setting, or
    /// `shellcheck` on `PATH`. Without it the rule is skipped and `pipelint check` says so
    /// once. SC1091 ("not following a sourced file") is always left out: it is about what
    /// shellcheck was given, not the script. Bitbucket's `${{ NAME }}` templates are read
    /// as plain words. Settings: `shellcheck-exclude = ["SC2086"]` leaves codes out;
    /// `shellcheck-unassigned = true` turns on SC2154 ("referenced but not assigned"),
    /// which is off because secured, repository, workspace and deployment variables are
    /// set in Bitbucket's settings and cannot be known from the file. When it is on,
    /// `CI`, the `BITBUCKET_*` variables Bitbucket sets in that place
    /// (`BITBUCKET_EXIT_CODE` only in `after-script`, `BITBUCKET_TAG` only in tag
    /// pipelines, `BITBUCKET_PR_ID` only in pull-request pipelines, the deployment
    /// variables only in deployment steps) and a custom pipeline's `variables` count as
    /// assigned.
    ///
    /// Positions: each character shellcheck points at is mapped to where it is written.
    /// One approximation remains: in a folded (`>`) or multi-line plain or quoted scalar, a
    /// space that stands for a line break maps to that line break.
    ///
    /// ## Why is this bad?
    /// Most lines of a pipeline file are shell, and a mistake in them is found only when
    /// the build runs: an unquoted variable that splits a path with spaces, a `cd` that
    /// fails silently, a test that is always true.
    ///
    /// ## Example
    /// ```yaml
    /// pipelines:
    ///   default:
    ///     - step:
    ///         script:
    ///           - rm -rf $BITBUCKET_CLONE_DIR/dist
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// pipelines:
    ///   default:
    ///     - step:
    ///         script:
    ///           - rm -rf "$BITBUCKET_CLONE_DIR/dist"
    /// ```
    ///
    /// ## Source
    /// The shellcheck wiki (one page per code, such as SC2086); actionlint's shellcheck
    /// integration for GitHub Actions, which this follows; Bitbucket's list of default
    /// variables and its after-script documentation for `BITBUCKET_EXIT_CODE`.
    pub struct Shellcheck {
        id: "script/shellcheck",
        severity: Warning,
        summary: "what shellcheck finds in `script` and `after-script`",
        fix: false,
    }
}

impl Rule for Shellcheck {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let Some(checker) = cx.shellcheck else {
            return;
        };
        let scripts = step_scripts(cx);
        if scripts.is_empty() {
            return;
        }
        for (step, script, finding) in run(checker, &scripts) {
            let Some((span, piece)) = script.place(&finding) else {
                continue;
            };
            let key = if script.after {
                "after-script"
            } else {
                "script"
            };
            let mut d = Diagnostic::new(
                Self::META.id,
                span,
                format!("SC{}: {}", finding.code, finding.message),
            )
            .help(format!(
                "shellcheck {}: see {}",
                finding.level,
                wiki_url(finding.code)
            ));
            d.route = step
                .route
                .push(Segment::Key(key.into()))
                .push(Segment::Index(piece.index));
            if let Some(site) = piece.node.via.first() {
                d = d.via(*site);
            }
            out.push(d);
        }
    }
}
