"""W-TIERS: bands of one quantity, computed exactly; witnesses solved and confirmed."""

from __future__ import annotations

from fractions import Fraction

from lint_helpers import codes, item, lint_text

from policy_match.analysis.tiers import Band, Bound, _holes
from policy_match.data.records import parse_money

BENEFIT = "    兑付标准: case {{\n{branches}        否则: 0元\n    }}\n"


def tiers(*tests: str, define: str = "") -> list[tuple[str, int]]:
    branches = "".join(f"        {t}: {i + 1}万\n" for i, t in enumerate(tests))
    return codes(lint_text(define + item("P", "非 失信被执行人",
                                         BENEFIT.format(branches=branches))))


def test_contiguous_bands_are_clean() -> None:
    assert tiers("营业收入 >= 1000万 且 营业收入 < 5000万",
                 "营业收入 >= 5000万 且 营业收入 < 1亿", "营业收入 >= 1亿") == []


def test_nested_thresholds_are_clean() -> None:
    assert tiers("营业收入 >= 1亿", "营业收入 >= 5000万", "营业收入 >= 1000万") == []


def test_both_edges_open_leave_the_edge_out() -> None:
    report = lint_text(item("P", "非 失信被执行人", BENEFIT.format(
        branches="        营业收入 > 1亿: 2万\n        营业收入 < 1亿: 1万\n")))
    assert codes(report) == [("W-TIERS", 13)]
    assert dict(report.diagnostics[0].witness)["营业收入"] == "1亿"
    assert "1亿" in report.diagnostics[0].text("zh")


def test_both_edges_closed_overlap() -> None:
    assert tiers("营业收入 >= 1亿", "营业收入 >= 1000万 且 营业收入 <= 1亿") == [("W-TIERS", 14)]


def test_tiers_of_a_computed_share() -> None:
    """The quantity is a define (研发费用 / 营业收入): the witness is solved for it."""
    define = "define 研发占比 = 研发费用 / 营业收入\n"
    report = lint_text(define + item("P", "非 失信被执行人", BENEFIT.format(
        branches="        研发占比 >= 5%: 2万\n        研发占比 >= 1% 且 研发占比 < 3%: 1万\n")))
    assert codes(report) == [("W-TIERS", 14)]
    record = dict(report.diagnostics[0].witness)
    share = parse_money(record["研发费用"]) / parse_money(record["营业收入"])
    assert share == Fraction(3, 100)  # the gap [3%, 5%) starts at 3%


def test_tests_on_other_things_are_not_tiers() -> None:
    assert tiers("所属行业 属于 [\"F51\"]", "营业收入 >= 5000万") == []


def test_band_arithmetic() -> None:
    a = Band(Bound(Fraction(1), True), Bound(Fraction(3), False))
    b = Band(Bound(Fraction(3), True), None)
    assert a.meet(b) is None
    assert Band(Bound(Fraction(2), True), None).meet(a) == Band(Bound(Fraction(2), True),
                                                                 Bound(Fraction(3), False))
    assert a.within(Band(None, None)) and not Band(None, None).within(a)
    assert Band(Bound(Fraction(1), False), Bound(Fraction(2), False)).point() == Fraction(3, 2)
    low = Band(None, Bound(Fraction(5), True))
    high = Band(Bound(Fraction(8), False), None)
    assert _holes([high, low]) == [(1, 0, Fraction(8))]  # x > 8 leaves 8 itself out
    assert _holes([low, Band(Bound(Fraction(5), False), None)]) == []


def test_the_else_branch_as_the_middle_tier_is_not_a_gap() -> None:
    text = item("P", "非 失信被执行人", """\
    兑付标准: case {
        营业收入 >= 1亿: 30万
        营业收入 < 1000万: 0元
        否则: 10万
    }
""")
    assert codes(lint_text(text)) == []


def test_a_stretch_paid_less_than_both_tiers_around_it_is_a_gap() -> None:
    text = item("P", "非 失信被执行人", """\
    兑付标准: case {
        营业收入 >= 1亿: 30万
        营业收入 >= 1000万 且 营业收入 < 5000万: 10万
        否则: 0元
    }
""")
    report = lint_text(text)
    assert codes(report) == [("W-TIERS", 13)]
    assert dict(report.diagnostics[0].witness)["营业收入"] == "5000万"
