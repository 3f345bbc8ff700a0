"""Amounts in bulk, 就高不重复, 前置事项/排除事项 and the fiscal estimate (benefits.py).

Amounts agree with ``book.benefit`` to the cent (ROUND_HALF_UP) on every row, near-ties
included; after resolution no enterprise holds two items of one 互斥组 and the one it holds
ranks highest; fiscal sums are sums of per-enterprise amounts.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import policy_match as pm
from policy_match.apps.money.benefits import Benefits, compute_benefits, from_cents, money, to_cents
from policy_match.core.loading import load_sources
from policy_match.core.rulebook import UNKNOWN, Rulebook
from policy_match.data.table import EnterpriseTable
from policy_match.dsl.ir import Verdict
from policy_match.tools.generate import REFERENCE_DATE, generate

REPO = Path(__file__).resolve().parents[3]
AS_OF = dt.date(2024, 7, 1)


def load(text: str) -> Rulebook:
    result = load_sources({"t.rule": text})
    errors = [f"{d.code.value} {d.message}" for d in result.diagnostics if d.is_error]
    assert result.rulebook is not None, (errors, text)
    return result.rulebook


def run(book: Rulebook, records: Sequence[Mapping[str, Any]],
        as_of: dt.date = AS_OF) -> Benefits:
    table = EnterpriseTable.from_records(records, book)
    return compute_benefits(book.match(table, as_of=as_of))


def rounded(amount: object) -> object:
    """``book.benefit`` as the bulk path reports it: rounded to cents."""
    return money(amount) if isinstance(amount, Decimal) else amount  # type: ignore[arg-type]


# ---- money -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("amount", "cents"), [
    (Decimal("123456.785"), 12345679), (Decimal("123456.784999"), 12345678),
    (Decimal("0.005"), 1), (Decimal("-0.005"), -1), (Decimal("200000"), 20000000),
])
def test_money_rounds_half_up_to_cents(amount: Decimal, cents: int) -> None:
    assert to_cents(amount) == cents
    assert from_cents(cents) == money(amount)


# ---- random rulebooks with 互斥组 ---------------------------------------------------------------

TAGS = """\
tag 收入: money
tag 研发: money
tag 人数: count(人)
tag 资质: set["甲", "乙", "丙"]
"""
CONDITIONS = (
    "收入 >= 100万", '资质 has "甲"', "研发 > 0", '资质 has any ["乙", "丙"]', "人数 >= 10",
    '收入 >= 50万 or 资质 has "乙"', "true",
)
# amount text -> the item's greatest possible amount in cents (None: unbounded)
YUAN = 100  # cents
AMOUNTS: dict[str, int | None] = {
    "20万": 200_000 * YUAN, "10万": 100_000 * YUAN,
    "min(研发 * 10%, 20万)": 200_000 * YUAN,
    "case { 收入 >= 500万: 30万; else: 10万 }": 300_000 * YUAN,
    "人数 * 1500元": None,
    "研发 * 3.5%": None,
    "max(收入 * 1%, 1万)": None,
    "min(研发 / 收入 * 10万元, 8万)": 80_000 * YUAN,
}
GROUPS = (None, "G1", "G2")
MONEY = st.one_of(
    st.none(),
    st.sampled_from(["100万", "50万", "500万", "0", "12.34万"]),
    st.decimals(min_value=0, max_value=10_000_000, places=2).map(str),
    st.integers(min_value=0, max_value=10_000_000),
)


@st.composite
def grouped_rulebooks(draw: st.DrawFn) -> tuple[str, dict[str, tuple[str | None, str]]]:
    count = draw(st.integers(min_value=2, max_value=6))
    policies: dict[str, tuple[str | None, str]] = {}
    text = TAGS
    for k in range(count):
        pid = f"P{k}"
        group = draw(st.sampled_from(GROUPS))
        amount = draw(st.sampled_from(sorted(AMOUNTS)))
        condition = draw(st.sampled_from(CONDITIONS))
        policies[pid] = (group, amount)
        group_line = f'    互斥组: "{group}"\n' if group else ""
        text += (f'policy "{pid}" {{\n    事项名称: "事项{k}"\n    申请条件: {condition}\n'
                 f"{group_line}    兑付标准: {amount}\n}}\n")
    return text, policies


@st.composite
def tables(draw: st.DrawFn) -> list[dict[str, Any]]:
    rows = draw(st.integers(min_value=1, max_value=12))
    out = []
    for _ in range(rows):
        record: dict[str, Any] = {}
        for name, strategy in (("收入", MONEY), ("研发", MONEY),
                               ("人数", st.one_of(st.none(), st.integers(0, 200))),
                               ("资质", st.one_of(st.none(), st.lists(
                                   st.sampled_from(["甲", "乙", "丙"]), unique=True)))):
            value = draw(strategy)
            if value is not None:
                record[name] = value
        out.append(record)
    return out


def rank_of(book: Rulebook, record: Mapping[str, Any], pid: str,
            ceiling: int | None) -> int | float:
    amount = book.benefit(record, pid, as_of=AS_OF)
    if isinstance(amount, Decimal):
        return to_cents(amount)
    return float("inf") if ceiling is None else ceiling


@settings(max_examples=120, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(generated=grouped_rulebooks(), records=tables())
def test_one_item_per_group_and_the_highest_kept(
        generated: tuple[str, dict[str, tuple[str | None, str]]],
        records: list[dict[str, Any]]) -> None:
    text, policies = generated
    book = load(text)
    benefits = run(book, records)
    ids = benefits.table.ids
    for row, record in enumerate(records):
        for pid in policies:
            # amounts agree with the exact scalar path, to the cent
            assert benefits.amount_at(pid, row) == rounded(book.benefit(record, pid, as_of=AS_OF))
        for group in ("G1", "G2"):
            members = sorted(p for p, (g, _) in policies.items() if g == group)
            eligible = [p for p in members
                        if book.evaluate(record, p, as_of=AS_OF) is Verdict.ELIGIBLE]
            held = [p for p in members if benefits.status[p][row] == 1]
            assert len(held) <= 1, (group, held, record)
            if not eligible:
                assert held == []
                continue
            # the highest amount is kept (an unknown amount ranks at its item's maximum),
            # ties to the lower id
            ranks = {p: rank_of(book, record, p, AMOUNTS[policies[p][1]]) for p in eligible}
            best = max(eligible, key=lambda p: (ranks[p], -members.index(p)))
            assert held == [best], (ranks, held, record)
            for p in eligible:
                holding = benefits.holding_at(p, row)
                if p == best:
                    assert holding.status == "held"
                    assert set(holding.displaced) == set(eligible) - {best}
                else:
                    assert (holding.status, holding.displaced_by) == ("displaced", best)
        # fiscal sums are sums of per-enterprise amounts after resolution
    for pid in benefits.money_items():
        paid = [benefits.paid(eid, pid) for eid in dict.fromkeys(ids)]
        want = sum((a for a in paid if isinstance(a, Decimal)), Decimal(0))
        estimate = benefits.item_estimate(pid)
        assert estimate.estimate == want
        assert estimate.upper is None or estimate.upper >= estimate.estimate
    total = benefits.total()
    assert total.estimate == sum((r.estimate for r in benefits.estimate("item")), Decimal(0))


@st.composite
def related_rulebooks(draw: st.DrawFn) -> str:
    """Random 互斥组, 前置事项 (to lower items only: no cycles) and 排除事项."""
    count = draw(st.integers(min_value=2, max_value=6))
    text = TAGS
    for k in range(count):
        fields = [f'事项名称: "事项{k}"', f"申请条件: {draw(st.sampled_from(CONDITIONS))}",
                  f"兑付标准: {draw(st.sampled_from(sorted(AMOUNTS)))}"]
        group = draw(st.sampled_from(GROUPS))
        if group:
            fields.append(f'互斥组: "{group}"')
        lower = [f"P{j}" for j in range(k)]
        requires = draw(st.lists(st.sampled_from(lower), unique=True, max_size=2)) if lower else []
        excludes = draw(st.lists(st.sampled_from([f"P{j}" for j in range(count) if j != k]),
                                 unique=True, max_size=2))
        if requires:
            fields.append("前置事项: [" + ", ".join(f'"{r}"' for r in requires) + "]")
        if excludes:
            fields.append("排除事项: [" + ", ".join(f'"{x}"' for x in excludes) + "]")
        text += f'policy "P{k}" {{\n' + "".join(f"    {f}\n" for f in fields) + "}\n"
    return text


@settings(max_examples=120, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                 HealthCheck.filter_too_much])
@given(text=related_rulebooks(), records=tables())
def test_resolution_with_requires_and_excludes(text: str, records: list[dict[str, Any]]) -> None:
    result = load_sources({"t.rule": text})
    assume(result.rulebook is not None)  # the checker rejects contradictory relations
    book = result.rulebook
    assert book is not None
    benefits = run(book, records)
    items = benefits.items
    for row in range(len(records)):
        status = {p: benefits.holding_at(p, row) for p in items}
        held = {p for p, h in status.items() if h.status == "held"}
        for p in held:
            # no two held items conflict; every held item has its 前置事项
            assert not benefits.conflicts[p] & held, (p, held)
            assert set(book.policies[p].requires) <= held
        for p, h in status.items():
            eligible = h.verdict is Verdict.ELIGIBLE
            assert (h.status != "none") == eligible
            if h.status == "displaced":
                # by a conflicting item that ranks higher
                winner = h.displaced_by
                assert winner is not None and winner in benefits.conflicts[p]
                mine = (int(benefits.rank_cents(p)[row]), -benefits.index[p])
                theirs = (int(benefits.rank_cents(winner)[row]), -benefits.index[winner])
                assert theirs > mine
            if h.status == "blocked":
                assert h.blocked_by in book.policies[p].requires


# ---- exactness to the cent -------------------------------------------------------------------


def test_near_ties_are_rounded_half_up_as_the_exact_value() -> None:
    book = load(TAGS + """
policy "比例" {
    事项名称: "研发补助"
    申请条件: 研发 > 0
    兑付标准: 研发 * 10%
}
policy "三分之一" {
    事项名称: "三分之一"
    申请条件: 研发 > 0
    兑付标准: 研发 / 3
}
""")
    values = ["1234567.85", "0.05", "1.15", "2.675", "1000000.05", "8.345", "0.5",
              "123456789.15", "1.005", "1.01"]
    records = [{"研发": v} for v in values]
    benefits = run(book, records)
    for row, record in enumerate(records):
        for pid in ("比例", "三分之一"):
            exact = book.benefit(record, pid, as_of=AS_OF)
            assert benefits.amount_at(pid, row) == money(exact), (pid, record, exact)
    assert benefits.amount_at("比例", 0) == Decimal("123456.79")  # 123456.785 rounds up
    assert benefits.recomputed > 0  # those ties were decided by the exact evaluator


def test_a_divisor_zero_exactly_but_not_in_float64_is_unknown() -> None:
    book = load("""\
tag a: money
tag b: money
tag c: money
policy "X" {
    事项名称: "比值"
    申请条件: a > 0
    兑付标准: min(a / (b + c - a) * 1万元, 5万)
}
""")
    records = [{"a": "0.3", "b": "0.1", "c": "0.2"}, {"a": "0.3", "b": "0.1", "c": "0.3"}]
    benefits = run(book, records)
    assert book.benefit(records[0], "X", as_of=AS_OF) is UNKNOWN  # 0.1 + 0.2 - 0.3 == 0
    assert benefits.amount_at("X", 0) is UNKNOWN
    assert benefits.amount_at("X", 1) == money(book.benefit(records[1], "X", as_of=AS_OF))


def test_a_tag_without_a_column_leaves_amounts_unknown() -> None:
    text = TAGS + "".join(
        f'policy "Q{k}" {{\n    事项名称: "事项{k}"\n    申请条件: 资质 has "甲"\n'
        f"    兑付标准: {amount}\n}}\n" for k, amount in enumerate(sorted(AMOUNTS)))
    book = load(text)
    records = [{"资质": ["甲"]}, {"资质": ["乙"]}]  # no 收入, 研发 or 人数 column at all
    benefits = run(book, records)
    for row, record in enumerate(records):
        for pid in book.policies:
            want = rounded(book.benefit(record, pid, as_of=AS_OF))
            assert benefits.amount_at(pid, row) == want, pid


# ---- 前置事项 / 排除事项 ------------------------------------------------------------------

RELATIONS = """\
tag 资质: set["甲", "乙", "丙", "丁", "戊"]
tag 金额: money
policy "A" {
    事项名称: "甲项"
    申请条件: 资质 has "甲"
    兑付标准: 10万
}
policy "B" {
    事项名称: "乙项"
    申请条件: 资质 has "乙"
    前置事项: ["A"]
    兑付标准: 5万
}
policy "C" {
    事项名称: "丙项"
    申请条件: 资质 has "丙"
    排除事项: ["A"]
    兑付标准: 20万
}
policy "D" {
    事项名称: "丁项"
    申请条件: 资质 has "丁"
    排除事项: ["C"]
    兑付标准: 20万
}
policy "E" {
    事项名称: "戊项"
    申请条件: 资质 has "戊"
    排除事项: ["A"]
    兑付标准: min(金额 * 10%, 30万)
}
"""


@pytest.fixture(scope="module")
def relations() -> Rulebook:
    return load(RELATIONS)


def statuses(benefits: Benefits, row: int) -> dict[str, tuple[str, str | None]]:
    out = {}
    for pid in benefits.items:
        h = benefits.holding_at(pid, row)
        if h.status != "none":
            out[pid] = (h.status, h.displaced_by or h.blocked_by)
    return out


@pytest.mark.parametrize(("held", "expected"), [
    (["甲", "乙"], {"A": ("held", None), "B": ("held", None)}),
    # B's prerequisite A is not even eligible: B is blocked
    (["乙"], {"B": ("blocked", "A")}),
    # C (20万) excludes A (10万): C kept; B then lacks A
    (["甲", "乙", "丙"], {"A": ("displaced", "C"), "B": ("blocked", "A"), "C": ("held", None)}),
    # C and D exclude each other at 20万 each: the lower id is kept
    (["丙", "丁"], {"C": ("held", None), "D": ("displaced", "C")}),
    # no relation between A and D
    (["甲", "丁"], {"A": ("held", None), "D": ("held", None)}),
    (["甲", "丙", "丁"], {"A": ("displaced", "C"), "C": ("held", None), "D": ("displaced", "C")}),
    # without 丙 nothing conflicts: D and A are both kept, and B has its A
    (["甲", "乙", "丁"], {"A": ("held", None), "B": ("held", None), "D": ("held", None)}),
])
def test_requires_and_excludes(relations: Rulebook, held: list[str],
                               expected: dict[str, tuple[str, str | None]]) -> None:
    benefits = run(relations, [{"资质": held}])
    assert statuses(benefits, 0) == expected


def test_an_item_without_relations_shares_one_cause_and_held_follows_the_status() -> None:
    import numpy as np

    from policy_match.apps.money.resolution import HELD

    book = load(RELATIONS + """policy "F" {
    事项名称: "己项"
    申请条件: 金额 >= 10万
    兑付标准: 1万
}
""")
    benefits = run(book, [{"资质": ["甲", "丙"], "金额": "50万"}, {"资质": ["甲"]},
                          {"资质": ["乙"], "金额": "1万"}])
    free = benefits.by["F"]  # never displaced nor blocked: no array of its own
    assert free.tolist() == [-1, -1, -1] and not free.flags.writeable
    assert benefits.by["A"].flags.writeable and benefits.by["A"].tolist()[0] == 2  # by C
    assert statuses(benefits, 0) == {"A": ("displaced", "C"), "C": ("held", None),
                                     "F": ("held", None)}
    held = benefits.held
    assert set(held) == set(benefits.items)
    for pid in benefits.items:
        assert np.array_equal(held[pid], benefits.status[pid] == HELD)
    assert held["F"].tolist() == [True, False, False]
    assert held["B"].tolist() == [False, False, False]  # blocked: its 前置事项 A is not held


def test_an_excluded_higher_item_wins(relations: Rulebook) -> None:
    # E excludes A; E's amount decides: 金额 400万 gives 30万 (capped) > A's 10万
    benefits = run(relations, [{"资质": ["甲", "戊"], "金额": "400万"},
                               {"资质": ["甲", "戊"], "金额": "50万"}])
    assert statuses(benefits, 0) == {"A": ("displaced", "E"), "E": ("held", None)}
    assert statuses(benefits, 1) == {"A": ("held", None), "E": ("displaced", "A")}
    assert benefits.holding_at("A", 1).displaced == ("E",)


def test_an_unknown_amount_ranks_at_its_maximum_and_leaves_the_choice_unsettled(
        relations: Rulebook) -> None:
    # E's amount is unknown (金额 missing) but could reach 30万 > A's 10万: E is kept, with an
    # unknown amount; nothing in that component is settled, so nothing would be paid
    benefits = run(relations, [{"资质": ["甲", "戊"]}])
    assert statuses(benefits, 0) == {"A": ("displaced", "E"), "E": ("held", None)}
    assert benefits.paid_at("E", 0) is UNKNOWN
    assert not benefits.settled("A")[0] and not benefits.settled("E")[0]
    estimate = {e.key: e for e in benefits.estimate()}
    assert estimate["E"].estimate == 0 and estimate["E"].amount_unknown == 1
    assert estimate["E"].upper == Decimal("300000.00")  # its maximum
    assert estimate["A"].upper == Decimal("100000.00")  # it might still be A


def test_requirements_are_checked_after_exclusivity() -> None:
    book = load("""\
tag 资质: set["甲", "乙", "丙"]
policy "A" {
    事项名称: "大额"
    申请条件: 资质 has "甲"
    前置事项: ["R"]
    兑付标准: 50万
}
policy "R" {
    事项名称: "前置"
    申请条件: 资质 has "乙"
    互斥组: "G"
    兑付标准: 5万
}
policy "S" {
    事项名称: "同组更高"
    申请条件: 资质 has "丙"
    互斥组: "G"
    兑付标准: 10万
}
""")
    benefits = run(book, [{"资质": ["甲", "乙", "丙"]}, {"资质": ["甲", "乙"]}])
    # S outranks R in their group; A, which needs R, is then blocked (no second round)
    assert statuses(benefits, 0) == {"A": ("blocked", "R"), "R": ("displaced", "S"),
                                     "S": ("held", None)}
    assert statuses(benefits, 1) == {"A": ("held", None), "R": ("held", None)}


# ---- the fiscal estimate ----------------------------------------------------------------------

ESTIMATE = """\
tag 收入: money
tag 资质: set["甲", "乙"]
policy "K1" {
    事项名称: "定额"
    申请条件: 资质 has "甲"
    执行部门: "科技局"
    政策分类: "奖补类"
    兑付标准: 20万
}
policy "K2" {
    事项名称: "封顶比例"
    申请条件: 资质 has "乙"
    执行部门: "科技局"
    政策分类: "奖补类"
    兑付标准: min(收入 * 1%, 5万)
}
policy "K3" {
    事项名称: "无上限比例"
    申请条件: 收入 >= 100万
    执行部门: "税务局"
    政策分类: "减免类"
    兑付标准: 收入 * 2%
}
policy "K4" {
    事项名称: "无金额"
    申请条件: 资质 has "甲"
    执行部门: "税务局"
}
"""


def test_estimate_and_upper_bound() -> None:
    book = load(ESTIMATE)
    records = [
        {"资质": ["甲", "乙"], "收入": "200万"},  # K1 20万, K2 2万, K3 4万
        {"资质": ["乙"], "收入": "1000万"},  # K2 5万 (capped), K3 20万
        {"收入": "300万"},  # K1, K2 unknown (资质 missing); K2's amount computable: 3万
        {"资质": ["乙"]},  # K2 eligible, amount unknown; K3 unknown
        {"资质": []},
    ]
    benefits = run(book, records)
    rows = {e.key: e for e in benefits.estimate("item")}
    assert list(rows) == ["K1", "K2", "K3"]  # K4 pays no money
    assert (rows["K1"].held, rows["K1"].unknown) == (1, 1)
    assert rows["K1"].estimate == Decimal("200000.00")
    assert rows["K1"].upper == Decimal("400000.00")  # + the unknown enterprise at 20万
    assert (rows["K2"].held, rows["K2"].amount_unknown, rows["K2"].unknown) == (3, 1, 1)
    assert rows["K2"].estimate == Decimal("70000.00")
    # + 3万 (unknown verdict, computable) + 5万 (eligible, amount unknown: the cap)
    assert rows["K2"].upper == Decimal("150000.00")
    assert rows["K3"].estimate == Decimal("300000.00")  # 4万 + 20万 + 6万
    assert rows["K3"].upper is None  # 收入 missing on an unknown row, no cap
    departments = {e.key: e for e in benefits.estimate("department")}
    assert departments["科技局"].estimate == rows["K1"].estimate + rows["K2"].estimate
    assert departments["科技局"].upper == Decimal("550000.00")
    assert departments["税务局"].upper is None
    categories = {e.key: e for e in benefits.estimate("category")}
    assert categories["减免类"].estimate == rows["K3"].estimate
    total = benefits.total()
    assert total.estimate == Decimal("570000.00") and total.upper is None
    # the estimate is the sum of per-enterprise amounts
    for pid, row in rows.items():
        paid = [benefits.paid(eid, pid) for eid in benefits.table.ids]
        assert row.estimate == sum((a for a in paid if isinstance(a, Decimal)), Decimal(0))


def test_inactive_items_take_no_part() -> None:
    book = load(ESTIMATE.replace('    执行部门: "税务局"\n    政策分类: "减免类"',
                                 '    执行部门: "税务局"\n    政策分类: "减免类"\n'
                                 "    适用时间: 2020-01-01 至 2020-12-31"))
    benefits = run(book, [{"资质": ["甲"], "收入": "500万"}])
    assert [e.key for e in benefits.estimate()] == ["K1", "K2"]
    assert benefits.holding_at("K3", 0).verdict is Verdict.INACTIVE


# ---- the bundled rulebook ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def bundled() -> tuple[Rulebook, list[dict[str, Any]], Benefits]:
    book = pm.load(REPO / "rules")
    records = generate(1500, seed=11)
    benefits = run(book, records, as_of=REFERENCE_DATE)
    return book, records, benefits


def test_bundled_amounts_equal_book_benefit(
        bundled: tuple[Rulebook, list[dict[str, Any]], Benefits]) -> None:
    book, records, benefits = bundled
    checked = 0
    for pid in benefits.items:
        rows = (benefits.eligible[pid] | benefits.unknown[pid]).nonzero()[0]
        for row in rows[:400]:
            want = book.benefit(records[row], pid, as_of=REFERENCE_DATE)
            assert benefits.amount_at(pid, int(row)) == rounded(want), (pid, row)
            if isinstance(want, Decimal):
                assert money(want) == want  # the bundled amounts are whole cents
            checked += 1
    assert checked > 1000


def test_bundled_groups_and_sums(
        bundled: tuple[Rulebook, list[dict[str, Any]], Benefits]) -> None:
    book, _, benefits = bundled
    groups: dict[str, list[str]] = {}
    for pid, policy in book.policies.items():
        if policy.group:
            groups.setdefault(policy.group, []).append(pid)
    assert groups  # the bundled rulebook has 互斥组
    for members in groups.values():
        held = sum((benefits.status[p] == 1).astype(int) for p in members)
        assert held.max() <= 1
    by_item = benefits.estimate("item")
    for by in ("department", "category"):
        rows = benefits.estimate(by)  # type: ignore[arg-type]
        assert sum(r.estimate for r in rows) == sum(r.estimate for r in by_item)
        assert sum(r.held for r in rows) == sum(r.held for r in by_item)
    total = benefits.total()
    assert total.estimate == sum(r.estimate for r in by_item)
    assert total.estimate > 0
