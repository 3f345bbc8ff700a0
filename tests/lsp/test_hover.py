"""Hover over real stdio: a tag's type, unit, label and values; a define's and a policy's
statutory wording (core.describe's own words); a code's name; a field's column."""

from __future__ import annotations

from pathlib import Path

import pytest
from lsp_client import LspClient, close_document, open_document, position_of, text_at, uri

from policy_match.core.describe import describe_condition, describe_policy
from policy_match.core.loading import load
from policy_match.plugins.builtins.region import REGION


@pytest.fixture(scope="module")
def book(workspace: Path):  # type: ignore[no-untyped-def]
    return load(workspace / "rules")


def _hover(client: LspClient, path: Path, text: str, needle: str, shift: int = 0) -> str:
    answer = client.request("textDocument/hover", {
        "textDocument": {"uri": uri(path)}, "position": position_of(text, needle, shift=shift)})
    assert answer is not None, needle
    assert answer["contents"]["kind"] == "markdown"
    value: str = answer["contents"]["value"]
    return value


@pytest.fixture(scope="module")
def kj(client: LspClient, workspace: Path):  # type: ignore[no-untyped-def]
    path = workspace / "rules" / "kj.rule"
    text = path.read_text(encoding="utf-8")
    open_document(client, path, text)
    yield path, text
    close_document(client, path)


def test_a_money_tag_shows_its_type_unit_and_label(client: LspClient, workspace: Path) -> None:
    path = workspace / "rules" / "defines.rule"
    text = path.read_text(encoding="utf-8")
    open_document(client, path, text)
    card = _hover(client, path, text, "营业收入 >= 2000万")
    close_document(client, path)
    assert "营业收入" in card
    assert "money" in card and "金额" in card  # the type as written and in words
    assert "元" in card  # its unit
    assert "上年度营业收入" in card  # its label, from tags.rule


def test_an_enum_tag_lists_its_values(client: LspClient, kj: tuple[Path, str]) -> None:
    path, text = kj
    card = _hover(client, path, text, "高企认定类型")
    for value in ("首次认定", "重新认定"):
        assert value in card


def test_a_count_tag_shows_its_unit(client: LspClient, workspace: Path) -> None:
    path = workspace / "rules" / "defines.rule"
    text = path.read_text(encoding="utf-8")
    open_document(client, path, text)
    card = _hover(client, path, text, "从业人数 <= 300")
    close_document(client, path)
    assert "count(人)" in card and "单位：人" in card


def test_a_define_is_worded_as_describe_words_it(client: LspClient, workspace: Path,
                                                 book) -> None:  # type: ignore[no-untyped-def]
    path = workspace / "rules" / "defines.rule"
    text = path.read_text(encoding="utf-8")
    open_document(client, path, text)
    card = _hover(client, path, text, "define 小型微利企业", shift=len("define "))
    close_document(client, path)
    assert describe_condition(book, book.defines["小型微利企业"].expr, "zh") in card


def test_a_policy_id_shows_its_whole_wording(client: LspClient, kj: tuple[Path, str],
                                             book) -> None:  # type: ignore[no-untyped-def]
    path, text = kj
    card = _hover(client, path, text, '"WH-KJ-2024-003"', shift=3)
    wording = describe_policy(book, book.policies["WH-KJ-2024-003"], "zh")
    for line in wording.splitlines():
        assert line in card


def test_a_region_code_shows_its_name(client: LspClient, kj: tuple[Path, str]) -> None:
    path, text = kj
    card = _hover(client, path, text, '"530102"', shift=2)
    name = REGION.label("530102")
    assert name and name in card and "530102" in card


def test_a_field_name_shows_its_column_and_alias(client: LspClient, kj: tuple[Path, str]) -> None:
    path, text = kj
    card = _hover(client, path, text, "申请条件")
    assert "eligible" in card and "必填" in card


def test_the_hover_range_is_the_word(client: LspClient, kj: tuple[Path, str]) -> None:
    path, text = kj
    answer = client.request("textDocument/hover", {
        "textDocument": {"uri": uri(path)}, "position": position_of(text, "失信被执行人", shift=2)})
    assert text_at(text, answer["range"]) == "失信被执行人"


def test_nothing_to_say_over_a_comment(client: LspClient, kj: tuple[Path, str]) -> None:
    path, _ = kj
    answer = client.request("textDocument/hover", {
        "textDocument": {"uri": uri(path)}, "position": {"line": 0, "character": 3}})
    assert answer is None


def test_an_industry_code_shows_its_name(client: LspClient, workspace: Path) -> None:
    from policy_match.plugins.builtins.industry import INDUSTRY

    path = workspace / "rules" / "defines.rule"
    text = path.read_text(encoding="utf-8")
    open_document(client, path, text)
    card = _hover(client, path, text, '"C"', shift=1)
    close_document(client, path)
    name = INDUSTRY.label("C")
    assert name and name in card and "C" in card


def test_while_the_rules_are_broken_a_define_is_worded_from_the_last_clean_load(
        client: LspClient, workspace: Path) -> None:
    from lsp_client import diagnostics_of, tags_folder

    from policy_match.base.messages import text as words
    from policy_match.core.loading import load_sources

    folder = tags_folder(workspace, "stale")
    doc = folder / "doc.rule"
    clean = "define 甲 = 营业收入 >= 2000万\n"
    mark = client.mark()
    open_document(client, doc, clean)
    diagnostics_of(client, doc, mark)
    broken = clean + "define 乙 = 营业收人 >= 1\n"
    mark = client.mark()
    client.notify("textDocument/didChange", {"textDocument": {"uri": uri(doc), "version": 2},
                                             "contentChanges": [{"text": broken}]})
    assert diagnostics_of(client, doc, mark, lambda d: len(d) > 0)
    card = _hover(client, doc, broken, "甲")
    close_document(client, doc)
    sources = {str(p): p.read_text(encoding="utf-8") for p in folder.glob("*.rule")}
    book = load_sources({**sources, str(doc): clean}).rulebook
    assert book is not None
    assert describe_condition(book, book.defines["甲"].expr, "zh") in card
    assert words("lsp.hover.stale", "zh") in card
