//! The pipelint language server: the only crate that knows the Language Server Protocol.
//!
//! It keeps the open pipeline files (ropey, full and incremental sync), runs
//! [`pipelint_core::check`] on them (the CLI's entry point, so both report the same
//! diagnostics) and answers the editor: diagnostics pushed or pulled, quick fixes and
//! "fix all", hover from the schema and the typed model, outline, folding and selection
//! ranges, go to definition, references and rename of anchors, services, caches and custom
//! pipelines, completion, and inlay hints.
//!
//! Module map:
//! - [`transport`]: stdio framing in front of `tower-lsp-server`, so that a malformed
//!   message gets an error answer instead of stopping the server;
//! - [`server`]: the `LanguageServer` implementation, state, settings and publishing;
//! - [`document`], [`position`]: text, versions, edits and the negotiated column encoding;
//! - [`config`]: the client settings; [`project`]: the configuration file, imports and
//!   files around a document on disk (shared with the CLI through `pipelint_fs`);
//! - [`cursor`], [`schema_nav`], [`render`]: what is under the cursor, the JSON schema
//!   walked along a YAML route, and nodes written back as YAML;
//! - one module per feature: [`diagnostics`], [`actions`], [`hover`], [`outline`],
//!   [`navigate`], [`complete`], [`hints`];
//! - [`effective`]: the custom request `pipelint/effectivePipeline` (the file with its
//!   anchors and merges expanded).
//!
//! Nothing here panics on client input: positions are clamped, unknown documents get
//! empty answers, and every analysis and feature runs under `catch_unwind`, with a caught
//! panic reported through `window/logMessage`.

pub mod actions;
pub mod complete;
pub mod config;
pub mod cursor;
pub mod diagnostics;
pub mod document;
pub mod effective;
pub mod hints;
pub mod hover;
pub mod navigate;
pub mod outline;
pub mod position;
pub mod project;
pub mod render;
pub mod schema_nav;
pub mod server;
pub mod transport;

use std::process::ExitCode;
use std::sync::{Arc, OnceLock};

use pipelint_core::shellcheck::ShellChecker;

/// The shellcheck runner the binary hands the server (see [`run_with_shellcheck`]); it
/// caches by script content, so an edit starts processes only for the scripts it changed.
static SHELLCHECK: OnceLock<Arc<dyn ShellChecker>> = OnceLock::new();

/// The shellcheck runner for `script/shellcheck`, when the server was given one.
pub fn shellcheck() -> Option<Arc<dyn ShellChecker>> {
    SHELLCHECK.get().cloned()
}

/// [`run`], with a shellcheck runner for `script/shellcheck`.
pub fn run_with_shellcheck(checker: Arc<dyn ShellChecker>) -> ExitCode {
    let _ = SHELLCHECK.set(checker);
    run()
}

/// Runs the language server over stdin and stdout until the client says `exit` (or closes
/// the input). Exits with 0 after `shutdown` + `exit`, 1 when the input ended or `exit`
/// came without `shutdown` (as LSP asks), 2 when the runtime could not start.
pub fn run() -> ExitCode {
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("pipelint lsp: cannot start the async runtime: {e}");
            return ExitCode::from(2);
        }
    };
    let clean = runtime.block_on(transport::serve_stdio());
    // Reading stdin blocks a thread that cannot be interrupted; do not wait for it.
    runtime.shutdown_background();
    if clean {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}
