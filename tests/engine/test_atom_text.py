"""Condition lines: what a line says whatever the record (its tags, its operand's words) is
written once per atom and rulebook, and never taken from another rulebook's atom."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from policy_match.core.loading import load_sources
from policy_match.core.rulebook import Rulebook
from policy_match.engine import atom_text
from policy_match.engine.atom_text import AtomDescriber
from policy_match.engine.scalar import ScalarEvaluator

AS_OF = dt.date(2024, 7, 1)
TAGS = "tag 营业收入: money\ntag 资产总额: money\ntag 从业人数: count(人)\n"


def book_with(per_head: str) -> Rulebook:
    text = (f"{TAGS}define 人均 = {per_head}\n"
            'policy "P" {\n    事项名称: "测试事项"\n    申请条件: 人均 >= 10万\n}\n')
    result = load_sources({"p.rule": text})
    assert result.rulebook is not None, [d.message for d in result.diagnostics]
    return result.rulebook


def describe(book: Rulebook, record: dict[str, Any]) -> atom_text.AtomReport:
    values = book.read_record(record, on_error="missing").values
    ev = ScalarEvaluator(book.dag, book.vocabulary, values, AS_OF)
    (atom,) = book.dag.atoms
    return AtomDescriber(ev).report(atom, 0)


def test_equal_atoms_of_two_rulebooks_keep_their_own_tags() -> None:
    by_income = book_with("营业收入 / 从业人数")
    by_assets = book_with("资产总额 / 从业人数")
    assert by_income.dag.atoms == by_assets.dag.atoms  # equal atoms: one cache entry
    for _ in range(2):  # alternately: an entry of the other rulebook is not reused
        assert describe(by_income, {}).tags == ["营业收入", "从业人数"]
        assert describe(by_assets, {}).tags == ["资产总额", "从业人数"]


def test_words_are_written_once_per_atom(monkeypatch: pytest.MonkeyPatch) -> None:
    book = book_with("营业收入 / 从业人数")
    first = describe(book, {"营业收入": "3000万", "从业人数": 100})
    calls: list[Any] = []

    def counted(*args: Any) -> Any:
        calls.append(args)
        return []

    monkeypatch.setattr(atom_text, "tags_read", counted)
    monkeypatch.setattr(atom_text, "value_expr_text", counted)
    again = describe(book, {"营业收入": "3000万", "从业人数": 100})
    other = describe(book, {"营业收入": "500万", "从业人数": 100})
    assert calls == []
    assert again == first
    assert first.outcome == "true" and first.text_zh.startswith("✓ 人均 ")
    assert other.outcome == "false" and other.tags == ["营业收入", "从业人数"]
    assert other.subject == first.subject == "人均"
