//! YAML text to a span-exact tree.
//!
//! This crate knows nothing about Bitbucket Pipelines. It reads YAML with
//! [`saphyr_parser`] and returns a tree in which every key and value knows its byte range,
//! aliases are expanded (within a budget) and remember their use sites, merge keys
//! (`<<: *x`, `<<: [*a, *b]`) are applied shallowly with later keys overriding, and
//! duplicate keys are kept and reported.
//!
//! Parsing never fails: [`parse`] returns every document it could read and a list of
//! [`Problem`]s. It recovers from the errors real pipeline files make most (a tab in the
//! indentation, an unquoted `*`/`**` read as an alias to an undefined anchor) and goes on
//! reading; after any other syntax error the tree holds everything read before it.

mod build;
pub mod cooked;
pub mod incremental;
pub mod text;
mod tree;

use std::borrow::Cow;

use saphyr_parser::Parser;

pub use incremental::{Rest, edit, edit_breaking, edit_entry, edit_scalar, rejoin};
pub use text::{ColumnUnit, LineCol, LineIndex};
pub use tree::{
    AnchorMark, Entry, Mapping, Merge, Node, NodeKind, Override, Resolved, Scalar, ScalarStyle,
    Span,
};

/// Bounds that keep hostile input cheap.
#[derive(Clone, Debug)]
pub struct Options {
    /// Larger texts are not parsed at all.
    pub max_bytes: usize,
    /// Collections nested deeper than this stop the parse.
    pub max_depth: usize,
    /// How many nodes alias expansion may copy in all before it stops.
    pub alias_budget: usize,
    /// How many errors (tabs, undefined aliases) the parser recovers from by patching.
    pub max_recoveries: usize,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            max_bytes: 8 * 1024 * 1024,
            max_depth: 128,
            alias_budget: 250_000,
            max_recoveries: 100,
        }
    }
}

/// What went wrong while reading the text.
#[derive(Clone, Debug, PartialEq)]
pub enum ProblemKind {
    /// The text is not valid YAML here; the parser stopped.
    Syntax,
    /// A tab in the indentation (YAML forbids it). The tab was read as a space so the
    /// rest of the file could be checked.
    TabIndent,
    /// A key written twice in one mapping.
    DuplicateKey { key: String, first: Span },
    /// `*name` where no `&name` comes before.
    UndefinedAlias { name: String },
    /// Alias expansion went over [`Options::alias_budget`].
    AliasLimit,
    /// Collections nested deeper than [`Options::max_depth`].
    TooDeep,
    /// The text is longer than [`Options::max_bytes`].
    TooLarge,
    /// A merge key `<<` whose value is not a mapping or a list of mappings.
    BadMerge,
}

/// One problem with its place in the text.
#[derive(Clone, Debug, PartialEq)]
pub struct Problem {
    pub kind: ProblemKind,
    pub span: Span,
    /// What the parser said, in lower case, without position.
    pub message: String,
    /// Other places that explain the problem, with a label.
    pub related: Vec<(Span, String)>,
}

/// One YAML document of the stream.
#[derive(Clone, Debug, PartialEq)]
pub struct Document {
    /// The root node; `None` for an empty document.
    pub root: Option<Node>,
    pub span: Span,
}

/// An anchor definition (`&name`).
#[derive(Clone, Debug, PartialEq)]
pub struct AnchorInfo {
    pub(crate) id: usize,
    pub name: String,
    /// The span of `&name`.
    pub span: Span,
    /// The span of the anchored node.
    pub node_span: Span,
    /// The aliases that use it.
    pub uses: Vec<Span>,
}

/// An alias as written (`*name`).
#[derive(Clone, Debug, PartialEq)]
pub struct AliasInfo {
    pub name: String,
    pub span: Span,
    /// Index into [`Parsed::anchors`]; `None` when undefined.
    pub anchor: Option<usize>,
}

/// The result of [`parse`].
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Parsed {
    pub documents: Vec<Document>,
    pub problems: Vec<Problem>,
    pub anchors: Vec<AnchorInfo>,
    pub aliases: Vec<AliasInfo>,
}

impl Parsed {
    /// The root of the first document.
    pub fn root(&self) -> Option<&Node> {
        self.documents.first().and_then(|d| d.root.as_ref())
    }

    /// Whether reading stopped short or gave up somewhere: a syntax error or a limit
    /// (too deep, too large, too many alias copies).
    pub fn stopped(&self) -> bool {
        self.problems.iter().any(|p| {
            matches!(
                p.kind,
                ProblemKind::Syntax
                    | ProblemKind::TooDeep
                    | ProblemKind::TooLarge
                    | ProblemKind::AliasLimit
            )
        })
    }
}

/// Parses `text`, never failing. See the crate documentation.
pub fn parse(text: &str, opts: &Options) -> Parsed {
    if text.len() > opts.max_bytes {
        return Parsed {
            problems: vec![Problem {
                kind: ProblemKind::TooLarge,
                span: Span::empty(0),
                message: format!(
                    "the file is {} bytes; pipelint reads files up to {} bytes",
                    text.len(),
                    opts.max_bytes
                ),
                related: Vec::new(),
            }],
            ..Parsed::default()
        };
    }
    let mut patched_text: Cow<'_, str> = Cow::Borrowed(text);
    let mut patches = Patches::default();
    // A text without errors (the common case) is read once, building the tree. Once an
    // error was recovered from, the next ones are found and patched with the parser alone,
    // which is cheap, and the tree is built once more, from the final text: building it on
    // every attempt cost up to `max_recoveries` times the alias budget.
    let mut recovering = false;
    loop {
        let current: &str = &patched_text;
        if recovering
            && patches.recovered.len() < opts.max_recoveries
            && let Some((at, info)) = first_error(current, opts.max_depth)
            && let Some(fix) = recover(current, at, &info)
        {
            patched_text = patches.apply(patched_text, fix);
            continue;
        }
        let mut builder = build::Builder::new(current, opts, &patches.aliases);
        let mut parser = Parser::new_from_str(current);
        let mut error = None;
        while let Some(next) = parser.next_event() {
            match next {
                Ok((event, span)) => {
                    if builder.on_event(event, span).is_break() {
                        break;
                    }
                }
                Err(e) => {
                    error = Some(e);
                    break;
                }
            }
        }
        if let Some(err) = error {
            let at = builder.byte(err.marker().index());
            if patches.recovered.len() < opts.max_recoveries
                && let Some(fix) = recover(current, at, err.info())
            {
                patched_text = patches.apply(patched_text, fix);
                recovering = true;
                continue;
            }
            builder.problem(syntax_problem(current, at, err.info()));
        }
        let mut parsed = builder.finish();
        let Patches {
            aliases: patched_aliases,
            recovered,
        } = patches;
        parsed.problems.extend(recovered);
        parsed.problems.sort_by_key(|p| (p.span.start, p.span.end));
        for (at, original) in &patched_aliases {
            // Aliases that were patched to scalars are still aliases as written.
            parsed.aliases.push(AliasInfo {
                name: original.trim_start_matches('*').to_owned(),
                span: Span::new(*at, at + original.len()),
                anchor: None,
            });
        }
        parsed.aliases.sort_by_key(|a| a.span.start);
        return parsed;
    }
}

/// The byte offset and message of the first syntax error in `text`, read as the tree
/// builder reads it: not past a collection nested `max_depth` deep (where it stops).
fn first_error(text: &str, max_depth: usize) -> Option<(usize, String)> {
    let mut parser = Parser::new_from_str(text);
    let mut depth = 0usize;
    while let Some(next) = parser.next_event() {
        match next {
            Ok((
                saphyr_parser::Event::SequenceStart(..) | saphyr_parser::Event::MappingStart(..),
                _,
            )) => {
                if depth >= max_depth {
                    return None;
                }
                depth += 1;
            }
            Ok((saphyr_parser::Event::SequenceEnd | saphyr_parser::Event::MappingEnd, _)) => {
                depth = depth.saturating_sub(1);
            }
            Ok(_) => {}
            Err(e) => {
                let at = build::CharToByte::new(text).byte(e.marker().index());
                return Some((at, e.info().to_owned()));
            }
        }
    }
    None
}

enum Recovery {
    /// Replace these bytes (tabs) by spaces.
    Tabs(Vec<usize>),
    /// Replace the `*` at `at` by `_` so the alias reads as a plain scalar.
    Alias { at: usize, original: String },
}

pub(crate) struct Fix {
    recovery: Recovery,
    problem: Problem,
}

/// What recovery changed: aliases patched to scalars (their offset and text as written),
/// and the problem each patch stands for.
#[derive(Default)]
struct Patches {
    aliases: Vec<(usize, String)>,
    recovered: Vec<Problem>,
}

impl Patches {
    /// Applies `fix` to `text` and records it.
    fn apply<'t>(&mut self, text: Cow<'t, str>, fix: Fix) -> Cow<'t, str> {
        let mut owned = text.into_owned();
        apply(&mut owned, &fix);
        if let Recovery::Alias { at, original, .. } = &fix.recovery {
            self.aliases.push((*at, original.clone()));
        }
        self.recovered.push(fix.problem);
        Cow::Owned(owned)
    }
}

fn apply(text: &mut String, fix: &Fix) {
    // Both patches swap one ASCII byte for another, so every offset stays valid.
    let mut bytes = std::mem::take(text).into_bytes();
    match &fix.recovery {
        Recovery::Tabs(at) => at.iter().for_each(|&i| bytes[i] = b' '),
        Recovery::Alias { at, .. } => bytes[*at] = b'_',
    }
    *text = String::from_utf8(bytes).unwrap_or_default();
}

pub(crate) fn recover(text: &str, at: usize, info: &str) -> Option<Fix> {
    let bytes = text.as_bytes();
    if info.contains("unknown anchor") && bytes.get(at) == Some(&b'*') {
        let mut end = build::scan_name(bytes, at + 1);
        // `**: value` is a key the user meant as a glob; the colon is not part of it.
        if end > at + 2 && bytes[end - 1] == b':' {
            end -= 1;
        }
        let original = text[at..end].to_owned();
        let name = original[1..].to_owned();
        return Some(Fix {
            problem: Problem {
                kind: ProblemKind::UndefinedAlias { name: name.clone() },
                span: Span::new(at, end),
                message: format!("alias `*{name}` refers to an undefined anchor"),
                related: Vec::new(),
            },
            recovery: Recovery::Alias { at, original },
        });
    }
    if info.contains("tab") {
        let line_start = text[..at.min(text.len())].rfind('\n').map_or(0, |i| i + 1);
        let tabs: Vec<usize> = bytes[line_start..]
            .iter()
            .take_while(|b| matches!(b, b' ' | b'\t'))
            .enumerate()
            .filter(|(_, b)| **b == b'\t')
            .map(|(i, _)| line_start + i)
            .collect();
        let (&first, &last) = (tabs.first()?, tabs.last()?);
        return Some(Fix {
            problem: Problem {
                kind: ProblemKind::TabIndent,
                span: Span::new(first, last + 1),
                message: "tab character in indentation".to_owned(),
                related: Vec::new(),
            },
            recovery: Recovery::Tabs(tabs),
        });
    }
    None
}

pub(crate) fn syntax_problem(text: &str, at: usize, info: &str) -> Problem {
    let at = text::floor_char_boundary(text, at);
    let end = text[at..]
        .chars()
        .next()
        .filter(|c| *c != '\n' && *c != '\r')
        .map_or(at, |c| at + c.len_utf8());
    if info.contains("recursion limit") {
        return Problem {
            kind: ProblemKind::TooDeep,
            span: Span::new(at, end),
            message: "the document nests too deeply; pipelint stops reading here".to_owned(),
            related: Vec::new(),
        };
    }
    Problem {
        kind: ProblemKind::Syntax,
        span: Span::new(at, end),
        message: info.to_owned(),
        related: Vec::new(),
    }
}

#[cfg(test)]
mod tests;
