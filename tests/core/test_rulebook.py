"""Rulebook.with_policies: additions are checked against the book, and nothing else is
checked or normalized again."""

from __future__ import annotations

import pytest

from policy_match.core.errors import RuleError
from policy_match.core.loading import load_sources
from policy_match.dsl.diagnostics import Code

BASE = ('tag 营业收入: money\ntag 规模: enum["小型", "微型"]\n'
        'define 大户 = 营业收入 >= 1亿\n'
        'policy "A" { name: "a"  eligible: 大户 }\n')


def book():
    result = load_sources({"base.rule": BASE})
    assert result.rulebook is not None
    return result.rulebook


def test_added_policies_see_the_books_tags_and_defines() -> None:
    first = book()
    bigger = first.with_policies('policy "B" { name: "b"  eligible: 大户 and 规模 == "小型" }')
    assert list(bigger.policies) == ["A", "B"]
    assert bigger.policies["A"] is first.policies["A"]  # carried over, not checked again
    assert bigger.dag.conditions["A"] is first.dag.conditions["A"]
    assert bigger.evaluate({"营业收入": "2亿", "规模": "小型"}, "B").value == "eligible"


@pytest.mark.parametrize(("text", "code"), [
    ('policy "A" { name: "again"  eligible: 大户 }', Code.DUP),
    ('tag 营业收入: money', Code.DUP),
    ('policy "C" { name: "c"  eligible: 营业收人 > 1 }', Code.NAME),
    ('policy "C" { name: "c"  eligible: 规模 == "中型" }', Code.ENUM),
    ('policy "C" { name: "c"  eligible: 大户  前置事项: ["Z"] }', Code.FIELD),
    ('policy "C" { name: "c"  eligible: (大户 }', Code.SYNTAX),
])
def test_a_bad_addition_raises_with_its_diagnostics(text: str, code: Code) -> None:
    with pytest.raises(RuleError) as caught:
        book().with_policies(text, path="new.rule")
    found = [d for d in caught.value.diagnostics if d.is_error]
    assert [d.code for d in found] == [code]
    assert found[0].span.path == "new.rule"
    assert "new.rule:1:" in caught.value.render()


def test_point_lookup_is_a_mapping_of_every_policy() -> None:
    first = book()
    found = first.match_record({"营业收入": "2亿"})
    assert dict(found) == {"A": first.evaluate({"营业收入": "2亿"}, "A")}
    assert found.eligible() == ["A"] and len(found) == 1
    assert first.match_record({"营业收入": "2亿"})["A"].value == "eligible"
