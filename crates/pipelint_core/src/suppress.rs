//! Suppression comments.
//!
//! `# pipelint: ignore[rule-id, other-id] reason` at the end of a line silences those
//! rules on that line; on a line of its own it silences them on the next line that holds
//! YAML. `# pipelint: ignore-file[rule-id]` silences them in the whole file. Ids may be
//! groups (`docker` or `docker/*`). An ignore that silences nothing is itself reported as
//! `suppression/unused`, with a fix that removes it, so stale ones do not pile up.
//!
//! A comment cannot stand inside a scalar (there a `#` is text), so a finding on a line
//! of a scalar written over several lines (a `|` or `>` block, a quoted or plain scalar
//! that wraps) is silenced by a suppression of the scalar's first line: the block's
//! header line (`script: |`), or the line where the quoted or plain scalar starts.

use pipelint_yaml::{LineIndex, Node, Span};

use crate::diagnostic::{Diagnostic, Edit, Fix};
use crate::{registry, selects, suggest};

/// One id in a suppression comment.
#[derive(Clone, Debug)]
pub struct Entry {
    /// The id or group as written.
    pub id: String,
    /// Where it is written.
    pub span: Span,
    used: bool,
}

/// One suppression comment.
#[derive(Clone, Debug)]
pub struct Suppression {
    /// The whole comment, from `#` to the end of the line.
    pub span: Span,
    /// The line it applies to (zero-based); `None` for `ignore-file`.
    pub line: Option<usize>,
    pub entries: Vec<Entry>,
    /// Whether the comment stands alone on its line.
    pub own_line: bool,
}

/// The suppression comments of a text. `scalars` are the spans of scalar values, inside
/// which a `#` is text, not a comment.
pub fn parse(source: &str, index: &LineIndex, scalars: &[Span]) -> Vec<Suppression> {
    let mut out = Vec::new();
    let mut offset = 0;
    let lines: Vec<&str> = source.split_inclusive('\n').collect();
    for (line_no, raw) in lines.iter().enumerate() {
        let line_start = offset;
        offset += raw.len();
        let line = raw.trim_end_matches(['\n', '\r']);
        let Some(at) = comment_start(line) else {
            continue;
        };
        let abs = line_start + at;
        if scalars.iter().any(|s| s.start < abs && abs < s.end) {
            continue;
        }
        let comment = &line[at..];
        let body = comment.trim_start_matches('#').trim_start();
        let Some(rest) = body.strip_prefix("pipelint:") else {
            continue;
        };
        let rest = rest.trim_start();
        let (file_wide, rest) = if let Some(r) = rest.strip_prefix("ignore-file") {
            (true, r)
        } else if let Some(r) = rest.strip_prefix("ignore") {
            (false, r)
        } else {
            continue;
        };
        let Some(inner) = rest.strip_prefix('[') else {
            continue;
        };
        let Some(close) = inner.find(']') else {
            continue;
        };
        let list_start = abs + (comment.len() - inner.len());
        let mut entries = Vec::new();
        let mut pos = 0;
        for part in inner[..close].split(',') {
            let trimmed = part.trim();
            if !trimmed.is_empty() {
                let lead = part.len() - part.trim_start().len();
                let start = list_start + pos + lead;
                entries.push(Entry {
                    id: trimmed.to_owned(),
                    span: Span::new(start, start + trimmed.len()),
                    used: false,
                });
            }
            pos += part.len() + 1;
        }
        let own_line = line[..at].trim().is_empty();
        let target = if file_wide {
            None
        } else if own_line {
            next_content_line(&lines, line_no + 1, index)
        } else {
            Some(line_no)
        };
        out.push(Suppression {
            span: Span::new(abs, line_start + line.len()),
            line: target.or(if file_wide { None } else { Some(line_no) }),
            entries,
            own_line,
        });
    }
    out
}

/// The first `#` of a line (without its line ending) that starts a comment: at the start
/// of the line or after white space, outside quotes. Lexical only: the caller checks that
/// it is not inside a scalar that began on an earlier line.
pub fn comment_start(line: &str) -> Option<usize> {
    let bytes = line.as_bytes();
    let mut quote: Option<u8> = None;
    for (i, &b) in bytes.iter().enumerate() {
        match (quote, b) {
            (Some(q), _) if b == q => quote = None,
            (Some(_), _) => {}
            (None, b'\'' | b'"')
                if i == 0
                    || matches!(
                        bytes[i - 1],
                        b' ' | b'\t' | b'[' | b'{' | b',' | b':' | b'-'
                    ) =>
            {
                quote = Some(b)
            }
            (None, b'#') if i == 0 || matches!(bytes[i - 1], b' ' | b'\t') => return Some(i),
            _ => {}
        }
    }
    None
}

fn next_content_line(lines: &[&str], from: usize, _index: &LineIndex) -> Option<usize> {
    (from..lines.len()).find(|&n| {
        let t = lines[n].trim();
        !t.is_empty() && !t.starts_with('#')
    })
}

/// The spans of every scalar written in the documents (not copies through aliases).
pub fn scalar_spans(parsed: &pipelint_yaml::Parsed) -> Vec<Span> {
    let mut spans = Vec::new();
    for doc in &parsed.documents {
        if let Some(root) = &doc.root {
            root.walk(&mut |n: &Node| {
                if n.as_scalar().is_some() && !n.is_aliased() && !n.span.is_empty() {
                    spans.push(n.span);
                }
            });
        }
    }
    spans
}

/// The scalars written over several lines, as their first line (a block scalar's header
/// line) and their last line, zero-based: the lines whose findings a suppression of the
/// first line covers.
pub fn multi_line_scalars(
    source: &str,
    index: &LineIndex,
    parsed: &pipelint_yaml::Parsed,
) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    for doc in &parsed.documents {
        if let Some(root) = &doc.root {
            root.walk(&mut |n: &Node| {
                let Some(scalar) = n.as_scalar() else { return };
                if n.is_aliased() || n.span.is_empty() {
                    return;
                }
                let Some(written) = source.get(n.span.range()) else {
                    return;
                };
                let first = if scalar.style.is_block() {
                    // The header (`|`, `>-`, perhaps with a comment) ends the text before
                    // the content.
                    let before = source[..n.span.start].trim_end();
                    index.line_of(before.len().saturating_sub(1))
                } else {
                    index.line_of(n.span.start)
                };
                let last = index.line_of(n.span.start + written.trim_end().len().saturating_sub(1));
                if last > first {
                    out.push((first, last));
                }
            });
        }
    }
    out
}

/// The line a suppression must be written for to cover a finding on `line`: the first
/// line of the multi-line scalar holding it, else the line itself.
pub fn target_line(line: usize, multi_line: &[(usize, usize)]) -> usize {
    multi_line
        .iter()
        .filter(|(first, last)| *first < line && line <= *last)
        .map(|(first, _)| *first)
        .min()
        .unwrap_or(line)
}

/// Drops the diagnostics that a suppression covers and reports the suppressions that
/// cover nothing. `multi_line` is [`multi_line_scalars`] of the text. `enabled` tells whether a rule ran (an ignore for a rule that did not
/// run is not called unused).
pub fn apply(
    source: &str,
    diagnostics: Vec<Diagnostic>,
    suppressions: &mut [Suppression],
    index: &LineIndex,
    multi_line: &[(usize, usize)],
    enabled: &dyn Fn(&str) -> bool,
) -> Vec<Diagnostic> {
    let mut kept = Vec::with_capacity(diagnostics.len());
    for d in diagnostics {
        let line = index.line_of(d.span.start);
        let target = target_line(line, multi_line);
        let mut silenced = false;
        for s in suppressions.iter_mut() {
            if s.line.is_some_and(|l| l != line && l != target) {
                continue;
            }
            for e in &mut s.entries {
                if selects(&e.id, d.rule) {
                    e.used = true;
                    silenced = true;
                }
            }
        }
        if !silenced {
            kept.push(d);
        }
    }
    if enabled(UNUSED) {
        for s in suppressions.iter() {
            for e in &s.entries {
                if e.used {
                    continue;
                }
                let known = registry::metas().any(|m| selects(&e.id, m.id));
                if known && !registry::metas().any(|m| selects(&e.id, m.id) && enabled(m.id)) {
                    continue;
                }
                kept.push(unused(source, s, e, known));
            }
        }
    }
    kept
}

const UNUSED: &str = "suppression/unused";

fn unused(source: &str, s: &Suppression, e: &Entry, known: bool) -> Diagnostic {
    let message = if known {
        format!("`{}` is ignored here, but it reports nothing here", e.id)
    } else {
        format!("`{}` is not a pipelint rule or group", e.id)
    };
    let d = Diagnostic::new(UNUSED, e.span, message);
    if let Some(best) = (!known)
        .then(|| suggest::closest(&e.id, registry::metas().map(|m| m.id)))
        .flatten()
    {
        return d.help(format!("did you mean `{best}`?")).fix(Fix::safe(
            format!("Use `{best}`"),
            vec![Edit::replace(e.span, best)],
        ));
    }
    let fix = if s.entries.len() == 1 {
        // Remove the whole comment (and the line, when the comment stands alone).
        let span = if s.own_line {
            let start = source[..s.span.start].rfind('\n').map_or(0, |i| i + 1);
            let end = source[s.span.end..]
                .find('\n')
                .map_or(source.len(), |i| s.span.end + i + 1);
            Span::new(start, end)
        } else {
            let trimmed = source[..s.span.start].trim_end_matches([' ', '\t']).len();
            Span::new(trimmed, s.span.end)
        };
        Edit::delete(span)
    } else {
        // Remove the id and one neighbouring comma.
        let after = &source[e.span.end..];
        let span = match after.find(|c: char| c != ' ') {
            Some(i) if after[i..].starts_with(',') => {
                let j = after[i + 1..]
                    .find(|c: char| c != ' ')
                    .map_or(i + 1, |k| i + 1 + k);
                Span::new(e.span.start, e.span.end + j)
            }
            _ => {
                let before = source[..e.span.start].trim_end_matches(' ');
                let comma = before.strip_suffix(',').map_or(e.span.start, str::len);
                Span::new(comma, e.span.end)
            }
        };
        Edit::delete(span)
    };
    d.fix(Fix::safe(
        format!("Remove the unused ignore of `{}`", e.id),
        vec![fix],
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_text(text: &str) -> Vec<Suppression> {
        let parsed = pipelint_yaml::parse(text, &Default::default());
        parse(text, &LineIndex::new(text), &scalar_spans(&parsed))
    }

    #[test]
    fn end_of_line_and_own_line_and_file() {
        let text = "a: 1 # pipelint: ignore[x/y, z] because\n# pipelint: ignore[q]\n\nb: 2\n# pipelint: ignore-file[docker]\n";
        let s = parse_text(text);
        assert_eq!(s.len(), 3);
        assert_eq!(s[0].line, Some(0));
        assert_eq!(
            s[0].entries
                .iter()
                .map(|e| e.id.as_str())
                .collect::<Vec<_>>(),
            ["x/y", "z"]
        );
        assert_eq!(&text[s[0].entries[1].span.range()], "z");
        assert_eq!(s[1].line, Some(3), "applies to the next line with YAML");
        assert_eq!(s[2].line, None);
    }

    #[test]
    fn multi_line_scalars_and_their_first_lines() {
        let text = "a:\n  - |\n    echo 1\n    echo 2\n  - >- # c\n    x\n  - \"q\n    r\"\n  - plain\n    more\n  - one\n";
        let parsed = pipelint_yaml::parse(text, &Default::default());
        let index = LineIndex::new(text);
        let multi = multi_line_scalars(text, &index, &parsed);
        assert_eq!(multi, [(1, 3), (4, 5), (6, 7), (8, 9)]);
        assert_eq!(target_line(5, &multi), 4, "the header holds a comment");
        assert_eq!(target_line(3, &multi), 1);
        assert_eq!(target_line(1, &multi), 1);
        assert_eq!(target_line(7, &multi), 6);
        assert_eq!(target_line(10, &multi), 10);
    }

    #[test]
    fn hashes_in_values_are_not_comments() {
        let text = "a: \"x # pipelint: ignore[x]\"\nb: |\n  echo # pipelint: ignore[y]\nc: 'it''s # pipelint: ignore[z]'\n";
        assert!(parse_text(text).is_empty());
    }
}

#[cfg(test)]
mod engine_tests {
    use crate::{CheckOptions, check};

    fn rules(text: &str) -> Vec<&'static str> {
        check(text, &CheckOptions::default())
            .diagnostics
            .iter()
            .filter(|d| d.severity > crate::Severity::Info)
            .map(|d| d.rule)
            .collect()
    }

    #[test]
    fn silences_on_the_line_and_the_line_below() {
        let base =
            "pipelines:\n  default:\n    - step:\n        script:\n          - docker build .\n";
        assert_eq!(rules(base), ["docker/no-service"]);
        let eol = base.replace(
            "docker build .",
            "docker build . # pipelint: ignore[docker/no-service] runner",
        );
        assert!(rules(&eol).is_empty(), "{:?}", rules(&eol));
        let above = base.replace(
            "          - docker",
            "          # pipelint: ignore[docker] reason\n          - docker",
        );
        assert!(rules(&above).is_empty(), "{:?}", rules(&above));
        let file = format!("# pipelint: ignore-file[docker/*]\n{base}");
        assert!(rules(&file).is_empty());
    }

    #[test]
    fn a_multi_line_scalar_is_silenced_from_its_first_line() {
        let base = "pipelines:\n  default:\n    - step:\n        script:\n          - |\n            set -e\n            docker build .\n";
        assert_eq!(rules(base), ["docker/no-service"]);
        let header = base.replace("- |", "- | # pipelint: ignore[docker/no-service] runner");
        assert!(rules(&header).is_empty(), "{:?}", rules(&header));
        let above = base.replace(
            "          - |",
            "          # pipelint: ignore[docker/no-service] runner\n          - |",
        );
        assert!(rules(&above).is_empty(), "{:?}", rules(&above));
        // A comment above the `script` key names another line.
        let elsewhere = base.replace(
            "        script:",
            "        # pipelint: ignore[docker/no-service]\n        script:",
        );
        assert!(rules(&elsewhere).contains(&"docker/no-service"));
    }

    #[test]
    fn stale_ignores_are_reported_with_a_fix() {
        let text = "pipelines:\n  default:\n    - step:\n        script: [make] # pipelint: ignore[docker/no-service, svc/undefined]\n";
        let analysis = check(text, &CheckOptions::default());
        let unused: Vec<_> = analysis
            .diagnostics
            .iter()
            .filter(|d| d.rule == "suppression/unused")
            .collect();
        assert_eq!(unused.len(), 2);
        let fixes: Vec<_> = unused.iter().filter_map(|d| d.fix.as_ref()).collect();
        let (fixed, n) = crate::fix::apply(text, fixes.iter().copied().take(1));
        assert_eq!(n, 1);
        assert!(fixed.contains("ignore[svc/undefined]"), "{fixed}");
        let (fixed, _) = crate::fix::apply(
            &fixed,
            check(&fixed, &CheckOptions::default())
                .diagnostics
                .iter()
                .filter_map(|d| d.fix.as_ref()),
        );
        assert_eq!(
            fixed,
            "pipelines:\n  default:\n    - step:\n        script: [make]\n"
        );
    }
}
