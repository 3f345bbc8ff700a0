"""Diagnostics as you type, over real stdio: the checker's findings for the open document
read with the other files of its folder, at the right LSP ranges (UTF-16 columns), in the
author's language (the client said zh-CN)."""

from __future__ import annotations

from pathlib import Path

import pytest
from lsp_client import (
    LspClient,
    close_document,
    diagnostics_of,
    open_document,
    position_of,
    tags_folder,
    text_at,
    uri,
)

from policy_match.core.loading import load_sources

# An astral character (U+2000B, two UTF-16 units) before the mistake on the same line.
POLICY = '''policy "T-1" {
    事项名称: "测试"
    申请条件: 营业收人 >= 2000万
}

define 甲𠀋 = 营业收人 >= 1
'''


@pytest.fixture(scope="module")
def folder(workspace: Path) -> Path:
    """A rulebook of its own: the bundled tags and defines, and the document under test."""
    return tags_folder(workspace, "typo")


def _expected(folder: Path, doc: Path, text: str) -> list[tuple[str, str]]:
    """What the library itself finds, as (code, zh message) pairs, for the same texts."""
    sources = {str(p): p.read_text(encoding="utf-8") for p in folder.glob("*.rule")}
    sources[str(doc)] = text
    result = load_sources(sources)
    return [(d.code.value, d.text("zh")) for d in result.diagnostics if d.span.path == str(doc)]


def test_unknown_names_are_reported_at_their_utf16_ranges(client: LspClient, folder: Path) -> None:
    doc = folder / "typo.rule"
    mark = client.mark()
    open_document(client, doc, POLICY)
    found = diagnostics_of(client, doc, mark, lambda d: len(d) > 0)
    close_document(client, doc)
    names = [d for d in found if d["code"] == "E-NAME"]
    assert len(names) == 2
    first, second = sorted(names, key=lambda d: d["range"]["start"]["line"])
    assert first["range"]["start"] == position_of(POLICY, "营业收人")
    assert first["range"]["end"] == position_of(POLICY, "营业收人", shift=4)
    # After 𠀋 the column counts it as two units: 'define 甲𠀋 = ' is 13 UTF-16 units.
    assert second["range"]["start"] == {"line": 5, "character": 13}
    assert text_at(POLICY, second["range"]) == "营业收人"
    assert first["severity"] == 1 and first["source"] == "policy-match"


def test_messages_are_the_checkers_words_in_chinese(client: LspClient, folder: Path) -> None:
    doc = folder / "zh.rule"
    mark = client.mark()
    open_document(client, doc, POLICY)
    found = diagnostics_of(client, doc, mark, lambda d: len(d) > 0)
    close_document(client, doc)
    expected = _expected(folder, doc, POLICY)
    assert sorted((d["code"], d["message"].split("\n")[0]) for d in found) == sorted(expected)
    assert any("营业收入" in d["message"] for d in found)  # the hint names the tag meant


def test_a_syntax_error_points_into_the_document(client: LspClient, folder: Path) -> None:
    doc = folder / "syntax.rule"
    text = 'define 乙 = (营业收入 >= 1\n\ndefine 丙 = 营业收入 >= 2\n'
    mark = client.mark()
    open_document(client, doc, text)
    found = diagnostics_of(client, doc, mark, lambda d: len(d) > 0)
    close_document(client, doc)
    syntax = [d for d in found if d["code"] == "E-SYNTAX"]
    assert syntax, found
    sources = {str(p): p.read_text(encoding="utf-8") for p in folder.glob("*.rule")}
    expected = load_sources({**sources, str(doc): text}).diagnostics
    span = next(d.span for d in expected if d.code.value == "E-SYNTAX")
    assert syntax[0]["range"]["start"] == {"line": span.line - 1, "character": span.column - 1}


def test_fixing_the_document_clears_its_diagnostics(client: LspClient, folder: Path) -> None:
    doc = folder / "fixed.rule"
    mark = client.mark()
    open_document(client, doc, POLICY)
    diagnostics_of(client, doc, mark, lambda d: len(d) > 0)
    mark = client.mark()
    # two incremental edits, as an editor sends them: each misspelt name retyped in place
    fixes = [{"range": {"start": position_of(POLICY, "营业收人", nth),
                        "end": position_of(POLICY, "营业收人", nth, shift=4)}, "text": "营业收入"}
             for nth in (1, 0)]
    client.notify("textDocument/didChange", {
        "textDocument": {"uri": uri(doc), "version": 2}, "contentChanges": fixes})
    assert diagnostics_of(client, doc, mark) == []
    close_document(client, doc)


PLANTED = '''policy "L-1" {
    事项名称: "营收既高又低"
    申请条件: 营业收入 >= 5000万 且 营业收入 < 100万
}
'''


def test_lint_findings_follow_once_the_rules_check_clean(client: LspClient,
                                                         workspace: Path) -> None:
    from policy_match.analysis import lint

    folder = tags_folder(workspace, "lint")
    doc = folder / "planted.rule"
    sources = {str(p): p.read_text(encoding="utf-8") for p in folder.glob("*.rule")}
    findings = [d for d in lint(load_sources({**sources, str(doc): PLANTED}))
                if d.span.path == str(doc)]
    assert any(d.code.value == "W-UNSAT" for d in findings)
    mark = client.mark()
    open_document(client, doc, PLANTED)
    found = diagnostics_of(client, doc, mark, lambda d: any(x["code"] == "W-UNSAT" for x in d))
    close_document(client, doc)
    expected = sorted((d.code.value, d.span.line - 1, d.text("zh")) for d in findings)
    got = sorted((d["code"], d["range"]["start"]["line"], d["message"].split("\n")[0])
                 for d in found if d["code"].startswith("W-"))
    assert got == expected
