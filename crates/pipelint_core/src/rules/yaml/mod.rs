//! `yaml/*`: problems of the YAML text itself, found by the YAML layer.

pub mod alias_limit;
pub mod anchor_name;
pub mod duplicate_key;
pub mod shallow_merge;
pub mod syntax;
pub mod tab_indent;
pub mod undefined_alias;
pub mod unquoted_star;
pub mod unused_anchor;

use pipelint_yaml::ProblemKind;

/// Whether an undefined alias's name looks like a glob or a masked value, not a name:
/// `**`, `*.jar` (name `.jar`), `*/x`, `*****`.
pub(crate) fn looks_like_glob(name: &str) -> bool {
    name.is_empty() || name.contains(['*', '/', '.', '?'])
}

pub(crate) fn undefined_aliases<'a>(
    cx: &'a crate::context::Context<'_>,
) -> impl Iterator<Item = (&'a pipelint_yaml::Problem, &'a str)> {
    cx.parsed.problems.iter().filter_map(|p| match &p.kind {
        ProblemKind::UndefinedAlias { name } => Some((p, name.as_str())),
        _ => None,
    })
}
