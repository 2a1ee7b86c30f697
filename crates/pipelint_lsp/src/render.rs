//! Nodes of the span tree written back as YAML text, for hovers that show what an alias or
//! a merge key resolves to.
//!
//! The output is block style with two-space indentation. Scalars keep their meaning: plain
//! ones stay plain when that reads back the same, others are quoted; multi-line strings
//! become literal blocks. Output is bounded in lines so a large anchor stays readable.

use pipelint_yaml::{Node, NodeKind, Resolved, ScalarStyle};

/// At most this many lines are written; the rest is replaced by a `# …` line.
pub const MAX_LINES: usize = 80;

/// Writes `node` as YAML. `annotate` may return a comment for a top-level entry of a
/// mapping (the merge hover names the alias each key came from).
pub fn to_yaml(node: &Node, annotate: &dyn Fn(usize) -> Option<String>) -> String {
    write(node, annotate, MAX_LINES)
}

/// Writes `node` as YAML without a bound on its length (the effective pipeline view).
pub fn to_yaml_full(node: &Node) -> String {
    write(node, &|_| None, usize::MAX)
}

fn write(node: &Node, annotate: &dyn Fn(usize) -> Option<String>, max_lines: usize) -> String {
    let mut w = Writer {
        lines: Vec::new(),
        truncated: false,
        max_lines,
    };
    match &node.kind {
        NodeKind::Mapping(m) if !m.entries.is_empty() => {
            for (i, e) in m.entries.iter().enumerate() {
                let before = w.lines.len();
                w.entry(&e.key, &e.value, 0, 0);
                if let (Some(note), Some(line)) = (annotate(i), w.lines.get_mut(before)) {
                    line.push_str("  # ");
                    line.push_str(&note);
                }
            }
        }
        _ => w.value_block(node, 0),
    }
    let mut out = w.lines.join("\n");
    if w.truncated {
        out.push_str("\n# …");
    }
    out
}

struct Writer {
    lines: Vec<String>,
    truncated: bool,
    max_lines: usize,
}

impl Writer {
    fn push(&mut self, line: String) {
        if self.lines.len() >= self.max_lines {
            self.truncated = true;
        } else {
            self.lines.push(line);
        }
    }

    /// A node standing alone at `indent` (the document root, or an item after `- `).
    fn value_block(&mut self, node: &Node, indent: usize) {
        let pad = " ".repeat(indent);
        match &node.kind {
            NodeKind::Mapping(m) if !m.entries.is_empty() => {
                for e in &m.entries {
                    self.entry(&e.key, &e.value, indent, indent);
                }
            }
            NodeKind::Sequence(items) if !items.is_empty() => {
                for item in items {
                    self.item(item, indent);
                }
            }
            _ => {
                let text = inline(node);
                match text {
                    Inline::One(s) => self.push(format!("{pad}{s}")),
                    Inline::Block(header, body) => {
                        self.push(format!("{pad}{header}"));
                        for l in body {
                            self.push(format!("{pad}  {l}"));
                        }
                    }
                }
            }
        }
    }

    /// `key: value` at `indent`; the first line starts at `first_indent` characters
    /// (less than `indent` when it follows `- `).
    fn entry(&mut self, key: &Node, value: &Node, indent: usize, first_indent: usize) {
        if self.truncated {
            return;
        }
        let pad = " ".repeat(first_indent);
        let k = match inline(key) {
            Inline::One(s) => s,
            Inline::Block(..) => "? complex key".to_owned(),
        };
        match &value.kind {
            NodeKind::Mapping(m) if !m.entries.is_empty() => {
                self.push(format!("{pad}{k}:"));
                for e in &m.entries {
                    self.entry(&e.key, &e.value, indent + 2, indent + 2);
                }
            }
            NodeKind::Sequence(items) if !items.is_empty() => {
                self.push(format!("{pad}{k}:"));
                for item in items {
                    self.item(item, indent + 2);
                }
            }
            _ => match inline(value) {
                Inline::One(s) => self.push(format!("{pad}{k}: {s}")),
                Inline::Block(header, body) => {
                    self.push(format!("{pad}{k}: {header}"));
                    let inner = " ".repeat(indent + 2);
                    for l in body {
                        self.push(format!("{inner}{l}"));
                    }
                }
            },
        }
    }

    /// `- item` at `indent`.
    fn item(&mut self, item: &Node, indent: usize) {
        if self.truncated {
            return;
        }
        let pad = " ".repeat(indent);
        match &item.kind {
            NodeKind::Mapping(m) if !m.entries.is_empty() => {
                for (i, e) in m.entries.iter().enumerate() {
                    if i == 0 {
                        // `- key: value`, the rest aligned under `key`.
                        let before = self.lines.len();
                        self.entry(&e.key, &e.value, indent + 2, 0);
                        if let Some(line) = self.lines.get_mut(before) {
                            line.insert_str(0, &format!("{pad}- "));
                        }
                    } else {
                        self.entry(&e.key, &e.value, indent + 2, indent + 2);
                    }
                }
            }
            NodeKind::Sequence(items) if !items.is_empty() => {
                self.push(format!("{pad}-"));
                for inner in items {
                    self.item(inner, indent + 2);
                }
            }
            _ => match inline(item) {
                Inline::One(s) => self.push(format!("{pad}- {s}")),
                Inline::Block(header, body) => {
                    self.push(format!("{pad}- {header}"));
                    let inner = " ".repeat(indent + 2);
                    for l in body {
                        self.push(format!("{inner}{l}"));
                    }
                }
            },
        }
    }
}

enum Inline {
    One(String),
    /// A block scalar: its header (`|`, `|-`) and its lines.
    Block(String, Vec<String>),
}

fn inline(node: &Node) -> Inline {
    match &node.kind {
        NodeKind::Mapping(_) => Inline::One("{}".into()),
        NodeKind::Sequence(_) => Inline::One("[]".into()),
        NodeKind::Invalid => Inline::One("~  # unreadable".into()),
        NodeKind::Scalar(s) => {
            let v = &s.value;
            if v.contains('\n') && !v.trim().is_empty() {
                let chomp = if v.ends_with('\n') { "" } else { "-" };
                let body: Vec<String> = v
                    .trim_end_matches('\n')
                    .split('\n')
                    .map(str::to_owned)
                    .collect();
                return Inline::Block(format!("|{chomp}"), body);
            }
            let keeps_meaning = match s.style {
                ScalarStyle::Plain => true,
                // A quoted value can go unquoted when it reads back as the same string.
                _ => plain_is_string(v),
            };
            if keeps_meaning && plain_safe(v) {
                Inline::One(v.clone())
            } else {
                Inline::One(double_quoted(v))
            }
        }
    }
}

fn plain_is_string(v: &str) -> bool {
    let probe = pipelint_yaml::Scalar {
        value: v.to_owned(),
        style: ScalarStyle::Plain,
    };
    matches!(probe.resolve(), Resolved::Str(_)) && !probe.is_yaml11_bool()
}

/// Whether `v` can be written as a plain scalar and read back the same text.
fn plain_safe(v: &str) -> bool {
    let Some(first) = v.chars().next() else {
        return true; // an empty plain scalar is null, as it was
    };
    if v != v.trim() {
        return false;
    }
    if "-?:,[]{}#&*!|>'\"%@`".contains(first) {
        let second = v.chars().nth(1);
        let dash_like = matches!(first, '-' | '?' | ':') && second.is_some_and(|c| c != ' ');
        if !dash_like {
            return false;
        }
    }
    !(v.contains(": ") || v.contains(" #") || v.ends_with(':') || v.chars().any(char::is_control))
}

fn double_quoted(v: &str) -> String {
    let mut out = String::with_capacity(v.len() + 2);
    out.push('"');
    for c in v.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => out.push_str(&format!("\\u{:04x}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(text: &str) -> String {
        let parsed = pipelint_yaml::parse(text, &Default::default());
        to_yaml(parsed.root().expect("root"), &|_| None)
    }

    #[test]
    fn writes_block_yaml_that_reads_back_the_same() {
        let text = "a: 1\nb: 'x: y'\nc: [p, {q: r, s: [1, 2]}]\nd: |\n  line 1\n  line 2\ne: \"yes\"\nf: {}\n";
        let out = round_trip(text);
        assert_eq!(
            out,
            "a: 1\nb: \"x: y\"\nc:\n  - p\n  - q: r\n    s:\n      - 1\n      - 2\nd: |\n  line 1\n  line 2\ne: \"yes\"\nf: {}"
        );
        let again = pipelint_yaml::parse(&out, &Default::default());
        let before = pipelint_yaml::parse(text, &Default::default());
        assert_eq!(
            pipelint_core::schema::to_json(again.root().expect("root")),
            pipelint_core::schema::to_json(before.root().expect("root"))
        );
    }

    #[test]
    fn large_nodes_are_cut() {
        let text: String = (0..200).map(|i| format!("k{i}: v\n")).collect();
        let out = round_trip(&text);
        assert_eq!(out.lines().count(), MAX_LINES + 1);
        assert!(out.ends_with("# …"));
        let parsed = pipelint_yaml::parse(&text, &Default::default());
        let full = to_yaml_full(parsed.root().expect("root"));
        assert_eq!(full.lines().count(), 200);
    }
}
