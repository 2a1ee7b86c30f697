"""End-to-end tests of `pipelint lsp`, driven over stdio by pytest-lsp.

Each feature of the server is exercised as an editor would: documents, position
encodings, pushed and pulled diagnostics, code actions, hover, outline, navigation,
completion, inlay hints, settings, and what happens on bad input.
"""

from __future__ import annotations

import asyncio
import json

import pytest
from lsprotocol import types
from pygls.exceptions import JsonRpcException, JsonRpcMethodNotFound
from pytest_lsp import LanguageClient

from conftest import (
    apply_edits,
    change,
    diagnostics_for,
    edits_of,
    open_doc,
    pos,
    rng,
    uri_of,
    wait_for,
)

SAMPLE = """\
image: {name: "🚀漢", bogus: 1}
definitions:
  services:
    pg:
      image: postgres:16
      memory: 2048
  caches:
    deps: node_modules
  steps:
    - step: &build
        name: Build
        script:
          - echo hi
options:
  size: 2x
pipelines:
  default:
    - step: *build
    - step:
        <<: *build
        name: Test
        services: [pg, docker]
        caches: [deps, node]
        size: 4x
  branches:
    '**':
      - step: {script: [a], sise: 2x}
  custom:
    deploy:
      - step: {script: [x], trigger: manual}
"""


def codes(diags):
    return sorted(d.code for d in diags)


def of_rule(diags, rule="schema/unknown-key"):
    """The diagnostics of one rule (other rules may be added to the catalog over time)."""
    return [d for d in diags if d.code == rule]


def doc_id(uri: str) -> types.TextDocumentIdentifier:
    return types.TextDocumentIdentifier(uri=uri)


def tdpp(uri: str, position: types.Position) -> types.TextDocumentPositionParams:
    return types.TextDocumentPositionParams(text_document=doc_id(uri), position=position)


async def hover(client: LanguageClient, uri: str, position: types.Position):
    return await client.text_document_hover_async(
        types.HoverParams(text_document=doc_id(uri), position=position)
    )


# --- documents and position encodings --------------------------------------------------


async def test_utf16_is_used_when_utf8_is_not_offered(client: LanguageClient):
    assert client.init_result.capabilities.position_encoding == types.PositionEncodingKind.Utf16
    assert client.init_result.server_info.name == "pipelint"
    uri = open_doc(client, SAMPLE)
    diags = await diagnostics_for(client, uri, 1)
    bogus = next(d for d in diags if "bogus" in d.message)
    # `image: {name: "` is 15 units, the rocket 2, the CJK character 1, `", ` 3.
    assert bogus.range == rng(SAMPLE, "bogus", encoding="utf-16")
    assert bogus.range.start.character == 21


async def test_utf8_is_used_when_offered(utf8_client: LanguageClient):
    client = utf8_client
    assert client.init_result.capabilities.position_encoding == types.PositionEncodingKind.Utf8
    uri = open_doc(client, SAMPLE)
    diags = await diagnostics_for(client, uri, 1)
    bogus = next(d for d in diags if "bogus" in d.message)
    # The rocket is 4 bytes, the CJK character 3.
    assert bogus.range == rng(SAMPLE, "bogus", encoding="utf-8")
    assert bogus.range.start.character == 25


async def incremental_edits(client: LanguageClient, encoding: str):
    uri = open_doc(client, SAMPLE)
    await diagnostics_for(client, uri, 1)
    text = SAMPLE
    # Delete `, bogus: 1` on the emoji line.
    r = rng(text, ", bogus: 1", encoding=encoding)
    change(client, uri, 2, (r, ""))
    text = text.replace(", bogus: 1", "", 1)
    diags = await diagnostics_for(client, uri, 2)
    assert not any("bogus" in d.message for d in diags)
    # Two edits in one notification: rename `sise` to `size`, then add a key after the
    # rocket (positions of the second edit are in the text after the first).
    r1 = rng(text, "sise", encoding=encoding)
    change(client, uri, 3, (r1, "size"))
    text = text.replace("sise", "size", 1)
    r2 = rng(text, '漢"', encoding=encoding)
    r2 = types.Range(start=r2.end, end=r2.end)
    change(client, uri, 4, (r2, ", wrong: 2"))
    text = text.replace('漢"', '漢", wrong: 2', 1)
    diags = await diagnostics_for(client, uri, 4)
    wrong = [d for d in diags if "wrong" in d.message]
    assert len(wrong) == 1 and not any("sise" in d.message for d in diags)
    assert wrong[0].range == rng(text, "wrong", encoding=encoding)
    # The server's text is the client's: the hover of `size` (the renamed key) works.
    h = await hover(client, uri, pos(text, "size: 2x}", offset=1, encoding=encoding))
    assert h is not None and "size" in h.contents.value


async def test_incremental_edits_utf16(client: LanguageClient):
    await incremental_edits(client, "utf-16")


async def test_incremental_edits_utf8(utf8_client: LanguageClient):
    await incremental_edits(utf8_client, "utf-8")


def step_text(version: int) -> str:
    return f"pipelines:\n  default:\n    - step: {{script: [x], key{version}: 1}}\n"


async def test_burst_of_changes_publishes_the_last_version_only(client: LanguageClient):
    uri = open_doc(client, "pipelines:\n  default:\n    - step: {script: [x]}\n")
    await diagnostics_for(client, uri, 1)
    client.published.clear()
    # 50 changes without waiting; each adds an unknown key named after its version.
    for version in range(2, 52):
        change(client, uri, version, step_text(version))
    diags = await diagnostics_for(client, uri, 51)
    assert [d.message for d in diags if "key" in d.message] == [
        "unknown key `key51` in `step`; Bitbucket ignores it"
    ]
    await asyncio.sleep(0.3)
    versions = [p.version for p in client.published if p.uri == uri]
    # Whatever was published on the way, it came in order and ended with the last.
    assert versions[-1] == 51, versions
    assert versions == sorted(set(versions)), f"out of order or repeated: {versions}"


async def test_burst_that_arrives_at_once_is_coalesced(client: LanguageClient):
    uri = open_doc(client, "pipelines:\n  default:\n    - step: {script: [x]}\n")
    await diagnostics_for(client, uri, 1)
    client.published.clear()
    # The 50 changes are written to the server's input in one piece, as an editor under
    # load would have them queued: only the last version is worth publishing.
    burst = b"".join(
        frame(
            {
                "jsonrpc": "2.0",
                "method": "textDocument/didChange",
                "params": {
                    "textDocument": {"uri": uri, "version": version},
                    "contentChanges": [{"text": step_text(version)}],
                },
            }
        )
        for version in range(2, 52)
    )
    await send_raw(client, burst)
    await diagnostics_for(client, uri, 51)
    await asyncio.sleep(0.3)
    versions = [p.version for p in client.published if p.uri == uri]
    assert versions[-1] == 51 and versions == sorted(set(versions)), versions
    assert len(versions) <= 5, f"the burst was not coalesced: {versions}"


async def test_an_isolated_edit_is_published_at_once(client: LanguageClient):
    uri = open_doc(client, "pipelines:\n  default:\n    - step: {script: [x]}\n")
    await diagnostics_for(client, uri, 1)
    loop = asyncio.get_running_loop()
    start = loop.time()
    change(client, uri, 2, "pipelines:\n  default:\n    - step: {script: [x], oops: 1}\n")
    diags = await diagnostics_for(client, uri, 2)
    assert len(of_rule(diags)) == 1
    assert loop.time() - start < 0.5


async def test_close_clears_diagnostics(client: LanguageClient):
    uri = open_doc(client, SAMPLE)
    assert await diagnostics_for(client, uri, 1)
    client.text_document_did_close(types.DidCloseTextDocumentParams(text_document=doc_id(uri)))
    await wait_for(
        lambda: client.published[-1].uri == uri and len(client.published[-1].diagnostics) == 0,
        what="empty diagnostics after close",
    )
    # A request for the closed document gets an empty answer.
    assert await hover(client, uri, pos(SAMPLE, "size")) is None


async def test_other_yaml_files_are_left_alone(client: LanguageClient):
    uri = open_doc(client, "services: [[[\n  nonsense: *x\n", name="docker-compose.yml")
    await asyncio.sleep(0.3)
    assert not [p for p in client.published if p.uri == uri]
    assert await hover(client, uri, types.Position(line=0, character=1)) is None
    symbols = await client.text_document_document_symbol_async(
        types.DocumentSymbolParams(text_document=doc_id(uri))
    )
    assert symbols is None


# --- diagnostics -------------------------------------------------------------------------


async def test_diagnostic_fields(client: LanguageClient):
    uri = open_doc(client, SAMPLE)
    diags = await diagnostics_for(client, uri, 1)
    assert len(of_rule(diags)) == 2
    d = next(d for d in diags if "sise" in d.message)
    assert d.source == "pipelint"
    assert d.severity == types.DiagnosticSeverity.Warning
    assert d.code_description.href.endswith("/schema/unknown-key.md")
    assert "did you mean `size`" in d.message
    assert d.data["rule"] == "schema/unknown-key"
    assert d.data["version"] == 1
    assert d.data["fix"]["edits"][0]["newText"] == "size"


async def test_related_information(client: LanguageClient):
    text = "definitions:\n  steps:\n    - step: &s\n        script: [a]\n        bogus: 1\npipelines:\n  default:\n    - step: *s\n"
    uri = open_doc(client, text)
    diags = await diagnostics_for(client, uri, 1)
    bogus = next(d for d in diags if "bogus" in d.message)
    # Found through the alias: the alias site is a related location.
    related = bogus.related_information or []
    assert any(r.location.range == rng(text, "*s") for r in related), related


async def test_pull_diagnostics(pull_client: LanguageClient):
    client = pull_client
    provider = client.init_result.capabilities.diagnostic_provider
    assert provider is not None and provider.identifier == "pipelint"
    uri = open_doc(client, SAMPLE)
    report = await client.text_document_diagnostic_async(
        types.DocumentDiagnosticParams(text_document=doc_id(uri))
    )
    assert report.kind == "full"
    assert len(of_rule(report.items)) == 2
    again = await client.text_document_diagnostic_async(
        types.DocumentDiagnosticParams(
            text_document=doc_id(uri), previous_result_id=report.result_id
        )
    )
    assert again.kind == "unchanged" and again.result_id == report.result_id
    change(client, uri, 2, SAMPLE.replace("sise", "size"))
    report2 = await client.text_document_diagnostic_async(
        types.DocumentDiagnosticParams(
            text_document=doc_id(uri), previous_result_id=report.result_id
        )
    )
    assert report2.kind == "full" and len(of_rule(report2.items)) == 1
    # Nothing is pushed to a client that pulls.
    await asyncio.sleep(0.2)
    assert client.published == []
    # New settings: the client is asked to pull again, and gets the new severities.
    client.workspace_did_change_configuration(
        types.DidChangeConfigurationParams(
            settings={"pipelint": {"severity": {"schema/unknown-key": "info"}}}
        )
    )
    await wait_for(lambda: client.diagnostic_refresh_count == 1, what="diagnostic refresh")
    report3 = await client.text_document_diagnostic_async(
        types.DocumentDiagnosticParams(
            text_document=doc_id(uri), previous_result_id=report2.result_id
        )
    )
    assert report3.kind == "full"
    assert [d.severity for d in of_rule(report3.items)] == [types.DiagnosticSeverity.Information]
    # A document never opened: an empty report.
    empty = await client.text_document_diagnostic_async(
        types.DocumentDiagnosticParams(text_document=doc_id(uri_of("never-pipelines.yml")))
    )
    assert empty.kind == "full" and len(empty.items) == 0


# --- code actions ------------------------------------------------------------------------

FIXABLE = """\
pipelines:
  branches:
    **:
      - step: {script: [a], sise: 2x}
    main:
      - step: {script: [b], nmae: x}
"""


def rule_fixes(actions):
    """The quick fixes that are a rule's fix (not "Ignore ... on this line")."""
    return [
        a
        for a in actions
        if a.kind == types.CodeActionKind.QuickFix and not a.title.startswith("Ignore ")
    ]


async def code_actions(client, uri, rng_, only=None):
    return await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=doc_id(uri),
            range=rng_,
            context=types.CodeActionContext(diagnostics=[], only=only),
        )
    )


async def test_quick_fixes(client: LanguageClient):
    uri = open_doc(client, FIXABLE)
    diags = await diagnostics_for(client, uri, 1)
    assert "yaml/unquoted-star" in codes(diags)
    actions = await code_actions(client, uri, rng(FIXABLE, "**"))
    quick = rule_fixes(actions)
    assert len(quick) == 1
    star = quick[0]
    assert star.is_preferred is True
    assert star.diagnostics[0].code == "yaml/unquoted-star"
    fixed = apply_edits(FIXABLE, edits_of(star.edit, uri))
    assert "    '**':\n" in fixed
    # The typo's fix, on its own line.
    actions = await code_actions(client, uri, rng(FIXABLE, "nmae"))
    typo = rule_fixes(actions)
    assert [a.diagnostics[0].code for a in typo] == ["schema/unknown-key"]
    assert "name: x" in apply_edits(FIXABLE, edits_of(typo[0].edit, uri))


async def test_unsafe_fix_is_offered_but_not_preferred(client: LanguageClient):
    text = "definitions:\n  steps:\n    - step: &build\n        script: [a]\npipelines:\n  default:\n    - step: *biuld\n"
    uri = open_doc(client, text)
    diags = await diagnostics_for(client, uri, 1)
    assert "yaml/undefined-alias" in codes(diags)
    alias = next(d for d in diags if d.code == "yaml/undefined-alias")
    assert alias.data["fix"]["safe"] is False
    assert any(r.location.range == rng(text, "&build") for r in alias.related_information)
    actions = await code_actions(client, uri, rng(text, "*biuld"))
    quick = rule_fixes(actions)
    assert len(quick) == 1 and quick[0].is_preferred is False
    assert "step: *build" in apply_edits(text, edits_of(quick[0].edit, uri))
    # An unsafe fix is not part of "fix all".
    actions = await code_actions(client, uri, WHOLE, only=[types.CodeActionKind.SourceFixAll])
    assert actions == [] or all("*build" not in str(a.edit) for a in actions)


async def test_fix_all(client: LanguageClient):
    uri = open_doc(client, FIXABLE)
    diags = await diagnostics_for(client, uri, 1)
    safe = [d for d in diags if d.data.get("fix", {}).get("safe")]
    assert safe, diags
    whole = types.Range(start=types.Position(line=0, character=0), end=types.Position(line=9, character=0))
    actions = await code_actions(client, uri, whole, only=[types.CodeActionKind.SourceFixAll])
    assert [a.kind for a in actions] == ["source.fixAll.pipelint"]
    fixed = apply_edits(FIXABLE, edits_of(actions[0].edit, uri))
    assert "'**':" in fixed
    # Every safe fix was applied: the fixed text has none left.
    change(client, uri, 2, fixed)
    after = await diagnostics_for(client, uri, 2)
    assert not [d for d in after if d.data.get("fix", {}).get("safe")], after
    # Quick fixes are not offered when only fixAll is asked for, and the reverse.
    actions = await code_actions(client, uri, whole, only=[types.CodeActionKind.QuickFix])
    assert all(a.kind == types.CodeActionKind.QuickFix for a in actions)


# --- hover -------------------------------------------------------------------------------


async def test_hover_key(client: LanguageClient):
    uri = open_doc(client, SAMPLE)
    h = await hover(client, uri, pos(SAMPLE, "memory", offset=2))
    assert h.contents.kind == types.MarkupKind.Markdown
    assert "**`memory`**" in h.contents.value
    assert "at least 128" in h.contents.value
    assert "support.atlassian.com" in h.contents.value
    assert h.range == rng(SAMPLE, "memory")
    # A key of an anchored step is described as a step key.
    h = await hover(client, uri, pos(SAMPLE, "script", offset=1))
    assert "**`script`**" in h.contents.value


async def test_hover_enum_value(client: LanguageClient):
    uri = open_doc(client, SAMPLE)
    h = await hover(client, uri, pos(SAMPLE, "4x", offset=1))
    assert "16 GB" in h.contents.value and "16384 MB" in h.contents.value
    h = await hover(client, uri, pos(SAMPLE, "manual", offset=1))
    assert "Waits until a user" in h.contents.value


async def test_hover_alias_and_merge(client: LanguageClient):
    uri = open_doc(client, SAMPLE)
    h = await hover(client, uri, pos(SAMPLE, "*build", offset=2))
    value = h.contents.value
    assert "```yaml" in value and "name: Build" in value and "- echo hi" in value
    assert h.range == rng(SAMPLE, "*build")
    h = await hover(client, uri, pos(SAMPLE, "<<"))
    value = h.contents.value
    assert "name: Test" in value
    assert "script:  # from *build" in value
    assert "`name`" in value  # written here, hiding the merged name


async def test_hover_step(client: LanguageClient):
    uri = open_doc(client, SAMPLE)
    h = await hover(client, uri, pos(SAMPLE, "step:\n        <<", offset=1))
    value = h.contents.value
    assert "**Step `Test`**" in value
    assert "runtime: v2 (the default)" in value
    assert "size: 4x = 16384 MB (set on the step)" in value
    assert "`pg` 2048 MB" in value and "`docker` 1024 MB" in value
    assert "build container: 13312 MB left" in value
    # The aliased step gets its size from options.
    h = await hover(client, uri, pos(SAMPLE, "step: *build", offset=1))
    assert "size: 2x = 8192 MB (from `options.size`)" in h.contents.value


# --- outline -----------------------------------------------------------------------------


async def test_document_symbols(client: LanguageClient):
    uri = open_doc(client, SAMPLE)
    symbols = await client.text_document_document_symbol_async(
        types.DocumentSymbolParams(text_document=doc_id(uri))
    )
    top = {s.name: s for s in symbols}
    assert list(top) == ["image", "definitions", "options", "pipelines"]
    pipelines = {s.name: s for s in top["pipelines"].children}
    assert list(pipelines) == ["default", "branches", "custom"]
    default = pipelines["default"]
    assert [c.name for c in default.children] == ["Build", "Test"]
    assert default.detail == "2 steps"
    assert [c.name for c in pipelines["branches"].children] == ["**"]
    assert [c.name for c in pipelines["custom"].children] == ["deploy"]
    definitions = {s.name: s for s in top["definitions"].children}
    assert [c.name for c in definitions["services"].children] == ["pg"]
    assert [c.name for c in definitions["caches"].children] == ["deps"]

    def check(sym, outer):
        assert in_range(sym.selection_range, sym.range), sym.name
        if outer is not None:
            assert in_range(sym.range, outer), sym.name
        for c in sym.children or []:
            check(c, sym.range)

    for s in symbols:
        check(s, None)


GROUPS = """\
pipelines:
  pull-requests:
    '**':
      destinations:
        main:
          - parallel:
              - step: {name: Lint, script: [a]}
              - step: {name: Unit, script: [b]}
          - stage:
              name: Deploy
              steps:
                - step: {name: Staging, script: [c]}
                - step: {script: [d]}
          - final: {name: Cleanup, script: [e]}
"""


async def test_symbols_of_parallel_groups_and_stages(client: LanguageClient):
    uri = open_doc(client, GROUPS)
    symbols = await client.text_document_document_symbol_async(
        types.DocumentSymbolParams(text_document=doc_id(uri))
    )
    prs = symbols[0].children[0]
    assert prs.name == "pull-requests"
    pattern = prs.children[0]
    assert (pattern.name, pattern.detail) == ("**", "destinations")
    main = pattern.children[0]
    assert main.name == "main" and main.detail == "5 steps"
    parallel, stage, final = main.children
    assert parallel.name == "parallel" and [c.name for c in parallel.children] == ["Lint", "Unit"]
    assert stage.name == "Deploy" and [c.name for c in stage.children] == ["Staging", "step"]
    assert (final.name, final.detail) == ("Cleanup", "final step")


def before_or_eq(a: types.Position, b: types.Position) -> bool:
    return (a.line, a.character) <= (b.line, b.character)


def in_range(inner: types.Range, outer: types.Range) -> bool:
    return before_or_eq(outer.start, inner.start) and before_or_eq(inner.end, outer.end)


async def test_folding_and_selection_ranges(client: LanguageClient):
    uri = open_doc(client, SAMPLE)
    folds = await client.text_document_folding_range_async(
        types.FoldingRangeParams(text_document=doc_id(uri))
    )
    starts = {(f.start_line, f.end_line) for f in folds}
    lines = SAMPLE.split("\n")
    assert (lines.index("pipelines:"), len(lines) - 2) in starts
    assert (lines.index("definitions:"), lines.index("          - echo hi")) in starts
    sel = await client.text_document_selection_range_async(
        types.SelectionRangeParams(
            text_document=doc_id(uri), positions=[pos(SAMPLE, "4x", offset=1)]
        )
    )
    chain = []
    node = sel[0]
    while node is not None:
        chain.append(node.range)
        node = node.parent
    assert chain[0] == rng(SAMPLE, "4x")
    assert chain[1] == rng(SAMPLE, "size: 4x")
    for inner, outer in zip(chain, chain[1:]):
        assert in_range(inner, outer)


# --- navigation --------------------------------------------------------------------------


async def definition(client, uri, position):
    return await client.text_document_definition_async(
        types.DefinitionParams(text_document=doc_id(uri), position=position)
    )


async def test_go_to_definition(client: LanguageClient):
    uri = open_doc(client, SAMPLE)
    loc = await definition(client, uri, pos(SAMPLE, "*build", offset=3))
    assert loc.range == rng(SAMPLE, "build", occurrence=0)  # the name in `&build`
    loc = await definition(client, uri, pos(SAMPLE, "[pg", offset=2))
    assert loc.range == rng(SAMPLE, "pg", occurrence=0)
    loc = await definition(client, uri, pos(SAMPLE, "[deps", offset=2))
    assert loc.range == rng(SAMPLE, "deps", occurrence=0)
    # A predefined cache has no definition in the file.
    assert await definition(client, uri, pos(SAMPLE, "node]", offset=1)) is None


async def test_references(client: LanguageClient):
    uri = open_doc(client, SAMPLE)
    refs = await client.text_document_references_async(
        types.ReferenceParams(
            text_document=doc_id(uri),
            position=pos(SAMPLE, "pg:", offset=1),
            context=types.ReferenceContext(include_declaration=True),
        )
    )
    assert [r.range for r in refs] == [
        rng(SAMPLE, "pg", occurrence=0),
        rng(SAMPLE, "pg", occurrence=1),
    ]
    refs = await client.text_document_references_async(
        types.ReferenceParams(
            text_document=doc_id(uri),
            position=pos(SAMPLE, "&build", offset=2),
            context=types.ReferenceContext(include_declaration=False),
        )
    )
    assert len(refs) == 2  # `*build` twice


async def rename(client, uri, position, new_name):
    return await client.text_document_rename_async(
        types.RenameParams(text_document=doc_id(uri), position=position, new_name=new_name)
    )


async def test_rename_service_cache_anchor(client: LanguageClient):
    uri = open_doc(client, SAMPLE)
    prep = await client.text_document_prepare_rename_async(
        types.PrepareRenameParams(text_document=doc_id(uri), position=pos(SAMPLE, "[pg", offset=1))
    )
    assert prep.placeholder == "pg" and prep.range == rng(SAMPLE, "pg", occurrence=1)

    edit = await rename(client, uri, pos(SAMPLE, "[pg", offset=1), "postgres")
    renamed = apply_edits(SAMPLE, edits_of(edit, uri))
    assert "    postgres:\n" in renamed and "services: [postgres, docker]" in renamed

    edit = await rename(client, uri, pos(SAMPLE, "deps:", offset=1), "modules")
    renamed = apply_edits(SAMPLE, edits_of(edit, uri))
    assert "    modules: node_modules" in renamed and "caches: [modules, node]" in renamed

    edit = await rename(client, uri, pos(SAMPLE, "*build", offset=2), "compile")
    renamed = apply_edits(SAMPLE, edits_of(edit, uri))
    assert renamed.count("&compile") == 1 and renamed.count("*compile") == 2
    assert "build" not in renamed.replace("Build", "")

    # Names that cannot be renamed, and names that cannot be given.
    for needle in ("docker]", "node]"):
        with pytest.raises(JsonRpcException):
            await client.text_document_prepare_rename_async(
                types.PrepareRenameParams(
                    text_document=doc_id(uri), position=pos(SAMPLE, needle, offset=1)
                )
            )
    with pytest.raises(JsonRpcException):
        await rename(client, uri, pos(SAMPLE, "[pg", offset=1), "two words")
    with pytest.raises(JsonRpcException):
        await rename(client, uri, pos(SAMPLE, "[pg", offset=1), "docker")
    # Nothing to rename on a plain value.
    assert (
        await client.text_document_prepare_rename_async(
            types.PrepareRenameParams(
                text_document=doc_id(uri), position=pos(SAMPLE, "postgres:16", offset=2)
            )
        )
        is None
    )


CUSTOM = """\
pipelines:
  custom:
    deploy-prod:
      - step: {script: [x]}
  default:
    - step:
        type: pipeline
        custom: deploy-prod
triggers:
  repository-push:
    - condition: "true"
      pipelines: [deploy-prod]
"""


async def test_rename_custom_pipeline(client: LanguageClient):
    uri = open_doc(client, CUSTOM)
    loc = await definition(client, uri, pos(CUSTOM, "deploy-prod", occurrence=1, offset=2))
    assert loc.range == rng(CUSTOM, "deploy-prod", occurrence=0)
    edit = await rename(client, uri, pos(CUSTOM, "deploy-prod", offset=1), "release")
    renamed = apply_edits(CUSTOM, edits_of(edit, uri))
    assert "deploy-prod" not in renamed and renamed.count("release") == 3


# --- completion --------------------------------------------------------------------------


async def complete(client, uri, text, marker="|"):
    position = pos(text, marker)
    result = await client.text_document_completion_async(
        types.CompletionParams(text_document=doc_id(uri), position=position)
    )
    items = result.items if isinstance(result, types.CompletionList) else (result or [])
    return {i.label: i for i in items}


async def completion_in(client, text, name="bitbucket-pipelines.yml"):
    uri = open_doc(client, text.replace("|", ""), name=name)
    return await complete(client, uri, text)


DEFS = """\
definitions:
  services:
    pg:
      image: postgres
  caches:
    deps: node_modules
  steps:
    - step: &build
        script: [x]
"""


async def test_complete_keys(client: LanguageClient):
    items = await completion_in(
        client, "pipelines:\n  default:\n    - step:\n        name: x\n        si|\n        script: [a]\n"
    )
    assert "size" in items and "services" in items
    assert "name" not in items and "script" not in items
    size = items["size"]
    assert size.text_edit.new_text == "size: "
    assert "Resources" in size.documentation.value
    # Keys of a pipeline item.
    items = await completion_in(client, "pipelines:\n  default:\n    - |\n", name="x-pipelines.yml")
    assert {"step", "parallel", "stage"} <= set(items)


async def test_complete_in_anchored_steps(client: LanguageClient):
    # `definitions.steps` holds anchored steps: their keys are a step's.
    items = await completion_in(
        client, "definitions:\n  steps:\n    - step: &build\n        scr|\n"
    )
    assert "script" in items and "caches" in items


async def test_complete_enum_values(client: LanguageClient):
    items = await completion_in(client, "options:\n  size: |\n")
    assert {"1x", "2x", "4x", "8x"} <= set(items)
    assert "8 GB" in items["2x"].detail
    items = await completion_in(client, "options:\n  runtime:\n    cloud:\n      version:|\n", name="a-pipelines.yml")
    assert items["3"].text_edit.new_text == ' "3"'
    items = await completion_in(client, "options:\n  runtime:\n    cloud:\n      arch: |\n", name="b-pipelines.yml")
    assert set(items) == {"x86", "arm"}


async def test_complete_trigger_and_artifact_type(client: LanguageClient):
    step = "pipelines:\n  default:\n    - step:\n        script: [a]\n"
    items = await completion_in(client, step + "        trigger: |\n")
    assert set(items) == {"automatic", "manual"}
    items = await completion_in(
        client,
        step + "        artifacts:\n          upload:\n            - name: reports\n              type: |\n",
        name="e-pipelines.yml",
    )
    assert set(items) == {"shared", "scoped", "test-reports"}


async def test_complete_names(client: LanguageClient):
    text = DEFS + "pipelines:\n  default:\n    - step:\n        caches:\n          - |\n"
    items = await completion_in(client, text)
    assert {"deps", "node", "docker", "pip"} <= set(items)
    text = DEFS + "pipelines:\n  default:\n    - step:\n        services: [|\n"
    items = await completion_in(client, text, name="c-pipelines.yml")
    assert set(items) == {"pg", "docker"}
    text = DEFS + "pipelines:\n  default:\n    - step: *|\n"
    items = await completion_in(client, text, name="d-pipelines.yml")
    assert set(items) == {"build"}
    text = "pipelines:\n  custom:\n    release: [{step: {script: [a]}}]\n  default:\n    - step:\n        type: pipeline\n        custom: |\n"
    items = await completion_in(client, text, name="f-pipelines.yml")
    assert set(items) == {"release"}
    text = "pipelines:\n  custom:\n    release: [{step: {script: [a]}}]\ntriggers:\n  repository-push:\n    - condition: x\n      pipelines:\n        - |\n"
    items = await completion_in(client, text, name="g-pipelines.yml")
    assert "release" in items


# --- inlay hints and settings ------------------------------------------------------------

WHOLE = types.Range(start=types.Position(line=0, character=0), end=types.Position(line=99, character=0))


async def test_inlay_hints(hints_client: LanguageClient):
    client = hints_client
    uri = open_doc(client, SAMPLE)
    hints = await client.text_document_inlay_hint_async(
        types.InlayHintParams(text_document=doc_id(uri), range=WHOLE)
    )
    labels = {(h.position.line, h.label) for h in hints}
    lines = SAMPLE.split("\n")
    assert (lines.index("    - step: *build"), "runtime 2, 2x") in labels
    assert (lines.index("        name: Test"), "runtime 2") in labels
    test_hint = next(h for h in hints if h.label == "runtime 2")
    assert test_hint.position == pos(SAMPLE, "Test", offset=4)
    # Switched off: the client is asked to refresh, and there are none.
    client.workspace_did_change_configuration(
        types.DidChangeConfigurationParams(settings={"pipelint": {"inlayHints": False}})
    )
    await wait_for(lambda: client.inlay_hint_refreshes == 1, what="inlay hint refresh")
    hints = await client.text_document_inlay_hint_async(
        types.InlayHintParams(text_document=doc_id(uri), range=WHOLE)
    )
    assert not hints


async def test_inlay_hints_are_off_by_default(client: LanguageClient):
    uri = open_doc(client, SAMPLE)
    hints = await client.text_document_inlay_hint_async(
        types.InlayHintParams(text_document=doc_id(uri), range=WHOLE)
    )
    assert not hints


async def test_settings_select_and_severity(yaml_only_client: LanguageClient):
    client = yaml_only_client
    uri = open_doc(client, FIXABLE)
    diags = await diagnostics_for(client, uri, 1)
    assert "yaml/unquoted-star" in codes(diags)
    assert all(c.startswith("yaml/") for c in codes(diags)), codes(diags)
    # The unknown group in initializationOptions was reported once the client was ready.
    assert any("`nope/`" in m.message for m in client.log_messages), client.log_messages
    client.published.clear()
    client.workspace_did_change_configuration(
        types.DidChangeConfigurationParams(
            settings={"pipelint": {"severity": {"schema/unknown-key": "error"}}}
        )
    )
    await wait_for(lambda: any(p.uri == uri for p in client.published), what="re-publication")
    diags = client.published[-1].diagnostics
    unknown = [d for d in diags if d.code == "schema/unknown-key"]
    assert len(unknown) == 2 and all(d.severity == types.DiagnosticSeverity.Error for d in unknown)
    # A bad setting is reported in the log, not fatal.
    client.workspace_did_change_configuration(
        types.DidChangeConfigurationParams(settings={"pipelint": {"severity": {"nope/x": "loud"}}})
    )
    await wait_for(
        lambda: any("nope/x" in m.message for m in client.log_messages), what="settings warning"
    )


async def test_settings_pulled_when_the_notification_is_empty(client: LanguageClient):
    uri = open_doc(client, FIXABLE)
    await diagnostics_for(client, uri, 1)
    client.set_configuration({"select": ["yaml/unquoted-star"]}, section="pipelint")
    client.published.clear()
    client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings=None))
    await wait_for(lambda: any(p.uri == uri for p in client.published), what="re-publication")
    assert codes(client.published[-1].diagnostics) == ["yaml/unquoted-star"]


# --- robustness --------------------------------------------------------------------------


async def alive(client: LanguageClient):
    uri = open_doc(client, SAMPLE, name="alive-pipelines.yml")
    h = await hover(client, uri, pos(SAMPLE, "memory", offset=1))
    assert h is not None


async def test_unknown_document_and_positions_past_the_end(client: LanguageClient):
    never = uri_of("never-opened-pipelines.yml")
    assert await hover(client, never, types.Position(line=0, character=0)) is None
    assert await definition(client, never, types.Position(line=0, character=0)) is None
    uri = open_doc(client, SAMPLE)
    far = types.Position(line=10_000, character=10_000)
    assert await hover(client, uri, far) is None
    await client.text_document_completion_async(
        types.CompletionParams(text_document=doc_id(uri), position=far)
    )
    long_line = types.Position(line=0, character=999)
    await hover(client, uri, long_line)
    # An edit past the end is clamped, not fatal.
    change(client, uri, 2, (types.Range(start=far, end=far), "\n# end\n"))
    await diagnostics_for(client, uri, 2)
    # A change to a document that is not open is ignored and logged.
    change(client, never, 5, "x: 1")
    await wait_for(
        lambda: any("not open" in m.message for m in client.log_messages), what="log of the change"
    )
    await alive(client)


async def test_unknown_method(client: LanguageClient):
    with pytest.raises(JsonRpcMethodNotFound):
        await client.protocol.send_request_async("pipelint/noSuchMethod", {})
    await wait_for(
        lambda: any("pipelint/noSuchMethod" in m.message for m in client.log_messages),
        what="log of the unknown method",
    )
    client.protocol.notify("pipelint/noSuchNotification", {})
    await alive(client)


async def send_raw(client: LanguageClient, body: bytes):
    """Writes bytes to the server's stdin, bypassing the client's typed messages."""
    result = client.protocol.writer.write(body)
    if asyncio.iscoroutine(result) or isinstance(result, asyncio.Future):
        await result


def frame(message: dict) -> bytes:
    body = json.dumps(message).encode()
    return b"Content-Length: %d\r\n\r\n" % len(body) + body


async def raw_request(client: LanguageClient, message: dict):
    """Sends a request the typed client could not build and awaits its answer."""
    future = asyncio.get_running_loop().create_future()
    client.protocol._request_futures[message["id"]] = future
    await send_raw(client, frame(message))
    return await asyncio.wait_for(future, timeout=5)


async def test_invalid_params(client: LanguageClient):
    with pytest.raises(JsonRpcException) as info:
        await raw_request(
            client,
            {"jsonrpc": "2.0", "id": "bad-1", "method": "textDocument/hover", "params": {"textDocument": 3}},
        )
    assert info.value.code == -32602
    await alive(client)


async def test_malformed_messages(client: LanguageClient):
    for raw in (
        b"Content-Length: 9\r\n\r\n{garbage}",
        b"this is not a header\r\n\r\n",
    ):
        await send_raw(client, raw)
    # Valid JSON that is no JSON-RPC message: answered with "invalid request".
    with pytest.raises(JsonRpcException) as info:
        await raw_request(client, {"jsonrpc": "2.0", "id": "bad-2", "params": {}})
    assert info.value.code == -32600
    await wait_for(
        lambda: sum("malformed" in m.message for m in client.log_messages) >= 3,
        what="logs of the malformed messages",
    )
    await alive(client)


async def test_cancelled_request(client: LanguageClient):
    uri = open_doc(client, SAMPLE)
    await diagnostics_for(client, uri, 1)
    params = types.HoverParams(text_document=doc_id(uri), position=pos(SAMPLE, "memory"))
    future = client.protocol.send_request_async(types.TEXT_DOCUMENT_HOVER, params, msg_id=4242)
    client.protocol.notify(types.CANCEL_REQUEST, types.CancelParams(id=4242))
    try:
        result = await future
        assert result is None or "memory" in result.contents.value
    except JsonRpcException as e:
        assert e.code == -32800  # RequestCancelled
    await alive(client)


async def test_exit_after_shutdown_is_clean(bare_client: LanguageClient):
    client = bare_client
    await client.shutdown_session()
    assert client._server.returncode == 0


async def test_exit_without_shutdown_is_an_error(bare_client: LanguageClient):
    client = bare_client
    client.exit(None)
    await asyncio.wait_for(client._server.wait(), timeout=5)
    assert client._server.returncode == 1


# --- the custom request pipelint/effectivePipeline -----------------------------------

EFFECTIVE = """\
definitions:
  steps:
    - step: &build
        name: Build
        script:
          - echo hi
pipelines:
  default:
    - step: *build
    - step:
        <<: *build
        name: Test
"""


async def test_effective_pipeline_expands_aliases_and_merges(client: LanguageClient):
    uri = open_doc(client, EFFECTIVE)
    text = await client.protocol.send_request_async(
        "pipelint/effectivePipeline", {"textDocument": {"uri": uri}}
    )
    assert isinstance(text, str)
    lines = text.splitlines()
    assert lines[0].startswith("# bitbucket-pipelines.yml: anchors, aliases and merge keys")
    body = "\n".join(line for line in lines if not line.startswith("#"))
    assert "*build" not in body and "&build" not in body and "<<" not in body
    # The alias is replaced by the anchored step; the merge keeps the explicit `name`,
    # at the place of the `<<` key (merged keys first, the overridden one left out).
    assert body.split("pipelines:\n", 1)[1] == (
        "  default:\n"
        "    - step:\n"
        "        name: Build\n"
        "        script:\n"
        "          - echo hi\n"
        "    - step:\n"
        "        script:\n"
        "          - echo hi\n"
        "        name: Test"
    )


async def test_effective_pipeline_follows_edits_and_marks_syntax_errors(client: LanguageClient):
    uri = open_doc(client, EFFECTIVE)
    change(client, uri, 2, EFFECTIVE + "  branches: [oops\n")
    text = await client.protocol.send_request_async(
        "pipelint/effectivePipeline", {"textDocument": {"uri": uri}}
    )
    assert "# line 14: the YAML stops being readable here" in text, text


async def test_effective_pipeline_of_unknown_or_other_files_fails(client: LanguageClient):
    other = open_doc(client, "a: 1\n", name="docker-compose.yml")
    for uri, words in ((other, "not a pipeline file"), (uri_of("never-opened.yml"), "not open")):
        with pytest.raises(JsonRpcException) as info:
            await client.protocol.send_request_async(
                "pipelint/effectivePipeline", {"textDocument": {"uri": uri}}
            )
        assert words in str(info.value), info.value
    await alive(client)
# --- script/shellcheck -------------------------------------------------------------------


async def test_shellcheck_findings_point_into_the_yaml(client: LanguageClient):
    import os
    import shutil

    if shutil.which("shellcheck") is None:
        assert not os.environ.get("CI"), "CI is set but shellcheck is not installed"
        pytest.skip("SKIPPED: shellcheck is not installed")
    text = 'pipelines:\n  default:\n    - step:\n        script:\n          - "echo \\"out:\\" $BITBUCKET_CLONE_DIR"\n'
    uri = open_doc(client, text)
    diags = of_rule(await diagnostics_for(client, uri, 1), "script/shellcheck")
    assert len(diags) == 1, diags
    assert diags[0].message.startswith("SC2086: ")
    assert diags[0].range == rng(text, "$BITBUCKET_CLONE_DIR")
