use crate::context::Context;
use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::model::is_template;
use crate::rule::{Rule, RuleMeta};
use crate::rules::cond::path_prefix::strip_fix;

use super::globs;

declare_rule! {
    /// ## What it does
    /// Reports an artifact pattern that can't match files inside the clone directory: one
    /// with a `.` or `..` segment (`./dist/**`, `../shared/**`), an absolute path
    /// (`/tmp/report.xml`), a path in the home directory (`~/.m2/**`), or one that starts
    /// with `$BITBUCKET_CLONE_DIR`. It checks the list form, `paths`, and the `paths` and
    /// `ignore-paths` of named uploads.
    ///
    /// The fix (unsafe, as the step then keeps files it did not keep before) removes a
    /// leading `./` or `$BITBUCKET_CLONE_DIR/`.
    ///
    /// ## Why is this bad?
    /// Artifact paths are glob patterns relative to the clone directory
    /// (`$BITBUCKET_CLONE_DIR`), and as globs, `.` and `..` segments don't work. Files
    /// outside the clone directory can't be artifacts. Such a pattern matches nothing, so
    /// the later steps that need the files don't get them.
    ///
    /// ## Example
    /// ```yaml
    /// pipelines:
    ///   default:
    ///     - step:
    ///         script: [npm ci, npm run build]
    ///         artifacts:
    ///           - ./dist/**
    ///     - step:
    ///         script: [./deploy.sh dist]
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// pipelines:
    ///   default:
    ///     - step:
    ///         script: [npm ci, npm run build]
    ///         artifacts:
    ///           - dist/**
    ///     - step:
    ///         script: [./deploy.sh dist]
    /// ```
    ///
    /// ## Source
    /// Atlassian, "Pipeline artifacts" (https://support.atlassian.com/bitbucket-cloud/docs/use-artifacts-in-steps/):
    /// "As these are glob patterns, path segments “.” and “..” won't work. Use paths
    /// relative to the build directory"; "Artifact paths are relative to the
    /// BITBUCKET_CLONE_DIR".
    pub struct BadPath {
        id: "artifacts/bad-path",
        severity: Warning,
        summary: "An artifact path with . or .. segments, or outside the clone directory",
        fix: true,
    }
}

impl Rule for BadPath {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for step in cx.steps() {
            for node in globs(step) {
                let Some(value) = node.as_str() else {
                    continue;
                };
                if is_template(node) {
                    continue;
                }
                let Some(problem) = problem(value) else {
                    continue;
                };
                let mut d = Diagnostic::at(Self::META.id, node, problem.message(value));
                match problem {
                    Problem::Prefix(prefix) => {
                        let rest = &value[prefix.len()..];
                        if rest.is_empty() {
                            d = d.help(
                                "name the files relative to the clone directory, e.g. `dist/**`",
                            );
                        } else {
                            d = d.help(format!("write `{rest}`"));
                            if let Some(fix) = strip_fix(cx.source, node, prefix, rest) {
                                d = d.fix(fix);
                            }
                        }
                    }
                    Problem::DotSegment => {
                        d = d.help("remove the `.` segments: paths are matched as written, relative to the clone directory");
                    }
                    Problem::Outside => {
                        d = d.help(
                            "copy the files into the clone directory in the script, and name them relative to it",
                        );
                    }
                }
                out.push(d);
            }
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Problem<'a> {
    /// `./` or `$BITBUCKET_CLONE_DIR/` that can be removed.
    Prefix(&'a str),
    /// A `.` segment further in.
    DotSegment,
    /// `..`, an absolute path, or `~`.
    Outside,
}

impl Problem<'_> {
    fn message(self, value: &str) -> String {
        match self {
            Problem::Prefix(p) if p.starts_with('$') => format!(
                "artifact paths are already relative to the clone directory, and variables are not expanded: `{value}` matches nothing"
            ),
            Problem::Prefix(_) | Problem::DotSegment => format!(
                "artifact path `{value}` has a `.` segment; artifact paths are globs relative to the clone directory, where `.` and `..` don't work"
            ),
            Problem::Outside => format!(
                "artifact path `{value}` points outside the clone directory; artifacts can only be files inside it"
            ),
        }
    }
}

fn problem(value: &str) -> Option<Problem<'_>> {
    for var in ["$BITBUCKET_CLONE_DIR", "${BITBUCKET_CLONE_DIR}"] {
        if let Some(rest) = value.strip_prefix(var) {
            let len = var.len() + usize::from(rest.starts_with('/'));
            return value.get(..len).map(Problem::Prefix);
        }
    }
    if value.starts_with('/') || value.starts_with('~') {
        return Some(Problem::Outside);
    }
    let segments: Vec<&str> = value.split('/').collect();
    if segments.contains(&"..") {
        return Some(Problem::Outside);
    }
    // `./dist/**`: the leading `./` can go.
    if segments.len() > 1 && segments[0] == "." && segments[1..].iter().all(|s| *s != ".") {
        return value.get(..2).map(Problem::Prefix);
    }
    segments.contains(&".").then_some(Problem::DotSegment)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn problems() {
        assert_eq!(problem("./dist/**"), Some(Problem::Prefix("./")));
        assert_eq!(problem("."), Some(Problem::DotSegment));
        assert_eq!(problem("./"), Some(Problem::Prefix("./")));
        assert_eq!(problem("./a/./b"), Some(Problem::DotSegment));
        assert_eq!(problem("dist/./x"), Some(Problem::DotSegment));
        assert_eq!(problem("../x"), Some(Problem::Outside));
        assert_eq!(problem("/tmp/x"), Some(Problem::Outside));
        assert_eq!(problem("~/.m2/**"), Some(Problem::Outside));
        assert_eq!(
            problem("$BITBUCKET_CLONE_DIR/dist"),
            Some(Problem::Prefix("$BITBUCKET_CLONE_DIR/"))
        );
        for ok in ["dist/**", ".next/**", "**/*.xml", "a/.b/c", "..."] {
            assert_eq!(problem(ok), None, "{ok}");
        }
    }
}
