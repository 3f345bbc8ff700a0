"""The scalar evaluator on boolean defines used as values: ``known(D)`` and ``x == D``."""

from __future__ import annotations

import datetime as dt

from policy_match.core.loading import load_sources
from policy_match.core.rulebook import Rulebook
from policy_match.dsl.ir import Verdict

AS_OF = dt.date(2024, 7, 1)
TEXT = """\
tag 营业收入: money
tag 失信被执行人: bool
define 规上 = 营业收入 >= 2000万
define 研发占比 = 营业收入 / 营业收入
policy "已知" {
    事项名称: "known of a boolean define"
    申请条件: known(规上)
}
policy "相等" {
    事项名称: "a bool compared with a boolean define"
    申请条件: 失信被执行人 == 规上
}
policy "已知数值" {
    事项名称: "known of a value define"
    申请条件: known(研发占比)
}
"""


def book() -> Rulebook:
    result = load_sources({"s.rule": TEXT})
    assert result.rulebook is not None, [d.message for d in result.diagnostics]
    return result.rulebook


def test_known_of_a_value_define() -> None:
    b = book()
    assert b.evaluate({"营业收入": "1亿"}, "已知数值", as_of=AS_OF) is Verdict.ELIGIBLE
    assert b.evaluate({"营业收入": 0}, "已知数值", as_of=AS_OF) is Verdict.INELIGIBLE  # 0 / 0
    assert b.evaluate({}, "已知数值", as_of=AS_OF) is Verdict.INELIGIBLE


def test_known_of_a_bool_define() -> None:
    """known(D) is true when D is true or false, false when D is unknown; never unknown."""
    b = book()
    assert b.evaluate({"营业收入": "1亿"}, "已知", as_of=AS_OF) is Verdict.ELIGIBLE
    assert b.evaluate({"营业收入": "1万"}, "已知", as_of=AS_OF) is Verdict.ELIGIBLE
    assert b.evaluate({}, "已知", as_of=AS_OF) is Verdict.INELIGIBLE


def test_a_bool_compared_with_a_bool_define() -> None:
    b = book()
    record = {"营业收入": "1亿", "失信被执行人": True}
    assert b.evaluate(record, "相等", as_of=AS_OF) is Verdict.ELIGIBLE
    record = {"营业收入": "1亿", "失信被执行人": False}
    assert b.evaluate(record, "相等", as_of=AS_OF) is Verdict.INELIGIBLE
    assert b.evaluate({"失信被执行人": False}, "相等", as_of=AS_OF) is Verdict.UNKNOWN
