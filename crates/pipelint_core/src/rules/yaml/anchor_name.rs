use pipelint_yaml::{Node, ProblemKind, Span};

use crate::context::Context;
use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::rule::{Rule, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Reports an anchor (`&name`) or alias (`*name`) whose name, as written, holds one of
    /// the characters `[`, `]`, `{`, `}` or `,`.
    ///
    /// Inside a flow collection (`[*a, *b]`, `{x: *a}`) a `,`, `]` or `}` right after a
    /// name ends the item, as YAML wants, and is not reported.
    ///
    /// ## Why is this bad?
    /// Bitbucket's YAML parser ends an anchor name at these characters, so `&build,test`
    /// is not the anchor `build,test`: the rest of the text makes the file invalid, or the
    /// alias names an anchor that does not exist. The error Bitbucket shows is about the
    /// YAML around it, not about the name.
    ///
    /// ## Example
    /// ```yaml
    /// definitions:
    ///   steps:
    ///     - step: &build[linux]
    ///         script: [make]
    /// pipelines:
    ///   default:
    ///     - step: *build
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// definitions:
    ///   steps:
    ///     - step: &build-linux
    ///         script: [make]
    /// pipelines:
    ///   default:
    ///     - step: *build-linux
    /// ```
    ///
    /// ## Source
    /// Atlassian, "YAML anchors" (A-ANCHOR,
    /// <https://support.atlassian.com/bitbucket-cloud/docs/yaml-anchors/>): anchor names
    /// cannot contain `[`, `]`, `{`, `}` or `,`.
    pub struct AnchorName {
        id: "yaml/anchor-name",
        severity: Error,
        summary: "An anchor or alias name with `[`, `]`, `{`, `}` or `,` in it",
        fix: false,
    }
}

const FORBIDDEN: [char; 5] = ['[', ']', '{', '}', ','];

/// One anchor or alias written with a forbidden character in its name.
pub(crate) struct BadName {
    /// From the `&`/`*` to the end of the name as written.
    pub span: Span,
    pub anchor: bool,
    pub name: String,
    pub forbidden: char,
}

impl Rule for AnchorName {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for bad in bad_names(cx) {
            let what = if bad.anchor { "anchor" } else { "alias" };
            let sigil = if bad.anchor { '&' } else { '*' };
            let fixed = clean_name(&bad.name);
            out.push(
                Diagnostic::new(
                    Self::META.id,
                    bad.span,
                    format!(
                        "the {what} name `{}` contains `{}`; Bitbucket does not allow `[`, `]`, `{{`, `}}` or `,` in anchor names",
                        bad.name, bad.forbidden
                    ),
                )
                .help(format!(
                    "use letters, digits, `-` and `_` only, e.g. `{sigil}{fixed}`, and rename the anchor and every alias of it the same way"
                )),
            );
        }
    }
}

/// `build[linux]` → `build-linux`.
fn clean_name(name: &str) -> String {
    let replaced: String = name
        .chars()
        .map(|c| if FORBIDDEN.contains(&c) { '-' } else { c })
        .collect();
    let parts: Vec<&str> = replaced.split('-').filter(|p| !p.is_empty()).collect();
    if parts.is_empty() {
        "name".to_owned()
    } else {
        parts.join("-")
    }
}

/// Every anchor or alias with a forbidden character in its written name: those the YAML
/// layer read (the name stops right before the character), and those the parser stopped
/// at with a syntax error.
pub(crate) fn bad_names(cx: &Context<'_>) -> Vec<BadName> {
    // Needed only for a name with a forbidden character: most files have none, and
    // finding them walks the whole tree.
    let flows = std::cell::OnceCell::new();
    let flows = || flows.get_or_init(|| flow_spans(cx)).as_slice();
    let mut out: Vec<BadName> = Vec::new();
    let read = cx
        .parsed
        .anchors
        .iter()
        .map(|a| (a.span.start, true))
        .chain(cx.parsed.aliases.iter().map(|a| (a.span.start, false)));
    for (start, anchor) in read {
        if let Some(bad) = judge(cx.source, start, anchor, &flows)
            && !out.iter().any(|b| b.span == bad.span)
        {
            out.push(bad);
        }
    }
    for p in &cx.parsed.problems {
        if p.kind != ProblemKind::Syntax {
            continue;
        }
        let Some(start) = token_start(cx.source, p.span.start) else {
            continue;
        };
        let anchor = cx.source.as_bytes().get(start) == Some(&b'&');
        if let Some(bad) = judge(cx.source, start, anchor, &flows)
            && !out.iter().any(|b| b.span == bad.span)
        {
            out.push(bad);
        }
    }
    out.sort_by_key(|b| b.span.start);
    out
}

/// Whether a syntax error at `at` is explained by a bad anchor or alias name on its line
/// or the line before (the parser often stops on the next line).
pub(crate) fn explains_syntax_error(cx: &Context<'_>, at: usize) -> bool {
    let line_of = |offset: usize| {
        cx.source
            .get(..offset)
            .map_or(0, |s| s.bytes().filter(|b| *b == b'\n').count())
    };
    let line = line_of(at);
    bad_names(cx).iter().any(|b| {
        let l = line_of(b.span.start);
        b.span.start <= at && (l == line || l + 1 == line)
    })
}

/// The spans of flow collections (`[...]`, `{...}`) in the first document.
fn flow_spans(cx: &Context<'_>) -> Vec<Span> {
    let mut out = Vec::new();
    if let Some(root) = cx.root {
        root.walk(&mut |n: &Node| {
            if n.is_aliased() || n.as_scalar().is_some() {
                return;
            }
            if matches!(cx.source.as_bytes().get(n.span.start), Some(b'[' | b'{')) {
                out.push(n.span);
            }
        });
    }
    out
}

/// The start of the `&`/`*` token that holds `at`, when it stands where a node property
/// may: at the start of a line, after `- `, `: ` or `? `.
fn token_start(source: &str, at: usize) -> Option<usize> {
    let bytes = source.as_bytes();
    let mut i = at.min(bytes.len());
    while i > 0 && !matches!(bytes[i - 1], b' ' | b'\t' | b'\n' | b'\r') {
        i -= 1;
    }
    if !matches!(bytes.get(i), Some(b'&' | b'*')) {
        return None;
    }
    let line_start = source[..i].rfind('\n').map_or(0, |n| n + 1);
    let before = source[line_start..i].trim_end();
    let ok = before.is_empty()
        || before.ends_with(':')
        || before == "-"
        || before.ends_with(" -")
        || before == "?"
        || before.ends_with(" ?");
    ok.then_some(i)
}

/// Whether a `[` or `{` opened earlier on the line of `at` is still open there (a flow
/// collection the tree does not keep, such as the value of a merge key `<<: [*a, *b]`).
fn opens_flow_before(source: &str, at: usize) -> bool {
    let line_start = source[..at].rfind('\n').map_or(0, |n| n + 1);
    let mut depth = 0i32;
    let mut quote: Option<char> = None;
    for c in source[line_start..at].chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '\'' | '"') => quote = Some(c),
            (None, '[' | '{') => depth += 1,
            (None, ']' | '}') => depth -= 1,
            (None, '#') => break,
            _ => {}
        }
    }
    depth > 0
}

/// The token at `start` (`&name...` or `*name...`), when its written name holds a
/// forbidden character that is not just the end of a flow item.
fn judge<'f>(
    source: &str,
    start: usize,
    anchor: bool,
    flows: &dyn Fn() -> &'f [Span],
) -> Option<BadName> {
    let rest = source.get(start + 1..)?;
    let token_len = rest.find([' ', '\t', '\n', '\r']).unwrap_or(rest.len());
    let mut written = &rest[..token_len];
    // `&a,b: value` as a key: the colon is not part of the name.
    if let Some(stripped) = written.strip_suffix(':') {
        written = stripped;
    }
    let at = written.find(FORBIDDEN)?;
    if at == 0 {
        return None;
    }
    let forbidden = written[at..].chars().next()?;
    let in_flow = flows().iter().any(|f| f.start < start && start < f.end)
        || opens_flow_before(source, start);
    if in_flow {
        // `[*a, *b]`, `{k: *a}`: the name ends where the flow item does.
        if matches!(forbidden, ',' | ']' | '}') {
            return None;
        }
        // In a flow collection the name as written ends at its first separator.
        written = &written[..written[at..]
            .find([',', ']', '}'])
            .map_or(written.len(), |i| at + i)];
    }
    Some(BadName {
        span: Span::new(start, start + 1 + written.len()),
        anchor,
        name: written.to_owned(),
        forbidden,
    })
}

#[cfg(test)]
mod tests {
    use crate::{CheckOptions, Selection};

    fn run(text: &str) -> Vec<crate::Diagnostic> {
        let opts = CheckOptions {
            select: Selection::Only(vec![
                "yaml/anchor-name".to_owned(),
                "yaml/syntax".to_owned(),
            ]),
            ..CheckOptions::default()
        };
        crate::check(text, &opts).diagnostics
    }

    #[test]
    fn names_with_brackets_and_commas() {
        let text = "definitions:\n  steps:\n    - step: &build,test\n        script: [make]\n";
        let found = run(text);
        assert_eq!(found.len(), 1, "{found:#?}");
        assert_eq!(found[0].rule, "yaml/anchor-name");
        assert_eq!(&text[found[0].span.range()], "&build,test");
        assert!(
            found[0]
                .help
                .as_deref()
                .unwrap_or("")
                .contains("`&build-test`")
        );

        let text = "a: &x[1]\nb: *x\n";
        let found = run(text);
        assert_eq!(found.len(), 1, "{found:#?}");
        assert_eq!(&text[found[0].span.range()], "&x[1]");

        let text = "base: &b 1\nv: *b,c\n";
        let found = run(text);
        assert_eq!(found.len(), 1, "{found:#?}");
        assert!(found[0].message.starts_with("the alias name `b,c`"));
    }

    #[test]
    fn flow_separators_are_not_names() {
        for text in [
            "a: &a {x: 1}\nb: &b {y: 2}\nc:\n  <<: [*a,*b]\n",
            "a: &a 1\nb: [*a, *a]\nc: {k: *a}\n",
            "a: &a-1_x 1\nb: *a-1_x\n",
            "s:\n  - echo a &b,c\n",
        ] {
            assert!(run(text).is_empty(), "{text}: {:#?}", run(text));
        }
    }
}
