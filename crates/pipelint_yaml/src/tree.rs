//! The span tree: every node knows the byte range of its text, the alias sites it came
//! through, and the anchor it carries.

use std::fmt;

/// A byte range into the source text. `start..end`, end exclusive.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub const fn new(start: usize, end: usize) -> Self {
        Span { start, end }
    }

    pub const fn empty(at: usize) -> Self {
        Span { start: at, end: at }
    }

    pub const fn len(&self) -> usize {
        self.end - self.start
    }

    pub const fn is_empty(&self) -> bool {
        self.start == self.end
    }

    /// Whether `offset` lies inside the span (the end counts, so a cursor just after a
    /// word is still on it).
    pub const fn touches(&self, offset: usize) -> bool {
        self.start <= offset && offset <= self.end
    }

    pub const fn contains_span(&self, other: Span) -> bool {
        self.start <= other.start && other.end <= self.end
    }

    pub fn cover(self, other: Span) -> Span {
        Span::new(self.start.min(other.start), self.end.max(other.end))
    }

    pub fn range(&self) -> std::ops::Range<usize> {
        self.start..self.end
    }
}

impl fmt::Debug for Span {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}..{}", self.start, self.end)
    }
}

/// How a scalar was written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScalarStyle {
    Plain,
    SingleQuoted,
    DoubleQuoted,
    Literal,
    Folded,
}

impl ScalarStyle {
    pub fn is_quoted(self) -> bool {
        matches!(self, ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted)
    }

    pub fn is_block(self) -> bool {
        matches!(self, ScalarStyle::Literal | ScalarStyle::Folded)
    }
}

/// A scalar's value, cooked (quotes and escapes processed), and its style.
#[derive(Clone, Debug, PartialEq)]
pub struct Scalar {
    pub value: String,
    pub style: ScalarStyle,
}

/// What a scalar means under the YAML 1.2 core schema (plain scalars only resolve to
/// anything but a string).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Resolved<'a> {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(&'a str),
}

impl Scalar {
    /// Resolves the scalar as the YAML 1.2 core schema does.
    pub fn resolve(&self) -> Resolved<'_> {
        if self.style != ScalarStyle::Plain {
            return Resolved::Str(&self.value);
        }
        resolve_plain(&self.value)
    }

    /// A plain scalar that YAML 1.1 (and so Bitbucket's parser) reads as a boolean:
    /// `yes`, `no`, `on`, `off` in their usual spellings, plus `true`/`false` (the YAML 1.1
    /// resolver of SnakeYAML, which leaves `y` and `n` strings).
    pub fn is_yaml11_bool(&self) -> bool {
        self.style == ScalarStyle::Plain
            && matches!(
                self.value.as_str(),
                "yes"
                    | "Yes"
                    | "YES"
                    | "no"
                    | "No"
                    | "NO"
                    | "true"
                    | "True"
                    | "TRUE"
                    | "false"
                    | "False"
                    | "FALSE"
                    | "on"
                    | "On"
                    | "ON"
                    | "off"
                    | "Off"
                    | "OFF"
            )
    }
}

fn resolve_plain(s: &str) -> Resolved<'_> {
    match s {
        "" | "~" | "null" | "Null" | "NULL" => return Resolved::Null,
        "true" | "True" | "TRUE" => return Resolved::Bool(true),
        "false" | "False" | "FALSE" => return Resolved::Bool(false),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => {
            return Resolved::Float(f64::INFINITY);
        }
        "-.inf" | "-.Inf" | "-.INF" => return Resolved::Float(f64::NEG_INFINITY),
        ".nan" | ".NaN" | ".NAN" => return Resolved::Float(f64::NAN),
        _ => {}
    }
    let bytes = s.as_bytes();
    let digits_from = usize::from(matches!(bytes.first(), Some(b'+' | b'-')));
    if let Some(hex) = s.strip_prefix("0x") {
        if let Ok(v) = i64::from_str_radix(hex, 16) {
            return Resolved::Int(v);
        }
    } else if let Some(oct) = s.strip_prefix("0o") {
        if let Ok(v) = i64::from_str_radix(oct, 8) {
            return Resolved::Int(v);
        }
    } else if bytes.len() > digits_from && bytes[digits_from..].iter().all(u8::is_ascii_digit) {
        if let Ok(v) = s.parse::<i64>() {
            return Resolved::Int(v);
        }
        // Too large for i64: still a number.
        if let Ok(v) = s.parse::<f64>() {
            return Resolved::Float(v);
        }
    }
    if looks_like_float(&s[digits_from..])
        && let Ok(v) = s.parse::<f64>()
    {
        return Resolved::Float(v);
    }
    Resolved::Str(s)
}

/// `[0-9]*(\.[0-9]*)?([eE][-+]?[0-9]+)?` with at least one digit before the exponent.
fn looks_like_float(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    let mut mantissa_digits = 0;
    while i < b.len() && b[i].is_ascii_digit() {
        i += 1;
        mantissa_digits += 1;
    }
    if i < b.len() && b[i] == b'.' {
        i += 1;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
            mantissa_digits += 1;
        }
    }
    if mantissa_digits == 0 {
        return false;
    }
    if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
        i += 1;
        if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
            i += 1;
        }
        let exp_start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        if i == exp_start {
            return false;
        }
    }
    i == b.len()
}

/// An anchor written on a node: `&name`.
#[derive(Clone, Debug, PartialEq)]
pub struct AnchorMark {
    pub name: String,
    /// The span of `&name`.
    pub span: Span,
}

/// One key/value pair of a mapping.
#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    pub key: Node,
    pub value: Node,
    /// When the pair came in through a merge key (`<<: *x`): the span of the alias
    /// (`*x`) that brought it.
    pub merged_from: Option<Span>,
}

/// A merge key (`<<: *a` or `<<: [*a, *b]`) as written in a mapping.
#[derive(Clone, Debug, PartialEq)]
pub struct Merge {
    /// The span of the `<<` key.
    pub key_span: Span,
    /// The alias sites (or inline mappings) that were merged, in order of precedence.
    pub sources: Vec<Span>,
    /// Sources that could not be read (an alias to an undefined anchor or past the alias
    /// budget, already reported), where they are written. They are no node of the tree.
    pub unreadable: Vec<Span>,
    /// Keys that the mapping writes itself and that a merged source also had.
    pub overrides: Vec<Override>,
}

/// A key written in a mapping that hides the same key from a merge source.
#[derive(Clone, Debug, PartialEq)]
pub struct Override {
    pub key: String,
    /// The explicit key in the mapping.
    pub key_span: Span,
    /// The value the merge would have given (where it is written).
    pub merged_value: Node,
}

/// A mapping: its pairs after merge keys were applied, plus what the merges did.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Mapping {
    /// The pairs in source order. Pairs brought by a merge key stand where the `<<` key
    /// stood (minus the keys the mapping overrides). Duplicate keys are kept; lookups
    /// return the last one, as Bitbucket's parser does.
    pub entries: Vec<Entry>,
    pub merges: Vec<Merge>,
}

impl Mapping {
    /// The last pair whose key is the string `key`.
    pub fn entry(&self, key: &str) -> Option<&Entry> {
        self.entries
            .iter()
            .rev()
            .find(|e| e.key.as_key() == Some(key))
    }

    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entry(key).map(|e| &e.value)
    }

    pub fn contains_key(&self, key: &str) -> bool {
        self.entry(key).is_some()
    }

    /// The pairs, keyed by their string key; non-string keys are skipped.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Entry)> {
        self.entries
            .iter()
            .filter_map(|e| e.key.as_key().map(|k| (k, e)))
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum NodeKind {
    Scalar(Scalar),
    Sequence(Vec<Node>),
    Mapping(Mapping),
    /// Text that could not be read as a node (an alias to an undefined anchor, an alias
    /// beyond the expansion budget). The problem has been reported already; checks should
    /// treat the node as unknown and stay quiet about it.
    Invalid,
}

/// A YAML node with its position.
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    pub kind: NodeKind,
    /// Where the node's text stands: for a node that came through an alias, this is inside
    /// the anchored definition. Excludes the `&anchor` and `!tag` properties.
    pub span: Span,
    /// The alias sites (`*name`) this node came through, outermost first; empty when the
    /// node is written where it is used.
    pub via: Vec<Span>,
    /// The anchor written on this node, if any. Boxed, as the tag: few nodes have one,
    /// and a smaller node is quicker to build, move and copy.
    pub anchor: Option<Box<AnchorMark>>,
    /// The tag written on this node (`!include`, `!!str`), as written.
    pub tag: Option<Box<str>>,
    /// The text broke off (a syntax error) before this collection was closed: it holds
    /// only what was read, so checks should not call anything in it missing.
    pub truncated: bool,
}

impl Node {
    pub fn new(kind: NodeKind, span: Span) -> Self {
        Node {
            kind,
            span,
            via: Vec::new(),
            anchor: None,
            tag: None,
            truncated: false,
        }
    }

    /// Where the node is used: the outermost alias site when the node came through an
    /// alias, else where it is written.
    pub fn site(&self) -> Span {
        self.via.first().copied().unwrap_or(self.span)
    }

    pub fn is_aliased(&self) -> bool {
        !self.via.is_empty()
    }

    pub fn as_scalar(&self) -> Option<&Scalar> {
        match &self.kind {
            NodeKind::Scalar(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_mapping(&self) -> Option<&Mapping> {
        match &self.kind {
            NodeKind::Mapping(m) => Some(m),
            _ => None,
        }
    }

    pub fn as_sequence(&self) -> Option<&[Node]> {
        match &self.kind {
            NodeKind::Sequence(s) => Some(s),
            _ => None,
        }
    }

    /// The value of a scalar that is not null, whatever it resolves to (`3`, `true` and
    /// `"x"` all give their text).
    pub fn as_str(&self) -> Option<&str> {
        match &self.kind {
            NodeKind::Scalar(s) if !matches!(s.resolve(), Resolved::Null) => Some(&s.value),
            _ => None,
        }
    }

    /// A scalar's text as a mapping key (null keys give `""`).
    pub fn as_key(&self) -> Option<&str> {
        match &self.kind {
            NodeKind::Scalar(s) => Some(&s.value),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self.as_scalar()?.resolve() {
            Resolved::Bool(b) => Some(b),
            _ => None,
        }
    }

    pub fn as_i64(&self) -> Option<i64> {
        match self.as_scalar()?.resolve() {
            Resolved::Int(i) => Some(i),
            _ => None,
        }
    }

    /// An empty value: `key:` with nothing after it, `~` or `null`.
    pub fn is_null(&self) -> bool {
        matches!(self.as_scalar().map(Scalar::resolve), Some(Resolved::Null))
    }

    pub fn is_invalid(&self) -> bool {
        matches!(self.kind, NodeKind::Invalid)
    }

    /// `mapping[key]` when this node is a mapping.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.as_mapping()?.get(key)
    }

    /// A short name of the node's kind, for messages: "a mapping", "a list", "a string"...
    pub fn kind_name(&self) -> &'static str {
        match &self.kind {
            NodeKind::Mapping(_) => "a mapping",
            NodeKind::Sequence(_) => "a list",
            NodeKind::Invalid => "an unreadable value",
            NodeKind::Scalar(s) => match s.resolve() {
                Resolved::Null => "empty",
                Resolved::Bool(_) => "a boolean",
                Resolved::Int(_) => "an integer",
                Resolved::Float(_) => "a number",
                Resolved::Str(_) => "a string",
            },
        }
    }

    /// Number of nodes in this subtree (keys count).
    pub fn count(&self) -> usize {
        1 + match &self.kind {
            NodeKind::Sequence(items) => items.iter().map(Node::count).sum(),
            NodeKind::Mapping(m) => m
                .entries
                .iter()
                .map(|e| e.key.count() + e.value.count())
                .sum(),
            _ => 0,
        }
    }

    /// Calls `f` on this node and every node below it, keys included, depth first.
    pub fn walk<'a>(&'a self, f: &mut impl FnMut(&'a Node)) {
        f(self);
        match &self.kind {
            NodeKind::Sequence(items) => items.iter().for_each(|n| n.walk(f)),
            NodeKind::Mapping(m) => m.entries.iter().for_each(|e| {
                e.key.walk(f);
                e.value.walk(f);
            }),
            _ => {}
        }
    }

    /// Calls `f` on this node and every node stored below it, depth first: keys, values,
    /// and the values merges hid (`Override::merged_value`). For changes that must reach
    /// every node the tree holds (alias sites, moved offsets).
    pub(crate) fn walk_all_mut(&mut self, f: &mut impl FnMut(&mut Node)) {
        f(self);
        match &mut self.kind {
            NodeKind::Sequence(items) => items.iter_mut().for_each(|n| n.walk_all_mut(f)),
            NodeKind::Mapping(m) => {
                for e in &mut m.entries {
                    e.key.walk_all_mut(f);
                    e.value.walk_all_mut(f);
                }
                for merge in &mut m.merges {
                    for o in &mut merge.overrides {
                        o.merged_value.walk_all_mut(f);
                    }
                }
            }
            NodeKind::Scalar(_) | NodeKind::Invalid => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plain(s: &str) -> Scalar {
        Scalar {
            value: s.to_owned(),
            style: ScalarStyle::Plain,
        }
    }

    #[test]
    fn resolves_core_schema() {
        assert_eq!(plain("").resolve(), Resolved::Null);
        assert_eq!(plain("~").resolve(), Resolved::Null);
        assert_eq!(plain("true").resolve(), Resolved::Bool(true));
        assert_eq!(plain("yes").resolve(), Resolved::Str("yes"));
        assert_eq!(plain("720").resolve(), Resolved::Int(720));
        assert_eq!(plain("-3").resolve(), Resolved::Int(-3));
        assert_eq!(plain("0x1F").resolve(), Resolved::Int(31));
        assert_eq!(plain("3.5").resolve(), Resolved::Float(3.5));
        assert_eq!(plain("1e3").resolve(), Resolved::Float(1000.0));
        assert_eq!(plain("2x").resolve(), Resolved::Str("2x"));
        assert_eq!(plain("1.2.3").resolve(), Resolved::Str("1.2.3"));
        assert_eq!(plain(".").resolve(), Resolved::Str("."));
        assert_eq!(plain("-").resolve(), Resolved::Str("-"));
        let quoted = Scalar {
            value: "3".into(),
            style: ScalarStyle::DoubleQuoted,
        };
        assert_eq!(quoted.resolve(), Resolved::Str("3"));
    }

    #[test]
    fn yaml11_booleans() {
        assert!(plain("yes").is_yaml11_bool());
        assert!(plain("Off").is_yaml11_bool());
        assert!(!plain("yess").is_yaml11_bool());
        let quoted = Scalar {
            value: "yes".into(),
            style: ScalarStyle::SingleQuoted,
        };
        assert!(!quoted.is_yaml11_bool());
    }
}
