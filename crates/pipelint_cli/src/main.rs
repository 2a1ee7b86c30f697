//! `pipelint`: the command line. `check` for terminals and CI, `rules` and `rule ID` for the
//! catalog.

use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use pipelint_core::{CheckOptions, RuleMeta, Selection, Severity, registry};

use pipelint_cli::render::{self, FileReport, Format};
use pipelint_cli::{discover, workspace};

const EXAMPLES: &str = "\
Examples:
  pipelint check                              check the pipeline files under the current directory
  pipelint check bitbucket-pipelines.yml      check one file
  pipelint check --format json . > out.json   machine-readable output
  cat bitbucket-pipelines.yml | pipelint check - --stdin-filename bitbucket-pipelines.yml
  pipelint check --select docker/ --select v3/version-value
  pipelint rules                              list every rule
  pipelint rule docker/no-service             print a rule's documentation";

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
    /// Print the documentation of one rule.
    Rule {
        /// The rule id, e.g. `docker/no-service`.
        id: String,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum ListFormat {
    Text,
    Json,
}

#[derive(clap::Args)]
struct CheckArgs {
    /// Files or directories to check; `-` reads standard input. Directories are searched
    /// for `bitbucket-pipelines.yml`/`.yaml`, respecting .gitignore. Default: `.`.
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
        Command::Rules { format } => list_rules(format),
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
    let mut inputs: Vec<discover::Input> = Vec::new();
    for path in &paths {
        if path.as_os_str() == "-" {
            inputs.push(discover::Input::Stdin);
            continue;
        }
        match discover::find(path) {
            Ok(found) => {
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
    let mut reports = Vec::new();
    let mut failed_inputs = 0;
    for input in inputs {
        let (display, text) = match read_input(&input, args.stdin_filename.as_deref()) {
            Ok(ok) => ok,
            Err((display, message)) => {
                eprintln!("pipelint: {display}: {message}");
                failed_inputs += 1;
                continue;
            }
        };
        // A file in a repository on disk has a workspace around it: the rules that look at
        // files ask it.
        let files = match &input {
            discover::Input::File(path) => workspace::for_file(path),
            discover::Input::Stdin => None,
        };
        let opts = CheckOptions {
            select: select.clone(),
            path: Some(display.clone()),
            files,
            ..CheckOptions::default()
        };
        let analysis = pipelint_core::check(&text, &opts);
        reports.push(FileReport {
            path: display,
            source: text,
            diagnostics: analysis.diagnostics,
        });
    }

    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let rendered = render::render(args.format, &reports, color);
    let _ = out.write_all(rendered.as_bytes());
    let _ = out.flush();

    let errors = reports
        .iter()
        .flat_map(|r| &r.diagnostics)
        .any(|d| d.severity == Severity::Error);
    if failed_inputs > 0 && reports.is_empty() {
        ExitCode::from(2)
    } else if errors || failed_inputs > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
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
