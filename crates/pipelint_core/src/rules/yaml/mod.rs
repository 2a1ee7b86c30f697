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

/// Where each undefined alias is written and what it was meant to be.
pub(crate) struct UndefinedAliasText {
    /// Where each alias's text really ends, by the alias's start. The YAML layer reads
    /// `*x` with no anchor as the plain scalar `_x`, and a plain scalar can run on past the
    /// name (`*.jar]` in block context, `** and more`): an edit that rewrites the alias
    /// must cover that whole scalar, or what is left after it breaks the YAML. A merge
    /// key's unreadable sources are no nodes of the tree: their spans are kept on the
    /// merge. An alias without a node of its own (the parse stopped first) keeps its own
    /// span.
    pub written: HashMap<usize, Span>,
    /// The starts of the aliases written as merge key sources: a merge key takes only
    /// aliases, so these were meant as aliases, however much they look like globs.
    in_merge: Vec<usize>,
}

impl UndefinedAliasText {
    pub(crate) fn of(cx: &crate::context::Context<'_>) -> Self {
        let mut written: HashMap<usize, Span> = undefined_aliases(cx)
            .map(|(p, _)| (p.span.start, p.span))
            .collect();
        let mut in_merge = Vec::new();
        if written.is_empty() {
            return UndefinedAliasText { written, in_merge };
        }
        for doc in &cx.parsed.documents {
            let Some(root) = &doc.root else { continue };
            root.walk(&mut |n| {
                if !n.via.is_empty() {
                    return;
                }
                let mut extend = |text: Span| {
                    if let Some(span) = written.get_mut(&text.start)
                        && text.end > span.end
                    {
                        span.end = text.end;
                    }
                };
                match &n.kind {
                    NodeKind::Scalar(_) | NodeKind::Invalid => extend(n.span),
                    NodeKind::Mapping(m) => {
                        for s in m.merges.iter().flat_map(|merge| &merge.unreadable) {
                            extend(*s);
                            in_merge.push(s.start);
                        }
                    }
                    NodeKind::Sequence(_) => {}
                }
            });
        }
        UndefinedAliasText { written, in_merge }
    }

    /// Whether the undefined alias at `span` named `name` looks like a glob the user meant
    /// as a string (`yaml/unquoted-star`'s) rather than an alias (`yaml/undefined-alias`'s).
    pub(crate) fn is_glob(&self, span: Span, name: &str) -> bool {
        looks_like_glob(name) && !self.in_merge.contains(&span.start)
    }
}
