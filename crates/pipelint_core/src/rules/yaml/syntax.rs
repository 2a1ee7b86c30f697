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

/// A `[` or `{` on the lines before `at` that is never closed before it (outside quotes).
fn unclosed_bracket(source: &str, at: usize) -> Option<pipelint_yaml::Span> {
    let mut stack: Vec<usize> = Vec::new();
    let mut quote: Option<u8> = None;
    let bytes = source.as_bytes();
    let mut i = 0;
    while i < at.min(bytes.len()) {
        let b = bytes[i];
        match (quote, b) {
            (Some(q), _) if b == q => quote = None,
            (Some(_), _) => {}
            (None, b'\'' | b'"')
                if i == 0 || matches!(bytes[i - 1], b' ' | b'[' | b'{' | b',' | b':') =>
            {
                quote = Some(b)
            }
            (None, b'#') if i == 0 || matches!(bytes[i - 1], b' ' | b'\t') => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
                continue;
            }
            (None, b'[' | b'{') => stack.push(i),
            (None, b']' | b'}') => {
                stack.pop();
            }
            _ => {}
        }
        if b == b'\n' {
            quote = None;
        }
        i += 1;
    }
    let open = *stack.first()?;
    // Only an opening bracket on an earlier line explains an error further down.
    source[open..at.min(source.len())]
        .contains('\n')
        .then_some(pipelint_yaml::Span::new(open, open + 1))
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
    if upto
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
