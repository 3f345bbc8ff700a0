"""The normalizer: a boolean compared with a condition (checked, so it must evaluate).

The checker accepts ``失信被执行人 == (营业收入 >= 1)`` (bool is comparable with bool), so the
engine must give it a three-valued meaning: unknown if either side is unknown, else equality.
"""

from __future__ import annotations

import datetime as dt

import pytest

from policy_match.core.loading import load_sources
from policy_match.core.rulebook import Rulebook
from policy_match.dsl.ir import Verdict

AS_OF = dt.date(2024, 7, 1)
TAGS = "tag 营业收入: money\ntag 失信被执行人: bool\n"


def book(cond: str) -> Rulebook:
    text = (f'{TAGS}policy "P" {{\n 事项名称: "x"\n 申请条件: {cond}\n}}\n'
            'policy "Q" {\n 事项名称: "y"\n 申请条件: 营业收入 >= 2000万\n}\n')
    result = load_sources({"n.rule": text})
    assert result.rulebook is not None, [d.message for d in result.diagnostics]
    return result.rulebook


@pytest.mark.parametrize(("cond", "first"), [
    ("失信被执行人 == (营业收入 >= 2000万)", Verdict.ELIGIBLE),
    ("失信被执行人 == case { 营业收入 >= 2000万: 营业收入 >= 1亿; else: false }",
     Verdict.INELIGIBLE),
])
def test_a_bool_compared_with_a_condition(cond: str, first: Verdict) -> None:
    b = book(cond)
    assert b.evaluate({"失信被执行人": True, "营业收入": "3000万"}, "P", as_of=AS_OF) is first
    assert b.evaluate({"失信被执行人": False, "营业收入": "1000万"}, "P", as_of=AS_OF) \
        is Verdict.ELIGIBLE
    assert b.evaluate({"失信被执行人": False}, "P", as_of=AS_OF) is Verdict.UNKNOWN


def test_one_such_policy_does_not_break_the_others() -> None:
    b = book("失信被执行人 == (营业收入 >= 2000万)")
    assert b.evaluate({"营业收入": "3000万"}, "Q", as_of=AS_OF) is Verdict.ELIGIBLE
