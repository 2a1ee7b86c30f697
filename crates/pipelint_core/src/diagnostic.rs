//! What a check reports: [`Diagnostic`], with its severity, place, help, related places and
//! an optional [`Fix`]. Positions are byte spans; lines and columns are the renderers' job.

use pipelint_yaml::{Node, Span};
use serde::Serialize;

use crate::route::Route;

/// How bad a finding is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }

    /// Parses `error`, `warning`/`warn` or `info`.
    pub fn parse(s: &str) -> Option<Severity> {
        match s {
            "error" => Some(Severity::Error),
            "warning" | "warn" => Some(Severity::Warning),
            "info" => Some(Severity::Info),
            _ => None,
        }
    }
}

/// Another place that explains a diagnostic (the anchor of an alias, the first of two
/// duplicate keys).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Related {
    pub span: Span,
    pub message: String,
}

/// Whether a fix may be applied without a person looking at it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Applicability {
    /// Changes only what the message names, keeps meaning otherwise: `--fix` applies it.
    Safe,
    /// May change behaviour: applied only with `--unsafe-fixes`.
    Unsafe,
}

/// Replace the bytes of `span` with `content`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Edit {
    pub span: Span,
    pub content: String,
}

impl Edit {
    pub fn replace(span: Span, content: impl Into<String>) -> Self {
        Edit {
            span,
            content: content.into(),
        }
    }

    pub fn delete(span: Span) -> Self {
        Edit::replace(span, "")
    }

    pub fn insert(at: usize, content: impl Into<String>) -> Self {
        Edit::replace(Span::empty(at), content)
    }
}

/// A set of edits that together repair one diagnostic.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fix {
    /// What the fix does, imperative: "Quote the version".
    pub message: String,
    pub edits: Vec<Edit>,
    pub applicability: Applicability,
}

impl Fix {
    pub fn safe(message: impl Into<String>, edits: Vec<Edit>) -> Self {
        Fix {
            message: message.into(),
            edits,
            applicability: Applicability::Safe,
        }
    }

    pub fn unsafe_(message: impl Into<String>, edits: Vec<Edit>) -> Self {
        Fix {
            message: message.into(),
            edits,
            applicability: Applicability::Unsafe,
        }
    }
}

/// One finding.
#[derive(Clone, Debug, PartialEq)]
pub struct Diagnostic {
    /// The rule id, as in `docker/no-service`.
    pub rule: &'static str,
    pub severity: Severity,
    pub message: String,
    /// Where the text is that is wrong.
    pub span: Span,
    /// What to write instead.
    pub help: Option<String>,
    pub related: Vec<Related>,
    pub fix: Option<Fix>,
    /// Bitbucket's path to the place (`pipelines > default > 0 > step > script > 2`).
    pub route: Route,
    /// The alias sites through which the reported node was used, when it came through one.
    /// They become related locations; diagnostics that differ only here are merged.
    pub(crate) via: Vec<Span>,
}

impl Diagnostic {
    /// A diagnostic at a span, with the rule's default severity filled in by the engine.
    pub fn new(rule: &'static str, span: Span, message: impl Into<String>) -> Self {
        Diagnostic {
            rule,
            severity: crate::registry::default_severity(rule),
            message: message.into(),
            span,
            help: None,
            related: Vec::new(),
            fix: None,
            route: Route::default(),
            via: Vec::new(),
        }
    }

    /// A diagnostic at a node: where its text is written, remembering the alias it was
    /// used through.
    pub fn at(rule: &'static str, node: &Node, message: impl Into<String>) -> Self {
        let mut d = Diagnostic::new(rule, node.span, message);
        if let Some(site) = node.via.first() {
            d.via.push(*site);
        }
        d
    }

    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn related(mut self, span: Span, message: impl Into<String>) -> Self {
        self.related.push(Related {
            span,
            message: message.into(),
        });
        self
    }

    /// Suggests renaming the text at `span` (written `from`) to `to`: the help line says so
    /// and a safe fix does it.
    pub fn rename(self, span: Span, from: &str, to: &str) -> Self {
        self.help(format!("rename it to `{to}`")).fix(Fix::safe(
            format!("Rename `{from}` to `{to}`"),
            vec![Edit::replace(span, to)],
        ))
    }

    pub fn fix(mut self, fix: Fix) -> Self {
        self.fix = Some(fix);
        self
    }

    pub fn severity(mut self, severity: Severity) -> Self {
        self.severity = severity;
        self
    }

    /// Judged in the context of an alias use: the step that uses an anchored block through
    /// `*name` is where the problem is, though the text stands in the anchor.
    pub fn via(mut self, site: Span) -> Self {
        if !self.via.contains(&site) {
            self.via.push(site);
        }
        self
    }
}
