use pipelint_yaml::{Node, NodeKind, Resolved};

use crate::context::Context;
use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::model::is_template;
use crate::rule::{Rule, RuleMeta};

use super::readable_definitions;

declare_rule! {
    /// ## What it does
    /// Reports a custom cache under `definitions.caches` that gives no directory: an
    /// empty value, a boolean or number, a list, an object without `path`, or an empty
    /// `path`.
    ///
    /// ## Why is this bad?
    /// A custom cache is a directory: `name: path`, or `name: {path: ..., key: {files:
    /// [...]}}`. Bitbucket rejects a definition without one ("cache 'x' should be a string
    /// value"), so the pipeline does not start.
    ///
    /// ## Example
    /// ```yaml
    /// definitions:
    ///   caches:
    ///     bundler:
    /// pipelines:
    ///   default:
    ///     - step:
    ///         caches: [bundler]
    ///         script: [bundle install, bundle exec rake]
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
    ///         script: [bundle install, bundle exec rake]
    /// ```
    ///
    /// ## Source
    /// Atlassian, "Cache, service container, and export pipelines definitions"
    /// (https://support.atlassian.com/bitbucket-cloud/docs/cache-and-service-container-definitions/)
    /// and "Cache dependencies"; the official schema (a cache is a path string or an
    /// object with a required `path`). The message mirrors the local runner
    /// ktomk/pipelines, which emulates Bitbucket's parser.
    pub struct DefinitionEmpty {
        id: "cache/definition-empty",
        severity: Error,
        summary: "A custom cache definition without a path",
        fix: false,
    }
}

impl Rule for DefinitionEmpty {
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
        for (name, entry) in defs.iter() {
            let value = &entry.value;
            if value.is_invalid() || is_template(value) {
                continue;
            }
            let problem = match &value.kind {
                NodeKind::Mapping(m) => match m.entry("path") {
                    None if value.truncated => None,
                    None => Some((
                        &entry.key,
                        format!("cache `{name}` has no `path`: the directory to cache"),
                    )),
                    Some(p) => not_a_path(&p.value).map(|what| {
                        (
                            if p.value.is_null() { &p.key } else { &p.value },
                            format!(
                                "the `path` of cache `{name}` should be a directory (it is currently {what})"
                            ),
                        )
                    }),
                },
                _ => not_a_path(value).map(|what| {
                    (
                        if value.is_null() { &entry.key } else { value },
                        format!("cache `{name}` should be a directory path (it is currently {what})"),
                    )
                }),
            };
            let Some((at, message)) = problem else {
                continue;
            };
            out.push(Diagnostic::at(Self::META.id, at, message).help(format!(
                "give the directory to cache: `{name}: path/to/directory`, or\n{name}:\n  path: path/to/directory\n  key:\n    files: [<lock file>]"
            )));
        }
    }
}

/// What a value is when it is not a usable path: `None` for a non-empty string.
fn not_a_path(node: &Node) -> Option<&'static str> {
    match &node.kind {
        NodeKind::Scalar(s) if s.is_yaml11_bool() => Some("a boolean"),
        NodeKind::Scalar(s) => match s.resolve() {
            Resolved::Null => Some("empty"),
            Resolved::Str(t) if t.trim().is_empty() => Some("an empty string"),
            Resolved::Str(_) => None,
            Resolved::Bool(_) => Some("a boolean"),
            Resolved::Int(_) | Resolved::Float(_) if s.style.is_quoted() => None,
            Resolved::Int(_) | Resolved::Float(_) => Some("a number"),
        },
        NodeKind::Sequence(_) => Some("a list"),
        NodeKind::Mapping(_) => Some("a mapping"),
        NodeKind::Invalid => None,
    }
}

#[cfg(test)]
mod tests {
    use crate::{CheckOptions, Selection};

    fn found(src: &str) -> Vec<(String, String)> {
        let opts = CheckOptions {
            select: Selection::Only(vec!["cache/definition-empty".into(), "schema".into()]),
            ..CheckOptions::default()
        };
        crate::check(src, &opts)
            .diagnostics
            .into_iter()
            .map(|d| (d.rule.to_owned(), d.message))
            .collect()
    }

    #[test]
    fn one_finding_per_definition_from_this_rule_only() {
        let src = "definitions:\n  caches:\n    a:\n    b: true\n    c: ''\n    d: {key: {files: [x]}}\n    e: {path: ~}\n    f: [x]\n    ok: node_modules\n    ok2: {path: x, key: {files: [y]}}\n    ok3: \"123\"\npipelines:\n  default:\n    - step: {script: [x], caches: [a, b, c, d, e, f, ok, ok2, ok3]}\n";
        let all = found(src);
        assert_eq!(all.len(), 6, "{all:#?}");
        assert!(all.iter().all(|(rule, _)| rule == "cache/definition-empty"));
    }
}
