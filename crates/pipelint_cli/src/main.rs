//! `pipelint`: the command line. `check` for terminals and CI, `rules` and `rule ID` for the
//! catalog.

use std::collections::{HashMap, HashSet};
use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use clap::{Parser, Subcommand, ValueEnum};
use pipelint_core::{CheckOptions, RuleMeta, Selection, Severity, registry};

use pipelint_cli::render::{self, FileReport, Format};
use pipelint_cli::resolve::DirResolver;
use pipelint_cli::{discover, parallel, workspace};

/// jemalloc instead of the system allocator (where it builds): a check allocates many small
/// nodes, which jemalloc serves faster, and its background thread gives freed memory back
/// to the system within seconds, so the language server shrinks again when documents are
/// closed (glibc's allocator keeps what it once had). The settings are built in by
/// `.cargo/config.toml` (`JEMALLOC_SYS_WITH_MALLOC_CONF`).
#[cfg(not(target_env = "msvc"))]
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

const EXAMPLES: &str = "\
Examples:
  pipelint check                              check the pipeline files under the current directory
  pipelint check bitbucket-pipelines.yml      check one file
  pipelint check --format json . > out.json   machine-readable output
  cat bitbucket-pipelines.yml | pipelint check - --stdin-filename bitbucket-pipelines.yml
  pipelint check --select docker/ --select v3/version-value
  pipelint rules                              list every rule
  pipelint rule docker/no-service             print a rule's documentation
  pipelint lsp   run the language server on stdio";

#[derive(Parser)]
#[command(
    name = "pipelint",
    version,
    about = "A linter and language server for Bitbucket Pipelines configuration",
    after_help = EXAMPLES
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Check pipeline files and report what is wrong.
    #[command(after_help = EXAMPLES)]
    Check(CheckArgs),
    /// List every rule.
    Rules {
        /// Output format.
        #[arg(long, value_enum, default_value_t = ListFormat::Text)]
        format: ListFormat,
    },
    /// Show the configuration that applies to a path.
    Config {
        /// Print the effective configuration (settings and every rule's level).
        #[arg(long)]
        show: bool,
        /// The file or folder whose configuration to show. Default: `.`.
        path: Option<PathBuf>,
        /// Use this configuration file instead of searching for one.
        #[arg(long, value_name = "FILE")]
        config: Option<PathBuf>,
    },
    /// Print the documentation of one rule.
    Rule {
        /// The rule id, e.g. `docker/no-service`.
        id: String,
    },
    /// Run the language server over stdio.
    Lsp,
}

#[derive(Clone, Copy, ValueEnum)]
enum ListFormat {
    Text,
    Json,
}

#[derive(clap::Args)]
struct CheckArgs {
    /// Files or directories to check; `-` reads standard input. Directories are searched
    /// for `bitbucket-pipelines.yml`/`.yaml` and for shared configuration files
    /// (`*pipelines.yml` with `export` or `definitions.pipelines`), respecting .gitignore.
    /// Same-repository files that `import:` names are checked too. Default: `.`.
    paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
    /// The file name to report for standard input.
    #[arg(long)]
    stdin_filename: Option<String>,
    /// Only run these rules: ids (`docker/no-service`) or groups (`docker/`, `docker/*`).
    /// Repeatable.
    #[arg(long, value_name = "RULE")]
    select: Vec<String>,
    /// Colors in human output.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    color: ColorChoice,
    /// Apply the safe fixes to the files (atomically; comments, line endings and a BOM are
    /// kept), then report what is left.
    #[arg(long)]
    fix: bool,
    /// With `--fix` or `--diff`, apply the unsafe fixes too.
    #[arg(long)]
    unsafe_fixes: bool,
    /// Print the fixes as a unified diff instead of writing them; exit 1 if there are any.
    #[arg(long, conflicts_with = "fix")]
    diff: bool,
    /// Use this configuration file instead of searching for `pipelint.toml` or
    /// `.pipelint.toml` from each checked file's folder up to the repository root.
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Write the output to this file instead of standard output; for `code-insights`, a
    /// directory that receives `report.json` and `annotations.json`.
    #[arg(long, value_name = "PATH")]
    output: Option<PathBuf>,
    /// Exit 0 even when findings are reported (2 still means pipelint could not run).
    #[arg(long)]
    exit_zero: bool,
    /// The lowest severity that makes the exit status 1.
    #[arg(long, value_enum, default_value_t = FailOn::Error)]
    fail_on: FailOn,
    /// Read and parse the files, run no rule, print nothing (the floor `bench/compare`
    /// measures the full check against).
    #[arg(long, hide = true)]
    parse_only: bool,
    /// How many files to check at once. Default (or 0): `PIPELINT_THREADS`, else one per
    /// core. `--fix` always checks one file after another.
    #[arg(long, hide = true, value_name = "N")]
    threads: Option<usize>,
}

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
enum FailOn {
    Error,
    Warning,
    Info,
}

impl FailOn {
    fn severity(self) -> Severity {
        match self {
            FailOn::Error => Severity::Error,
            FailOn::Warning => Severity::Warning,
            FailOn::Info => Severity::Info,
        }
    }
}

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
enum ColorChoice {
    Auto,
    Always,
    Never,
}

/// Files larger than this are refused with a message, not read.
const MAX_FILE_BYTES: u64 = 8 * 1024 * 1024;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    match cli.command {
        Command::Check(args) => check(args),
        // The server runs shellcheck when it is on PATH; without it, script/shellcheck is
        // quiet in the editor.
        Command::Lsp => match pipelint_cli::shellcheck::ProcessChecker::find(None) {
            Ok(checker) => pipelint_lsp::run_with_shellcheck(Arc::new(checker)),
            Err(_) => pipelint_lsp::run(),
        },
        Command::Rules { format } => list_rules(format),
        Command::Config { show, path, config } => show_config(show, path, config),
        Command::Rule { id } => match registry::find(&id) {
            Some(rule) => {
                let meta = rule.meta();
                print_out(&format!(
                    "# {}\n\n{}\n\nDefault severity: {}. Fix: {}.\n\n",
                    meta.id,
                    meta.docs().trim_end(),
                    meta.severity.as_str(),
                    if meta.has_fix { "yes" } else { "no" }
                ));
                ExitCode::SUCCESS
            }
            None => {
                eprintln!("pipelint: no rule `{id}`; `pipelint rules` lists them");
                if let Some(best) =
                    pipelint_core::suggest::closest(&id, registry::metas().map(|m| m.id))
                {
                    eprintln!("did you mean `{best}`?");
                }
                ExitCode::from(2)
            }
        },
    }
}

fn show_config(show: bool, path: Option<PathBuf>, explicit: Option<PathBuf>) -> ExitCode {
    if !show {
        eprintln!("pipelint: `pipelint config` needs `--show`");
        return ExitCode::from(2);
    }
    let path = path.unwrap_or_else(|| PathBuf::from("."));
    let dir = if path.is_dir() {
        path.clone()
    } else {
        path.parent()
            .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
    };
    let mut cache = pipelint_cli::config::Cache::new(explicit);
    match cache.for_dir(&dir) {
        Ok(Some(c)) => {
            let rel = c.relative(&path);
            print_out(&format!(
                "# configuration: {}
{}",
                c.path.display(),
                c.config.show(&rel)
            ));
            ExitCode::SUCCESS
        }
        Ok(None) => {
            let config = pipelint_core::config::Config::default();
            print_out(&format!(
                "# configuration: none found (pipelint.toml or .pipelint.toml from {} up to the repository root); defaults apply
{}",
                dir.display(),
                config.show(&path.to_string_lossy())
            ));
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("pipelint: {message}");
            ExitCode::from(2)
        }
    }
}

fn list_rules(format: ListFormat) -> ExitCode {
    let metas: Vec<&RuleMeta> = registry::metas().collect();
    match format {
        ListFormat::Json => {
            let list: Vec<_> = metas
                .iter()
                .map(|m| {
                    serde_json::json!({
                        "id": m.id,
                        "severity": m.severity.as_str(),
                        "summary": m.summary,
                        "has_fix": m.has_fix,
                        "url": m.url(),
                    })
                })
                .collect();
            print_out(&format!(
                "{}\n",
                serde_json::to_string_pretty(&list).unwrap_or_default()
            ));
        }
        ListFormat::Text => {
            let width = metas.iter().map(|m| m.id.len()).max().unwrap_or(0);
            let mut text = String::new();
            for m in metas {
                text.push_str(&format!(
                    "{:width$}  {:7}  {}{}\n",
                    m.id,
                    m.severity.as_str(),
                    m.summary,
                    if m.has_fix { " (fix)" } else { "" }
                ));
            }
            print_out(&text);
        }
    }
    ExitCode::SUCCESS
}

/// Writes to stdout, ignoring a closed pipe (`pipelint rules | head`).
fn print_out(text: &str) {
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(text.as_bytes());
    let _ = out.flush();
}

fn check(args: CheckArgs) -> ExitCode {
    let select = if args.select.is_empty() {
        Selection::All
    } else {
        for s in &args.select {
            let group = s.trim_end_matches('*').trim_end_matches('/');
            if registry::find(s).is_none() && !registry::metas().any(|m| m.group() == group) {
                eprintln!(
                    "pipelint: --select {s}: no such rule or group; `pipelint rules` lists them"
                );
                return ExitCode::from(2);
            }
        }
        Selection::Only(
            args.select
                .iter()
                .map(|s| s.trim_end_matches('/').to_owned())
                .collect(),
        )
    };
    let paths = if args.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.paths.clone()
    };
    let mut configs = pipelint_cli::config::Cache::new(args.config.clone());
    let mut shellcheckers = pipelint_cli::shellcheck::Checkers::default();
    let mut inputs: Vec<discover::Input> = Vec::new();
    for path in &paths {
        if path.as_os_str() == "-" {
            inputs.push(discover::Input::Stdin);
            continue;
        }
        match discover::find(path) {
            Ok(mut found) => {
                if path.is_dir() {
                    // A directory search skips the files the configuration ignores.
                    let mut kept = Vec::with_capacity(found.len());
                    for file in found {
                        let dir = file.parent().unwrap_or(Path::new("."));
                        match configs.for_dir(dir) {
                            Ok(Some(c)) if c.config.is_ignored(&c.relative(&file)) => {}
                            Ok(_) => kept.push(file),
                            Err(message) => {
                                eprintln!("pipelint: {message}");
                                return ExitCode::from(2);
                            }
                        }
                    }
                    found = kept;
                }
                if found.is_empty() && path.is_dir() {
                    eprintln!(
                        "pipelint: no bitbucket-pipelines.yml under {}",
                        path.display()
                    );
                }
                inputs.extend(found.into_iter().map(discover::Input::File));
            }
            Err(e) => {
                eprintln!("pipelint: {}: {e}", path.display());
                return ExitCode::from(2);
            }
        }
    }

    let color = match args.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none()
        }
    };
    // `--fix` rewrites files that other files' checks may read through `import:`, so it
    // keeps to one file after another; otherwise files are checked on every core. The
    // count of cores is asked only when there is more than one file (it reads cgroup files).
    let cores = std::cell::OnceCell::new();
    let threads_for = |files: usize| {
        if files <= 1 || args.fix {
            1
        } else {
            *cores.get_or_init(|| parallel::threads(args.threads))
        }
    };
    if args.parse_only {
        let threads = threads_for(inputs.len());
        return parse_only(inputs, args.stdin_filename.as_deref(), threads);
    }
    let mut reports = Vec::new();
    let mut failed_inputs = 0;
    let mut diffs = String::new();
    let (mut fixable, mut fixed_count) = (0, 0);
    let mut stdin_fixed = false;
    // Files are checked once each, also when a search finds a file that an import names.
    let mut seen: HashSet<PathBuf> = HashSet::new();
    // Per directory: the repository that imports are read from, and the workspace the
    // rules that look at files ask (listed once, on the first question).
    type Around = (DirResolver, Option<pipelint_core::FileOracle>);
    let mut around_dirs: HashMap<PathBuf, Around> = HashMap::new();
    // The files are checked in waves: the inputs, then the files their imports name, then
    // the files those name... Within a wave files are read and checked on several threads,
    // and everything else (which file was seen, configuration, messages, the order of the
    // reports) happens on this thread in the wave's order, so the output is the same as
    // one thread's, whatever the threads' timing.
    let mut wave: Vec<(discover::Input, Option<DirResolver>)> =
        inputs.into_iter().map(|i| (i, None)).collect();
    while !wave.is_empty() {
        let threads = threads_for(wave.len());
        let stdin_name = args.stdin_filename.as_deref();
        let read = parallel::map(wave.iter().collect(), threads, |(input, _)| match input {
            discover::Input::File(path) => Some((
                std::fs::canonicalize(path).unwrap_or_else(|_| path.clone()),
                read_input(input, stdin_name),
            )),
            discover::Input::Stdin => None,
        });
        let mut jobs: Vec<Job> = Vec::with_capacity(wave.len());
        let mut fatal = None;
        for ((input, repo), read) in std::mem::take(&mut wave).into_iter().zip(read) {
            let read = match read {
                Some((canonical, read)) => {
                    if !seen.insert(canonical) {
                        continue;
                    }
                    read
                }
                // Standard input is read here, on this thread, when its turn comes.
                None => read_input(&input, stdin_name),
            };
            let (display, text) = match read {
                Ok(ok) => ok,
                Err((display, message)) => {
                    jobs.push(Job::Unreadable(format!("pipelint: {display}: {message}")));
                    continue;
                }
            };
            // Imports are paths from the repository root: the directory of the checked file
            // (of the importing file, for a file reached through an import). A file in a
            // repository on disk has a workspace around it: the rules that look at files
            // ask it.
            let (dir_repo, files) = match &input {
                discover::Input::File(path) => {
                    let dir = path.parent().unwrap_or(Path::new("."));
                    let (r, f) = around_dirs.entry(dir.to_path_buf()).or_insert_with(|| {
                        (DirResolver::for_file(path), workspace::for_file(path))
                    });
                    (Some(r.clone()), f.clone())
                }
                discover::Input::Stdin => (None, None),
            };
            let repo = repo.or(dir_repo).unwrap_or_else(|| match stdin_name {
                Some(name) => DirResolver::for_file(Path::new(name)),
                None => DirResolver::new(Path::new(".")),
            });
            let mut opts = CheckOptions {
                select: select.clone(),
                path: Some(display.clone()),
                resolver: Some(Arc::new(repo.clone())),
                files,
                ..CheckOptions::default()
            };
            let (config_dir, file_path) = match &input {
                // A bare file name's parent is "": the current directory.
                discover::Input::File(p) => (
                    p.parent()
                        .filter(|d| !d.as_os_str().is_empty())
                        .unwrap_or(Path::new("."))
                        .to_path_buf(),
                    p.clone(),
                ),
                discover::Input::Stdin => (PathBuf::from("."), PathBuf::from(&display)),
            };
            match configs.for_dir(&config_dir) {
                Ok(Some(c)) => c.config.apply(&mut opts, &c.relative(&file_path)),
                Ok(None) => {}
                Err(message) => {
                    // Reported after the files before this one, which are still checked
                    // (and, with `--fix`, fixed) as they would be one after another.
                    fatal = Some(message);
                    break;
                }
            }
            if opts.is_enabled("script/shellcheck") {
                opts.shellcheck = shellcheckers
                    .get(opts.settings.shellcheck_path.as_deref())
                    .map(|c| c as Arc<dyn pipelint_core::shellcheck::ShellChecker>);
            }
            jobs.push(Job::Check(Box::new(Prepared {
                input,
                display,
                text,
                repo,
                opts,
                note: shellcheckers.take_note(),
            })));
        }
        let fix = FixMode {
            fix: args.fix,
            diff: args.diff,
            unsafe_fixes: args.unsafe_fixes,
        };
        for done in parallel::map(jobs, threads, |job| run_job(job, fix)) {
            for line in &done.stderr {
                eprintln!("{line}");
            }
            if let Some(fixed) = &done.stdout {
                print_out(fixed);
            }
            failed_inputs += done.failed;
            diffs.push_str(&done.diff);
            fixable += done.fixable;
            fixed_count += done.fixed;
            stdin_fixed |= done.stdin_fixed;
            wave.extend(done.follow);
            reports.extend(done.report);
        }
        if let Some(message) = fatal {
            eprintln!("pipelint: {message}");
            return ExitCode::from(2);
        }
    }
    shellcheckers.report_errors();

    if args.diff {
        print_out(&diffs);
        eprintln!(
            "pipelint: {fixable} fix{} would be applied",
            if fixable == 1 { "" } else { "es" }
        );
        return if failed_inputs > 0 {
            ExitCode::from(2)
        } else if fixable > 0 {
            ExitCode::from(1)
        } else {
            ExitCode::SUCCESS
        };
    }
    if args.fix {
        eprintln!(
            "pipelint: fixed {fixed_count} problem{}",
            if fixed_count == 1 { "" } else { "s" }
        );
    }
    if !stdin_fixed && let Err(message) = write_output(&args, &reports, color) {
        eprintln!("pipelint: {message}");
        return ExitCode::from(2);
    }

    let failing = reports
        .iter()
        .flat_map(|r| &r.diagnostics)
        .any(|d| d.severity >= args.fail_on.severity());
    if failed_inputs > 0 && reports.is_empty() {
        ExitCode::from(2)
    } else if (failing || failed_inputs > 0) && !args.exit_zero {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// One input of a wave, ready for a thread: read, configured, or not readable.
enum Job {
    /// The message saying why it could not be read.
    Unreadable(String),
    Check(Box<Prepared>),
}

struct Prepared {
    input: discover::Input,
    display: String,
    text: String,
    repo: DirResolver,
    opts: CheckOptions,
    /// A line for standard error before this file's own (shellcheck not found).
    note: Option<String>,
}

#[derive(Clone, Copy)]
struct FixMode {
    fix: bool,
    diff: bool,
    unsafe_fixes: bool,
}

/// What checking one input gave, for the main thread to report in order.
#[derive(Default)]
struct Done {
    /// Lines for standard error, in order.
    stderr: Vec<String>,
    /// Fixed standard input, for standard output.
    stdout: Option<String>,
    failed: usize,
    diff: String,
    fixable: usize,
    fixed: usize,
    stdin_fixed: bool,
    report: Option<FileReport>,
    /// The files its imports name, for the next wave.
    follow: Vec<(discover::Input, Option<DirResolver>)>,
}

/// Fixes (with `--fix`/`--diff`) and checks one input. Runs on any thread: it prints
/// nothing, and says in [`Done`] what to print.
fn run_job(job: Job, mode: FixMode) -> Done {
    let job = match job {
        Job::Unreadable(message) => {
            return Done {
                stderr: vec![message],
                failed: 1,
                ..Done::default()
            };
        }
        Job::Check(job) => *job,
    };
    let Prepared {
        input,
        display,
        mut text,
        repo,
        opts,
        note,
    } = job;
    let mut done = Done {
        stderr: note.into_iter().collect(),
        ..Done::default()
    };
    if mode.fix || mode.diff {
        let (fixed, applied) = pipelint_core::fix::fix_all(&text, &opts, mode.unsafe_fixes);
        if applied > 0 {
            if mode.diff {
                done.diff = pipelint_cli::fixer::unified_diff(&display, &text, &fixed);
                done.fixable = applied;
            } else if let discover::Input::File(path) = &input {
                match std::fs::read(path) {
                    Ok(bytes) => {
                        let original = pipelint_cli::fixer::Original {
                            bom: bytes.starts_with("\u{feff}".as_bytes()),
                            bytes,
                        };
                        match pipelint_cli::fixer::write_atomically(path, &original, &fixed) {
                            Ok(()) => {
                                done.fixed = applied;
                                text = fixed;
                            }
                            Err(message) => {
                                done.stderr.push(format!("pipelint: {display}: {message}"));
                                done.failed += 1;
                            }
                        }
                    }
                    Err(e) => {
                        done.stderr.push(format!(
                            "pipelint: {display}: cannot read it again before writing: {e}"
                        ));
                        done.failed += 1;
                    }
                }
            } else {
                // Standard input: the fixed text goes to standard output.
                done.stdout = Some(fixed.clone());
                done.fixed = applied;
                text = fixed;
                done.stdin_fixed = true;
            }
        }
    }
    let analysis = pipelint_core::check(&text, &opts);
    for relative in &analysis.followed {
        if let Some(path) = repo.path_of(relative) {
            done.follow
                .push((discover::Input::File(path), Some(repo.clone())));
        }
    }
    done.report = Some(FileReport {
        path: display,
        source: text,
        diagnostics: analysis.diagnostics,
    });
    done
}

/// `check --parse-only`: reads and parses every input into the span tree, runs no rule and
/// prints nothing but the inputs that could not be read. Exit 0 when all were read.
fn parse_only(inputs: Vec<discover::Input>, stdin_name: Option<&str>, threads: usize) -> ExitCode {
    let yaml = CheckOptions::default().yaml;
    let results = parallel::map(inputs, threads, |input| {
        let (_, text) = read_input(&input, stdin_name)?;
        let parsed = pipelint_yaml::parse(&text, &yaml);
        std::hint::black_box(&parsed);
        Ok(())
    });
    let mut failed = false;
    for result in results {
        if let Err((display, message)) = result {
            eprintln!("pipelint: {display}: {message}");
            failed = true;
        }
    }
    if failed {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    }
}

/// Writes the rendered output to stdout, a file, or (Code Insights) a directory.
fn write_output(args: &CheckArgs, reports: &[FileReport], color: bool) -> Result<(), String> {
    match (&args.output, args.format) {
        (Some(dir), Format::CodeInsights) => {
            std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
            let (report, annotations) = pipelint_cli::formats::code_insights(reports);
            for (name, value) in [("report.json", report), ("annotations.json", annotations)] {
                let path = dir.join(name);
                let text = serde_json::to_string_pretty(&value).unwrap_or_default() + "\n";
                std::fs::write(&path, text).map_err(|e| format!("{}: {e}", path.display()))?;
            }
            Ok(())
        }
        (Some(path), format) => {
            let rendered = render::render(format, reports, false);
            std::fs::write(path, rendered).map_err(|e| format!("{}: {e}", path.display()))
        }
        (None, format) => {
            print_out(&render::render(format, reports, color));
            Ok(())
        }
    }
}

/// Reads a file or stdin as UTF-8, with a message for the user on failure.
fn read_input(
    input: &discover::Input,
    stdin_name: Option<&str>,
) -> Result<(String, String), (String, String)> {
    match input {
        discover::Input::Stdin => {
            let name = stdin_name.unwrap_or("<stdin>").to_owned();
            let mut bytes = Vec::new();
            if let Err(e) = std::io::stdin()
                .take(MAX_FILE_BYTES + 1)
                .read_to_end(&mut bytes)
            {
                return Err((name, format!("cannot read standard input: {e}")));
            }
            decode(name, bytes)
        }
        discover::Input::File(path) => {
            let name = display_path(path);
            match std::fs::metadata(path) {
                Ok(meta) if meta.len() > MAX_FILE_BYTES => {
                    return Err((
                        name,
                        format!(
                            "the file is {} bytes; pipelint reads pipeline files up to {} bytes",
                            meta.len(),
                            MAX_FILE_BYTES
                        ),
                    ));
                }
                Ok(_) => {}
                Err(e) => return Err((name, format!("cannot read: {e}"))),
            }
            match std::fs::read(path) {
                Ok(bytes) => decode(name, bytes),
                Err(e) => Err((name, format!("cannot read: {e}"))),
            }
        }
    }
}

fn decode(name: String, bytes: Vec<u8>) -> Result<(String, String), (String, String)> {
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err((
            name,
            format!("the input is larger than {MAX_FILE_BYTES} bytes; pipelint does not read it"),
        ));
    }
    match String::from_utf8(bytes) {
        Ok(mut text) => {
            // A byte-order mark is not part of the YAML; columns count from after it.
            if let Some(rest) = text.strip_prefix('\u{feff}') {
                text = rest.to_owned();
            }
            if text.contains('\0') {
                return Err((
                    name,
                    "the file holds NUL bytes; it looks binary, not like YAML".into(),
                ));
            }
            Ok((name, text))
        }
        Err(e) => {
            let at = e.utf8_error().valid_up_to();
            let bytes = e.into_bytes();
            let line = bytes[..at].iter().filter(|b| **b == b'\n').count() + 1;
            Err((
                name,
                format!(
                    "the file is not valid UTF-8 (first bad byte at offset {at}, line {line}); pipeline files must be UTF-8"
                ),
            ))
        }
    }
}

fn display_path(path: &Path) -> String {
    let s = path.to_string_lossy();
    s.strip_prefix("./").unwrap_or(&s).to_owned()
}
