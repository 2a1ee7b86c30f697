use crate::context::Context;
use crate::declare_rule;
use crate::diagnostic::{Diagnostic, Edit, Fix};
use crate::rule::{Rule, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Reports `pipelines.bookmarks`: pipelines for Mercurial bookmarks.
    ///
    /// The fix (unsafe: the pipelines start running) renames `bookmarks` to `branches`
    /// when the file has no `branches` yet.
    ///
    /// ## Why is this bad?
    /// Bookmarks are a Mercurial feature, and Bitbucket no longer hosts Mercurial
    /// repositories. In a Git repository these pipelines never run, without a word. Git
    /// branches are matched under `branches:`.
    ///
    /// ## Example
    /// ```yaml
    /// pipelines:
    ///   bookmarks:
    ///     main:
    ///       - step:
    ///           script: [make]
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// pipelines:
    ///   branches:
    ///     main:
    ///       - step:
    ///           script: [make]
    /// ```
    ///
    /// ## Source
    /// Atlassian, "Configure bitbucket-pipelines.yml" (A-OLDCONF,
    /// <https://confluence.atlassian.com/bitbucket/configure-bitbucket-pipelines-yml-792298910.html>):
    /// `bookmarks` applies to Mercurial repositories.
    pub struct BookmarksLegacy {
        id: "struct/bookmarks-legacy",
        severity: Warning,
        summary: "`pipelines.bookmarks`, which only Mercurial repositories used",
        fix: true,
    }
}

impl Rule for BookmarksLegacy {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let Some(file) = &cx.file else { return };
        let Some(pipelines) = file.map.get("pipelines").and_then(|p| p.as_mapping()) else {
            return;
        };
        let Some(entry) = pipelines.entry("bookmarks") else {
            return;
        };
        let mut d = Diagnostic::at(
            Self::META.id,
            &entry.key,
            "`bookmarks` applies to Mercurial repositories only; in a Git repository these pipelines never run",
        )
        .help("for Git branches, write these pipelines under `branches:`");
        if !pipelines.contains_key("branches") && !entry.key.is_aliased() {
            d = d.fix(Fix::unsafe_(
                "Rename `bookmarks` to `branches`",
                vec![Edit::replace(entry.key.span, "branches")],
            ));
        }
        out.push(d);
    }
}
