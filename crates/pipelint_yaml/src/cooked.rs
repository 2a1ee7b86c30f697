//! Where each byte of a scalar's cooked value was written in the source.
//!
//! A scalar's value is "cooked": quotes are removed, escapes processed, lines folded and
//! block indentation stripped. To place a position inside the value (a column that a
//! tool such as shellcheck reports for a script) back in the YAML text, [`offsets`] redoes
//! the cooking and records, for every byte of the value, the source byte it came from:
//!
//! - a character copied as written maps to itself;
//! - a character produced by an escape (`\n`, `\"`, `\t`, `\x41`, `''`) maps to the start of
//!   the escape;
//! - a space or newline produced by line folding maps to the line break it replaces (the
//!   break at the end of the earlier line). This is the one place where the map is not
//!   one-to-one: a folded space stands for a line break and the indentation after it.
//!
//! The result is checked against the parser's value; when the two differ (a construct this
//! module does not reproduce), there is no map and callers fall back to the whole scalar.

use crate::tree::{Scalar, ScalarStyle, Span};

/// For each byte `i` of `scalar.value`, the source offset it was written at, plus one
/// entry for the end of the value (so `map[value.len()]` is where the value ends). `span`
/// is the scalar node's span. `None` when the cooked value cannot be reproduced exactly.
pub fn offsets(source: &str, span: Span, scalar: &Scalar) -> Option<Vec<usize>> {
    let raw = source.get(span.range())?;
    let mut out = Cooked::default();
    match scalar.style {
        ScalarStyle::Plain => flow(raw, span.start, Quote::None, &mut out)?,
        ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted => {
            let quote = if scalar.style == ScalarStyle::SingleQuoted {
                Quote::Single
            } else {
                Quote::Double
            };
            let inner = raw.get(1..raw.len().checked_sub(1)?)?;
            flow(inner, span.start + 1, quote, &mut out)?;
        }
        ScalarStyle::Literal | ScalarStyle::Folded => {
            let (first, indent) = block_start(source, span)?;
            let region = source.get(first..span.end)?;
            block(
                region,
                first,
                indent,
                scalar.style == ScalarStyle::Folded,
                &scalar.value,
                &mut out,
            )?;
        }
    }
    if out.value != scalar.value {
        return None;
    }
    let end = if scalar.style.is_quoted() {
        span.end.saturating_sub(1).max(span.start)
    } else {
        span.end
    };
    out.map.push(end);
    Some(out.map)
}

/// Where a block scalar's lines start (its first line, empty or not) and its content's
/// indentation. The span starts at the first content character, or at the `|`/`>` header
/// when the scalar carries an anchor or a tag.
fn block_start(source: &str, span: Span) -> Option<(usize, usize)> {
    let raw = source.get(span.range())?;
    if raw.starts_with(['|', '>']) {
        let first = span.start + raw.find('\n')? + 1;
        let body = source.get(first..span.end)?;
        let indent = body
            .split('\n')
            .find(|l| !l.trim_end_matches('\r').bytes().all(|b| b == b' '))
            .map_or(0, |l| l.len() - l.trim_start_matches(' ').len());
        return Some((first, indent));
    }
    let line_start = source.get(..span.start)?.rfind('\n').map_or(0, |i| i + 1);
    let indent = span.start - line_start;
    // Empty lines before the first content line belong to the value too.
    let mut first = line_start;
    while first > 0 {
        let before = source.get(..first - 1)?;
        let prev = before.rfind('\n').map_or(0, |i| i + 1);
        let line = before.get(prev..)?;
        if !line.trim_end_matches('\r').bytes().all(|b| b == b' ') {
            break;
        }
        first = prev;
    }
    Some((first, indent))
}

#[derive(Default)]
struct Cooked {
    value: String,
    map: Vec<usize>,
}

impl Cooked {
    /// Text copied as written, starting at source offset `at`.
    fn copy(&mut self, text: &str, at: usize) {
        self.value.push_str(text);
        self.map.extend((0..text.len()).map(|k| at + k));
    }

    /// One character produced at source offset `at` (an escape, a folded break).
    fn produce(&mut self, c: char, at: usize) {
        self.value.push(c);
        self.map.extend(std::iter::repeat_n(at, c.len_utf8()));
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Quote {
    None,
    Single,
    Double,
}

/// The lines of `text` (split at `\n`, a `\r` before it dropped) with their offsets and
/// the offset of the break that ends each (the text's end for the last line).
fn lines(text: &str, base: usize) -> Vec<(usize, &str, usize)> {
    let mut out = Vec::new();
    let mut start = 0;
    for (i, _) in text.match_indices('\n') {
        let line = &text[start..i];
        let line = line.strip_suffix('\r').unwrap_or(line);
        out.push((base + start, line, base + start + line.len()));
        start = i + 1;
    }
    let rest = &text[start..];
    out.push((base + start, rest, base + text.len()));
    out
}

fn is_blank(c: char) -> bool {
    c == ' ' || c == '\t'
}

/// Plain and quoted (flow) scalars: lines are trimmed, a single break between two lines
/// becomes a space, and each empty line a newline.
fn flow(text: &str, base: usize, quote: Quote, out: &mut Cooked) -> Option<()> {
    let all = lines(text, base);
    let last = all.len() - 1;
    // The break before the current line: where its folded character maps, and whether an
    // escaped line break (`\` at the end of a double-quoted line) removed it.
    let mut pending: Vec<usize> = Vec::new();
    let mut prev_break: Option<usize> = None;
    let mut escaped_break = false;
    for (i, (start, line, brk)) in all.into_iter().enumerate() {
        let mut from = 0;
        let mut to = line.len();
        if i > 0 {
            from = line.len() - line.trim_start_matches(is_blank).len();
        }
        let ends_escaped = quote == Quote::Double && i < last && odd_backslashes(line);
        if i < last && !ends_escaped {
            to = line.trim_end_matches(is_blank).len().max(from);
        }
        let content = &line[from..to];
        if i > 0 && i < last && content.is_empty() && !escaped_break {
            pending.push(brk);
            continue;
        }
        if let Some(at) = prev_break {
            if escaped_break {
                // Empty lines after an escaped break still give newlines.
                for &p in &pending {
                    out.produce('\n', p);
                }
            } else if pending.is_empty() {
                out.produce(' ', at);
            } else {
                for &p in &pending {
                    out.produce('\n', p);
                }
            }
        }
        pending.clear();
        let content = if ends_escaped {
            &content[..content.len() - 1]
        } else {
            content
        };
        match quote {
            Quote::None => out.copy(content, start + from),
            Quote::Single => single(content, start + from, out),
            Quote::Double => double(content, start + from, out)?,
        }
        escaped_break = ends_escaped;
        prev_break = Some(brk);
    }
    Some(())
}

fn odd_backslashes(line: &str) -> bool {
    let n = line.len() - line.trim_end_matches('\\').len();
    n % 2 == 1
}

fn single(text: &str, base: usize, out: &mut Cooked) {
    let mut i = 0;
    while i < text.len() {
        if text[i..].starts_with("''") {
            out.produce('\'', base + i);
            i += 2;
        } else {
            let len = text[i..].chars().next().map_or(1, char::len_utf8);
            out.copy(&text[i..i + len], base + i);
            i += len;
        }
    }
}

fn double(text: &str, base: usize, out: &mut Cooked) -> Option<()> {
    let mut i = 0;
    while i < text.len() {
        let rest = &text[i..];
        let c = rest.chars().next()?;
        if c != '\\' {
            out.copy(&rest[..c.len_utf8()], base + i);
            i += c.len_utf8();
            continue;
        }
        let e = rest[1..].chars().next()?;
        let simple = match e {
            '0' => Some('\0'),
            'a' => Some('\u{7}'),
            'b' => Some('\u{8}'),
            't' | '\t' => Some('\t'),
            'n' => Some('\n'),
            'v' => Some('\u{b}'),
            'f' => Some('\u{c}'),
            'r' => Some('\r'),
            'e' => Some('\u{1b}'),
            ' ' => Some(' '),
            '"' => Some('"'),
            '/' => Some('/'),
            '\\' => Some('\\'),
            'N' => Some('\u{85}'),
            '_' => Some('\u{a0}'),
            'L' => Some('\u{2028}'),
            'P' => Some('\u{2029}'),
            _ => None,
        };
        if let Some(s) = simple {
            out.produce(s, base + i);
            i += 1 + e.len_utf8();
            continue;
        }
        let digits = match e {
            'x' => 2,
            'u' => 4,
            'U' => 8,
            _ => return None,
        };
        let hex = rest.get(2..2 + digits)?;
        let code = u32::from_str_radix(hex, 16).ok().and_then(char::from_u32)?;
        out.produce(code, base + i);
        i += 2 + digits;
    }
    Some(())
}

/// Literal (`|`) and folded (`>`) block scalars. `region` starts at the start of the
/// first content line; `indent` is the content's indentation. Trailing newlines are kept
/// as many as the value has (the chomping indicator decided that).
fn block(
    region: &str,
    base: usize,
    indent: usize,
    folded: bool,
    value: &str,
    out: &mut Cooked,
) -> Option<()> {
    let mut all = lines(region, base);
    if all.last().is_some_and(|(_, l, _)| l.is_empty()) && all.len() > 1 {
        all.pop();
    }
    // (content start, content, break offset), None for an empty line.
    let mut items: Vec<Option<(usize, &str, usize)>> = Vec::new();
    let mut breaks: Vec<usize> = Vec::new();
    for (start, line, brk) in all {
        breaks.push(brk);
        if line.len() <= indent && line.bytes().all(|b| b == b' ') {
            items.push(None);
        } else if line.get(..indent)?.bytes().all(|b| b == b' ') {
            items.push(Some((start + indent, &line[indent..], brk)));
        } else {
            return None;
        }
    }
    let Some(last_content) = items.iter().rposition(Option::is_some) else {
        // Only empty lines: the value is as many newlines as it keeps.
        for &b in breaks.iter().take(value.len()) {
            out.produce('\n', b);
        }
        return Some(());
    };
    let more_indented = |s: &str| s.starts_with(' ') || s.starts_with('\t');
    let mut prev: Option<(&str, usize)> = None;
    let mut empties: Vec<usize> = Vec::new();
    for (k, item) in items.iter().enumerate().take(last_content + 1) {
        let Some((start, text, brk)) = *item else {
            empties.push(breaks[k]);
            continue;
        };
        match prev {
            None => {
                for &e in &empties {
                    out.produce('\n', e);
                }
            }
            Some((prev_text, prev_brk)) => {
                let fold = folded && !more_indented(prev_text) && !more_indented(text);
                if !fold {
                    out.produce('\n', prev_brk);
                }
                if fold && empties.is_empty() {
                    out.produce(' ', prev_brk);
                }
                for &e in &empties {
                    out.produce('\n', e);
                }
            }
        }
        empties.clear();
        out.copy(text, start);
        prev = Some((text, brk));
    }
    // Trailing newlines: the last content line's break, then the empty lines after it.
    let keep = value.len() - value.trim_end_matches('\n').len();
    let mut trailing = Vec::new();
    if let Some((_, brk)) = prev {
        trailing.push(brk);
    }
    trailing.extend(breaks.iter().skip(last_content + 1).copied());
    for &b in trailing.iter().take(keep) {
        out.produce('\n', b);
    }
    Some(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Options, parse};

    /// The map of the value of `key` at the root, checked: every byte of the value that
    /// was copied as written is at its mapped offset in the source.
    fn map_of(text: &str, key: &str) -> (String, Vec<usize>) {
        let parsed = parse(text, &Options::default());
        assert!(parsed.problems.is_empty(), "{:?}", parsed.problems);
        let node = parsed.root().and_then(|r| r.get(key)).expect("key");
        let scalar = node.as_scalar().expect("scalar");
        let map = offsets(text, node.span, scalar).expect("a map");
        assert_eq!(map.len(), scalar.value.len() + 1);
        (scalar.value.clone(), map)
    }

    /// The source text each cooked character maps to, as (cooked char, source char).
    fn pairs(text: &str, key: &str) -> Vec<(char, char)> {
        let (value, map) = map_of(text, key);
        value
            .char_indices()
            .map(|(i, c)| (c, text[map[i]..].chars().next().unwrap_or('?')))
            .collect()
    }

    fn copied_exactly(text: &str, key: &str) {
        for (cooked, written) in pairs(text, key) {
            if cooked != ' ' && cooked != '\n' {
                assert_eq!(cooked, written, "in {text:?}");
            }
        }
    }

    #[test]
    fn plain_scalars_map_one_to_one_and_fold_to_the_break() {
        let text = "a: echo  $HOME\n";
        let (value, map) = map_of(text, "a");
        assert_eq!(value, "echo  $HOME");
        assert_eq!(map[0], 3);
        assert_eq!(&text[map[6]..map[6] + 5], "$HOME");
        assert_eq!(map[value.len()], text.len() - 1);
        let text = "a: echo one\n   two\n\n   three\n";
        let (value, map) = map_of(text, "a");
        assert_eq!(value, "echo one two\nthree");
        assert_eq!(text.as_bytes()[map[8]], b'\n'); // the folded space: the first break
        assert_eq!(&text[map[9]..map[9] + 3], "two");
        assert_eq!(text.as_bytes()[map[12]], b'\n'); // the empty line's break
        assert_eq!(&text[map[13]..map[13] + 5], "three");
        copied_exactly(text, "a");
        // A blank line holding spaces: its newline maps to its break.
        let text = "a: echo one\n   \n   two\n";
        let (value, map) = map_of(text, "a");
        assert_eq!(value, "echo one\ntwo");
        assert_eq!(map[8], text.find("   \n").expect("blank line") + 3);
    }

    #[test]
    fn single_quotes_map_doubled_quotes_to_their_first_quote() {
        let text = "a: 'it''s $X'\n";
        let (value, map) = map_of(text, "a");
        assert_eq!(value, "it's $X");
        assert_eq!(map[0], 4);
        assert_eq!(&text[map[2]..map[2] + 2], "''");
        assert_eq!(&text[map[3]..map[3] + 1], "s");
        assert_eq!(&text[map[5]..map[5] + 2], "$X");
        let text = "a: 'one\n  two  \n\n  three'\n";
        assert_eq!(map_of(text, "a").0, "one two\nthree");
        copied_exactly(text, "a");
    }

    #[test]
    fn double_quotes_map_escapes_to_their_backslash() {
        let text = "a: \"say \\\"hi\\\"\\tthen\\n$X \\u00e9\\x41\"\n";
        let (value, map) = map_of(text, "a");
        assert_eq!(value, "say \"hi\"\tthen\n$X éA");
        let at = |i: usize| &text[map[i]..];
        assert!(at(4).starts_with("\\\"hi"));
        assert!(at(5).starts_with("hi"));
        assert!(at(8).starts_with("\\tthen"));
        assert!(at(9).starts_with("then"));
        assert!(at(13).starts_with("\\n$X"));
        assert!(at(14).starts_with("$X"));
        let e = value.find('é').expect("é");
        assert!(at(e).starts_with("\\u00e9"));
        assert!(at(e + 1).starts_with("\\u00e9"));
        assert!(at(e + 2).starts_with("\\x41"));
    }

    #[test]
    fn double_quotes_fold_lines_and_join_escaped_breaks() {
        let text = "a: \"one\n  two\n\n  three \\\n   four\"\n";
        let (value, map) = map_of(text, "a");
        assert_eq!(value, "one two\nthree four");
        let four = value.find("four").expect("four");
        assert!(text[map[four]..].starts_with("four\""));
        let three = value.find("three").expect("three");
        assert!(text[map[three]..].starts_with("three"));
        copied_exactly(text, "a");
    }

    #[test]
    fn literal_blocks_strip_indentation_and_keep_breaks() {
        let text = "a: |\n  echo one\n    indented $X\n\n  last\nb: 1\n";
        let (value, map) = map_of(text, "a");
        assert_eq!(value, "echo one\n  indented $X\n\nlast\n");
        let x = value.find("$X").expect("$X");
        assert!(text[map[x]..].starts_with("$X\n"));
        let last = value.find("last").expect("last");
        assert!(text[map[last]..].starts_with("last\nb"));
        // Every newline maps to a newline.
        for (i, c) in value.char_indices() {
            if c == '\n' {
                assert_eq!(text.as_bytes()[map[i]], b'\n');
            }
        }
        copied_exactly(text, "a");
    }

    #[test]
    fn block_chomping_and_indentation_indicators() {
        for (text, want) in [
            ("a: |-\n  x\n\n", "x"),
            ("a: |+\n  x\n\n\nb: 1\n", "x\n\n\n"),
            ("a: |2-\n   lit\n   more\n\n", " lit\n more"),
            ("a: >2\n   lit\n   more\n", " lit\n more\n"),
            ("a: >-\n  fold\n  me\n", "fold me"),
            ("a: >+\n  x\n\n", "x\n\n"),
        ] {
            let (value, _) = map_of(text, "a");
            assert_eq!(value, want, "{text:?}");
            copied_exactly(text, "a");
        }
    }

    #[test]
    fn leading_empty_lines_and_anchors_of_blocks() {
        let text = "a: |\n\n  # first\n  run\n";
        let (value, map) = map_of(text, "a");
        assert_eq!(value, "\n# first\nrun\n");
        assert_eq!(text.as_bytes()[map[0]], b'\n');
        assert!(text[map[1]..].starts_with("# first"));
        let text = "a: &x |\n    if x; then\n      y\n    fi\n";
        let (value, map) = map_of(text, "a");
        assert_eq!(value, "if x; then\n  y\nfi\n");
        assert!(text[map[13]..].starts_with("y\n"));
        copied_exactly(text, "a");
    }

    #[test]
    fn folded_blocks_fold_normal_lines_only() {
        let text = "a: >\n  docker build\n  -t x .\n\n  next\n    kept\n  after\n";
        let (value, map) = map_of(text, "a");
        assert_eq!(value, "docker build -t x .\nnext\n  kept\nafter\n");
        let t = value.find("-t").expect("-t");
        assert!(text[map[t]..].starts_with("-t x"));
        // The folded space maps to the break it replaces.
        assert_eq!(text.as_bytes()[map[t - 1]], b'\n');
        let kept = value.find("  kept").expect("kept");
        assert!(text[map[kept]..].starts_with("  kept"));
        copied_exactly(text, "a");
    }

    #[test]
    fn properties_and_crlf_do_not_shift_the_map() {
        let text = "a: &x !!str 'q''s'\r\nb: |\r\n  one\r\n  two\r\n";
        let (value, map) = map_of(text, "a");
        assert_eq!(value, "q's");
        assert!(text[map[0]..].starts_with("q''s"));
        let (value, map) = map_of(text, "b");
        assert_eq!(value, "one\ntwo\n");
        assert!(text[map[4]..].starts_with("two\r\n"));
    }

    #[test]
    fn a_value_that_cannot_be_reproduced_has_no_map() {
        let scalar = Scalar {
            value: "other".into(),
            style: ScalarStyle::Plain,
        };
        assert_eq!(offsets("a: x\n", Span::new(3, 4), &scalar), None);
        assert_eq!(offsets("a", Span::new(3, 9), &scalar), None);
    }
}
