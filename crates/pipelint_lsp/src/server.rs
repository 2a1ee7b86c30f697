//! The `LanguageServer` implementation: state, settings, diagnostics publishing and the
//! dispatch of each request to its feature module.
//!
//! Handlers run one at a time (`concurrency_level(1)`), so document changes apply in the
//! order they came. No handler awaits a request to the client (that would deadlock the
//! single worker); such requests (`workspace/configuration`, refreshes) run in spawned
//! tasks. State sits behind a `std::sync::Mutex` that is never held across an `await`;
//! features work on an immutable [`Snapshot`] taken under it.
//!
//! Diagnostics: when the client supports pull diagnostics (`textDocument/diagnostic`)
//! they are only answered when asked; otherwise they are pushed after each change by a
//! spawned task that yields once and publishes only if the version it was scheduled for
//! is still the latest. A burst of changes thus ends in one publication for the last
//! version, while an isolated edit is published at once. Publications are serialized by an
//! async lock, so an older version is never sent after a newer one.
//!
//! The project's configuration file, imports and files come from [`Project`]: a change of
//! a configuration file (reported by a file watcher the server registers when the client
//! can, or found on open and save otherwise) re-checks every open document, and its
//! problems are shown to the user once.

use std::collections::HashMap;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use serde_json::Value;
use tower_lsp_server::jsonrpc::{Error, Result};
use tower_lsp_server::ls_types::*;
use tower_lsp_server::{Client, ClientSocket, LanguageServer, LspService};

use crate::config::Config;
use crate::document::{Document, Snapshot, Stale, panic_message};
use crate::effective::{self, EffectivePipelineParams};
use crate::position::Encoding;
use crate::project::{self, Project};
use crate::{actions, complete, diagnostics, hints, hover, navigate, outline};

/// The code action kind of "fix all".
pub const FIX_ALL_KIND: &str = "source.fixAll.pipelint";

/// Methods this server answers or accepts, for the transport's log of unknown ones.
const KNOWN_METHODS: &[&str] = &[
    "initialize",
    "initialized",
    "shutdown",
    "exit",
    "textDocument/didOpen",
    "textDocument/didChange",
    "textDocument/didClose",
    "textDocument/didSave",
    "textDocument/willSave",
    "textDocument/hover",
    "textDocument/completion",
    "textDocument/definition",
    "textDocument/references",
    "textDocument/documentSymbol",
    "textDocument/foldingRange",
    "textDocument/selectionRange",
    "textDocument/codeAction",
    "textDocument/rename",
    "textDocument/prepareRename",
    "textDocument/inlayHint",
    "textDocument/diagnostic",
    "workspace/didChangeConfiguration",
    "workspace/didChangeWatchedFiles",
    "workspace/didChangeWorkspaceFolders",
    "window/workDoneProgress/cancel",
    crate::effective::METHOD,
];

pub fn is_known_method(method: &str) -> bool {
    KNOWN_METHODS.contains(&method)
}

/// What the client can do, as far as the server's answers depend on it.
#[derive(Clone, Debug, Default)]
pub struct Caps {
    pub pull_diagnostics: bool,
    pub diagnostic_refresh: bool,
    pub inlay_hint_refresh: bool,
    pub hierarchical_symbols: bool,
    pub configuration: bool,
    pub markdown_hover: bool,
    pub markdown_completion: bool,
    pub document_changes: bool,
    /// The client takes a `workspace/didChangeWatchedFiles` registration.
    pub watch_files: bool,
}

impl Caps {
    fn from_client(c: &ClientCapabilities) -> Caps {
        let td = c.text_document.as_ref();
        let ws = c.workspace.as_ref();
        // Markdown unless the client lists formats without it.
        let markdown = |formats: Option<&Vec<MarkupKind>>| {
            formats.is_none_or(|f| f.is_empty() || f.contains(&MarkupKind::Markdown))
        };
        Caps {
            pull_diagnostics: td.and_then(|t| t.diagnostic.as_ref()).is_some(),
            diagnostic_refresh: ws
                .and_then(|w| w.diagnostics.as_ref())
                .and_then(|d| d.refresh_support)
                .unwrap_or(false),
            inlay_hint_refresh: ws
                .and_then(|w| w.inlay_hint.as_ref())
                .and_then(|d| d.refresh_support)
                .unwrap_or(false),
            hierarchical_symbols: td
                .and_then(|t| t.document_symbol.as_ref())
                .and_then(|s| s.hierarchical_document_symbol_support)
                .unwrap_or(false),
            configuration: ws.and_then(|w| w.configuration).unwrap_or(false),
            markdown_hover: markdown(
                td.and_then(|t| t.hover.as_ref())
                    .and_then(|h| h.content_format.as_ref()),
            ),
            markdown_completion: td
                .and_then(|t| t.completion.as_ref())
                .and_then(|c| c.completion_item.as_ref())
                .and_then(|i| i.documentation_format.as_ref())
                .is_some_and(|f| f.contains(&MarkupKind::Markdown)),
            document_changes: ws
                .and_then(|w| w.workspace_edit.as_ref())
                .and_then(|e| e.document_changes)
                .unwrap_or(false),
            watch_files: ws
                .and_then(|w| w.did_change_watched_files.as_ref())
                .and_then(|d| d.dynamic_registration)
                .unwrap_or(false),
        }
    }
}

#[derive(Default)]
struct State {
    docs: HashMap<String, Document>,
    encoding: Encoding,
    caps: Caps,
    config: Config,
    /// Bumped when the settings change; snapshots of older generations are stale.
    generation: u64,
    /// `initializationOptions` carried settings.
    configured_at_start: bool,
    /// Problems found in `initializationOptions`, logged once the client can hear them.
    startup_problems: Vec<String>,
    /// Configuration files, imports and files around documents on disk.
    project: Project,
    /// The documents that hold an analysis, the one used last at the end.
    recent: Vec<String>,
}

/// How much text the kept analyses may have been made of, in all. An analysis takes
/// about 60 times its text: this keeps them near 30 MB. Past it, the analyses used
/// longest ago are forgotten (and made again if a request needs them); the one in use is
/// always kept.
const ANALYSED_TEXT_BUDGET: usize = 512 * 1024;

/// Notes that `uri`'s analysis was just used and forgets the analyses past the budget.
fn keep_recent(state: &mut State, uri: &str) {
    let State { docs, recent, .. } = state;
    recent.retain(|u| u != uri);
    recent.push(uri.to_owned());
    let mut total = 0;
    let mut kept = Vec::with_capacity(recent.len());
    for u in recent.iter().rev() {
        let Some(doc) = docs.get_mut(u) else {
            continue;
        };
        let len = doc.analysed_len();
        if len == 0 {
            continue;
        }
        if kept.is_empty() || total + len <= ANALYSED_TEXT_BUDGET {
            total += len;
            kept.push(u.clone());
        } else {
            drop_later(doc.invalidate());
        }
    }
    kept.reverse();
    *recent = kept;
}

/// The threads the rules of one document run on: the cores, up to four (a check is a few
/// milliseconds; more threads cost more to start than they save).
fn threads() -> usize {
    static THREADS: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    *THREADS.get_or_init(|| std::thread::available_parallelism().map_or(1, |n| n.get().min(4)))
}

/// Drops a value on a blocking thread when there is a runtime, so that freeing a large
/// analysis does not delay the answer being prepared.
fn drop_later<T: Send + 'static>(value: T) {
    match tokio::runtime::Handle::try_current() {
        Ok(handle) => {
            handle.spawn_blocking(move || drop(value));
        }
        Err(_) => drop(value),
    }
}

struct Shared {
    state: Mutex<State>,
    /// Held while a publication is checked and sent, so they go out in order.
    publish: tokio::sync::Mutex<()>,
    shutdown_requested: Arc<AtomicBool>,
}

/// The language server.
pub struct Backend {
    client: Client,
    shared: Arc<Shared>,
}

/// What the transport needs besides the service.
pub struct Handles {
    pub client: Client,
    /// Set by `shutdown`: the session ended cleanly if `exit` comes after it.
    pub shutdown_requested: Arc<AtomicBool>,
}

/// Builds the service.
pub fn build() -> (LspService<Backend>, ClientSocket, Handles) {
    let shutdown_requested = Arc::new(AtomicBool::new(false));
    let flag = shutdown_requested.clone();
    let (service, socket) = LspService::build(|client| Backend {
        client,
        shared: Arc::new(Shared {
            state: Mutex::new(State::default()),
            publish: tokio::sync::Mutex::new(()),
            shutdown_requested: flag,
        }),
    })
    .custom_method(effective::METHOD, Backend::effective_pipeline)
    .finish();
    let client = service.inner().client.clone();
    (
        service,
        socket,
        Handles {
            client,
            shutdown_requested,
        },
    )
}

/// What a lookup of a document found.
enum Found {
    /// Never opened (or closed).
    Missing,
    /// Open, but not a pipeline file: every answer is empty.
    Other,
    Pipeline(Arc<Snapshot>),
}

impl Backend {
    fn state(&self) -> MutexGuard<'_, State> {
        lock(&self.shared)
    }

    async fn log(&self, typ: MessageType, message: impl Into<String>) {
        self.client.log_message(typ, message.into()).await;
    }

    /// The snapshot of a document (analysing it if needed); logs a panic caught in the
    /// analysis and shows configuration problems.
    async fn find(&self, uri: &Uri) -> Found {
        let (found, panic, problems) = find(&self.shared, uri);
        report_config(&self.client, problems).await;
        if let Some(message) = panic {
            self.log(
                MessageType::ERROR,
                format!(
                    "pipelint: the check of {} panicked: {message}; its diagnostics are left empty",
                    uri.as_str()
                ),
            )
            .await;
        }
        found
    }

    /// Runs a feature on a pipeline document's snapshot, catching panics: unknown and
    /// non-pipeline documents, and panics (logged), give `default`.
    async fn feature<T>(
        &self,
        uri: &Uri,
        what: &str,
        default: T,
        f: impl FnOnce(&Snapshot, &Caps) -> T,
    ) -> T {
        let snap = match self.find(uri).await {
            Found::Pipeline(s) => s,
            Found::Missing | Found::Other => return default,
        };
        let caps = self.state().caps.clone();
        match catch_unwind(AssertUnwindSafe(|| f(&snap, &caps))) {
            Ok(v) => v,
            Err(payload) => {
                self.log(
                    MessageType::ERROR,
                    format!(
                        "pipelint: {what} panicked on {} (version {}): {}",
                        uri.as_str(),
                        snap.version,
                        panic_message(payload.as_ref())
                    ),
                )
                .await;
                default
            }
        }
    }

    /// Schedules the publication of a document's diagnostics for `version` (push mode).
    /// `old`: what the change made stale, freed once the new analysis is published so
    /// that freeing it does not take a core from the check the client waits for.
    fn schedule_publish(&self, uri: Uri, version: i32, old: Stale) {
        if self.state().caps.pull_diagnostics {
            drop_later(old);
            return;
        }
        let client = self.client.clone();
        let shared = self.shared.clone();
        tokio::spawn(async move {
            // Let changes that are already waiting apply first: a burst is coalesced into
            // its last version, and a lone edit is not held back.
            tokio::task::yield_now().await;
            publish(&client, &shared, uri, Some(version)).await;
            drop_later(old);
        });
    }

    /// `pipelint/effectivePipeline`: the document's YAML with anchors, aliases and merge
    /// keys expanded. Fails (RequestFailed) for a document that is not open or not a
    /// pipeline file.
    pub async fn effective_pipeline(&self, params: EffectivePipelineParams) -> Result<String> {
        let uri = params.text_document.uri;
        let snap = match self.find(&uri).await {
            Found::Pipeline(s) => s,
            Found::Missing => {
                return Err(request_failed(format!(
                    "{} is not open in the server",
                    uri.as_str()
                )));
            }
            Found::Other => {
                return Err(request_failed(format!(
                    "{} is not a pipeline file",
                    uri.as_str()
                )));
            }
        };
        match catch_unwind(AssertUnwindSafe(|| effective::effective_pipeline(&snap))) {
            Ok(text) => Ok(text),
            Err(payload) => {
                let message = panic_message(payload.as_ref());
                self.log(
                    MessageType::ERROR,
                    format!(
                        "pipelint: {} panicked on {}: {message}",
                        effective::METHOD,
                        uri.as_str()
                    ),
                )
                .await;
                Err(request_failed(
                    "the effective pipeline could not be written",
                ))
            }
        }
    }

    /// Applies new settings and re-checks open documents.
    async fn apply_settings(&self, value: &Value) {
        apply_settings(&self.client, &self.shared, value).await;
    }
}

fn lock(shared: &Shared) -> MutexGuard<'_, State> {
    // A panic while the lock was held leaves the state as it was; go on with it.
    shared.state.lock().unwrap_or_else(|e| e.into_inner())
}

/// The snapshot of a document, the message of a panic caught in its analysis, and the
/// configuration problems not shown yet.
fn find(shared: &Shared, uri: &Uri) -> (Found, Option<String>, Vec<String>) {
    let mut state = lock(shared);
    let State {
        docs,
        encoding,
        config,
        generation,
        project,
        ..
    } = &mut *state;
    let Some(doc) = docs.get_mut(uri.as_str()) else {
        return (Found::Missing, None, Vec::new());
    };
    if !doc.is_pipeline {
        return (Found::Other, None, Vec::new());
    }
    let kind = doc.kind;
    let (snap, panic) = doc.snapshot(*encoding, *generation, || {
        let mut opts = project.options(uri, config);
        opts.kind = kind;
        opts.threads = threads();
        opts
    });
    let pending = project.take_pending();
    keep_recent(&mut state, uri.as_str());
    (Found::Pipeline(snap), panic, pending)
}

/// Shows each configuration problem (once: [`Project`] remembers) and logs it. The
/// documents are checked with the client settings and defaults meanwhile.
async fn report_config(client: &Client, problems: Vec<String>) {
    for p in problems {
        let message = format!(
            "pipelint: the configuration file has errors; checking with the defaults until they are fixed\n{p}"
        );
        client.log_message(MessageType::ERROR, &message).await;
        client.show_message(MessageType::ERROR, &message).await;
    }
}

/// Publishes the diagnostics of `uri` if `version` is still its latest (or clears them
/// when `version` is `None` and the document is closed).
async fn publish(client: &Client, shared: &Shared, uri: Uri, version: Option<i32>) {
    let _order = shared.publish.lock().await;
    match version {
        Some(v) => {
            // Stale already? Then do not analyse anything for it.
            let current = lock(shared).docs.get(uri.as_str()).map(|d| d.version);
            if current != Some(v) {
                return;
            }
            let (found, panic, problems) = find(shared, &uri);
            report_config(client, problems).await;
            let Found::Pipeline(snap) = found else {
                return;
            };
            if snap.version != v {
                return;
            }
            if let Some(message) = panic {
                client
                    .log_message(
                        MessageType::ERROR,
                        format!(
                            "pipelint: the check of {} panicked: {message}",
                            uri.as_str()
                        ),
                    )
                    .await;
            }
            let diags = match catch_unwind(AssertUnwindSafe(|| diagnostics::all(&snap))) {
                Ok(d) => d,
                Err(payload) => {
                    client
                        .log_message(
                            MessageType::ERROR,
                            format!(
                                "pipelint: converting the diagnostics of {} panicked: {}",
                                uri.as_str(),
                                panic_message(payload.as_ref())
                            ),
                        )
                        .await;
                    Vec::new()
                }
            };
            client.publish_diagnostics(uri, diags, Some(v)).await;
        }
        None => {
            if lock(shared).docs.contains_key(uri.as_str()) {
                return; // opened again meanwhile
            }
            client.publish_diagnostics(uri, Vec::new(), None).await;
        }
    }
}

async fn apply_settings(client: &Client, shared: &Shared, value: &Value) {
    let Some((config, problems)) = Config::from_json(value) else {
        return;
    };
    for p in problems {
        client
            .log_message(MessageType::WARNING, format!("pipelint settings: {p}"))
            .await;
    }
    let (changed, hints_changed) = {
        let mut state = lock(shared);
        let changed = state.config != config;
        let hints_changed = state.config.inlay_hints != config.inlay_hints;
        if changed {
            state.config = config;
        }
        (changed, hints_changed)
    };
    if changed {
        recheck_all(client, shared, hints_changed).await;
    }
}

/// Reads the project's files again (see [`Project::refresh`]) and re-checks the open
/// documents when a configuration changed.
async fn refresh_project(client: &Client, shared: &Shared) {
    let changed = lock(shared).project.refresh();
    if changed {
        recheck_all(client, shared, false).await;
    }
}

/// Forgets every analysis and re-checks the open documents: publishes them again (push)
/// or asks the client to pull again.
async fn recheck_all(client: &Client, shared: &Shared, hints_changed: bool) {
    let (caps, open) = {
        let mut state = lock(shared);
        state.generation += 1;
        for doc in state.docs.values_mut() {
            drop_later(doc.invalidate());
        }
        let open: Vec<(Uri, i32)> = state
            .docs
            .values()
            .filter(|d| d.is_pipeline)
            .map(|d| (d.uri.clone(), d.version))
            .collect();
        (state.caps.clone(), open)
    };
    if caps.pull_diagnostics {
        if caps.diagnostic_refresh {
            let client = client.clone();
            tokio::spawn(async move {
                let _ = client.workspace_diagnostic_refresh().await;
            });
        }
    } else {
        for (uri, version) in open {
            publish(client, shared, uri, Some(version)).await;
        }
    }
    if caps.inlay_hint_refresh && hints_changed {
        let client = client.clone();
        tokio::spawn(async move {
            let _ = client.inlay_hint_refresh().await;
        });
    }
}

/// Asks the client for the `pipelint` section (in a spawned task: never awaited inside a
/// handler) and applies it.
fn fetch_settings(client: &Client, shared: &Arc<Shared>) {
    let client = client.clone();
    let shared = shared.clone();
    tokio::spawn(async move {
        let items = vec![ConfigurationItem {
            scope_uri: None,
            section: Some("pipelint".to_owned()),
        }];
        if let Ok(values) = client.configuration(items).await
            && let Some(v) = values.into_iter().next().filter(Value::is_object)
        {
            apply_settings(&client, &shared, &v).await;
        }
    });
}

fn capabilities(encoding: Encoding, caps: &Caps) -> ServerCapabilities {
    ServerCapabilities {
        position_encoding: Some(encoding.kind()),
        text_document_sync: Some(TextDocumentSyncCapability::Options(
            TextDocumentSyncOptions {
                open_close: Some(true),
                change: Some(TextDocumentSyncKind::INCREMENTAL),
                save: Some(TextDocumentSyncSaveOptions::Supported(true)),
                ..Default::default()
            },
        )),
        hover_provider: Some(HoverProviderCapability::Simple(true)),
        completion_provider: Some(CompletionOptions {
            trigger_characters: Some(vec!["*".into(), ":".into()]),
            ..Default::default()
        }),
        definition_provider: Some(OneOf::Left(true)),
        references_provider: Some(OneOf::Left(true)),
        document_symbol_provider: Some(OneOf::Left(true)),
        folding_range_provider: Some(FoldingRangeProviderCapability::Simple(true)),
        selection_range_provider: Some(SelectionRangeProviderCapability::Simple(true)),
        code_action_provider: Some(CodeActionProviderCapability::Options(CodeActionOptions {
            code_action_kinds: Some(vec![
                CodeActionKind::QUICKFIX,
                CodeActionKind::new(FIX_ALL_KIND),
            ]),
            ..Default::default()
        })),
        rename_provider: Some(OneOf::Right(RenameOptions {
            prepare_provider: Some(true),
            work_done_progress_options: WorkDoneProgressOptions::default(),
        })),
        inlay_hint_provider: Some(OneOf::Left(true)),
        workspace: Some(WorkspaceServerCapabilities {
            workspace_folders: Some(WorkspaceFoldersServerCapabilities {
                supported: Some(true),
                change_notifications: Some(OneOf::Left(true)),
            }),
            file_operations: None,
        }),
        diagnostic_provider: caps.pull_diagnostics.then(|| {
            DiagnosticServerCapabilities::Options(DiagnosticOptions {
                identifier: Some("pipelint".to_owned()),
                inter_file_dependencies: false,
                workspace_diagnostics: false,
                work_done_progress_options: WorkDoneProgressOptions::default(),
            })
        }),
        ..Default::default()
    }
}

impl LanguageServer for Backend {
    async fn initialize(&self, params: InitializeParams) -> Result<InitializeResult> {
        let encoding = Encoding::negotiate(
            params
                .capabilities
                .general
                .as_ref()
                .and_then(|g| g.position_encodings.as_deref()),
        );
        let caps = Caps::from_client(&params.capabilities);
        let capabilities = capabilities(encoding, &caps);
        #[allow(deprecated)] // `root_uri`: older clients send only it.
        let roots: Vec<PathBuf> = match &params.workspace_folders {
            Some(folders) => folders
                .iter()
                .filter_map(|f| project::disk_dir(&f.uri))
                .collect(),
            None => params
                .root_uri
                .iter()
                .filter_map(project::disk_dir)
                .collect(),
        };
        {
            let mut state = self.state();
            state.encoding = encoding;
            state.caps = caps;
            state.project.set_roots(roots);
        }
        if let Some((config, problems)) = params
            .initialization_options
            .as_ref()
            .and_then(Config::from_json)
        {
            let mut state = self.state();
            state.configured_at_start = true;
            state.config = config;
            state.startup_problems = problems;
        }
        Ok(InitializeResult {
            capabilities,
            server_info: Some(ServerInfo {
                name: "pipelint".to_owned(),
                version: Some(env!("CARGO_PKG_VERSION").to_owned()),
            }),
            offset_encoding: None,
        })
    }

    async fn initialized(&self, _: InitializedParams) {
        let (encoding, fetch, problems, watch) = {
            let mut state = self.state();
            (
                state.encoding,
                state.caps.configuration && !state.configured_at_start,
                std::mem::take(&mut state.startup_problems),
                state.caps.watch_files,
            )
        };
        let name = match encoding {
            Encoding::Utf8 => "utf-8",
            Encoding::Utf16 => "utf-16",
        };
        self.log(
            MessageType::INFO,
            format!(
                "pipelint {} language server ready (positions in {name})",
                env!("CARGO_PKG_VERSION")
            ),
        )
        .await;
        for p in problems {
            self.log(MessageType::WARNING, format!("pipelint settings: {p}"))
                .await;
        }
        if fetch {
            fetch_settings(&self.client, &self.shared);
        }
        if watch {
            // In a spawned task: the answer comes through the loop this handler holds.
            let client = self.client.clone();
            tokio::spawn(async move {
                let options = DidChangeWatchedFilesRegistrationOptions {
                    watchers: vec![FileSystemWatcher {
                        glob_pattern: GlobPattern::String(project::CONFIG_GLOB.to_owned()),
                        kind: None,
                    }],
                };
                let registration = Registration {
                    id: "pipelint-config-files".to_owned(),
                    method: "workspace/didChangeWatchedFiles".to_owned(),
                    register_options: serde_json::to_value(options).ok(),
                };
                if let Err(e) = client.register_capability(vec![registration]).await {
                    client
                        .log_message(
                            MessageType::WARNING,
                            format!(
                                "pipelint: cannot watch configuration files ({e}); they are read again on open and save"
                            ),
                        )
                        .await;
                }
            });
        }
    }

    async fn shutdown(&self) -> Result<()> {
        self.shared.shutdown_requested.store(true, Ordering::SeqCst);
        Ok(())
    }

    async fn did_open(&self, params: DidOpenTextDocumentParams) {
        let doc = params.text_document;
        let document = Document::new(doc.uri.clone(), doc.version, &doc.text);
        let is_pipeline = document.is_pipeline;
        self.state()
            .docs
            .insert(doc.uri.as_str().to_owned(), document);
        // A configuration file may have changed unseen (clients without file watching).
        refresh_project(&self.client, &self.shared).await;
        if is_pipeline {
            self.schedule_publish(doc.uri, doc.version, Stale::default());
        }
    }

    async fn did_save(&self, _: DidSaveTextDocumentParams) {
        refresh_project(&self.client, &self.shared).await;
    }

    async fn did_change_watched_files(&self, params: DidChangeWatchedFilesParams) {
        let config = params
            .changes
            .iter()
            .any(|c| pipelint_fs::config::is_config_name(crate::document::file_name(&c.uri)));
        if config {
            refresh_project(&self.client, &self.shared).await;
        }
    }

    async fn did_change_workspace_folders(&self, params: DidChangeWorkspaceFoldersParams) {
        {
            let mut state = self.state();
            let mut roots = state.project.roots().to_vec();
            let removed: Vec<PathBuf> = params
                .event
                .removed
                .iter()
                .filter_map(|f| project::disk_dir(&f.uri))
                .collect();
            roots.retain(|r| !removed.contains(r));
            roots.extend(
                params
                    .event
                    .added
                    .iter()
                    .filter_map(|f| project::disk_dir(&f.uri)),
            );
            state.project.set_roots(roots);
        }
        recheck_all(&self.client, &self.shared, false).await;
    }

    async fn did_change(&self, params: DidChangeTextDocumentParams) {
        let uri = params.text_document.uri;
        let version = params.text_document.version;
        let applied = {
            let mut state = self.state();
            let encoding = state.encoding;
            match state.docs.get_mut(uri.as_str()) {
                Some(doc) => {
                    let changes = params.content_changes;
                    let result =
                        catch_unwind(AssertUnwindSafe(|| doc.apply(version, changes, encoding)));
                    let (stale, panic) = match result {
                        Ok(stale) => (stale, None),
                        Err(p) => (doc.invalidate(), Some(panic_message(p.as_ref()))),
                    };
                    Some((doc.is_pipeline, panic, stale))
                }
                None => None,
            }
        };
        match applied {
            None => {
                self.log(
                    MessageType::WARNING,
                    format!(
                        "pipelint: change to {} ignored: the document is not open",
                        uri.as_str()
                    ),
                )
                .await;
            }
            Some((is_pipeline, panic, old)) => {
                if let Some(message) = panic {
                    self.log(
                        MessageType::ERROR,
                        format!(
                            "pipelint: applying a change to {} panicked: {message}",
                            uri.as_str()
                        ),
                    )
                    .await;
                }
                if is_pipeline {
                    self.schedule_publish(uri, version, old);
                } else {
                    drop_later(old);
                }
            }
        }
    }

    async fn did_close(&self, params: DidCloseTextDocumentParams) {
        let uri = params.text_document.uri;
        let (removed, pull) = {
            let mut state = self.state();
            let removed = state.docs.remove(uri.as_str());
            (removed, state.caps.pull_diagnostics)
        };
        let was_pipeline = removed.as_ref().is_some_and(|d| d.is_pipeline);
        drop_later(removed);
        if was_pipeline && !pull {
            let client = self.client.clone();
            let shared = self.shared.clone();
            tokio::spawn(async move {
                publish(&client, &shared, uri, None).await;
            });
        }
    }

    async fn did_change_configuration(&self, params: DidChangeConfigurationParams) {
        let carries = Config::from_json(&params.settings).is_some();
        if carries {
            self.apply_settings(&params.settings).await;
        } else if self.state().caps.configuration {
            // The pull model: the notification only says that something changed.
            fetch_settings(&self.client, &self.shared);
        }
    }

    async fn diagnostic(
        &self,
        params: DocumentDiagnosticParams,
    ) -> Result<DocumentDiagnosticReportResult> {
        let uri = params.text_document.uri;
        let generation = self.state().generation;
        let full = |result_id: Option<String>,
                    items: Vec<tower_lsp_server::ls_types::Diagnostic>| {
            DocumentDiagnosticReportResult::Report(DocumentDiagnosticReport::Full(
                RelatedFullDocumentDiagnosticReport {
                    related_documents: None,
                    full_document_diagnostic_report: FullDocumentDiagnosticReport {
                        result_id,
                        items,
                    },
                },
            ))
        };
        let snap = match self.find(&uri).await {
            Found::Pipeline(s) => s,
            Found::Missing | Found::Other => return Ok(full(None, Vec::new())),
        };
        let result_id = format!("{generation}:{}", snap.version);
        if params.previous_result_id.as_deref() == Some(result_id.as_str()) {
            return Ok(DocumentDiagnosticReportResult::Report(
                DocumentDiagnosticReport::Unchanged(RelatedUnchangedDocumentDiagnosticReport {
                    related_documents: None,
                    unchanged_document_diagnostic_report: UnchangedDocumentDiagnosticReport {
                        result_id,
                    },
                }),
            ));
        }
        let items = self
            .feature(&uri, "textDocument/diagnostic", Vec::new(), |s, _| {
                diagnostics::all(s)
            })
            .await;
        Ok(full(Some(result_id), items))
    }

    async fn code_action(&self, params: CodeActionParams) -> Result<Option<CodeActionResponse>> {
        let uri = params.text_document.uri.clone();
        let actions = self
            .feature(&uri, "textDocument/codeAction", Vec::new(), |s, caps| {
                actions::code_actions(s, caps, &params)
            })
            .await;
        Ok(Some(actions))
    }

    async fn hover(&self, params: HoverParams) -> Result<Option<Hover>> {
        let p = params.text_document_position_params;
        Ok(self
            .feature(
                &p.text_document.uri,
                "textDocument/hover",
                None,
                |s, caps| hover::hover(s, caps, p.position),
            )
            .await)
    }

    async fn document_symbol(
        &self,
        params: DocumentSymbolParams,
    ) -> Result<Option<DocumentSymbolResponse>> {
        Ok(self
            .feature(
                &params.text_document.uri,
                "textDocument/documentSymbol",
                None,
                |s, caps| Some(outline::symbols(s, caps.hierarchical_symbols)),
            )
            .await)
    }

    async fn folding_range(&self, params: FoldingRangeParams) -> Result<Option<Vec<FoldingRange>>> {
        Ok(self
            .feature(
                &params.text_document.uri,
                "textDocument/foldingRange",
                None,
                |s, _| Some(outline::folding_ranges(s)),
            )
            .await)
    }

    async fn selection_range(
        &self,
        params: SelectionRangeParams,
    ) -> Result<Option<Vec<SelectionRange>>> {
        Ok(self
            .feature(
                &params.text_document.uri,
                "textDocument/selectionRange",
                None,
                |s, _| Some(outline::selection_ranges(s, &params.positions)),
            )
            .await)
    }

    async fn goto_definition(
        &self,
        params: GotoDefinitionParams,
    ) -> Result<Option<GotoDefinitionResponse>> {
        let p = params.text_document_position_params;
        Ok(self
            .feature(
                &p.text_document.uri,
                "textDocument/definition",
                None,
                |s, _| navigate::definition(s, p.position),
            )
            .await)
    }

    async fn references(&self, params: ReferenceParams) -> Result<Option<Vec<Location>>> {
        let p = params.text_document_position;
        let include = params.context.include_declaration;
        Ok(self
            .feature(
                &p.text_document.uri,
                "textDocument/references",
                None,
                |s, _| navigate::references(s, p.position, include),
            )
            .await)
    }

    async fn prepare_rename(
        &self,
        params: TextDocumentPositionParams,
    ) -> Result<Option<PrepareRenameResponse>> {
        self.feature(
            &params.text_document.uri,
            "textDocument/prepareRename",
            Ok(None),
            |s, _| navigate::prepare_rename(s, params.position),
        )
        .await
    }

    async fn rename(&self, params: RenameParams) -> Result<Option<WorkspaceEdit>> {
        let p = params.text_document_position;
        let new_name = params.new_name;
        self.feature(
            &p.text_document.uri,
            "textDocument/rename",
            Ok(None),
            |s, caps| navigate::rename(s, p.position, &new_name, caps.document_changes),
        )
        .await
    }

    async fn completion(&self, params: CompletionParams) -> Result<Option<CompletionResponse>> {
        let p = params.text_document_position;
        Ok(self
            .feature(
                &p.text_document.uri,
                "textDocument/completion",
                None,
                |s, caps| complete::completion(s, caps, p.position),
            )
            .await)
    }

    async fn inlay_hint(&self, params: InlayHintParams) -> Result<Option<Vec<InlayHint>>> {
        if !self.state().config.inlay_hints {
            return Ok(None);
        }
        Ok(self
            .feature(
                &params.text_document.uri,
                "textDocument/inlayHint",
                None,
                |s, _| Some(hints::inlay_hints(s, params.range, &s.settings)),
            )
            .await)
    }
}

/// An error answer for a request the server cannot honour (LSP `RequestFailed`).
pub fn request_failed(message: impl Into<String>) -> Error {
    Error {
        code: tower_lsp_server::jsonrpc::ErrorCode::ServerError(-32803),
        message: message.into().into(),
        data: None,
    }
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use super::*;

    /// Opens documents of `size` bytes each and analyses them in order, as `find` does.
    fn analysed(sizes: &[usize]) -> State {
        let mut state = State::default();
        for (i, size) in sizes.iter().enumerate() {
            let uri = format!("file:///r{i}/bitbucket-pipelines.yml");
            let mut text = String::from("pipelines:\n  default:\n    - step:\n        script:\n");
            while text.len() < *size {
                text.push_str("          - echo hello\n");
            }
            let doc = Document::new(Uri::from_str(&uri).expect("uri"), 1, &text);
            state.docs.insert(uri.clone(), doc);
            let doc = state.docs.get_mut(&uri).expect("doc");
            doc.snapshot(Encoding::Utf16, 0, pipelint_core::CheckOptions::default);
            keep_recent(&mut state, &uri);
        }
        state
    }

    fn holding(state: &State) -> Vec<String> {
        let mut out: Vec<String> = state
            .docs
            .iter()
            .filter(|(_, d)| d.analysed_len() > 0)
            .map(|(u, _)| u.clone())
            .collect();
        out.sort();
        out
    }

    #[test]
    fn small_documents_keep_their_analyses() {
        let state = analysed(&[2_000, 2_000, 2_000]);
        assert_eq!(holding(&state).len(), 3);
        assert_eq!(state.recent.len(), 3);
    }

    #[test]
    fn large_documents_past_the_budget_lose_the_oldest_analyses() {
        let state = analysed(&[300_000, 300_000, 100_000]);
        // The last two fit in the budget (400 KB); the first was forgotten.
        assert_eq!(
            holding(&state),
            vec![
                "file:///r1/bitbucket-pipelines.yml".to_owned(),
                "file:///r2/bitbucket-pipelines.yml".to_owned()
            ]
        );
    }

    #[test]
    fn the_document_in_use_keeps_its_analysis_even_past_the_budget() {
        let state = analysed(&[100_000, 900_000]);
        assert_eq!(
            holding(&state),
            vec!["file:///r1/bitbucket-pipelines.yml".to_owned()]
        );
    }
}
