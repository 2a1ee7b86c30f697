use pipelint_yaml::ProblemKind;

use crate::context::Context;
use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::rule::{Rule, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Reports text that is not valid YAML, at the exact line and column where the parser
    /// stopped, with a hint for the usual causes: a merge-conflict marker, a `key: value`
    /// inside an unquoted command, a quote that is never closed, a line indented wrongly,
    /// or template syntax (`{% %}`) in a file that is rendered before use.
    ///
    /// ## Why is this bad?
    /// Bitbucket cannot read the file at all, so no pipeline runs, and its message only
    /// says the file is invalid. pipelint reads everything before the error and checks it
    /// too.
    ///
    /// ## Example
    /// ```yaml
    /// pipelines:
    ///   default:
    ///     - step:
    ///         name: Deploy: production
    ///         script: [make deploy]
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// pipelines:
    ///   default:
    ///     - step:
    ///         name: "Deploy: production"
    ///         script: [make deploy]
    /// ```
    ///
    /// ## Source
    /// The YAML 1.2 specification; Bitbucket's "Configure bitbucket-pipelines.yml".
    pub struct Syntax {
        id: "yaml/syntax",
        severity: Error,
        summary: "Text that is not valid YAML",
        fix: false,
        kinds: [Pipelines, BambooSpecs, RunnerCompose],
    }
}

impl Rule for Syntax {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for p in &cx.parsed.problems {
            let message = match p.kind {
                // A name like `&build,test` is `yaml/anchor-name`'s to explain.
                ProblemKind::Syntax
                    if super::anchor_name::explains_syntax_error(cx, p.span.start) =>
                {
                    continue;
                }
                ProblemKind::Syntax | ProblemKind::BadMerge => {
                    format!("invalid YAML: {}", p.message)
                }
                ProblemKind::TooDeep | ProblemKind::TooLarge => p.message.clone(),
                _ => continue,
            };
            // A merge-conflict marker is the real mistake wherever the parser stopped.
            if let Some(marker) = conflict_marker(cx.source, p.span.start) {
                out.push(
                    Diagnostic::new(Self::META.id, marker, "merge-conflict marker: the file still holds an unresolved Git conflict")
                        .help("resolve the conflict: keep the lines you want and delete the `<<<<<<<`, `=======` and `>>>>>>>` lines")
                        .related(p.span, format!("the YAML parser stops here: {}", p.message)),
                );
                continue;
            }
            let mut d = Diagnostic::new(Self::META.id, p.span, message);
            if let Some(hint) = hint(cx.source, p.span.start, &p.message) {
                d = d.help(hint);
            }
            if let Some(open) = unclosed_bracket(cx.source, p.span.start) {
                d = d.related(open, "this bracket is not closed");
            }
            out.push(d);
        }
    }
}

/// The first conflict-marker line up to the end of the error's line.
fn conflict_marker(source: &str, at: usize) -> Option<pipelint_yaml::Span> {
    let end = source[at.min(source.len())..]
        .find('\n')
        .map_or(source.len(), |i| at + i);
    if !has_marker(&source[..end]) {
        return None;
    }
    let mut offset = 0;
    for line in source[..end].split_inclusive('\n') {
        let text = line.trim_end_matches(['\n', '\r']);
        if text.starts_with("<<<<<<< ")
            || text == "<<<<<<<"
            || text == "======="
            || text.starts_with(">>>>>>> ")
        {
            return Some(pipelint_yaml::Span::new(offset, offset + text.len()));
        }
        offset += line.len();
    }
    None
}

/// Whether `text` holds the text of a merge-conflict marker anywhere: a quick search, so
/// that a long file without one is not read line by line.
fn has_marker(text: &str) -> bool {
    ["<<<<<<<", "=======", ">>>>>>>"]
        .iter()
        .any(|m| text.contains(m))
}

/// A `[` or `{` on the lines before `at` that is never closed before it (outside quotes).
fn unclosed_bracket(source: &str, at: usize) -> Option<pipelint_yaml::Span> {
    let bytes = &source.as_bytes()[..at.min(source.len())];
    let mut stack: Vec<usize> = Vec::new();
    // Quotes and comments end with their line, so a line is read from its start on its
    // own; while no bracket is open, only the lines with an opening one matter (found by a
    // quick search: most lines of a long file have none).
    let mut line = 0;
    while line < bytes.len() {
        let start = if stack.is_empty() {
            let Some(open) = memchr::memchr2(b'[', b'{', &bytes[line..]) else {
                break;
            };
            memchr::memrchr(b'\n', &bytes[line..line + open]).map_or(line, |i| line + i + 1)
        } else {
            line
        };
        let end = memchr::memchr(b'\n', &bytes[start..]).map_or(bytes.len(), |i| start + i + 1);
        brackets_on_line(bytes, start, end, &mut stack);
        line = end;
    }
    let open = *stack.first()?;
    // Only an opening bracket on an earlier line explains an error further down.
    source[open..at.min(source.len())]
        .contains('\n')
        .then_some(pipelint_yaml::Span::new(open, open + 1))
}

/// Opens and closes the brackets of `bytes[start..end]` (one line) on `stack`, outside
/// quotes and comments.
fn brackets_on_line(bytes: &[u8], start: usize, end: usize, stack: &mut Vec<usize>) {
    let mut quote: Option<u8> = None;
    for i in start..end {
        let b = bytes[i];
        match (quote, b) {
            (Some(q), _) if b == q => quote = None,
            (Some(_), _) => {}
            (None, b'\'' | b'"')
                if i == 0 || matches!(bytes[i - 1], b' ' | b'[' | b'{' | b',' | b':') =>
            {
                quote = Some(b)
            }
            (None, b'#') if i == 0 || matches!(bytes[i - 1], b' ' | b'\t') => return,
            (None, b'[' | b'{') => stack.push(i),
            (None, b']' | b'}') => {
                stack.pop();
            }
            _ => {}
        }
    }
}

/// A hint for the common causes of a syntax error at `at`.
fn hint(source: &str, at: usize, message: &str) -> Option<String> {
    let line_start = source[..at.min(source.len())]
        .rfind('\n')
        .map_or(0, |i| i + 1);
    // A conflict marker anywhere up to the error explains it.
    let before = &source[..line_start.max(at).min(source.len())];
    let after_line_end = source[at.min(source.len())..]
        .find('\n')
        .map_or(source.len(), |i| at + i);
    let upto = &source[..after_line_end];
    if has_marker(upto)
        && upto
            .lines()
            .any(|l| l.starts_with("<<<<<<<") || l.starts_with(">>>>>>>") || l == "=======")
    {
        return Some("the file holds a merge-conflict marker (`<<<<<<<`, `=======`, `>>>>>>>`); resolve the conflict and remove the markers".into());
    }
    if before.contains("{%") || upto.contains("{%") {
        return Some(
            "this file holds template syntax (`{% ... %}`); check the file the template renders"
                .into(),
        );
    }
    if message.contains("mapping values are not allowed") {
        return Some("a `: ` inside an unquoted value starts a mapping; quote the whole value, e.g. `- 'echo Status: ok'`".into());
    }
    if message.contains("quoted scalar") {
        return Some("a quote is not closed; close it, or quote the whole value with the other kind of quote".into());
    }
    if message.contains("expected <document start>") {
        return Some("the text before this point is not YAML; the file should start with a key such as `pipelines:`".into());
    }
    if message.contains("did not find expected key")
        || message.contains("invalid indentation")
        || message.contains("simple key expect ':'")
        || message.contains("did not find expected '-'")
    {
        return Some("check this line's indentation against the lines above: keys of one mapping line up, and list items start with `- ` at the same column".into());
    }
    if message.contains("flow sequence")
        || message.contains("flow mapping")
        || message.contains("':' indicator")
    {
        return Some(
            "a `[` or `{` is not closed, or a value in it holds an unquoted `,`, `[` or `{`".into(),
        );
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bracket_left_open_on_an_earlier_line() {
        let at = |text: &str| text.find("next").expect("in the text");
        let open = |text: &str| unclosed_bracket(text, at(text)).map(|s| s.start);
        // Open across lines: the outermost one.
        let text = "a: [1, {b: 2,\n  c: [3]\nnext: x\n";
        assert_eq!(open(text), Some(3));
        // Closed on a later line.
        assert_eq!(open("a: [1,\n  2]\nnext: x\n"), None);
        // Open on the error's own line only.
        assert_eq!(open("a: 1\nb: [next\n"), None);
        // In quotes and comments brackets mean nothing; quotes end with their line.
        assert_eq!(open("a: '[x'\nb: 1 # [\nnext\n"), None);
        assert_eq!(
            open("a: \"x\nb: [1,\nnext\n"),
            Some(text_offset("a: \"x\nb: [1,\nnext\n", "["))
        );
        // A closing bracket with none open is no matter.
        assert_eq!(
            open("a: ]\nb: {\nnext\n"),
            Some(text_offset("a: ]\nb: {\nnext\n", "{"))
        );
    }

    fn text_offset(text: &str, what: &str) -> usize {
        text.find(what).expect("in the text")
    }
}
