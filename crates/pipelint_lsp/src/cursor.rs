//! What stands at a byte offset of the span tree, and walks over the nodes written in the
//! text.
//!
//! The tree holds aliased copies (their spans point into the anchored definition) and keys
//! brought in by merge keys. Only nodes *written where they stand* (`via` empty) are
//! descended into, so every offset maps to the one node whose text is there; an aliased
//! node is found at its alias site and reported as such.

use pipelint_core::route::Segment;
use pipelint_yaml::{AnchorInfo, Entry, Merge, Node, NodeKind, Parsed, Span};

/// One step of a path from the root.
#[derive(Clone, Copy, Debug)]
pub enum Seg<'a> {
    /// Into the value of this mapping entry.
    Key(&'a Entry),
    /// Into this item of a sequence.
    Index(usize),
}

impl Seg<'_> {
    pub fn key(&self) -> Option<&str> {
        match self {
            Seg::Key(e) => e.key.as_key(),
            Seg::Index(_) => None,
        }
    }
}

/// What the cursor is on.
#[derive(Clone, Copy, Debug)]
pub enum Target<'a> {
    /// A mapping key (the entry holds its value too).
    Key(&'a Entry),
    /// A scalar, or an aliased node at its alias site.
    Value(&'a Node),
    /// A merge key `<<` of this mapping.
    Merge(&'a Node, &'a Merge),
    /// Inside a collection, on none of its children (indentation, a comma).
    Inside(&'a Node),
}

/// Where an offset is: the path of collections entered from the root, and the target.
#[derive(Clone, Debug)]
pub struct Hit<'a> {
    /// Each collection entered, with the step taken out of it.
    pub path: Vec<(&'a Node, Seg<'a>)>,
    pub target: Target<'a>,
    /// The collection the target was found in (the root for a scalar document).
    pub container: &'a Node,
}

impl<'a> Hit<'a> {
    /// The keys and indexes of the path as plain segments.
    pub fn segments(&self) -> Vec<Segment> {
        self.path
            .iter()
            .map(|(_, s)| match s {
                Seg::Key(e) => Segment::Key(e.key.as_key().unwrap_or_default().to_owned()),
                Seg::Index(i) => Segment::Index(*i),
            })
            .collect()
    }

    /// The entry whose value the target is (or is in), when the last step was a key.
    pub fn parent_entry(&self) -> Option<&'a Entry> {
        match self.path.last() {
            Some((_, Seg::Key(e))) => Some(e),
            _ => None,
        }
    }

    /// The key names of the path, `None` for indexes.
    pub fn keys(&self) -> Vec<Option<&'a str>> {
        self.path
            .iter()
            .map(|(_, s)| match s {
                Seg::Key(e) => e.key.as_key(),
                Seg::Index(_) => None,
            })
            .collect()
    }
}

/// Finds what is at `offset` below `root`.
pub fn locate(root: &Node, offset: usize) -> Hit<'_> {
    let mut path = Vec::new();
    let mut node = root;
    loop {
        match &node.kind {
            NodeKind::Mapping(m) => {
                let mut next = None;
                for e in &m.entries {
                    if e.key.is_aliased() {
                        continue;
                    }
                    if e.key.span.touches(offset) {
                        return Hit {
                            path,
                            target: Target::Key(e),
                            container: node,
                        };
                    }
                    let v = &e.value;
                    if v.is_aliased() {
                        if v.site().touches(offset) {
                            path.push((node, Seg::Key(e)));
                            return Hit {
                                path,
                                target: Target::Value(v),
                                container: node,
                            };
                        }
                    } else if !v.span.is_empty() && v.span.touches(offset) {
                        next = Some((Seg::Key(e), v));
                        break;
                    }
                }
                if let Some((seg, child)) = next {
                    path.push((node, seg));
                    node = child;
                    continue;
                }
                if let Some(merge) = m.merges.iter().find(|mg| mg.key_span.touches(offset)) {
                    return Hit {
                        path,
                        target: Target::Merge(node, merge),
                        container: node,
                    };
                }
                return Hit {
                    path,
                    target: Target::Inside(node),
                    container: node,
                };
            }
            NodeKind::Sequence(items) => {
                let mut next = None;
                for (i, item) in items.iter().enumerate() {
                    if item.is_aliased() {
                        if item.site().touches(offset) {
                            path.push((node, Seg::Index(i)));
                            return Hit {
                                path,
                                target: Target::Value(item),
                                container: node,
                            };
                        }
                    } else if item.span.touches(offset) {
                        next = Some((i, item));
                        break;
                    }
                }
                if let Some((i, child)) = next {
                    path.push((node, Seg::Index(i)));
                    node = child;
                    continue;
                }
                return Hit {
                    path,
                    target: Target::Inside(node),
                    container: node,
                };
            }
            NodeKind::Scalar(_) | NodeKind::Invalid => {
                let container = path.last().map_or(node, |(parent, _)| *parent);
                return Hit {
                    path,
                    target: Target::Value(node),
                    container,
                };
            }
        }
    }
}

/// The span of a scalar's name without its quotes (what rename replaces).
pub fn inner_span(source: &str, node: &Node) -> Span {
    let span = node.span;
    let quoted = node.as_scalar().is_some_and(|s| s.style.is_quoted());
    if quoted && span.len() >= 2 {
        let inner = Span::new(span.start + 1, span.end - 1);
        if source.get(inner.range()).is_some() {
            return inner;
        }
    }
    span
}

/// The anchor an alias at `offset` refers to, with the alias's span.
pub fn alias_at(parsed: &Parsed, offset: usize) -> Option<(Span, Option<usize>)> {
    parsed
        .aliases
        .iter()
        .find(|a| a.span.touches(offset))
        .map(|a| (a.span, a.anchor))
}

/// The anchor whose `&name` is at `offset`.
pub fn anchor_at(parsed: &Parsed, offset: usize) -> Option<usize> {
    parsed.anchors.iter().position(|a| a.span.touches(offset))
}

/// The node an anchor is written on.
pub fn anchored_node<'a>(root: &'a Node, anchor: &AnchorInfo) -> Option<&'a Node> {
    let mut found = None;
    walk(root, &mut |_, node| {
        if found.is_none() && node.anchor.as_ref().is_some_and(|m| m.span == anchor.span) {
            found = Some(node);
        }
    });
    found
}

/// One step of a walked path, with owned-free key names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step<'a> {
    Key(&'a str),
    Index(usize),
}

/// Calls `f(path, node)` on every node written where it stands (values and items, not
/// keys), depth first. Aliased nodes are not visited (their text is visited where the
/// anchor is).
pub fn walk<'a>(root: &'a Node, f: &mut impl FnMut(&[Step<'a>], &'a Node)) {
    let mut path = Vec::new();
    walk_inner(root, &mut path, f);
}

fn walk_inner<'a>(
    node: &'a Node,
    path: &mut Vec<Step<'a>>,
    f: &mut impl FnMut(&[Step<'a>], &'a Node),
) {
    if node.is_aliased() {
        return;
    }
    f(path, node);
    match &node.kind {
        NodeKind::Mapping(m) => {
            for e in &m.entries {
                if e.key.is_aliased() {
                    continue;
                }
                path.push(Step::Key(e.key.as_key().unwrap_or_default()));
                walk_inner(&e.value, path, f);
                path.pop();
            }
        }
        NodeKind::Sequence(items) => {
            for (i, item) in items.iter().enumerate() {
                path.push(Step::Index(i));
                walk_inner(item, path, f);
                path.pop();
            }
        }
        _ => {}
    }
}

/// The route to use for the schema at `hit`: its own path, or, inside an anchored node
/// that is used through an alias, the path of the first place it is used (an anchored
/// step under `definitions` is a step where `*name` stands).
pub fn schema_routes(parsed: &Parsed, root: &Node, hit: &Hit<'_>) -> Vec<Vec<Segment>> {
    let own = hit.segments();
    let mut routes = vec![own.clone()];
    // The deepest anchored node on the path that has a use.
    for (depth, (parent, seg)) in hit.path.iter().enumerate().rev() {
        let child = child_of(parent, seg);
        let Some(mark) = child.and_then(|c| c.anchor.as_ref()) else {
            continue;
        };
        let Some(info) = parsed.anchors.iter().find(|a| a.span == mark.span) else {
            continue;
        };
        if let Some(site) = info.uses.first() {
            // At an alias the path leads to the aliased node; in a merge (`<<: *name`), to
            // the mapping the keys are merged into.
            let mut base = locate(root, site.start).segments();
            base.extend(own[depth + 1..].iter().cloned());
            routes.push(base);
        }
        break;
    }
    if let Some(r) = as_pipeline_item(&own) {
        routes.push(r);
    }
    routes
}

/// `definitions.steps` is where files keep anchored steps; the schema says nothing of its
/// items. Read `definitions > steps > N > ...` as an item of a pipeline.
pub fn as_pipeline_item(route: &[Segment]) -> Option<Vec<Segment>> {
    match route {
        [Segment::Key(d), Segment::Key(s), rest @ ..] if d == "definitions" && s == "steps" => {
            let mut r = vec![
                Segment::Key("pipelines".into()),
                Segment::Key("default".into()),
            ];
            r.extend(rest.iter().cloned());
            Some(r)
        }
        _ => None,
    }
}

fn child_of<'a>(parent: &'a Node, seg: &Seg<'a>) -> Option<&'a Node> {
    match seg {
        Seg::Key(e) => Some(&e.value),
        Seg::Index(i) => parent.as_sequence()?.get(*i),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_keys_values_and_aliases() {
        let text = "definitions:\n  steps:\n    - step: &build\n        name: Build\n        size: 2x\npipelines:\n  default:\n    - step: *build\n    - step:\n        <<: *build\n        name: Other\n";
        let parsed = pipelint_yaml::parse(text, &Default::default());
        let root = parsed.root().expect("root");

        let at = text.find("size").expect("size");
        let hit = locate(root, at + 1);
        assert!(matches!(hit.target, Target::Key(e) if e.key.as_key() == Some("size")));
        assert_eq!(
            hit.keys(),
            [Some("definitions"), Some("steps"), None, Some("step")]
        );
        // The anchored step is used at pipelines > default > 0 > step.
        // Then, as for any key under `definitions.steps`, as a pipeline item.
        let routes = schema_routes(&parsed, root, &hit);
        assert_eq!(routes.len(), 3);
        assert_eq!(
            pipelint_core::route::Route(routes[1].clone()).to_string(),
            "pipelines > default > 0 > step"
        );

        let at = text.find("2x").expect("2x");
        assert!(matches!(locate(root, at).target, Target::Value(n) if n.as_str() == Some("2x")));

        let at = text.find("*build\n    -").expect("alias");
        let hit = locate(root, at + 2);
        assert!(matches!(hit.target, Target::Value(n) if n.is_aliased()));
        assert!(alias_at(&parsed, at + 2).is_some());

        let at = text.find("<<").expect("merge");
        assert!(matches!(locate(root, at).target, Target::Merge(..)));
    }

    #[test]
    fn walk_visits_written_nodes_once() {
        let text = "a: &x [1, 2]\nb: *x\nc: {<<: {d: 3}}\n";
        let parsed = pipelint_yaml::parse(text, &Default::default());
        let root = parsed.root().expect("root");
        let mut scalars = Vec::new();
        walk(root, &mut |_, n| {
            if let Some(s) = n.as_str() {
                scalars.push(s.to_owned());
            }
        });
        // `d: 3` is merged from a mapping written in place: its text is there.
        assert_eq!(scalars, ["1", "2", "3"]);
    }
}
