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

    /// The route to the deepest node holding `span`. When the node came through an alias
    /// (`via` is that alias site), the route follows the places of use down to the alias,
    /// then the text inside the anchored node.
    pub fn locate(root: &Node, span: Span, via: Option<Span>) -> Route {
        let mut route = Vec::new();
        let mut node = root;
        // While `Some`, descend by place of use towards the alias site.
        let mut by_site = via;
        let holds = |child: &Node, by_site: Option<Span>| match by_site {
            Some(site) => child.site().contains_span(site),
            None => child.span.contains_span(span),
        };
        'descend: loop {
            let mut next: Option<&Node> = None;
            match &node.kind {
                NodeKind::Mapping(m) => {
                    for e in m.entries.iter().rev() {
                        let key = e.key.as_key().unwrap_or_default();
                        if by_site.is_none() && e.key.span.contains_span(span) {
                            route.push(Segment::Key(key.to_owned()));
                            break 'descend;
                        }
                        if holds(&e.value, by_site) {
                            route.push(Segment::Key(key.to_owned()));
                            next = Some(&e.value);
                            break;
                        }
                    }
                }
                NodeKind::Sequence(items) => {
                    for (i, item) in items.iter().enumerate() {
                        if holds(item, by_site) {
                            route.push(Segment::Index(i));
                            next = Some(item);
                            break;
                        }
                    }
                }
                _ => {}
            }
            let Some(child) = next else { break };
            if let Some(site) = by_site
                && child.is_aliased()
                && child.site() == site
            {
                by_site = None;
            }
            node = child;
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
        let route = Route::locate(root, Span::new(at, at + 12), None);
        assert_eq!(
            route.to_string(),
            "pipelines > branches > main > 0 > step > script > 1"
        );
        assert_eq!(route.pointer(), "/pipelines/branches/main/0/step/script/1");
    }

    #[test]
    fn follows_the_alias_then_the_anchor_text() {
        let text = "defs:\n  - &b\n    name: x\n    scripts: [y]\n    other: 1\npipelines:\n  default:\n    - step: *b\n";
        let parsed = pipelint_yaml::parse(text, &Default::default());
        let root = parsed.root().expect("root");
        let key = text.find("scripts").expect("key");
        let alias = text.find("*b").expect("alias");
        let route = Route::locate(
            root,
            Span::new(key, key + 7),
            Some(Span::new(alias, alias + 2)),
        );
        assert_eq!(
            route.to_string(),
            "pipelines > default > 0 > step > scripts"
        );
        let route = Route::locate(root, Span::new(key, key + 7), None);
        assert_eq!(route.to_string(), "defs > 0 > scripts");
    }
}
