//! The core of pipelint: the typed model of `bitbucket-pipelines.yml`, the schema check, the
//! rules and their registry, and [`check`], the one entry point the CLI and the language
//! server both call.
//!
//! Core does no IO, knows no terminal and no LSP. Every position in it is a byte span.

pub mod bamboo;
pub mod config;
pub mod context;
pub mod diagnostic;
pub mod fix;
pub mod kind;
pub mod launch;
pub mod model;
pub mod registry;
pub mod route;
pub mod rule;
pub mod rules;
pub mod schema;
pub mod settings;
pub mod share;
pub mod shell;
pub mod shellcheck;
pub mod suggest;
pub mod suppress;

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

pub use context::FileOracle;
pub use diagnostic::{Applicability, Diagnostic, Edit, Fix, Related, Severity};
pub use kind::FileKind;
pub use pipelint_yaml::{Parsed, Span};
pub use route::Route;
pub use rule::{Rule, RuleMeta};
pub use settings::{Plan, Settings};

use context::Context;

/// Where the rule documentation pages live.
pub const DOCS_BASE_URL: &str = "https://github.com/pipelint/pipelint/blob/main/docs/rules";

/// Which rules run.
#[derive(Clone, Debug, Default)]
pub enum Selection {
    /// Every rule.
    #[default]
    All,
    /// Only these ids or groups (`docker` or `docker/*` selects a group).
    Only(Vec<String>),
}

impl Selection {
    pub fn is_enabled(&self, id: &str) -> bool {
        match self {
            Selection::All => true,
            Selection::Only(list) => list.iter().any(|s| selects(s, id)),
        }
    }
}

/// Whether `pattern` (a rule id, a group `docker` or `docker/*`) covers the rule `id`.
pub(crate) fn selects(pattern: &str, id: &str) -> bool {
    let group = pattern.strip_suffix("/*").unwrap_or(pattern);
    // `id`'s group is the text before its first `/`. A byte scan: this runs for every rule
    // and pattern of every file checked.
    pattern == id
        || id.bytes().position(|b| b == b'/') == Some(group.len()) && id.starts_with(group)
}

/// What to check and how.
#[derive(Clone, Debug, Default)]
pub struct CheckOptions {
    pub settings: Settings,
    pub select: Selection,
    /// Rule ids whose severity the user changed.
    pub severities: HashMap<String, Severity>,
    /// Rule ids or groups turned off.
    pub disabled: Vec<String>,
    /// The file's path, for the rules that look at it and to tell the file's kind.
    pub path: Option<String>,
    /// What kind of file the text is. `None`: detected from `path`, then from the content
    /// (see [`kind`]).
    pub kind: Option<FileKind>,
    pub yaml: pipelint_yaml::Options,
    /// Reads the same-repository files that `import:` names (see [`share`]) and, for runner
    /// setups, the Docker configuration files they mount (see [`launch`]); without one,
    /// those files are not judged.
    pub resolver: Option<Arc<dyn share::Resolver>>,
    /// Answers whether files exist in the repository around the file (for
    /// `cache/key-files-missing`); `None` when there is no workspace to look at.
    pub files: Option<FileOracle>,
    /// Checks scripts with shellcheck for `script/shellcheck` (see [`shellcheck`]); without
    /// one that rule reports nothing.
    pub shellcheck: Option<Arc<dyn shellcheck::ShellChecker>>,
    /// How many threads the rules of this one file may run on (0 or 1: the calling thread
    /// only). The language server, which checks one file at a time, uses the cores; the
    /// CLI checks files in parallel instead. The result does not depend on it.
    pub threads: usize,
}

impl CheckOptions {
    /// Whether a rule runs: selected, and not turned off.
    pub fn is_enabled(&self, id: &str) -> bool {
        self.select.is_enabled(id) && !self.disabled.iter().any(|p| selects(p, id))
    }
}

/// Test support: the findings of `text` with only `rule` enabled.
#[cfg(test)]
pub(crate) fn check_only(rule: &str, text: &str) -> Vec<Diagnostic> {
    let opts = CheckOptions {
        select: Selection::Only(vec![rule.to_owned()]),
        ..CheckOptions::default()
    };
    check(text, &opts).diagnostics
}

/// The result of checking one text.
#[derive(Debug)]
pub struct Analysis {
    pub parsed: Parsed,
    /// Sorted by position, then rule.
    pub diagnostics: Vec<Diagnostic>,
    /// The same-repository files the imports led to and the resolver found, by their path
    /// as written under `definitions.imports`. The caller may check them too.
    pub followed: Vec<String>,
}

/// The kind of the file `opts` describe: as given, else by its path, else by its content.
/// A shell script is never parsed as YAML (its parse is empty).
/// The kind of the file when the options, its name or its text (a runner script) tell it
/// without parsing.
fn known_kind(source: &str, opts: &CheckOptions) -> Option<FileKind> {
    opts.kind
        .or_else(|| opts.path.as_deref().and_then(kind::from_path))
        .or_else(|| kind::is_script_text(source).then_some(FileKind::RunnerScript))
}

fn kind_and_parse(source: &str, opts: &CheckOptions) -> (FileKind, Parsed) {
    match known_kind(source, opts) {
        Some(FileKind::RunnerScript) => (FileKind::RunnerScript, Parsed::default()),
        Some(k) => (k, pipelint_yaml::parse(source, &opts.yaml)),
        None => {
            let parsed = pipelint_yaml::parse(source, &opts.yaml);
            (kind::from_content(source, &parsed), parsed)
        }
    }
}

/// Checks one file's text: a pipeline file, Bamboo specs or a runner setup (see [`kind`]).
/// Never fails and never panics on any input.
pub fn check(source: &str, opts: &CheckOptions) -> Analysis {
    let (kind, parsed) = kind_and_parse(source, opts);
    analyse(source, kind, parsed, opts)
}

/// [`check`] of a text already parsed with `opts.yaml` (by [`pipelint_yaml::parse`], or
/// kept up to date with [`pipelint_yaml::edit_scalar`]): the language server re-uses the
/// parse of the previous version when an edit allows. The result is that of [`check`].
pub fn check_parsed(source: &str, parsed: Parsed, opts: &CheckOptions) -> Analysis {
    let kind = match known_kind(source, opts) {
        // Runner scripts are not YAML, and a text over the size limit gets the one message
        // `check` gives it.
        Some(FileKind::RunnerScript) => return check(source, opts),
        _ if source.len() > opts.yaml.max_bytes => return check(source, opts),
        Some(k) => k,
        None => kind::from_content(source, &parsed),
    };
    analyse(source, kind, parsed, opts)
}

fn analyse(source: &str, kind: FileKind, parsed: Parsed, opts: &CheckOptions) -> Analysis {
    // A text too large to read gets that one message and nothing else.
    if let Some(p) = parsed
        .problems
        .iter()
        .find(|p| p.kind == pipelint_yaml::ProblemKind::TooLarge)
    {
        let diagnostics = vec![Diagnostic::new("yaml/syntax", p.span, p.message.clone())];
        return Analysis {
            parsed,
            diagnostics,
            followed: Vec::new(),
        };
    }
    let mut followed = Vec::new();
    let diagnostics = {
        let mut cx = Context::for_kind(source, opts.path.as_deref(), &parsed, &opts.settings, kind);
        cx.files = opts.files.as_ref();
        // Runner setups: the Docker configuration files they mount, read before the rules
        // run (rules do no IO).
        if let Some(resolver) = &opts.resolver {
            cx.mounted_configs = launch::read_configs(&cx.launches, resolver.as_ref());
        }
        cx.shellcheck = opts.shellcheck.as_deref();
        if let (Some(file), Some(resolver)) = (&cx.file, &opts.resolver) {
            cx.imported = share::follow(file, resolver.as_ref(), &opts.yaml);
        }
        followed.extend(
            cx.imported
                .iter()
                .filter(|i| i.parsed().is_some())
                .map(|i| i.path.clone()),
        );
        let out = run_rules(&cx, opts);
        finish(&cx, out, opts)
    };
    Analysis {
        parsed,
        diagnostics,
        followed,
    }
}

/// The findings of the enabled rules and of the schema pass, in registry order (the
/// schema's last), whatever the number of threads.
fn run_rules(cx: &Context<'_>, opts: &CheckOptions) -> Vec<Diagnostic> {
    // The jobs: each enabled rule, then the schema pass (`None`).
    let mut jobs: Vec<Option<&dyn Rule>> = registry::RULES
        .iter()
        .copied()
        .filter(|r| r.meta().checks(cx.kind) && opts.is_enabled(r.meta().id))
        .map(Some)
        .collect();
    if cx.kind == FileKind::Pipelines {
        jobs.push(None);
    }
    let run = |job: &Option<&dyn Rule>, out: &mut Vec<Diagnostic>| match job {
        Some(rule) => rule.check(cx, out),
        None => schema::check(cx, out),
    };
    let threads = opts.threads.clamp(1, jobs.len().max(1));
    if threads == 1 {
        let mut out = Vec::new();
        for job in &jobs {
            run(job, &mut out);
        }
        return out;
    }
    // The lists many rules share, made once here: made lazily by the first thread to ask,
    // the other would wait for it.
    if let Some(file) = &cx.file {
        file.items();
    }
    for step in cx.steps() {
        step.script_commands();
    }
    // Each thread takes the next job not taken yet, the schema pass first: it costs as
    // much as a third of the rules together, and taken last it would leave one thread
    // working alone. Each job's findings are kept apart and put back in job order.
    let schema = jobs.iter().position(Option::is_none);
    let order: Vec<usize> = (schema.into_iter())
        .chain((0..jobs.len()).filter(|&i| Some(i) != schema))
        .collect();
    let taken = AtomicUsize::new(0);
    std::thread::scope(|scope| {
        let run = &run;
        let jobs = &jobs;
        let (order, taken) = (&order, &taken);
        let work = move || -> Vec<(usize, Vec<Diagnostic>)> {
            let mut done = Vec::new();
            while let Some(&i) = order.get(taken.fetch_add(1, Ordering::Relaxed)) {
                let mut out = Vec::new();
                run(&jobs[i], &mut out);
                done.push((i, out));
            }
            done
        };
        let handles: Vec<_> = (1..threads).map(|_| scope.spawn(work)).collect();
        let mut all = work();
        for h in handles {
            match h.join() {
                Ok(part) => all.extend(part),
                // A rule panicked on that thread: let the caller see the panic, as it would
                // on one thread.
                Err(payload) => std::panic::resume_unwind(payload),
            }
        }
        all.sort_by_key(|(i, _)| *i);
        all.into_iter().flat_map(|(_, out)| out).collect()
    })
}

/// Filters by selection, turns alias sites into related locations, merges diagnostics
/// that differ only by the alias they were found through, fills in routes, and sorts.
fn finish(cx: &Context<'_>, diagnostics: Vec<Diagnostic>, opts: &CheckOptions) -> Vec<Diagnostic> {
    let mut out: Vec<Diagnostic> = Vec::with_capacity(diagnostics.len());
    let mut index: HashMap<(&'static str, Span, String), usize> = HashMap::new();
    for mut d in diagnostics {
        if !opts.is_enabled(d.rule) {
            continue;
        }
        let key = (d.rule, d.span, d.message.clone());
        if let Some(&i) = index.get(&key) {
            let kept = &mut out[i];
            for site in d.via {
                if !kept.via.contains(&site) {
                    kept.via.push(site);
                }
            }
            for r in d.related {
                if !kept.related.contains(&r) {
                    kept.related.push(r);
                }
            }
            continue;
        }
        if let Some(sev) = opts.severities.get(d.rule) {
            d.severity = *sev;
        }
        index.insert(key, out.len());
        out.push(d);
    }
    // Every suppression comment holds `pipelint:`; most files have none.
    let mut suppressions = if cx.source.contains("pipelint:") {
        let index = pipelint_yaml::LineIndex::new(cx.source);
        suppress::parse(cx.source, &index, &suppress::scalar_spans(cx.parsed))
    } else {
        Vec::new()
    };
    let mut out = if suppressions.is_empty() {
        out
    } else {
        let index = pipelint_yaml::LineIndex::new(cx.source);
        let multi_line = suppress::multi_line_scalars(cx.source, &index, cx.parsed);
        suppress::apply(
            cx.source,
            out,
            &mut suppressions,
            &index,
            &multi_line,
            &|id| opts.is_enabled(id),
        )
    };
    for d in &mut out {
        for site in &d.via {
            let name = cx.text(*site);
            d.related.push(Related {
                span: *site,
                message: format!("used here through `{name}`"),
            });
        }
        if d.route.is_empty() {
            // The document that holds the span (Bamboo specs have several).
            let doc = cx.parsed.documents.iter().find_map(|doc| {
                doc.root
                    .as_ref()
                    .filter(|r| r.span.contains_span(d.span) || doc.span.contains_span(d.span))
            });
            if let Some(root) = doc.or(cx.root) {
                d.route = Route::locate(root, d.span, d.via.first().copied());
            }
        }
    }
    out.sort_by(|a, b| {
        (a.span.start, a.span.end, a.rule, &a.message).cmp(&(
            b.span.start,
            b.span.end,
            b.rule,
            &b.message,
        ))
    });
    out
}

#[cfg(test)]
mod tests {
    use super::selects;

    #[test]
    fn a_pattern_selects_its_rule_or_its_group() {
        assert!(selects("docker/no-service", "docker/no-service"));
        assert!(selects("docker", "docker/no-service"));
        assert!(selects("docker/*", "docker/no-service"));
        assert!(!selects("dock", "docker/no-service"));
        assert!(!selects("docker/no", "docker/no-service"));
        assert!(!selects("docker-x", "docker/no-service"));
        assert!(!selects("script", "docker/no-service"));
        assert!(!selects("", "docker/no-service"));
    }
}
