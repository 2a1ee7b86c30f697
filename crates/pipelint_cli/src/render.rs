//! Renderers: diagnostics to text for people (`human`), and JSON for tools.

use clap::ValueEnum;
use pipelint_core::{Diagnostic, Severity};
use pipelint_yaml::{ColumnUnit, LineIndex, Span};
use serde_json::{Value, json};
use unicode_width::UnicodeWidthStr;

use crate::formats;

#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
pub enum Format {
    /// For people: each finding with its source line underlined.
    Human,
    /// `path:line:col: severity [rule] message`, one line each.
    Concise,
    /// One JSON object (`{"version": 1, ...}`).
    Json,
    /// SARIF 2.1.0, for code scanning (GitHub, Azure DevOps, ...).
    Sarif,
    /// GitHub Actions workflow commands (annotations on the pull request).
    Github,
    /// GitLab Code Quality JSON.
    Gitlab,
    /// JUnit XML, one test case per file.
    Junit,
    /// Checkstyle XML.
    Checkstyle,
    /// Bitbucket Code Insights: with `--output DIR`, `report.json` and `annotations.json`.
    CodeInsights,
}

/// One checked file and its findings.
pub struct FileReport {
    pub path: String,
    pub source: String,
    pub diagnostics: Vec<Diagnostic>,
}

pub fn render(format: Format, reports: &[FileReport], color: bool) -> String {
    match format {
        Format::Human => human(reports, color),
        Format::Concise => concise(reports),
        Format::Json => {
            let mut s = serde_json::to_string_pretty(&json_report(reports)).unwrap_or_default();
            s.push('\n');
            s
        }
        Format::Sarif => formats::sarif(reports),
        Format::Github => formats::github(reports),
        Format::Gitlab => formats::gitlab(reports),
        Format::Junit => formats::junit(reports),
        Format::Checkstyle => formats::checkstyle(reports),
        Format::CodeInsights => {
            let (report, annotations) = formats::code_insights(reports);
            let mut s = serde_json::to_string_pretty(
                &serde_json::json!({"report": report, "annotations": annotations}),
            )
            .unwrap_or_default();
            s.push('\n');
            s
        }
    }
}

/// 1-based line and column (in characters) of a byte offset.
pub struct Positions<'a> {
    source: &'a str,
    index: LineIndex,
}

impl<'a> Positions<'a> {
    pub fn new(source: &'a str) -> Self {
        Positions {
            source,
            index: LineIndex::new(source),
        }
    }

    pub fn at(&self, offset: usize) -> (usize, usize) {
        let lc = self.index.line_col(self.source, offset, ColumnUnit::Char);
        (lc.line + 1, lc.col + 1)
    }

    pub fn line_text(&self, line1: usize) -> &'a str {
        &self.source[self.index.line_span(self.source, line1 - 1).range()]
    }
}

struct Style {
    on: bool,
}

impl Style {
    fn paint(&self, code: &str, text: &str) -> String {
        if self.on {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_owned()
        }
    }

    fn severity(&self, sev: Severity) -> String {
        let code = match sev {
            Severity::Error => "1;31",
            Severity::Warning => "1;33",
            Severity::Info => "1;36",
        };
        self.paint(code, sev.as_str())
    }
}

fn human(reports: &[FileReport], color: bool) -> String {
    let style = Style { on: color };
    let mut out = String::new();
    let (mut errors, mut warnings, mut infos) = (0, 0, 0);
    let mut files_with = 0;
    for report in reports {
        if !report.diagnostics.is_empty() {
            files_with += 1;
        }
        let pos = Positions::new(&report.source);
        for d in &report.diagnostics {
            match d.severity {
                Severity::Error => errors += 1,
                Severity::Warning => warnings += 1,
                Severity::Info => infos += 1,
            }
            let (line, col) = pos.at(d.span.start);
            out.push_str(&format!(
                "{}: {}[{}] {}\n",
                style.paint("1", &format!("{}:{line}:{col}", report.path)),
                style.severity(d.severity),
                d.rule,
                style.paint("1", &d.message)
            ));
            snippet(&mut out, &pos, d.span, line, &style);
            if let Some(help) = &d.help {
                // Continuation lines (YAML to write) are indented under the label.
                let help = help.replace('\n', "\n           ");
                out.push_str(&format!("   = {}: {help}\n", style.paint("1;32", "help")));
            }
            if let Some(fix) = &d.fix {
                let kind = match fix.applicability {
                    pipelint_core::Applicability::Safe => "fix",
                    pipelint_core::Applicability::Unsafe => "fix (unsafe)",
                };
                out.push_str(&format!(
                    "   = {}: {}\n",
                    style.paint("1;32", kind),
                    fix.message
                ));
            }
            for r in &d.related {
                let (l, c) = pos.at(r.span.start);
                out.push_str(&format!(
                    "   = {}: {}:{l}:{c}: {}\n",
                    style.paint("1;34", "note"),
                    report.path,
                    r.message
                ));
            }
            if !d.route.is_empty() {
                out.push_str(&format!(
                    "   = {}: [{}]\n",
                    style.paint("1;34", "at"),
                    d.route
                ));
            }
            out.push('\n');
        }
    }
    let total = errors + warnings + infos;
    let files = reports.len();
    let checked = if files == 1 {
        "1 file".to_owned()
    } else {
        format!("{files} files")
    };
    if total == 0 {
        out.push_str(&format!("No problems found in {checked}.\n"));
    } else {
        let mut parts = Vec::new();
        for (n, word) in [(errors, "error"), (warnings, "warning"), (infos, "info")] {
            if n > 0 {
                let plural = if n == 1 || word == "info" { "" } else { "s" };
                parts.push(format!("{n} {word}{plural}"));
            }
        }
        out.push_str(&format!(
            "Found {} in {files_with} of {checked}.\n",
            parts.join(", ")
        ));
    }
    out
}

/// The source line of the span's start with the span underlined (to the end of the line
/// when it goes on).
fn snippet(out: &mut String, pos: &Positions<'_>, span: Span, line: usize, style: &Style) {
    let text = pos.line_text(line);
    let gutter = line.to_string().len();
    let line_start = pos.index.line_start(line - 1);
    let rel_start = span.start.saturating_sub(line_start).min(text.len());
    let rel_end = span
        .end
        .saturating_sub(line_start)
        .clamp(rel_start, text.len());
    let shown = |s: &str| s.replace('\t', "    ");
    let prefix = shown(&text[..floor(text, rel_start)]);
    let marked = shown(&text[floor(text, rel_start)..floor(text, rel_end)]);
    let width = UnicodeWidthStr::width(marked.as_str()).max(1);
    let bar = style.paint("1;34", "|");
    out.push_str(&format!("{:gutter$} {bar}\n", ""));
    out.push_str(&format!(
        "{} {bar} {}\n",
        style.paint("1;34", &line.to_string()),
        shown(text)
    ));
    out.push_str(&format!(
        "{:gutter$} {bar} {}{}\n",
        "",
        " ".repeat(UnicodeWidthStr::width(prefix.as_str())),
        style.paint("1;31", &"^".repeat(width))
    ));
}

fn floor(text: &str, i: usize) -> usize {
    pipelint_yaml::text::floor_char_boundary(text, i)
}

fn concise(reports: &[FileReport]) -> String {
    let mut out = String::new();
    for report in reports {
        let pos = Positions::new(&report.source);
        for d in &report.diagnostics {
            let (line, col) = pos.at(d.span.start);
            out.push_str(&format!(
                "{}:{line}:{col}: {} [{}] {}\n",
                report.path,
                d.severity.as_str(),
                d.rule,
                d.message
            ));
        }
    }
    out
}

/// The JSON report: `{"version": 1, "files_checked": N, "diagnostics": [...]}`.
pub fn json_report(reports: &[FileReport]) -> Value {
    let mut diagnostics = Vec::new();
    for report in reports {
        let pos = Positions::new(&report.source);
        for d in &report.diagnostics {
            diagnostics.push(json_diagnostic(&report.path, &pos, d));
        }
    }
    json!({
        "version": 1,
        "files_checked": reports.len(),
        "diagnostics": diagnostics,
    })
}

fn json_diagnostic(path: &str, pos: &Positions<'_>, d: &Diagnostic) -> Value {
    let (line, column) = pos.at(d.span.start);
    let (end_line, end_column) = pos.at(d.span.end);
    let related: Vec<Value> = d
        .related
        .iter()
        .map(|r| {
            let (l, c) = pos.at(r.span.start);
            json!({"path": path, "line": l, "column": c, "message": r.message})
        })
        .collect();
    let fix = d.fix.as_ref().map(|f| {
        let edits: Vec<Value> = f
            .edits
            .iter()
            .map(|e| {
                let (l, c) = pos.at(e.span.start);
                let (el, ec) = pos.at(e.span.end);
                json!({"line": l, "column": c, "end_line": el, "end_column": ec, "content": e.content})
            })
            .collect();
        json!({"message": f.message, "applicability": f.applicability, "edits": edits})
    });
    json!({
        "path": path,
        "rule": d.rule,
        "severity": d.severity.as_str(),
        "message": d.message,
        "line": line,
        "column": column,
        "end_line": end_line,
        "end_column": end_column,
        "help": d.help,
        "related": related,
        "fix": fix,
        "route": d.route.to_string(),
        "url": pipelint_core::registry::find(d.rule).map(|r| r.meta().url()),
    })
}
