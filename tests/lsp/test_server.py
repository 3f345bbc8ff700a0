"""The server's wiring over real stdio: formatting with the canonical formatter, a file
with syntax errors left alone, and the language chosen from the client's locale."""

from __future__ import annotations

from pathlib import Path

from lsp_client import (
    LspClient,
    apply_edits,
    close_document,
    open_document,
    tags_folder,
    uri,
)

from policy_match.dsl.formatter import format_source
from policy_match.lsp.server import language_of

MESSY = ('define   甲=营业收入>=2000万   且(从业人数<=300人 或 资产总额 ≤ 5000万)  # 注释\n'
         'policy “F-1”{\n事项名称：“格式化”\n  申请条件:甲\n}\n')


def test_formatting_returns_the_canonical_text(client: LspClient, workspace: Path) -> None:
    folder = tags_folder(workspace, "format")
    doc = folder / "messy.rule"
    open_document(client, doc, MESSY)
    edits = client.request("textDocument/formatting", {
        "textDocument": {"uri": uri(doc)}, "options": {"tabSize": 4, "insertSpaces": True}})
    close_document(client, doc)
    canonical = format_source(MESSY)
    assert canonical is not None and canonical != MESSY
    assert apply_edits(MESSY, edits) == canonical


def test_formatting_canonical_text_changes_nothing(client: LspClient, workspace: Path) -> None:
    folder = tags_folder(workspace, "format_done")
    doc = folder / "done.rule"
    canonical = format_source(MESSY)
    assert canonical is not None
    open_document(client, doc, canonical)
    edits = client.request("textDocument/formatting", {
        "textDocument": {"uri": uri(doc)}, "options": {"tabSize": 4, "insertSpaces": True}})
    close_document(client, doc)
    assert edits == []


def test_a_file_with_syntax_errors_is_not_formatted(client: LspClient, workspace: Path) -> None:
    folder = tags_folder(workspace, "format_broken")
    doc = folder / "broken.rule"
    text = "define 甲 = (营业收入 >= 1\n"
    mark = client.mark()
    open_document(client, doc, text)
    edits = client.request("textDocument/formatting", {
        "textDocument": {"uri": uri(doc)}, "options": {"tabSize": 4, "insertSpaces": True}})
    shown = client.wait_for("window/showMessage", lambda p: True, mark)
    close_document(client, doc)
    assert edits == []
    assert "语法错误" in shown["message"]  # the client's locale is zh-CN


def test_the_language_follows_the_locale() -> None:
    assert language_of("zh-CN") == language_of("zh_TW") == language_of("zh") == "zh"
    assert language_of("en-US") == language_of("fr") == "en"
    assert language_of(None) == "zh"  # the rules' authors read Chinese
    assert language_of("zh-CN", {"lang": "en"}) == "en"


def test_an_english_utf8_client_reads_english_at_utf8_columns(workspace: Path) -> None:
    """A second server, told en-US by a client that counts columns in UTF-8, words its
    diagnostics in English and places them in UTF-8 code units."""
    import sys

    from lsp_client import diagnostics_of

    from policy_match.core.loading import load_sources

    folder = tags_folder(workspace, "english")
    doc = folder / "en.rule"
    text = "define 甲 = 营业收人 >= 1\n"
    root = Path(__file__).resolve().parents[2]
    python = root / ".venv" / "bin" / "python"
    command = [str(python if python.exists() else sys.executable), "-m", "policy_match.cli", "lsp"]
    with (workspace / "english.log").open("wb") as log:
        english = LspClient(command, workspace, log)
        try:
            answer = english.request("initialize", {
                "processId": None, "locale": "en-US", "rootUri": uri(workspace),
                "capabilities": {"general": {"positionEncodings": ["utf-8"]}}})
            english.notify("initialized", {})
            open_document(english, doc, text)
            found = diagnostics_of(english, doc, 0, lambda d: len(d) > 0)
        finally:
            english.close()
    sources = {str(p): p.read_text(encoding="utf-8") for p in folder.glob("*.rule")}
    expected = [d.text("en") for d in load_sources({**sources, str(doc): text}).diagnostics
                if d.span.path == str(doc)]
    assert [d["message"].split("\n")[0] for d in found] == expected
    assert answer["capabilities"]["positionEncoding"] == "utf-8"
    assert found[0]["range"]["start"]["character"] == len("define 甲 = ".encode())
