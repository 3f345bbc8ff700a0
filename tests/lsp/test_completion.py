"""Completion over real stdio: GB/T 4754 codes with their names inside a code list, enum
values, 清单 field names at the start of a policy line, tags and defines in a condition."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from lsp_client import LspClient, close_document, open_document, position_of, tags_folder, uri

from policy_match.core.loading import load
from policy_match.dsl.fields import FIELDS
from policy_match.plugins.builtins.industry import INDUSTRY

TEXT = ('policy "N-1" {\n'
        '    事项名称: "测试"\n'
        '    申请条件: 所属行业 属于 ["C39", "C3"] 且 企业规模 属于 ["小"] 且 营业收入 >= 1\n'
        '    \n'  # the cursor stands here, where a field name goes
        '}\n')


@pytest.fixture(scope="module")
def doc(client: LspClient, workspace: Path):  # type: ignore[no-untyped-def]
    path = tags_folder(workspace, "completion") / "doc.rule"  # open only: never on disk
    open_document(client, path, TEXT)
    yield path
    close_document(client, path)


def _items(client: LspClient, path: Path, position: dict[str, int]) -> list[dict[str, Any]]:
    answer = client.request("textDocument/completion", {
        "textDocument": {"uri": uri(path)}, "position": position})
    items: list[dict[str, Any]] = answer["items"] if isinstance(answer, dict) else answer
    return items


def test_a_code_list_offers_the_codes_below_with_their_names(client: LspClient,
                                                             doc: Path) -> None:
    items = _items(client, doc, position_of(TEXT, '"C39"', shift=4))
    by_label = {i["label"]: i for i in items}
    assert "C391" in by_label
    name = INDUSTRY.label("C391")
    assert name, "the industry table names every 中类"
    assert by_label["C391"]["detail"] == name
    assert all(label.startswith("C39") for label in by_label)  # nothing outside C39


def test_a_partial_code_offers_its_section_to_filter(client: LspClient, doc: Path) -> None:
    labels = {i["label"] for i in _items(client, doc, position_of(TEXT, '"C3"', shift=3))}
    assert {"C30", "C39"} <= labels


def test_an_enum_string_offers_the_tags_values(client: LspClient, doc: Path) -> None:
    items = _items(client, doc, position_of(TEXT, '["小"]', shift=3))
    values = load(doc.parent).tags["企业规模"].type.values
    assert values and [i["label"] for i in items] == list(values)


def test_the_start_of_a_policy_line_offers_the_fields(client: LspClient, doc: Path) -> None:
    labels = [i["label"] for i in _items(client, doc, {"line": 3, "character": 4})]
    assert [f.zh for f in FIELDS] == labels[: len(FIELDS)]


def test_a_condition_offers_tags_defines_and_keywords(client: LspClient, doc: Path) -> None:
    items = _items(client, doc, position_of(TEXT, "营业收入", shift=2))
    labels = {i["label"] for i in items}
    book = load(doc.parent)  # the folder's files on disk: the document is only open
    assert set(book.tags) <= labels and set(book.defines) <= labels
    assert {"且", "and", "属于", "not in"} <= labels
    revenue = next(i for i in items if i["label"] == "营业收入")
    assert "money" in revenue["detail"]


GIVEN = ('policy "N-2" {\n'
         '    事项名称: "测试"\n'
         '    申请条件: 营业收入 >= 1\n'
         '    示例 "一" {\n'
         '        给定 {\n'
         '            营\n'
         '        }\n'
         '    }\n'
         '}\n'
         'def')


def test_a_given_block_offers_tags_and_the_top_level_the_declarations(
        client: LspClient, workspace: Path) -> None:
    path = tags_folder(workspace, "completion_given") / "doc.rule"
    open_document(client, path, GIVEN)
    in_given = _items(client, path, position_of(GIVEN, "            营", shift=13))
    top = _items(client, path, position_of(GIVEN, "\ndef", shift=4))
    close_document(client, path)
    book = load(path.parent)
    assert {i["label"] for i in in_given} == set(book.tags)
    assert [i["label"] for i in top] == ["tag", "define", "policy"]


def test_an_unquoted_code_after_in_is_completed_with_its_quotes(client: LspClient,
                                                                workspace: Path) -> None:
    text = "define 甲 = 所属行业 属于 C39"
    path = tags_folder(workspace, "completion_bare") / "doc.rule"
    open_document(client, path, text)
    items = _items(client, path, position_of(text, "C39", shift=3))
    close_document(client, path)
    c391 = next(i for i in items if i["label"] == "C391")
    assert c391["insertText"] == '"C391"' and c391["detail"] == INDUSTRY.label("C391")


def test_closed_words_of_push_no_application_and_expect(client: LspClient,
                                                        workspace: Path) -> None:
    from policy_match.dsl.ir import Verdict

    text = ('policy "N-3" {\n    推送方式: \n    免申即享: \n'
            '    示例 "一" {\n        预期 \n    }\n}\n')
    path = tags_folder(workspace, "completion_words") / "doc.rule"
    open_document(client, path, text)
    push = _items(client, path, position_of(text, "推送方式: ", shift=6))
    flag = _items(client, path, position_of(text, "免申即享: ", shift=6))
    expect = _items(client, path, position_of(text, "预期 ", shift=3))
    close_document(client, path)
    assert [i["label"] for i in push] == ["精准", "普惠"]
    assert [i["label"] for i in flag] == ["是", "否"]
    assert [i["label"] for i in expect] == [v.text("zh") for v in Verdict]
