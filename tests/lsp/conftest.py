"""Fixtures and helpers for the end-to-end tests of `pipelint lsp`.

Each test gets its own server process (started by pytest-lsp over stdio) and a client
whose capabilities the fixture chooses: UTF-16 only, UTF-8 offered, pull diagnostics, or
inlay hints switched on through `initializationOptions`.
"""

from __future__ import annotations

import asyncio
import os
import pathlib

import pytest_lsp
from lsprotocol import types
from pygls.protocol import default_converter
from pytest_lsp import ClientServerConfig, LanguageClient
from pytest_lsp.client import DEFAULT_CLIENT_FEATURES, register_lsp_features

ROOT = pathlib.Path(__file__).resolve().parents[2]
SERVER = os.environ.get("PIPELINT_BIN", str(ROOT / "target" / "debug" / "pipelint"))

MARKDOWN = [types.MarkupKind.Markdown, types.MarkupKind.PlainText]


def _record_publish(client: LanguageClient, params: types.PublishDiagnosticsParams):
    client.published.append(params)
    client.diagnostics[params.uri] = params.diagnostics


def _inlay_hint_refresh(client: LanguageClient, params: None):
    client.inlay_hint_refreshes += 1


def _register_capability(client: LanguageClient, params: types.RegistrationParams):
    client.registrations.extend(params.registrations)


def make_client() -> LanguageClient:
    """A pytest-lsp client that also keeps every publishDiagnostics it receives, counts
    inlay hint refreshes and records capability registrations."""
    client = LanguageClient(converter_factory=default_converter)
    features = dict(DEFAULT_CLIENT_FEATURES)
    features[types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS] = _record_publish
    features[types.WORKSPACE_INLAY_HINT_REFRESH] = _inlay_hint_refresh
    features[types.CLIENT_REGISTER_CAPABILITY] = _register_capability
    register_lsp_features(client, features)
    client.published = []
    client.registrations = []
    client.inlay_hint_refreshes = 0
    return client


CONFIG = ClientServerConfig(server_command=[SERVER, "lsp"], client_factory=make_client)


def capabilities(*, encodings=None, pull=False, watch=False) -> types.ClientCapabilities:
    return types.ClientCapabilities(
        general=types.GeneralClientCapabilities(position_encodings=encodings)
        if encodings
        else None,
        text_document=types.TextDocumentClientCapabilities(
            hover=types.HoverClientCapabilities(content_format=MARKDOWN),
            completion=types.CompletionClientCapabilities(
                completion_item=types.ClientCompletionItemOptions(
                    documentation_format=MARKDOWN
                )
            ),
            document_symbol=types.DocumentSymbolClientCapabilities(
                hierarchical_document_symbol_support=True
            ),
            publish_diagnostics=types.PublishDiagnosticsClientCapabilities(
                version_support=True,
                related_information=True,
                code_description_support=True,
                data_support=True,
                tag_support=types.ClientDiagnosticsTagOptions(
                    value_set=[
                        types.DiagnosticTag.Unnecessary,
                        types.DiagnosticTag.Deprecated,
                    ]
                ),
            ),
            diagnostic=types.DiagnosticClientCapabilities() if pull else None,
            rename=types.RenameClientCapabilities(prepare_support=True),
            code_action=types.CodeActionClientCapabilities(
                is_preferred_support=True,
                data_support=True,
                code_action_literal_support=types.ClientCodeActionLiteralOptions(
                    code_action_kind=types.ClientCodeActionKindOptions(
                        value_set=[
                            types.CodeActionKind.QuickFix,
                            types.CodeActionKind.SourceFixAll,
                        ]
                    )
                ),
            ),
            inlay_hint=types.InlayHintClientCapabilities(),
            folding_range=types.FoldingRangeClientCapabilities(line_folding_only=True),
            selection_range=types.SelectionRangeClientCapabilities(),
        ),
        workspace=types.WorkspaceClientCapabilities(
            configuration=True,
            diagnostics=types.DiagnosticWorkspaceClientCapabilities(refresh_support=True)
            if pull
            else None,
            inlay_hint=types.InlayHintWorkspaceClientCapabilities(refresh_support=True),
            did_change_watched_files=types.DidChangeWatchedFilesClientCapabilities(
                dynamic_registration=True
            )
            if watch
            else None,
        ),
        window=types.WindowClientCapabilities(work_done_progress=False),
    )


async def start(client: LanguageClient, caps: types.ClientCapabilities, options=None):
    client.init_result = await client.initialize_session(
        types.InitializeParams(capabilities=caps, initialization_options=options)
    )


async def stop(client: LanguageClient):
    server = client._server
    if server is not None and server.returncode is None:
        await client.shutdown_session()


@pytest_lsp.fixture(config=CONFIG)
async def client(lsp_client: LanguageClient):
    """A client that speaks UTF-16 only and takes pushed diagnostics."""
    await start(lsp_client, capabilities())
    yield
    await stop(lsp_client)


@pytest_lsp.fixture(config=CONFIG)
async def utf8_client(lsp_client: LanguageClient):
    """A client that offers UTF-8 positions (and UTF-16)."""
    await start(
        lsp_client,
        capabilities(
            encodings=[types.PositionEncodingKind.Utf8, types.PositionEncodingKind.Utf16]
        ),
    )
    yield
    await stop(lsp_client)


@pytest_lsp.fixture(config=CONFIG)
async def pull_client(lsp_client: LanguageClient):
    """A client that pulls diagnostics (`textDocument/diagnostic`)."""
    await start(lsp_client, capabilities(pull=True))
    yield
    await stop(lsp_client)


@pytest_lsp.fixture(config=CONFIG)
async def hints_client(lsp_client: LanguageClient):
    """A client that switches inlay hints on and selects rules at initialization."""
    await start(lsp_client, capabilities(), options={"pipelint": {"inlayHints": True}})
    yield
    await stop(lsp_client)


@pytest_lsp.fixture(config=CONFIG)
async def yaml_only_client(lsp_client: LanguageClient):
    """A client whose initializationOptions select the yaml/ rules only."""
    await start(lsp_client, capabilities(), options={"select": ["yaml/", "nope/"]})
    yield
    await stop(lsp_client)


@pytest_lsp.fixture(config=CONFIG)
async def watch_client(lsp_client: LanguageClient):
    """A client that takes a dynamic registration of watched files."""
    await start(lsp_client, capabilities(watch=True))
    yield
    await stop(lsp_client)


@pytest_lsp.fixture(config=CONFIG)
async def bare_client(lsp_client: LanguageClient):
    """A client the test shuts down itself (exit codes)."""
    await start(lsp_client, capabilities())
    yield
    server = lsp_client._server
    if server is not None and server.returncode is None:
        server.kill()
        await server.wait()


# --- helpers -------------------------------------------------------------------------


def uri_of(name: str) -> str:
    return f"file:///work/repo/{name}"


def open_doc(client: LanguageClient, text: str, name="bitbucket-pipelines.yml", version=1):
    uri = uri_of(name)
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(
                uri=uri, language_id="yaml", version=version, text=text
            )
        )
    )
    return uri


def change(client: LanguageClient, uri: str, version: int, *edits):
    """Sends one didChange. Each edit is `(range, text)` or a full text (a str)."""
    changes = []
    for e in edits:
        if isinstance(e, str):
            changes.append(types.TextDocumentContentChangeWholeDocument(text=e))
        else:
            rng, text = e
            changes.append(types.TextDocumentContentChangePartial(range=rng, text=text))
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
            content_changes=changes,
        )
    )


async def wait_for(predicate, timeout=5.0, what="condition"):
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while not predicate():
        if loop.time() > end:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.01)


async def diagnostics_for(client: LanguageClient, uri: str, version: int, timeout=5.0):
    """Waits for the diagnostics of `uri` at `version` and returns them."""

    def found():
        return [p for p in client.published if p.uri == uri and p.version == version]

    await wait_for(lambda: found(), timeout, f"diagnostics of {uri} v{version}")
    return found()[-1].diagnostics


def column(text: str, encoding: str) -> int:
    if encoding == "utf-8":
        return len(text.encode("utf-8"))
    return len(text.encode("utf-16-le")) // 2


def pos(text: str, needle: str, *, occurrence=0, offset=0, encoding="utf-16") -> types.Position:
    """The position of the `occurrence`-th `needle` in `text` (plus `offset` characters)."""
    at = -1
    for _ in range(occurrence + 1):
        at = text.index(needle, at + 1)
    at += offset
    before = text[:at]
    line = before.count("\n")
    return types.Position(line=line, character=column(before[before.rfind("\n") + 1 :], encoding))


def rng(text: str, needle: str, *, occurrence=0, encoding="utf-16") -> types.Range:
    start = pos(text, needle, occurrence=occurrence, encoding=encoding)
    end = pos(text, needle, occurrence=occurrence, offset=len(needle), encoding=encoding)
    return types.Range(start=start, end=end)


def offset_of(text: str, p: types.Position, encoding="utf-16") -> int:
    lines = text.split("\n")
    at = sum(len(line) + 1 for line in lines[: p.line])
    line = lines[p.line] if p.line < len(lines) else ""
    count = 0
    for i, ch in enumerate(line):
        if count >= p.character:
            return at + i
        count += column(ch, encoding)
    return at + len(line)


def apply_edits(text: str, edits, encoding="utf-16") -> str:
    spans = [
        (offset_of(text, e.range.start, encoding), offset_of(text, e.range.end, encoding), e.new_text)
        for e in edits
    ]
    for start, end, new in sorted(spans, key=lambda s: (s[0], s[1]), reverse=True):
        text = text[:start] + new + text[end:]
    return text


def edits_of(edit: types.WorkspaceEdit, uri: str):
    if edit.changes is not None:
        return edit.changes[uri]
    return [e for dc in edit.document_changes for e in dc.edits if dc.text_document.uri == uri]
