//! The renderers CI systems read: SARIF 2.1.0, GitHub workflow commands, GitLab Code
//! Quality, JUnit XML, Checkstyle XML, and Bitbucket Code Insights (a report and its
//! annotations, as the Bitbucket Cloud REST API takes them).

use pipelint_core::{Applicability, Diagnostic, Severity, registry};
use serde_json::{Value, json};

use crate::render::{FileReport, Positions};

/// Where a diagnostic is, 1-based, columns in characters.
struct Region {
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
}

fn region(pos: &Positions<'_>, span: pipelint_yaml::Span) -> Region {
    let (line, column) = pos.at(span.start);
    let (end_line, end_column) = pos.at(span.end);
    Region {
        line,
        column,
        end_line,
        end_column,
    }
}

fn each<'a>(reports: &'a [FileReport]) -> impl Iterator<Item = (&'a FileReport, Positions<'a>)> {
    reports.iter().map(|r| (r, Positions::new(&r.source)))
}

// ---------------------------------------------------------------------------------------
// SARIF

/// SARIF 2.1.0: one run, every rule with its full description and help URI, results with
/// regions (columns in Unicode code points), related locations, logical locations (the
/// Bitbucket route) and fixes.
pub fn sarif(reports: &[FileReport]) -> String {
    // The rules that have results, in catalog order (ruleIndex points into this list).
    let metas: Vec<_> = registry::metas()
        .filter(|m| {
            reports
                .iter()
                .flat_map(|r| &r.diagnostics)
                .any(|d| d.rule == m.id)
        })
        .collect();
    let rules: Vec<Value> = metas
        .iter()
        .map(|m| {
            json!({
                "id": m.id,
                "name": m.id,
                "shortDescription": {"text": m.summary},
                "fullDescription": {"text": first_section(&m.docs())},
                "help": {"text": m.docs(), "markdown": m.docs()},
                "helpUri": m.url(),
                "defaultConfiguration": {"level": sarif_level(m.severity)},
                "properties": {"tags": [m.group()], "fixable": m.has_fix},
            })
        })
        .collect();
    let mut results = Vec::new();
    for (report, pos) in each(reports) {
        for d in &report.diagnostics {
            let r = region(&pos, d.span);
            let mut result = json!({
                "ruleId": d.rule,
                "level": sarif_level(d.severity),
                "message": {"text": message_with_help(d)},
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": {"uri": uri(&report.path)},
                        "region": sarif_region(&r),
                    },
                    "logicalLocations": [{"fullyQualifiedName": d.route.to_string(), "kind": "element"}],
                }],
            });
            if let Some(i) = metas.iter().position(|m| m.id == d.rule) {
                result["ruleIndex"] = json!(i);
            }
            if !d.related.is_empty() {
                result["relatedLocations"] = Value::Array(
                    d.related
                        .iter()
                        .enumerate()
                        .map(|(i, rel)| {
                            json!({
                                "id": i,
                                "message": {"text": rel.message},
                                "physicalLocation": {
                                    "artifactLocation": {"uri": uri(&report.path)},
                                    "region": sarif_region(&region(&pos, rel.span)),
                                },
                            })
                        })
                        .collect(),
                );
            }
            if let Some(fix) = &d.fix {
                let replacements: Vec<Value> = fix
                    .edits
                    .iter()
                    .map(|e| {
                        json!({
                            "deletedRegion": sarif_region(&region(&pos, e.span)),
                            "insertedContent": {"text": e.content},
                        })
                    })
                    .collect();
                result["fixes"] = json!([{
                    "description": {"text": fix.message},
                    "artifactChanges": [{"artifactLocation": {"uri": uri(&report.path)}, "replacements": replacements}],
                }]);
            }
            results.push(result);
        }
    }
    let log = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "pipelint",
                "version": env!("CARGO_PKG_VERSION"),
                "informationUri": "https://github.com/pipelint/pipelint",
                "rules": rules,
            }},
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    });
    let mut out = serde_json::to_string_pretty(&log).unwrap_or_default();
    out.push('\n');
    out
}

fn sarif_region(r: &Region) -> Value {
    json!({"startLine": r.line, "startColumn": r.column, "endLine": r.end_line, "endColumn": r.end_column})
}

fn sarif_level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// A path as a relative URI reference (forward slashes, spaces and `%` escaped).
fn uri(path: &str) -> String {
    let mut out = String::new();
    for ch in path.replace('\\', "/").chars() {
        match ch {
            ' ' => out.push_str("%20"),
            '%' => out.push_str("%25"),
            '#' => out.push_str("%23"),
            '?' => out.push_str("%3F"),
            '{' => out.push_str("%7B"),
            '}' => out.push_str("%7D"),
            _ => out.push(ch),
        }
    }
    out
}

/// The *What it does* section of a rule's docs, as one paragraph of text.
fn first_section(docs: &str) -> String {
    let body = docs
        .split("## What it does\n")
        .nth(1)
        .unwrap_or(docs)
        .split("\n## ")
        .next()
        .unwrap_or("");
    body.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn message_with_help(d: &Diagnostic) -> String {
    match &d.help {
        Some(help) => format!("{} (help: {})", d.message, help),
        None => d.message.clone(),
    }
}

// ---------------------------------------------------------------------------------------
// GitHub Actions

/// GitHub workflow commands: `::error file=...,line=...,col=...,endLine=...,endColumn=...,title=...::message`.
pub fn github(reports: &[FileReport]) -> String {
    let mut out = String::new();
    for (report, pos) in each(reports) {
        for d in &report.diagnostics {
            let r = region(&pos, d.span);
            let level = match d.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
                Severity::Info => "notice",
            };
            out.push_str(&format!(
                "::{level} file={},line={},col={},endLine={},endColumn={},title={}::{}\n",
                gh_property(&report.path),
                r.line,
                r.column,
                r.end_line,
                r.end_column,
                gh_property(&format!("pipelint {}", d.rule)),
                gh_data(&message_with_help(d)),
            ));
        }
    }
    out
}

fn gh_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

fn gh_property(s: &str) -> String {
    gh_data(s).replace(':', "%3A").replace(',', "%2C")
}

// ---------------------------------------------------------------------------------------
// GitLab

/// GitLab Code Quality: a JSON array of issues with a stable fingerprint.
pub fn gitlab(reports: &[FileReport]) -> String {
    let mut issues = Vec::new();
    for (report, pos) in each(reports) {
        for d in &report.diagnostics {
            let r = region(&pos, d.span);
            let severity = match d.severity {
                Severity::Error => "major",
                Severity::Warning => "minor",
                Severity::Info => "info",
            };
            issues.push(json!({
                "description": d.message,
                "check_name": d.rule,
                "fingerprint": fingerprint(&[&report.path, d.rule, &d.message, &d.route.to_string()]),
                "severity": severity,
                "location": {"path": report.path, "lines": {"begin": r.line, "end": r.end_line}},
            }));
        }
    }
    let mut out = serde_json::to_string_pretty(&Value::Array(issues)).unwrap_or_default();
    out.push('\n');
    out
}

/// 128 bits of FNV-1a over the parts, as hex: stable across runs and platforms.
fn fingerprint(parts: &[&str]) -> String {
    let mut a: u64 = 0xcbf2_9ce4_8422_2325;
    let mut b: u64 = 0x6c62_272e_07bb_0142;
    for part in parts {
        for byte in part.bytes().chain(std::iter::once(0)) {
            a = (a ^ u64::from(byte)).wrapping_mul(0x0000_0100_0000_01b3);
            b = (b ^ u64::from(byte))
                .wrapping_mul(0x0000_0100_0000_01b3)
                .rotate_left(5);
        }
    }
    format!("{a:016x}{b:016x}")
}

// ---------------------------------------------------------------------------------------
// JUnit and Checkstyle

/// JUnit XML: one test case per checked file, failing with its error and warning findings.
pub fn junit(reports: &[FileReport]) -> String {
    let failures = reports
        .iter()
        .filter(|r| {
            r.diagnostics
                .iter()
                .any(|d| d.severity >= Severity::Warning)
        })
        .count();
    let mut out = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"pipelint\" tests=\"{}\" failures=\"{failures}\">\n  <testsuite name=\"pipelint\" tests=\"{}\" failures=\"{failures}\" errors=\"0\" skipped=\"0\">\n",
        reports.len(),
        reports.len()
    );
    for (report, pos) in each(reports) {
        out.push_str(&format!(
            "    <testcase name=\"{}\" classname=\"pipelint\" file=\"{}\">\n",
            xml(&report.path),
            xml(&report.path)
        ));
        let failing: Vec<&Diagnostic> = report
            .diagnostics
            .iter()
            .filter(|d| d.severity >= Severity::Warning)
            .collect();
        if let Some(first) = failing.first() {
            let mut body = String::new();
            for d in &report.diagnostics {
                let r = region(&pos, d.span);
                body.push_str(&format!(
                    "{}:{}:{}: {} [{}] {}\n",
                    report.path,
                    r.line,
                    r.column,
                    d.severity.as_str(),
                    d.rule,
                    d.message
                ));
            }
            let summary = if failing.len() == 1 {
                first.message.clone()
            } else {
                format!("{} findings; first: {}", failing.len(), first.message)
            };
            out.push_str(&format!(
                "      <failure message=\"{}\" type=\"{}\">{}</failure>\n",
                xml(&summary),
                xml(first.rule),
                xml(&body)
            ));
        }
        out.push_str("    </testcase>\n");
    }
    out.push_str("  </testsuite>\n</testsuites>\n");
    out
}

/// Checkstyle XML.
pub fn checkstyle(reports: &[FileReport]) -> String {
    let mut out =
        String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<checkstyle version=\"4.3\">\n");
    for (report, pos) in each(reports) {
        out.push_str(&format!("  <file name=\"{}\">\n", xml(&report.path)));
        for d in &report.diagnostics {
            let r = region(&pos, d.span);
            out.push_str(&format!(
                "    <error line=\"{}\" column=\"{}\" severity=\"{}\" message=\"{}\" source=\"pipelint.{}\"/>\n",
                r.line,
                r.column,
                d.severity.as_str(),
                xml(&d.message),
                xml(d.rule)
            ));
        }
        out.push_str("  </file>\n");
    }
    out.push_str("</checkstyle>\n");
    out
}

fn xml(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\n' => out.push_str("&#10;"),
            c if (c as u32) < 0x20 && c != '\t' => {}
            c => out.push(c),
        }
    }
    out
}

// ---------------------------------------------------------------------------------------
// Bitbucket Code Insights

/// Bitbucket Cloud takes at most this many annotations per report.
pub const CODE_INSIGHTS_MAX_ANNOTATIONS: usize = 1000;

/// The Code Insights report object and its annotations (`report.json`,
/// `annotations.json`), as the Bitbucket Cloud REST API takes them.
pub fn code_insights(reports: &[FileReport]) -> (Value, Value) {
    let count = |s: Severity| {
        reports
            .iter()
            .flat_map(|r| &r.diagnostics)
            .filter(|d| d.severity == s)
            .count()
    };
    let (errors, warnings, infos) = (
        count(Severity::Error),
        count(Severity::Warning),
        count(Severity::Info),
    );
    let report = json!({
        "title": "pipelint",
        "details": format!(
            "Bitbucket Pipelines configuration checked by pipelint {}: {errors} errors, {warnings} warnings, {infos} infos in {} files.",
            env!("CARGO_PKG_VERSION"),
            reports.len()
        ),
        "report_type": "BUG",
        "reporter": "pipelint",
        "link": "https://github.com/pipelint/pipelint",
        "result": if errors > 0 { "FAILED" } else { "PASSED" },
        "data": [
            {"title": "Errors", "type": "NUMBER", "value": errors},
            {"title": "Warnings", "type": "NUMBER", "value": warnings},
            {"title": "Files checked", "type": "NUMBER", "value": reports.len()},
        ],
    });
    let mut annotations = Vec::new();
    for (report, pos) in each(reports) {
        for d in &report.diagnostics {
            if annotations.len() >= CODE_INSIGHTS_MAX_ANNOTATIONS {
                break;
            }
            let r = region(&pos, d.span);
            let (annotation_type, severity) = match d.severity {
                Severity::Error => ("BUG", "HIGH"),
                Severity::Warning => ("CODE_SMELL", "MEDIUM"),
                Severity::Info => ("CODE_SMELL", "LOW"),
            };
            let mut a = json!({
                "external_id": format!("pipelint-{}", fingerprint(&[&report.path, d.rule, &d.message, &r.line.to_string()])),
                "annotation_type": annotation_type,
                "severity": severity,
                "path": report.path,
                "line": r.line,
                "summary": truncate(&format!("[{}] {}", d.rule, d.message), 450),
            });
            if let Some(help) = &d.help {
                a["details"] = json!(truncate(help, 2000));
            }
            if let Some(meta) = registry::find(d.rule) {
                a["link"] = json!(meta.meta().url());
            }
            annotations.push(a);
        }
    }
    (report, Value::Array(annotations))
}

fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_owned();
    }
    let mut out: String = s.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

/// Whether any fix in these reports is safe (for the summary line).
pub fn safe_fix_count(reports: &[FileReport]) -> usize {
    reports
        .iter()
        .flat_map(|r| &r.diagnostics)
        .filter(|d| {
            d.fix
                .as_ref()
                .is_some_and(|f| f.applicability == Applicability::Safe)
        })
        .count()
}
