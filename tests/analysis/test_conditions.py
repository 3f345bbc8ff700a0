"""W-UNSAT, W-ALWAYS, W-REDUNDANT and W-UNREACHABLE: decided exactly (boundaries,
exact fractions, three-valued logic, code hierarchies, the evaluation date)."""

from __future__ import annotations

import datetime as dt

import pytest
from lint_helpers import TAGS, codes, item, lint_text

from policy_match.dsl.diagnostics import Code


def findings(condition: str) -> list[tuple[str, int]]:
    return codes(lint_text(item("P", condition)))


@pytest.mark.parametrize("condition", [
    "营业收入 >= 5000万 且 营业收入 < 100万",
    "营业收入 > 2000万 且 营业收入 <= 2000万",  # the edge: exactly one side holds
    "研发费用 / 营业收入 >= 5% 且 研发费用 < 营业收入 * 5%",  # exact ratios, non-linear
    "从业人数 > 9 且 从业人数 < 10",  # counts are whole numbers
    "营业收入 < 0",  # money is never negative
    "所属行业 属于 [\"C39\"] 且 所属行业 不属于 [\"C\"]",  # C39 lies inside C
    "所在区域 属于 [\"530102\"] 且 所在区域 属于 [\"5301\"] 且 所在区域 属于 [\"11\"]",
    "成立日期 <= 评估日 - 3年 且 成立日期 > 评估日 - 1年",  # 评估日 is the lint date
    "资质 包含全部 [\"高新技术企业\", \"科技型中小企业\"] 且 非 资质 包含 \"高新技术企业\"",
    "企业规模 属于 [\"大型\"] 且 企业规模 == \"小型\"",
    "至少满足 2 项 [营业收入 < 0, 从业人数 < 0, 失信被执行人]",
])
def test_never_true(condition: str) -> None:
    assert findings(condition) == [("W-UNSAT", 11)]


@pytest.mark.parametrize("condition", [
    "营业收入 >= 2000万 且 营业收入 <= 2000万",
    "研发费用 / 营业收入 >= 5% 且 研发费用 <= 营业收入 * 5%",
    "从业人数 > 9 且 从业人数 < 11",
    "应纳税所得额 < 0",  # signed money may be negative
    "所属行业 属于 [\"C\"] 且 所属行业 不属于 [\"C39\"]",
    "企业名称 != \"某公司\" 且 企业名称 != \"另一公司\"",
    "所获荣誉 包含 \"省级荣誉\" 且 非 所获荣誉 包含 \"国家级荣誉\"",
    "细分市场年限 >= 3年 且 细分市场年限 < 37个月",
])
def test_satisfiable_is_not_reported(condition: str) -> None:
    assert findings(condition) == []


@pytest.mark.parametrize("condition", [
    "非 失信被执行人 或 失信被执行人",
    "营业收入 >= 0",
    "所属行业 属于 [\"C\"] 或 所属行业 不属于 [\"C39\"]",
    "企业规模 属于 [\"大型\", \"中型\"] 或 企业规模 属于 [\"小型\", \"微型\"]",
    "细分市场年限 >= 1年 或 细分市场年限 < 365天",  # durations are ordered by days
])
def test_always_true_when_known(condition: str) -> None:
    assert findings(condition) == [("W-ALWAYS", 11)]


@pytest.mark.parametrize("condition", [
    "已知(营业收入) 或 非 已知(营业收入)",  # also true when unknown
])
def test_always_true_even_unknown(condition: str) -> None:
    assert findings(condition) == [("W-ALWAYS", 11)]


def test_a_year_is_not_twelve_months() -> None:
    """Durations of different units are ordered by their length in days (a month is 30,
    a year 365), as the engine does: 360 to 365 days is neither."""
    assert findings("细分市场年限 >= 1年 或 细分市场年限 < 12个月") == []


def test_equal_text_implies_unequal_other_text() -> None:
    assert findings("企业名称 == \"某公司\" 且 企业名称 != \"另一公司\"") == [("W-REDUNDANT", 11)]


def test_known_is_not_always_true() -> None:
    assert findings("已知(营业收入)") == []


def test_the_issues_example_is_always_true_in_its_or() -> None:
    found = findings("营业收入 >= 100万 且 "
                     "(企业规模 属于 [\"小型\"] 或 非 失信被执行人 或 失信被执行人)")
    assert found == [("W-ALWAYS", 11)]


@pytest.mark.parametrize(("condition", "count"), [
    ("营业收入 >= 5000万 且 营业收入 >= 100万", 1),
    ("营业收入 >= 100万 且 营业收入 >= 5000万", 1),
    ("非 失信被执行人 且 非 失信被执行人", 1),
    ("所属行业 属于 [\"C\"] 且 所属行业 属于 [\"C39\"]", 1),
    ("营业收入 >= 100万 或 营业收入 >= 5000万", 1),
    ("资质 包含 \"高新技术企业\" 且 资质 包含任一 [\"高新技术企业\", \"科技型中小企业\"]", 1),
])
def test_redundant(condition: str, count: int) -> None:
    assert findings(condition) == [("W-REDUNDANT", 11)] * count


def test_redundancy_is_three_valued() -> None:
    """R&D share known implies revenue > 0, but with R&D missing ``营业收入 > 0`` may be
    false while the share is unknown: dropping it would turn "ineligible" into "unknown"."""
    assert findings("研发费用 / 营业收入 >= 5% 且 营业收入 > 0") == []


def test_the_later_copy_of_a_duplicate_is_reported() -> None:
    report = lint_text(item("P", "全部满足 [\n        非 失信被执行人,\n"
                                 "        营业收入 >= 1万,\n        非 失信被执行人,\n    ]"))
    assert codes(report) == [("W-REDUNDANT", 14)]
    assert f"line {12 + TAGS.count(chr(10))}" in report.diagnostics[0].text("en")


CASE = """\
    兑付标准: case {{
        {a}: 10万
        {b}: 20万
        否则: 5万
    }}
"""


def test_unreachable_branch_and_its_witness() -> None:
    report = lint_text(item("P", "营业收入 >= 1万", CASE.format(a="营业收入 >= 1000万",
                                                                b="营业收入 >= 5000万")))
    assert codes(report) == [("W-UNREACHABLE", 14)]
    assert report.diagnostics[0].witness  # an enterprise of >= 5000万 paid by branch 1


def test_unreachable_else() -> None:
    report = lint_text(item("P", "营业收入 >= 1万", CASE.format(a="营业收入 >= 1000万",
                                                                b="营业收入 < 1000万")))
    assert codes(report) == [("W-UNREACHABLE", 15)]
    assert report.diagnostics[0].code is Code.LINT_UNREACHABLE


def test_a_branch_whose_test_never_holds() -> None:
    report = lint_text(item("P", "营业收入 >= 1万", CASE.format(
        a="营业收入 >= 1000万", b="营业收入 > 1亿 且 营业收入 < 1万")))
    assert codes(report) == [("W-UNREACHABLE", 14)]
    assert report.diagnostics[0].witness == ()
    assert "never hold" in report.diagnostics[0].text("en")


def test_well_ordered_branches_are_clean() -> None:
    assert codes(lint_text(item("P", "营业收入 >= 1万", CASE.format(
        a="营业收入 >= 5000万", b="营业收入 >= 1000万")))) == []


def test_defines_are_checked_where_they_are_declared() -> None:
    text = "define 矛盾 = 营业收入 >= 1亿 且 营业收入 < 1万\n" + item("P", "非 失信被执行人")
    assert codes(lint_text(text)) == [("W-UNSAT", 1)]


def test_an_unsatisfiable_part_of_an_or_is_reported_there() -> None:
    report = lint_text(item("P", "失信被执行人 或 (营业收入 > 1亿 且 营业收入 < 1万)"))
    assert codes(report) == [("W-UNSAT", 11)]
    assert report.diagnostics[0].span.column > 20  # at the parenthesis, not the whole


# ---- 评估日: one day, or every day of an item's validity window ---------------------------

RECENT = "成立日期 >= 评估日 - 1年 且 成立日期 < 2020-01-01"


def test_on_a_fixed_day_a_condition_on_today_is_read_on_that_day() -> None:
    assert codes(lint_text(f"define 新企业 = {RECENT}\n" + item("P", "非 失信被执行人"))) \
        == [("W-UNSAT", 1)]


def test_without_a_day_a_define_may_hold_on_some_day() -> None:
    report = lint_text(f"define 新企业 = {RECENT}\n" + item("P", "非 失信被执行人"), today=None)
    assert codes(report) == []


def test_without_a_day_an_item_is_read_on_the_days_of_its_window() -> None:
    late = item("P", RECENT, "    适用时间: 2024-01-01 至 2026-12-31\n")
    early = item("P", RECENT, "    适用时间: 2019-01-01 至 2026-12-31\n")
    assert codes(lint_text(late, today=None)) == [("W-UNSAT", 11)]
    assert codes(lint_text(early, today=None)) == []


def test_calendar_moves_are_bounded_exactly() -> None:
    """3 years before any day is at least 1095 days before it, one year at most 366."""
    condition = "成立日期 <= 评估日 - 3年 且 成立日期 > 评估日 - 1年"
    assert codes(lint_text(item("P", condition), today=None)) == [("W-UNSAT", 11)]
    assert codes(lint_text(item("P", "成立日期 + 3年 <= 评估日 且 成立日期 > 评估日 - 2年"),
                           today=None)) == [("W-UNSAT", 11)]


def test_a_witness_on_some_day_carries_that_day() -> None:
    """The witness of a branch that reads 评估日 names the day it is read on, and the
    scalar evaluator confirms it on that day (the calendar moves z3 guessed are refined)."""
    report = lint_text(item("P", "非 失信被执行人", CASE.format(
        a="成立日期 <= 评估日 - 1年", b="成立日期 <= 评估日 - 3年")), today=None)
    assert codes(report) == [("W-UNREACHABLE", 14)]
    witness = dict(report.diagnostics[0].witness)
    assert set(witness) == {"成立日期", "评估日"}
    day = dt.date.fromisoformat(witness["评估日"])
    founded = dt.date.fromisoformat(witness["成立日期"])
    assert founded <= day.replace(year=day.year - 3) if day.month != 2 or day.day != 29 \
        else founded < day.replace(year=day.year - 3, day=28)
