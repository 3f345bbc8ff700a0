"""``signed``: money and counts are never negative unless the tag says so."""

from __future__ import annotations

import pytest

from policy_match.core.loading import load_sources
from policy_match.data.records import RecordError
from policy_match.dsl.formatter import format_source

RULES = ('tag 应纳税所得额: money signed "上年度应纳税所得额"\n'
         "tag 营业收入: money\n"
         "tag 亏损年数: count(年) signed\n"
         'policy "P" { 事项名称: "p"  申请条件: 应纳税所得额 <= 300万 and 营业收入 >= 0 }\n')


def test_a_signed_tag_takes_negative_values_and_others_do_not() -> None:
    book = load_sources({"s.rule": RULES}).rulebook
    assert book is not None
    assert book.tags["应纳税所得额"].signed and not book.tags["营业收入"].signed
    assert book.evaluate({"应纳税所得额": "-50万", "营业收入": "1000万"}, "P").value == "eligible"
    with pytest.raises(RecordError):
        book.evaluate({"应纳税所得额": "10万", "营业收入": "-1"}, "P")
    assert book.read_record({"亏损年数": "-2"}).values["亏损年数"] == -2


def test_signed_is_only_for_money_and_counts() -> None:
    found = load_sources({"s.rule": "tag 得分: number signed\n"})
    assert found.rulebook is None
    assert [d.code.value for d in found.diagnostics] == ["E-TYPE"]


def test_the_formatter_keeps_signed() -> None:
    assert "tag 应纳税所得额: money signed" in format_source(RULES, "s.rule")
