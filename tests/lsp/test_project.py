"""End-to-end tests of what `pipelint lsp` reads around a document on disk, as the CLI
does: the configuration file (levels, per-path overrides, changes seen through a file
watcher or on save, errors shown once), imports followed, cache key files looked up; and
suppression comments in the editor: the "ignore" quick fix, the hover of a rule id, stale
suppressions faded and removed by "fix all".
"""

from __future__ import annotations

import asyncio
import pathlib

from lsprotocol import types
from pytest_lsp import LanguageClient

from conftest import apply_edits, change, diagnostics_for, edits_of, pos, rng, wait_for

UNKNOWN_KEY = """\
pipelines:
  branches:
    **:
      - step: {script: [a], sise: 2x}
"""

CONFIG = """\
[rules]
"schema/unknown-key" = "error"
"yaml/unquoted-star" = "off"

[[overrides]]
files = ["sub/**"]
rules = { "schema/unknown-key" = "off" }
"""


def repo(tmp_path: pathlib.Path, config: str | None = CONFIG) -> pathlib.Path:
    """A repository (it has a `.git`) with a `sub/` folder and, when given, a
    `pipelint.toml` at its root."""
    root = tmp_path / "repo"
    (root / ".git").mkdir(parents=True)
    (root / "sub").mkdir()
    if config is not None:
        (root / "pipelint.toml").write_text(config)
    return root


def open_file(client: LanguageClient, path: pathlib.Path, text: str, version=1) -> str:
    path.write_text(text)
    uri = path.as_uri()
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(
                uri=uri, language_id="yaml", version=version, text=text
            )
        )
    )
    return uri


def doc_id(uri: str) -> types.TextDocumentIdentifier:
    return types.TextDocumentIdentifier(uri=uri)


def codes(diags):
    return sorted(d.code for d in diags)


async def republished(client: LanguageClient, uri: str, since: int):
    """Waits for a publication of `uri` after the first `since` ones, and returns it."""

    def found():
        return [p for p in client.published[since:] if p.uri == uri]

    await wait_for(lambda: found(), what=f"a new publication of {uri}")
    return found()[-1].diagnostics


# --- the configuration file --------------------------------------------------------------


async def test_config_file_levels_and_overrides(client: LanguageClient, tmp_path):
    root = repo(tmp_path)
    uri = open_file(client, root / "bitbucket-pipelines.yml", UNKNOWN_KEY)
    diags = await diagnostics_for(client, uri, 1)
    assert "yaml/unquoted-star" not in codes(diags), "turned off by the file"
    unknown = [d for d in diags if d.code == "schema/unknown-key"]
    assert [d.severity for d in unknown] == [types.DiagnosticSeverity.Error]
    # The per-path override for sub/**.
    sub = open_file(client, root / "sub" / "bitbucket-pipelines.yml", UNKNOWN_KEY)
    assert "schema/unknown-key" not in codes(await diagnostics_for(client, sub, 1))
    # The client's severity wins over the file's.
    since = len(client.published)
    client.workspace_did_change_configuration(
        types.DidChangeConfigurationParams(
            settings={"pipelint": {"severity": {"schema/unknown-key": "info"}}}
        )
    )
    diags = await republished(client, uri, since)
    unknown = [d for d in diags if d.code == "schema/unknown-key"]
    assert [d.severity for d in unknown] == [types.DiagnosticSeverity.Information]
    assert "yaml/unquoted-star" not in codes(diags), "the file still applies"


async def test_config_change_is_seen_on_save(client: LanguageClient, tmp_path):
    root = repo(tmp_path)
    uri = open_file(client, root / "bitbucket-pipelines.yml", UNKNOWN_KEY)
    assert "yaml/unquoted-star" not in codes(await diagnostics_for(client, uri, 1))
    (root / "pipelint.toml").write_text('[rules]\n"schema" = "off"\n')
    since = len(client.published)
    client.text_document_did_save(types.DidSaveTextDocumentParams(text_document=doc_id(uri)))
    diags = await republished(client, uri, since)
    assert "yaml/unquoted-star" in codes(diags)
    assert "schema/unknown-key" not in codes(diags)


async def test_config_change_through_the_file_watcher(watch_client: LanguageClient, tmp_path):
    client = watch_client
    await wait_for(lambda: client.registrations, what="a file watcher registration")
    reg = client.registrations[0]
    assert reg.method == "workspace/didChangeWatchedFiles"
    assert reg.register_options["watchers"][0]["globPattern"] == "**/{pipelint,.pipelint}.toml"

    root = repo(tmp_path, config=None)
    uri = open_file(client, root / "bitbucket-pipelines.yml", UNKNOWN_KEY)
    assert "yaml/unquoted-star" in codes(await diagnostics_for(client, uri, 1))
    # A configuration file is created next to the document.
    config = root / ".pipelint.toml"
    config.write_text('[rules]\n"yaml/unquoted-star" = "off"\n')
    since = len(client.published)
    client.workspace_did_change_watched_files(
        types.DidChangeWatchedFilesParams(
            changes=[types.FileEvent(uri=config.as_uri(), type=types.FileChangeType.Created)]
        )
    )
    diags = await republished(client, uri, since)
    assert "yaml/unquoted-star" not in codes(diags)
    assert "schema/unknown-key" in codes(diags)


async def test_bad_config_is_shown_once_and_defaults_apply(client: LanguageClient, tmp_path):
    root = repo(tmp_path, config='[rulez]\n"x" = 1\n')
    uri = open_file(client, root / "bitbucket-pipelines.yml", UNKNOWN_KEY)
    diags = await diagnostics_for(client, uri, 1)
    assert {"schema/unknown-key", "yaml/unquoted-star"} <= set(codes(diags)), "defaults"
    await wait_for(lambda: client.messages, what="window/showMessage")
    message = client.messages[0]
    assert message.type == types.MessageType.Error
    assert "pipelint.toml:1: unknown key `rulez`" in message.message
    assert "did you mean `rules`" in message.message
    assert any("unknown key `rulez`" in m.message for m in client.log_messages)
    # Another document under the same file: not shown again.
    other = open_file(client, root / "sub" / "bitbucket-pipelines.yml", UNKNOWN_KEY)
    await diagnostics_for(client, other, 1)
    await asyncio.sleep(0.2)
    assert len(client.messages) == 1, client.messages


# --- imports and key files ---------------------------------------------------------------

MAIN = """\
definitions:
  imports:
    shared: .bitbucket/shared-pipelines.yml
pipelines:
  default:
    import: deploy@shared
"""

SHARED = """\
definitions:
  pipelines:
    build:
      - step: {name: Build, script: [make]}
"""


async def test_imports_are_followed(client: LanguageClient, tmp_path):
    root = repo(tmp_path, config=None)
    (root / ".bitbucket").mkdir()
    (root / ".bitbucket" / "shared-pipelines.yml").write_text(SHARED)
    uri = open_file(client, root / "bitbucket-pipelines.yml", MAIN)
    diags = await diagnostics_for(client, uri, 1)
    # The shared file was read: it defines no `deploy`.
    assert any(d.code.startswith("share/") and "deploy" in d.message for d in diags), diags
    # Once it does, the import is clean.
    (root / ".bitbucket" / "shared-pipelines.yml").write_text(
        SHARED + "    deploy:\n      - step: {name: Deploy, script: [make]}\n"
    )
    change(client, uri, 2, MAIN + "\n")
    diags = await diagnostics_for(client, uri, 2)
    assert not [d for d in diags if d.code.startswith("share/")], diags


CACHE = """\
definitions:
  caches:
    npm:
      key:
        files: [package-lock.json]
      path: ~/.npm
pipelines:
  default:
    - step: {caches: [npm], script: [npm ci]}
"""


async def test_cache_key_files_are_looked_up(client: LanguageClient, tmp_path):
    root = repo(tmp_path, config=None)
    uri = open_file(client, root / "bitbucket-pipelines.yml", CACHE)
    diags = await diagnostics_for(client, uri, 1)
    assert "cache/key-files-missing" in codes(diags)
    (root / "package-lock.json").write_text("{}")
    # A save reads the repository again.
    client.text_document_did_save(types.DidSaveTextDocumentParams(text_document=doc_id(uri)))
    change(client, uri, 2, CACHE + "\n")
    diags = await diagnostics_for(client, uri, 2)
    assert "cache/key-files-missing" not in codes(diags)


# --- suppression comments ----------------------------------------------------------------

DOCKER = """\
pipelines:
  default:
    - step:
        script:
          - docker build .
    - step:
        script:
          - |
            set -e
            docker push x
"""


async def test_ignore_quick_fix_silences_the_finding(client: LanguageClient, tmp_path):
    root = repo(tmp_path, config=None)
    uri = open_file(client, root / "bitbucket-pipelines.yml", DOCKER)
    diags = await diagnostics_for(client, uri, 1)
    found = [d for d in diags if d.code == "docker/no-service"]
    assert len(found) == 2, diags
    text = DOCKER
    version = 1
    # First the plain line, then the line inside the block scalar.
    for needle in ("docker build", "docker push"):
        version += 1
        actions = await client.text_document_code_action_async(
            types.CodeActionParams(
                text_document=doc_id(uri),
                range=rng(text, needle),
                context=types.CodeActionContext(diagnostics=[]),
            )
        )
        ignore = [a for a in actions if a.title == "Ignore `docker/no-service` on this line"]
        assert len(ignore) == 1, [a.title for a in actions]
        assert ignore[0].kind == types.CodeActionKind.QuickFix
        text = apply_edits(text, edits_of(ignore[0].edit, uri))
        change(client, uri, version, text)
        diags = await diagnostics_for(client, uri, version)
    assert "- docker build .  # pipelint: ignore[docker/no-service] <reason>\n" in text
    assert "- |  # pipelint: ignore[docker/no-service] <reason>\n" in text, text
    assert not [d for d in diags if d.code in ("docker/no-service", "suppression/unused")], diags


async def test_hover_on_a_rule_id_in_a_suppression(client: LanguageClient, tmp_path):
    text = DOCKER.replace("docker build .", "docker build .  # pipelint: ignore[docker/no-service]")
    root = repo(tmp_path, config=None)
    uri = open_file(client, root / "bitbucket-pipelines.yml", text)
    await diagnostics_for(client, uri, 1)
    h = await client.text_document_hover_async(
        types.HoverParams(text_document=doc_id(uri), position=pos(text, "no-service", offset=2))
    )
    assert h is not None
    assert "## What it does" in h.contents.value
    assert "/docker/no-service.md" in h.contents.value
    assert h.range == rng(text, "docker/no-service")


async def test_stale_suppression_is_faded_and_fixed_by_fix_all(client: LanguageClient, tmp_path):
    text = "pipelines:\n  default:\n    - step: {script: [make]}  # pipelint: ignore[docker/no-service]\n"
    root = repo(tmp_path, config=None)
    uri = open_file(client, root / "bitbucket-pipelines.yml", text)
    diags = await diagnostics_for(client, uri, 1)
    stale = [d for d in diags if d.code == "suppression/unused"]
    assert len(stale) == 1 and list(stale[0].tags) == [types.DiagnosticTag.Unnecessary]
    whole = types.Range(start=types.Position(line=0, character=0), end=types.Position(line=9, character=0))
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=doc_id(uri),
            range=whole,
            context=types.CodeActionContext(diagnostics=[], only=[types.CodeActionKind.SourceFixAll]),
        )
    )
    assert len(actions) == 1
    fixed = apply_edits(text, edits_of(actions[0].edit, uri))
    assert fixed == "pipelines:\n  default:\n    - step: {script: [make]}\n"
    # No "ignore" is offered for a stale suppression itself.
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=doc_id(uri),
            range=rng(text, "docker/no-service"),
            context=types.CodeActionContext(diagnostics=[]),
        )
    )
    assert not [a for a in actions if a.title.startswith("Ignore ")]


async def test_config_settings_reach_hover(client: LanguageClient, tmp_path):
    text = "pipelines:\n  default:\n    - step:\n        script: [make]\n"
    root = repo(tmp_path, config="[settings]\ndefault-runtime = 3\n")
    uri = open_file(client, root / "bitbucket-pipelines.yml", text)
    await diagnostics_for(client, uri, 1)
    h = await client.text_document_hover_async(
        types.HoverParams(text_document=doc_id(uri), position=pos(text, "step", offset=1))
    )
    assert "runtime: v3 (the default)" in h.contents.value, h.contents.value


async def test_search_stops_at_the_workspace_folder(client: LanguageClient, tmp_path):
    root = repo(tmp_path)
    uri = open_file(client, root / "sub" / "bitbucket-pipelines.yml", UNKNOWN_KEY)
    assert "yaml/unquoted-star" not in codes(await diagnostics_for(client, uri, 1))
    # `sub/` becomes a workspace folder of its own: the file above it no longer applies.
    since = len(client.published)
    client.workspace_did_change_workspace_folders(
        types.DidChangeWorkspaceFoldersParams(
            event=types.WorkspaceFoldersChangeEvent(
                added=[types.WorkspaceFolder(uri=(root / "sub").as_uri(), name="sub")],
                removed=[],
            )
        )
    )
    diags = await republished(client, uri, since)
    assert "yaml/unquoted-star" in codes(diags)
