use crate::context::Context;
use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::model::{ScriptCommand, is_template, locate_word};
use crate::rule::{Rule, RuleMeta};
use crate::shell::{Command, Word};

use super::{DEFAULT_DEPTH, effective};

declare_rule! {
    /// ## What it does
    /// Points out a step that clones a shallow history (the default depth of 50 commits,
    /// or a `clone.depth` number) and whose script reads history or tags:
    /// `git describe`, `git rev-list --count`, `git merge-base`, a `git log`/`git
    /// shortlog` range, `semantic-release`, `standard-version`, GitVersion. A script that
    /// deepens the clone first (`git fetch --unshallow`, `--deepen`, `--shallow-since`,
    /// `--tags`) is left alone.
    ///
    /// ## Why is this bad?
    /// A shallow clone holds the last commits only, without the tags further back.
    /// `git describe` fails ("No names found") or names the wrong version, a commit count
    /// stops at the depth, and release tools see no previous release: versions and
    /// changelogs come out wrong, usually without an error.
    ///
    /// ## Example
    /// ```yaml
    /// pipelines:
    ///   tags:
    ///     'v*':
    ///       - step:
    ///           script:
    ///             - export VERSION=$(git describe --tags --abbrev=0)
    ///             - ./release.sh "$VERSION"
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// pipelines:
    ///   tags:
    ///     'v*':
    ///       - step:
    ///           clone:
    ///             depth: full
    ///           script:
    ///             - export VERSION=$(git describe --tags --abbrev=0)
    ///             - ./release.sh "$VERSION"
    /// ```
    ///
    /// ## Source
    /// Atlassian, "Git clone behavior"
    /// (https://support.atlassian.com/bitbucket-cloud/docs/git-clone-behavior/): the
    /// default depth is 50; Atlassian Community, "clone depth does what?"
    /// (https://community.atlassian.com/t5/Bitbucket-questions/clone-depth-does-what-Why-do-I-care-about-this-setting/qaq-p/496247)
    /// for what a shallow clone misses. Recognising the commands is a heuristic.
    pub struct ShallowHistory {
        id: "clone/shallow-history",
        severity: Info,
        summary: "A shallow clone with a script that reads history or tags (`git describe`, release tools)",
        fix: false,
    }
}

impl Rule for ShallowHistory {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for step in cx.steps() {
            if step.is_child_pipeline() {
                continue;
            }
            if effective(cx, step, "enabled").is_some_and(|n| n.as_bool() == Some(false)) {
                continue;
            }
            let depth = effective(cx, step, "depth");
            let depth_text = match depth {
                None => DEFAULT_DEPTH.to_string(),
                Some(n) if is_template(n) => continue,
                Some(n) => match n.as_i64() {
                    Some(d) if d >= 1 => d.to_string(),
                    // `full`, or a wrong value `clone/depth` reports.
                    _ => continue,
                },
            };
            let commands = step.script_commands();
            if commands.iter().any(|c| deepens(&c.command)) {
                continue;
            }
            let Some((sc, word, what)) = commands
                .iter()
                .find_map(|c| needs_history(&c.command).map(|(w, what)| (c, w, what)))
            else {
                continue;
            };
            let mut d = Diagnostic::new(
                Self::META.id,
                locate_word(cx.source, sc.node, word),
                match depth {
                    None => format!(
                        "{what} needs history and tags that a shallow clone ({DEFAULT_DEPTH} commits, Bitbucket's default) may not have"
                    ),
                    Some(_) => format!(
                        "{what} needs history and tags that a shallow clone (depth {depth_text}) may not have"
                    ),
                },
            )
            .help("clone the whole history for this step:\nclone:\n  depth: full\nor fetch it in the script first: `git fetch --unshallow --tags`");
            if let Some(v) = via(sc) {
                d = d.via(v);
            }
            if let Some(n) = depth {
                d = d.related(n.span, "the clone depth is set here");
            }
            out.push(d);
        }
    }
}

fn via(sc: &ScriptCommand<'_>) -> Option<pipelint_yaml::Span> {
    sc.node.via.first().copied()
}

/// A command that fetches more history or the tags, which makes the step's author's
/// intent clear.
fn deepens(c: &Command) -> bool {
    (c.is(&["git", "fetch"]) || c.is(&["git", "pull"]))
        && c.args().iter().any(|w| {
            [
                "--unshallow",
                "--deepen",
                "--shallow-since",
                "--shallow-exclude",
                "--tags",
            ]
            .iter()
            .any(|f| w.text == *f || w.text.starts_with(&format!("{f}=")))
        })
}

/// The word to point at and how to name the command, when it reads history or tags.
fn needs_history<'c>(c: &'c Command<'c>) -> Option<(&'c Word<'c>, &'static str)> {
    let sub = |name: &str| c.args().iter().find(|w| w.text == name);
    // The git subcommands; one test of the program first, as most commands are not git.
    if c.program() == Some("git") {
        if c.is(&["git", "describe"]) {
            return sub("describe").map(|w| (w, "`git describe`"));
        }
        if c.is(&["git", "merge-base"]) {
            return sub("merge-base").map(|w| (w, "`git merge-base`"));
        }
        if c.is(&["git", "rev-list"]) && c.flag("--count").is_some() {
            return sub("rev-list").map(|w| (w, "`git rev-list --count`"));
        }
        for log in ["log", "shortlog"] {
            if c.is(&["git", log])
                && c.args()
                    .iter()
                    .any(|w| !w.text.starts_with('-') && w.text.contains(".."))
            {
                return sub(log).map(|w| {
                    (
                        w,
                        if log == "log" {
                            "a `git log` range"
                        } else {
                            "a `git shortlog` range"
                        },
                    )
                });
            }
        }
    }
    let tool = |name: &str| {
        let bare = name.split('@').next().unwrap_or(name);
        let bare = crate::shell::basename(bare);
        match bare {
            "semantic-release" => Some("`semantic-release`"),
            "standard-version" => Some("`standard-version`"),
            "gitversion" | "dotnet-gitversion" => Some("GitVersion"),
            _ => None,
        }
    };
    let first = c.words.first()?;
    if let Some(what) = c.program().and_then(tool) {
        return Some((first, what));
    }
    // `npx semantic-release`, `yarn semantic-release`, `pnpm exec semantic-release`.
    if matches!(c.program(), Some("npx" | "yarn" | "pnpm" | "bunx")) {
        return c
            .args()
            .iter()
            .filter(|w| !w.text.starts_with('-') && w.text != "exec" && w.text != "dlx")
            .take(1)
            .find_map(|w| tool(&w.text).map(|what| (w, what)));
    }
    None
}
