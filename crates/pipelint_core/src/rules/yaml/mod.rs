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

use std::collections::HashMap;

use pipelint_yaml::{NodeKind, ProblemKind, Span};

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

/// Where each undefined alias's text really ends, by the alias's start. The YAML layer
/// reads `*x` with no anchor as the plain scalar `_x`, and a plain scalar can run on past
/// the name (`*.jar]` in block context, `** and more`): an edit that rewrites the alias
/// must cover that whole scalar, or what is left after it breaks the YAML. An alias
/// without a node of its own (the parse stopped first) keeps its own span.
pub(crate) fn undefined_alias_scalars(cx: &crate::context::Context<'_>) -> HashMap<usize, Span> {
    let mut by_start: HashMap<usize, Span> = undefined_aliases(cx)
        .map(|(p, _)| (p.span.start, p.span))
        .collect();
    if by_start.is_empty() {
        return by_start;
    }
    for doc in &cx.parsed.documents {
        let Some(root) = &doc.root else { continue };
        root.walk(&mut |n| {
            if n.via.is_empty()
                && matches!(n.kind, NodeKind::Scalar(_) | NodeKind::Invalid)
                && let Some(span) = by_start.get_mut(&n.span.start)
                && n.span.end > span.end
            {
                span.end = n.span.end;
            }
        });
    }
    by_start
}
