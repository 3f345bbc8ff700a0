"""兑付标准: a fixed sum, a percentage with a cap, tiers; UNKNOWN and None where they apply."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from policy_match.core.loading import load_sources
from policy_match.core.rulebook import UNKNOWN, Rulebook
from policy_match.dsl.ir import Verdict

TEXT = """\
tag 营业收入: money
tag 研发费用: money
tag 资质: set["高新技术企业", "科技型中小企业"]
tag 从业人数: count(人)

policy "定额" {
    事项名称: "高企认定奖励"
    申请条件: 资质 has "高新技术企业"
    兑付标准: 20万
}
policy "比例封顶" {
    事项名称: "研发费用补助"
    申请条件: 研发费用 >= 100万
    兑付标准: min(研发费用 * 10%, 50万)
}
policy "分档" {
    事项名称: "规上企业奖励"
    申请条件: 营业收入 >= 2000万
    兑付标准: case { 营业收入 >= 5亿: 30万; 营业收入 >= 1亿: 10万; else: 5万 }
}
policy "他项金额" {
    事项名称: "按人数补助"
    申请条件: 资质 has "科技型中小企业"
    兑付标准: 从业人数 * 1000元
}
policy "无金额" {
    事项名称: "无金额事项"
    申请条件: 资质 has "高新技术企业"
}
policy "已过期" {
    事项名称: "已过期事项"
    适用时间: 2020-01-01 至 2020-12-31
    申请条件: 资质 has "高新技术企业"
    兑付标准: 20万
}
"""
AS_OF = dt.date(2024, 7, 1)


@pytest.fixture(scope="module")
def book() -> Rulebook:
    result = load_sources({"b.rule": TEXT})
    assert result.rulebook is not None, [d.message for d in result.diagnostics]
    return result.rulebook


def test_fixed_sum(book: Rulebook) -> None:
    assert book.benefit({"资质": ["高新技术企业"]}, "定额", as_of=AS_OF) == Decimal(200_000)


@pytest.mark.parametrize(("rnd", "amount"), [
    ("100万", 100_000), ("300万", 300_000), ("499.99万", Decimal("499990")),
    ("500万", 500_000), ("500.01万", 500_000), ("2000万", 500_000),
    (1_234_567, Decimal("123456.7")),
])
def test_percentage_with_a_cap(book: Rulebook, rnd: object, amount: object) -> None:
    assert book.benefit({"研发费用": rnd}, "比例封顶", as_of=AS_OF) == Decimal(amount)  # type: ignore[arg-type]


@pytest.mark.parametrize(("revenue", "amount"), [
    ("2000万", 50_000), ("9999万", 50_000), ("1亿", 100_000), ("4.99亿", 100_000),
    ("5亿", 300_000), ("80亿", 300_000),
])
def test_tiers_via_case(book: Rulebook, revenue: str, amount: int) -> None:
    assert book.benefit({"营业收入": revenue}, "分档", as_of=AS_OF) == Decimal(amount)


def test_none_when_ineligible(book: Rulebook) -> None:
    assert book.benefit({"资质": []}, "定额", as_of=AS_OF) is None
    assert book.benefit({"研发费用": "99万"}, "比例封顶", as_of=AS_OF) is None
    assert book.benefit({"营业收入": "1999万"}, "分档", as_of=AS_OF) is None


def test_none_when_inactive_or_no_amount(book: Rulebook) -> None:
    assert book.evaluate({"资质": ["高新技术企业"]}, "已过期", as_of=AS_OF) is Verdict.INACTIVE
    assert book.benefit({"资质": ["高新技术企业"]}, "已过期", as_of=AS_OF) is None
    assert book.benefit({"资质": ["高新技术企业"]}, "无金额", as_of=AS_OF) is None


def test_unknown_when_eligibility_is_unknown(book: Rulebook) -> None:
    assert book.benefit({}, "定额", as_of=AS_OF) is UNKNOWN
    assert book.benefit({}, "比例封顶", as_of=AS_OF) is UNKNOWN
    assert book.benefit({}, "分档", as_of=AS_OF) is UNKNOWN
    assert not UNKNOWN  # falsy, and distinct from None
    assert UNKNOWN is not None


def test_unknown_when_the_amounts_inputs_are_missing(book: Rulebook) -> None:
    record = {"资质": ["科技型中小企业"]}
    assert book.evaluate(record, "他项金额", as_of=AS_OF) is Verdict.ELIGIBLE
    assert book.benefit(record, "他项金额", as_of=AS_OF) is UNKNOWN
    assert book.benefit({**record, "从业人数": 35}, "他项金额", as_of=AS_OF) == Decimal(35_000)


def test_explanation_carries_the_amount(book: Rulebook) -> None:
    e = book.explain({"营业收入": "1亿"}, "分档", as_of=AS_OF)
    assert e.verdict is Verdict.ELIGIBLE
    assert e.benefit == "10万元"
    assert "兑付标准：10万元" in e.render("zh")
    assert book.explain({}, "分档", as_of=AS_OF).benefit is None
