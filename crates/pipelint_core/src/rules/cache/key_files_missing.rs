use crate::context::Context;
use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::model::is_template;
use crate::rule::{Rule, RuleMeta};

use super::readable_definitions;

declare_rule! {
    /// ## What it does
    /// Reports a pattern in the `key.files` of a custom cache that matches no file in the
    /// workspace.
    ///
    /// The rule needs to look at the repository's files, so it runs only where pipelint
    /// can: the command line checks a file on disk that is in a Git repository against the
    /// files of that repository (the nearest directory upwards from the file that holds
    /// `.git`), respecting `.gitignore` as a clone would not have ignored files, and up to
    /// 20,000 files, beyond which it assumes the files exist. Outside a repository, in an
    /// editor buffer and for standard input it reports nothing. Patterns are matched
    /// relative to the repository root (Bitbucket's clone directory), with `*` not crossing
    /// `/` and `**` crossing directories.
    ///
    /// ## Why is this bad?
    /// A cache with a key is saved under a hash of the key files, and restored only when
    /// they are unchanged. When no file matches (a lock file that was renamed, a path
    /// relative to the wrong directory, a lock file that is not committed), the hash never
    /// changes: the cache is never refreshed when the dependencies change.
    ///
    /// ## Example
    /// ```yaml
    /// # pipelint-files: package.json, yarn.lock
    /// definitions:
    ///   caches:
    ///     npm:
    ///       key:
    ///         files: [package-lock.json]
    ///       path: node_modules
    /// pipelines:
    ///   default:
    ///     - step:
    ///         caches: [npm]
    ///         script: [yarn install --frozen-lockfile, yarn test]
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// # pipelint-files: package.json, yarn.lock
    /// definitions:
    ///   caches:
    ///     npm:
    ///       key:
    ///         files: [yarn.lock]
    ///       path: node_modules
    /// pipelines:
    ///   default:
    ///     - step:
    ///         caches: [npm]
    ///         script: [yarn install --frozen-lockfile, yarn test]
    /// ```
    ///
    /// ## Source
    /// Atlassian, "Announcing smarter caches in Bitbucket Pipelines"
    /// (https://bitbucket.org/blog/announcing-smarter-caches-bitbucket-pipelines): a
    /// cache's `key.files` version the cache by the files' checksums.
    pub struct KeyFilesMissing {
        id: "cache/key-files-missing",
        severity: Warning,
        summary: "A cache key pattern that matches no file in the workspace",
        fix: false,
    }
}

impl Rule for KeyFilesMissing {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let (Some(files), Some(file)) = (cx.files, &cx.file) else {
            return;
        };
        let Some(Some(defs)) = readable_definitions(file) else {
            return;
        };
        for (name, entry) in defs.iter() {
            let patterns = entry
                .value
                .get("key")
                .and_then(|k| k.get("files"))
                .and_then(|f| f.as_sequence())
                .unwrap_or(&[]);
            for node in patterns {
                let Some(pattern) = node.as_str() else {
                    continue;
                };
                if is_template(node) || pattern.trim().is_empty() || files.exists(pattern) {
                    continue;
                }
                out.push(
                    Diagnostic::at(
                        Self::META.id,
                        node,
                        format!(
                            "no file matches `{pattern}`, a key file of cache `{name}`; the cache key will never change"
                        ),
                    )
                    .help(
                        "name a file that is committed to the repository (usually the lock file), \
                         relative to the repository root, e.g. `package-lock.json` or `**/pom.xml`",
                    ),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::{CheckOptions, FileOracle, Selection};

    fn count(src: &str, files: Option<FileOracle>) -> usize {
        let opts = CheckOptions {
            select: Selection::Only(vec!["cache/key-files-missing".into()]),
            files,
            ..CheckOptions::default()
        };
        crate::check(src, &opts).diagnostics.len()
    }

    const SRC: &str = "definitions:\n  caches:\n    deps:\n      key:\n        files: [a.lock, b.lock, '${{LOCK}}']\n      path: deps\npipelines:\n  default:\n    - step: {caches: [deps], script: [make]}\n";

    #[test]
    fn asks_the_oracle_and_is_quiet_without_one() {
        assert_eq!(count(SRC, None), 0);
        assert_eq!(count(SRC, Some(FileOracle::new(|g| g == "a.lock"))), 1);
        assert_eq!(count(SRC, Some(FileOracle::new(|_| false))), 2);
    }
}
