use pipelint_yaml::Node;

use crate::context::Context;
use crate::declare_rule;
use crate::diagnostic::{Diagnostic, Edit, Fix};
use crate::model::is_template;
use crate::rule::{Rule, RuleMeta};
use crate::rules::docker::whole_lines;

use super::{readable_definitions, step_caches};

declare_rule! {
    /// ## What it does
    /// Points out a custom cache under `definitions.caches` that no step uses. The fix
    /// removes the definition (when it is written in block style on lines of its own,
    /// holds no anchor, and some other definition is used and stays).
    ///
    /// When a step's `caches` holds a `${{ }}` template, any cache may be meant, and no
    /// cache is reported.
    ///
    /// ## Why is this bad?
    /// An unused definition does nothing. It is usually left over from a step that was
    /// removed or from a cache that was renamed, and a reader may think the directory is
    /// cached when it is not.
    ///
    /// ## Example
    /// ```yaml
    /// definitions:
    ///   caches:
    ///     bundler: vendor/bundle
    ///     yarn: /usr/local/share/.cache/yarn
    /// pipelines:
    ///   default:
    ///     - step:
    ///         caches: [bundler]
    ///         script: [bundle install, bundle exec rspec]
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// definitions:
    ///   caches:
    ///     bundler: vendor/bundle
    /// pipelines:
    ///   default:
    ///     - step:
    ///         caches: [bundler]
    ///         script: [bundle install, bundle exec rspec]
    /// ```
    ///
    /// ## Source
    /// pipelint's own style check; Atlassian, "Cache dependencies"
    /// (https://support.atlassian.com/bitbucket-cloud/docs/cache-dependencies/) says how
    /// custom caches are defined and used.
    pub struct Unused {
        id: "cache/unused",
        severity: Info,
        summary: "A custom cache that no step uses",
        fix: true,
    }
}

impl Rule for Unused {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let Some(file) = &cx.file else {
            return;
        };
        let Some(Some(defs)) = readable_definitions(file) else {
            return;
        };
        let mut used: Vec<&str> = Vec::new();
        for step in cx.steps() {
            if step.node.truncated || step.node.is_invalid() {
                return;
            }
            if let Some(list) = step.get("caches")
                && list.as_sequence().is_none()
            {
                // `caches: *alias` gone wrong, or a template: any cache may be meant.
                return;
            }
            for node in step_caches(step) {
                match node.as_str() {
                    Some(_) if is_template(node) => return,
                    Some(name) => used.push(name),
                    None => return,
                }
            }
        }
        let unused: Vec<_> = defs.iter().filter(|(n, _)| !used.contains(n)).collect();
        // Removing every definition would leave `caches:` empty, which is an error.
        let may_remove = unused.len() < defs.len();
        for (name, entry) in unused {
            let mut d = Diagnostic::at(
                Self::META.id,
                &entry.key,
                format!("cache `{name}` is defined but no step uses it"),
            )
            .help(format!(
                "add `{name}` to the `caches` of the steps that should use it, or remove the definition"
            ));
            if may_remove
                && !holds_anchor(&entry.key)
                && !holds_anchor(&entry.value)
                && !entry.key.is_aliased()
                && let Some(span) =
                    whole_lines(cx.source, entry.key.span.start, entry.value.span.end)
            {
                d = d.fix(Fix::safe(
                    format!("Remove the unused cache `{name}`"),
                    vec![Edit::delete(span)],
                ));
            }
            out.push(d);
        }
    }
}

fn holds_anchor(node: &Node) -> bool {
    let mut found = false;
    node.walk(&mut |n: &Node| found |= n.anchor.is_some());
    found
}

#[cfg(test)]
mod tests {
    use crate::{CheckOptions, Selection};

    fn run(src: &str) -> (usize, String) {
        let opts = CheckOptions {
            select: Selection::Only(vec!["cache/unused".into()]),
            ..CheckOptions::default()
        };
        let found = crate::check(src, &opts).diagnostics;
        let fixed = crate::fix::apply(src, found.iter().filter_map(|d| d.fix.as_ref())).0;
        (found.len(), fixed)
    }

    #[test]
    fn removes_the_whole_definition_with_its_lines() {
        let src = "definitions:\n  caches:\n    # gems\n    bundler: vendor/bundle\n    old:\n      key:\n        files: [a.lock]\n      path: deps   # legacy\n    yarn: ~/.yarn\npipelines:\n  default:\n    - step: {caches: [bundler, yarn], script: [make]}\n";
        let (n, fixed) = run(src);
        assert_eq!(n, 1);
        assert_eq!(
            fixed,
            "definitions:\n  caches:\n    # gems\n    bundler: vendor/bundle\n    yarn: ~/.yarn\npipelines:\n  default:\n    - step: {caches: [bundler, yarn], script: [make]}\n"
        );
    }

    #[test]
    fn never_removes_every_definition() {
        let src = "definitions:\n  caches:\n    a: x\n    b: y\npipelines:\n  default:\n    - step: {script: [make]}\n";
        let (n, fixed) = run(src);
        assert_eq!(n, 2);
        assert_eq!(fixed, src);
    }

    #[test]
    fn a_templated_cache_list_hides_nothing() {
        let src = "definitions:\n  caches:\n    a: x\n    b: y\npipelines:\n  default:\n    - step: {caches: ['${{CACHE}}'], script: [make]}\n";
        assert_eq!(run(src).0, 0);
    }
}
