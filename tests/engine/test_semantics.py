"""Boundaries of every comparison operator, read statutorily (rule-language §3, §10).

以上/以下 include the number (>=, <=), 超过/不满 exclude it (>, <). Literals and data are exact
decimals, also when computed: ``研发费用 / 营业收入 >= 5%`` holds when R&D is exactly 5% of
revenue, and a sum, product or quotient equal to its threshold compares equal.
"""

from __future__ import annotations

import datetime as dt
import operator
from collections.abc import Callable
from decimal import Decimal
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from policy_match.core.loading import load_sources
from policy_match.core.rulebook import Rulebook
from policy_match.dsl.ir import Verdict

TAGS = """\
tag 营业收入: money
tag 研发费用: money
tag 资产总额: money
tag 从业人数: count(人)
tag 增长率: ratio
tag 成立日期: date
tag 甲: number
tag 乙: number
tag 丙: number
"""
AS_OF = dt.date(2024, 7, 1)
OPS: dict[str, Callable[[Any, Any], bool]] = {
    "<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge,
    "==": operator.eq, "!=": operator.ne,
}
# what each operator says of a value exactly at, just below and just above its threshold
STATUTORY = {  # op: (at, below, above)
    ">=": (True, False, True),   # 以上: includes the number
    ">": (False, False, True),   # 超过: excludes it
    "<=": (True, True, False),   # 以下: includes the number
    "<": (False, True, False),   # 不满: excludes it
    "==": (True, False, False),
    "!=": (False, True, True),
}
WORDS = {"≥": ">=", "≤": "<=", "≠": "!="}

_books: dict[str, Rulebook] = {}


def book_for(cond: str) -> Rulebook:
    if cond not in _books:
        text = f'{TAGS}policy "P" {{\n    事项名称: "边界"\n    申请条件: {cond}\n}}\n'
        result = load_sources({"b.rule": text})
        assert result.rulebook is not None, ([d.message for d in result.diagnostics], cond)
        _books[cond] = result.rulebook
    return _books[cond]


def verdict(cond: str, record: dict[str, Any], as_of: dt.date = AS_OF) -> Verdict:
    return book_for(cond).evaluate(record, "P", as_of=as_of)


def expected(flag: bool) -> Verdict:
    return Verdict.ELIGIBLE if flag else Verdict.INELIGIBLE


ALL_OPS = [*STATUTORY, *WORDS]


def statutory(op: str) -> tuple[bool, bool, bool]:
    return STATUTORY[WORDS.get(op, op)]


@pytest.mark.parametrize("op", ALL_OPS)
@pytest.mark.parametrize("threshold", ["2000万", "2000万元", "0.2亿"])
def test_money_at_2000wan_and_one_yuan_either_side(op: str, threshold: str) -> None:
    cond = f"营业收入 {op} {threshold}"
    at, below, above = statutory(op)
    assert verdict(cond, {"营业收入": "2000万"}) is expected(at)
    assert verdict(cond, {"营业收入": 20_000_000}) is expected(at)
    assert verdict(cond, {"营业收入": "2000万元"}) is expected(at)
    assert verdict(cond, {"营业收入": 19_999_999}) is expected(below)
    assert verdict(cond, {"营业收入": "1999.9999万"}) is expected(below)
    assert verdict(cond, {"营业收入": 20_000_001}) is expected(above)
    assert verdict(cond, {"营业收入": "2000.0001万元"}) is expected(above)


@pytest.mark.parametrize("op", ALL_OPS)
@pytest.mark.parametrize("threshold", ["10%", "0.1", "10.0%"])
def test_ratio_at_ten_percent_written_either_way(op: str, threshold: str) -> None:
    cond = f"增长率 {op} {threshold}"
    at, below, above = statutory(op)
    for exact in ("10%", 0.1, "0.1", "0.10", Fraction(1, 10), Decimal("0.1")):
        assert verdict(cond, {"增长率": exact}) is expected(at), exact
    for low in ("9.99%", 0.0999, Fraction(99_999, 1_000_000)):
        assert verdict(cond, {"增长率": low}) is expected(below), low
    for high in ("10.01%", 0.1001):
        assert verdict(cond, {"增长率": high}) is expected(above), high


@pytest.mark.parametrize("op", ALL_OPS)
@pytest.mark.parametrize("threshold", ["300", "300人"])
def test_count_at_300(op: str, threshold: str) -> None:
    cond = f"从业人数 {op} {threshold}"
    at, below, above = statutory(op)
    assert verdict(cond, {"从业人数": 300}) is expected(at)
    assert verdict(cond, {"从业人数": "300人"}) is expected(at)
    assert verdict(cond, {"从业人数": 299}) is expected(below)
    assert verdict(cond, {"从业人数": 301}) is expected(above)


@pytest.mark.parametrize("op", ALL_OPS)
@pytest.mark.parametrize(("as_of", "one_year_before"), [
    (dt.date(2024, 7, 1), dt.date(2023, 7, 1)),
    (dt.date(2024, 1, 1), dt.date(2023, 1, 1)),
    (dt.date(2024, 2, 29), dt.date(2023, 2, 28)),  # no 2023-02-29: the month's last day
    (dt.date(2025, 3, 1), dt.date(2024, 3, 1)),
])
def test_date_at_exactly_one_year_before_as_of(op: str, as_of: dt.date,
                                               one_year_before: dt.date) -> None:
    cond = f"成立日期 {op} today - 1年"
    at, before, after = statutory(op)  # earlier dates are smaller
    day = dt.timedelta(days=1)
    assert verdict(cond, {"成立日期": one_year_before}, as_of) is expected(at)
    assert verdict(cond, {"成立日期": one_year_before.isoformat()}, as_of) is expected(at)
    assert verdict(cond, {"成立日期": one_year_before - day}, as_of) is expected(before)
    assert verdict(cond, {"成立日期": one_year_before + day}, as_of) is expected(after)


@pytest.mark.parametrize("op", ALL_OPS)
def test_date_against_a_literal_date(op: str) -> None:
    cond = f"成立日期 {op} 2021-03-01"
    at, before, after = statutory(op)
    assert verdict(cond, {"成立日期": "2021年3月1日"}) is expected(at)
    assert verdict(cond, {"成立日期": "2021/2/28"}) is expected(before)
    assert verdict(cond, {"成立日期": "2021-03-02"}) is expected(after)


@pytest.mark.parametrize("op", ALL_OPS)
@pytest.mark.parametrize(("revenue", "rnd"), [
    ("3亿", "1500万"),
    (3, "0.15"),          # 0.15 / 3 is 0.049999999999999996 in binary floating point
    ("1.1亿", "550万"),
    (70, "3.5"),
    ("123456789.01", "6172839.4505"),
])
def test_computed_share_exactly_at_five_percent(op: str, revenue: Any, rnd: Any) -> None:
    cond = f"研发费用 / 营业收入 {op} 5%"
    at, below, above = statutory(op)
    assert verdict(cond, {"营业收入": revenue, "研发费用": rnd}) is expected(at)
    nudge = Fraction(1, 10**6)
    low = Decimal(str(rnd).replace("万", "")) * (10**4 if "万" in str(rnd) else 1)
    assert verdict(cond, {"营业收入": revenue, "研发费用": Fraction(low) - nudge}) \
        is expected(below)
    assert verdict(cond, {"营业收入": revenue, "研发费用": Fraction(low) + nudge}) \
        is expected(above)


def test_computed_share_against_a_computed_threshold() -> None:
    cond = "研发费用 / 营业收入 >= min(5%, 3% + 1%)"  # the spec's example: 4%
    assert verdict(cond, {"营业收入": "1亿", "研发费用": "400万"}) is Verdict.ELIGIBLE
    assert verdict(cond, {"营业收入": "1亿", "研发费用": 3_999_999}) is Verdict.INELIGIBLE
    cond = "研发费用 >= 营业收入 * 5%"
    assert verdict(cond, {"营业收入": 3, "研发费用": "0.15"}) is Verdict.ELIGIBLE
    cond = "(研发费用 + 资产总额) / 营业收入 == 10%"
    assert verdict(cond, {"营业收入": 3, "研发费用": "0.1", "资产总额": "0.2"}) \
        is Verdict.ELIGIBLE  # 0.1 + 0.2 != 0.3 in floating point


# ---- hypothesis: sums, products and quotients equal to their threshold ---------------------

decimals = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("99999.99"), places=2,
                       allow_nan=False, allow_infinity=False)
# divisors whose quotients end: 2^i 5^j / 10^k
divisors = st.builds(lambda i, j, k: Decimal(2**i * 5**j) / Decimal(10**k),
                     st.integers(0, 6), st.integers(0, 4), st.integers(0, 3))
FORMS: dict[str, Callable[[Fraction, Fraction, Fraction], Fraction]] = {
    "甲 + 乙": lambda a, b, c: a + b,
    "甲 + 乙 + 丙": lambda a, b, c: a + b + c,
    "甲 - 乙 + 丙": lambda a, b, c: a - b + c,
    "甲 * 乙": lambda a, b, c: a * b,
    "甲 * 乙 * 丙": lambda a, b, c: a * b * c,
    "甲 / 丙": lambda a, b, c: a / c,
    "(甲 + 乙) / 丙": lambda a, b, c: (a + b) / c,
    "甲 * 乙 / 丙": lambda a, b, c: a * b / c,
    "甲 / 丙 + 乙": lambda a, b, c: a / c + b,
    "(甲 - 乙) * 丙": lambda a, b, c: (a - b) * c,
}


def literal(value: Fraction) -> str:
    """An exact decimal literal (a minus sign in front when negative)."""
    d = Decimal(value.numerator) / Decimal(value.denominator)
    assert Fraction(d) == value, "the generator only builds terminating decimals"
    return format(d, "f")


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(a=decimals, b=decimals, c=divisors, form=st.sampled_from(sorted(FORMS)),
       op=st.sampled_from(ALL_OPS), data=st.data())
def test_exact_arithmetic_at_the_threshold(a: Decimal, b: Decimal, c: Decimal, form: str,
                                           op: str, data: st.DataObject) -> None:
    value = FORMS[form](Fraction(a), Fraction(b), Fraction(c))
    threshold = literal(value)
    record = {"甲": data.draw(st.sampled_from([a, str(a)])), "乙": str(b), "丙": c}
    at, below, above = statutory(op)
    cond = f"{form} {op} {threshold}"
    assert verdict(cond, record) is expected(at), (cond, record)
    # the threshold moved by one unit in the last written place either way
    step = Fraction(1, 10 ** max(0, -Decimal(threshold).as_tuple().exponent))  # type: ignore[operator]
    assert verdict(f"{form} {op} {literal(value + step)}", record) is expected(below)
    assert verdict(f"{form} {op} {literal(value - step)}", record) is expected(above)
    _books.clear()  # every example writes new rule text: keep the cache small


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(revenue=st.decimals(min_value=Decimal("1"), max_value=Decimal("1e10"), places=2),
       percent=st.decimals(min_value=Decimal("0.01"), max_value=Decimal("100"), places=2))
def test_a_share_exactly_at_a_percentage_threshold(revenue: Decimal, percent: Decimal) -> None:
    rnd = revenue * percent / 100  # exact: at most 6 decimal places
    cond = f"研发费用 / 营业收入 >= {format(percent, 'f')}%"
    record = {"营业收入": str(revenue), "研发费用": format(rnd, "f")}
    assert verdict(cond, record) is Verdict.ELIGIBLE, (cond, record)
    assert verdict(cond.replace(">=", ">"), record) is Verdict.INELIGIBLE
    assert verdict(cond.replace(">=", "=="), record) is Verdict.ELIGIBLE
    _books.clear()
