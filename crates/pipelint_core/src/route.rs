//! Routes: the path from the document root to a node, as Bitbucket prints it in its errors
//! (`[pipelines > branches > main > 0 > step > script > 8]`).

use std::fmt;

use pipelint_yaml::{Node, NodeKind, Span};
use serde::{Serialize, Serializer};

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Segment {
    Key(String),
    Index(usize),
}

/// A path of keys and list indexes from the root.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Route(pub Vec<Segment>);

impl Route {
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The route to the deepest node whose place of use contains `span`, preferring keys
    /// and values written where they are used.
    pub fn locate(root: &Node, span: Span) -> Route {
        let mut route = Vec::new();
        let mut node = root;
        'descend: loop {
            match &node.kind {
                NodeKind::Mapping(m) => {
                    for e in m.entries.iter().rev() {
                        let key = e.key.as_key().unwrap_or_default();
                        if e.key.site().contains_span(span) && !e.key.is_aliased() {
                            route.push(Segment::Key(key.to_owned()));
                            break 'descend;
                        }
                        if e.value.site().contains_span(span) || e.value.span.contains_span(span) {
                            route.push(Segment::Key(key.to_owned()));
                            node = &e.value;
                            continue 'descend;
                        }
                    }
                    break;
                }
                NodeKind::Sequence(items) => {
                    for (i, item) in items.iter().enumerate() {
                        if item.site().contains_span(span) || item.span.contains_span(span) {
                            route.push(Segment::Index(i));
                            node = item;
                            continue 'descend;
                        }
                    }
                    break;
                }
                _ => break,
            }
        }
        Route(route)
    }

    /// A JSON pointer (`/pipelines/default/0`).
    pub fn pointer(&self) -> String {
        let mut out = String::new();
        for seg in &self.0 {
            out.push('/');
            match seg {
                Segment::Key(k) => out.push_str(&k.replace('~', "~0").replace('/', "~1")),
                Segment::Index(i) => out.push_str(&i.to_string()),
            }
        }
        out
    }
}

impl fmt::Display for Route {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, seg) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(" > ")?;
            }
            match seg {
                Segment::Key(k) => f.write_str(k)?,
                Segment::Index(n) => write!(f, "{n}")?,
            }
        }
        Ok(())
    }
}

impl Serialize for Route {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locates_the_bitbucket_path() {
        let text = "pipelines:\n  branches:\n    main:\n      - step:\n          script:\n            - echo a\n            - docker run --privileged x\n";
        let parsed = pipelint_yaml::parse(text, &Default::default());
        let root = parsed.root().expect("root");
        let at = text.find("--privileged").expect("flag");
        let route = Route::locate(root, Span::new(at, at + 12));
        assert_eq!(
            route.to_string(),
            "pipelines > branches > main > 0 > step > script > 1"
        );
        assert_eq!(route.pointer(), "/pipelines/branches/main/0/step/script/1");
    }
}
