use pipelint_yaml::{LineIndex, Node, ProblemKind, Span};

use crate::context::Context;
use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::rule::{Rule, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Reports tab characters in the indentation of a line, including comment lines.
    /// Tabs inside multi-line values (a `|` script, for example) are content and are left
    /// alone.
    ///
    /// ## Why is this bad?
    /// YAML forbids tabs for indentation, and Atlassian's documentation asks for spaces
    /// only. Bitbucket rejects the file. pipelint reads each tab as one space so that it can
    /// check the rest of the file.
    ///
    /// ## Example
    /// ```yaml
    /// pipelines:
    ///   default:
    /// 	- step:
    ///         script: [make]
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// pipelines:
    ///   default:
    ///     - step:
    ///         script: [make]
    /// ```
    ///
    /// ## Source
    /// Atlassian, "Configure bitbucket-pipelines.yml": the file must be indented with
    /// spaces, not tabs.
    pub struct TabIndent {
        id: "yaml/tab-indent",
        severity: Error,
        summary: "A tab character in indentation",
        fix: false,
        kinds: [Pipelines, BambooSpecs, RunnerCompose],
    }
}

impl Rule for TabIndent {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        if !cx.source.contains('\t') {
            return;
        }
        let index = LineIndex::new(cx.source);
        let mut lines = Vec::new();
        for p in &cx.parsed.problems {
            if p.kind == ProblemKind::TabIndent {
                lines.push(index.line_of(p.span.start));
            }
        }
        // Tabs the parser tolerated (on comment and blank-with-content lines) that
        // Bitbucket's YAML 1.1 parser does not.
        let multiline = multiline_scalars(cx);
        for (line_no, line) in cx.source.split('\n').enumerate() {
            let indent = line.len() - line.trim_start_matches([' ', '\t']).len();
            let rest = line[indent..].trim_end_matches('\r');
            if !line[..indent].contains('\t') || rest.is_empty() || lines.contains(&line_no) {
                continue;
            }
            let start = index.line_start(line_no);
            if multiline.iter().any(|s| s.start < start && start < s.end) {
                continue;
            }
            lines.push(line_no);
        }
        lines.sort_unstable();
        lines.dedup();
        for line_no in lines {
            let start = index.line_start(line_no);
            let line = &cx.source[start..];
            let indent_len = line.len() - line.trim_start_matches([' ', '\t']).len();
            let first = line[..indent_len].find('\t').unwrap_or(0);
            let last = line[..indent_len].rfind('\t').unwrap_or(first);
            out.push(
                Diagnostic::new(
                    Self::META.id,
                    Span::new(start + first, start + last + 1),
                    "tab character in indentation; Bitbucket Pipelines files are indented with spaces only",
                )
                .help("replace the tab with spaces, lining the line up with its siblings"),
            );
        }
    }
}

/// Spans of scalars written over several lines: their lines are content, not indentation.
fn multiline_scalars(cx: &Context<'_>) -> Vec<Span> {
    let mut spans = Vec::new();
    for doc in &cx.parsed.documents {
        if let Some(root) = &doc.root {
            root.walk(&mut |n: &Node| {
                if n.as_scalar().is_some() && !n.is_aliased() && cx.text(n.span).contains('\n') {
                    spans.push(n.span);
                }
            });
        }
    }
    spans
}
