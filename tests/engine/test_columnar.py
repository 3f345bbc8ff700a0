"""Backends never disagree: bulk (columnar), point lookup and the scalar evaluator give the
same verdict on every (enterprise, policy, date), for random rulebooks (every construct,
defines, case, hierarchies) and random tables with missing and bad values.
"""

from __future__ import annotations

import datetime as dt
import os
from fractions import Fraction
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from oracle import AS_OF_DATES, load, records, rulebooks

from policy_match.core.loading import load_sources
from policy_match.core.rulebook import Rulebook
from policy_match.data.table import EnterpriseTable
from policy_match.dsl.ir import Verdict
from policy_match.dsl.types import MONEY
from policy_match.dsl.vocabulary import FunctionSpec, fixed_signature
from policy_match.engine import bitset
from policy_match.plugins.loader import load_vocabulary

SETTINGS = settings(max_examples=int(os.environ.get("PM_EXAMPLES", "120")), deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@SETTINGS
@given(data=st.data())
def test_match_agrees_with_evaluate_and_point_lookup(data: st.DataObject) -> None:
    generated = data.draw(rulebooks(), label="rulebook")
    book = load(generated.text)
    as_of = data.draw(st.sampled_from(AS_OF_DATES), label="as_of")
    size = data.draw(st.integers(1, 12), label="rows")
    raws = [data.draw(records(as_of), label=f"record {i}")[0] for i in range(size)]
    table = EnterpriseTable.from_records(raws, book)
    assert len(table) == size
    result = book.match(table, as_of=as_of)
    for i, raw in enumerate(raws):
        point = book.match_record(raw, as_of=as_of)
        for pid in book.policies:
            scalar = book.evaluate(raw, pid, as_of=as_of)
            assert result.verdict(table.ids[i], pid) is scalar, (pid, raw)
            assert point[pid] is scalar, (pid, raw)


@SETTINGS
@given(data=st.data())
def test_counts_and_lists_add_up(data: st.DataObject) -> None:
    generated = data.draw(rulebooks(), label="rulebook")
    book = load(generated.text)
    as_of = data.draw(st.sampled_from(AS_OF_DATES), label="as_of")
    raws = [data.draw(records(as_of))[0] for _ in range(data.draw(st.integers(1, 10)))]
    table = EnterpriseTable.from_records(raws, book)
    result = book.match(table, as_of=as_of)
    for pid, counts in result.counts().items():
        assert sum(counts.values()) == len(table)
        assert counts[Verdict.ELIGIBLE] == len(result.eligible(pid))
        assert counts[Verdict.UNKNOWN] == len(result.unknown(pid))
        assert counts[Verdict.INELIGIBLE] == len(result.ineligible(pid))


def test_a_new_policy_reuses_the_cached_atoms() -> None:
    book = load('tag 营业收入: money\ntag 从业人数: count(人)\n'
                'policy "A" { name: "a"  eligible: 营业收入 >= 2000万 }\n')
    table = EnterpriseTable.from_records(
        [{"营业收入": "3000万", "从业人数": 10}, {"营业收入": "100万"}, {}], book)
    day = dt.date(2025, 1, 1)
    first = book.match(table, as_of=day)
    atoms_before = len(first.evaluator._memo)
    bigger = book.with_policies(
        'policy "B" { name: "b"  eligible: 营业收入 >= 2000万 and 从业人数 <= 300 }\n')
    second = bigger.match(table, as_of=day, reuse=first)
    # the shared atom (营业收入 >= 2000万) is the same interned node: not evaluated again
    shared = bigger.dag.conditions["A"]
    assert shared is book.dag.conditions["A"]
    assert second.evaluator.truth(shared) is first.evaluator.truth(shared)
    assert len(second.evaluator._memo) > atoms_before
    assert [second.verdict(i, "B") for i in table.ids] == [
        Verdict.ELIGIBLE, Verdict.INELIGIBLE, Verdict.UNKNOWN]


def test_for_graph_shares_the_cached_atoms_and_leaves_the_old_evaluator_alone() -> None:
    book = load('tag 营业收入: money\ntag 从业人数: count(人)\n'
                'tag 行业: code(industry)\n'
                'policy "A" { name: "a"  eligible: 营业收入 >= 2000万 and 行业 in ["C"] }\n')
    table = EnterpriseTable.from_records(
        [{"营业收入": "3000万", "从业人数": 10, "行业": "C3911"}, {"营业收入": "100万"}, {}],
        book)
    day = dt.date(2025, 1, 1)
    old = book.match(table, as_of=day).evaluator
    memo_before = dict(old._memo)
    bigger = book.with_policies(
        'define 小 = 从业人数 <= 300\n'
        'policy "B" { name: "b"  eligible: 营业收入 >= 2000万 and 小 and 行业 in ["C"] }\n')
    new = old.for_graph(bigger.dag)
    assert new is not old and new.graph is bigger.dag and old.graph is book.dag
    a_items = book.dag.conditions["A"].items  # type: ignore[union-attr]
    for atom in a_items:
        assert new.truth(atom) is old.truth(atom)  # the very bitsets, not recomputed
    b = new.truth(bigger.dag.conditions["B"])
    assert bitset.rows(b.t, 3).tolist() == [0]
    assert bitset.rows(b.f, 3).tolist() == [1]
    assert old._memo == memo_before  # nothing the new one computed leaked into the old one
    assert len(new._memo) > len(memo_before)


def test_dirty_values_are_reported_with_row_and_column_and_nothing_disappears() -> None:
    book = load('tag 代码: uscc key\ntag 营业收入: money\ntag 成立日期: date\n'
                'tag 规模: enum["小型", "微型"]\n'
                'policy "A" { name: "a"  eligible: 营业收入 >= 2000万 }\n')
    rows = [
        {"代码": "91350100M000100Y43", "营业收入": "3000万", "成立日期": "2020-01-01",
         "规模": "小型"},
        {"代码": "91350100M000100Y44", "营业收入": "约300万", "成立日期": "2023-02-30",
         "规模": "巨型"},
        {"营业收入": "100万"},
        {"代码": "91350100M000100Y43", "营业收入": "2000万"},
    ]
    table = EnterpriseTable.from_records(rows, book)
    assert len(table) == len(rows)
    bad = {(e.row, e.column) for e in table.errors}
    assert {(2, "代码"), (2, "营业收入"), (2, "成立日期"), (2, "规模")} <= bad
    assert (3, "代码") in bad  # no key
    assert any(e.row == 4 and "duplicate" in e.reason for e in table.errors)
    result = book.match(table, as_of=dt.date(2025, 1, 1))
    assert sum(result.counts()["A"].values()) == len(rows)
    # the unparsable revenue is missing, so row 2 is unknown, not ineligible
    assert result._verdict_at("A", 1) is Verdict.UNKNOWN


def test_a_tag_with_no_column_is_unknown_everywhere_without_row_by_row_work() -> None:
    book = load('tag 营业收入: money\ntag 规模: enum["小型", "微型"]\ntag 见习: bool\n'
                'tag 资质: set["高企"]\n'
                'policy "A" { name: "a"  eligible: 规模 in ["小型"] or 见习 or 资质 has "高企"'
                ' or 营业收入 >= 1 }\n'
                'policy "B" { name: "b"  eligible: known(规模) or 营业收入 < 0 }\n')
    table = EnterpriseTable.from_records([{"营业收入": "0"}, {"营业收入": "5"}], book)
    result = book.match(table, as_of=dt.date(2025, 1, 1))
    assert result.evaluator._row_evaluators == {}  # decided column-wise
    assert [result.verdict(i, "A") for i in table.ids] == [Verdict.UNKNOWN, Verdict.ELIGIBLE]
    assert [result.verdict(i, "B") for i in table.ids] == [Verdict.INELIGIBLE] * 2


def test_bulk_stays_exact_where_floats_cannot() -> None:
    book = load('tag 营业收入: money\ntag 前年营业收入: money\ntag 增长率: ratio\n'
                'policy "D" { name: "d"  eligible: 营业收入 - 前年营业收入 >= 0.3 }\n'
                'policy "R" { name: "r"  eligible: 增长率 >= 10% }\n'
                'policy "Q" { name: "q"  eligible: 营业收入 / 前年营业收入 > 1 }\n')
    rows = [
        # cancellation: the float difference of two 10-digit amounts misses by an ulp
        {"营业收入": "9711984893.99", "前年营业收入": "9711984893.69"},
        # more digits than a float keeps, just under the threshold
        {"增长率": "0.09999999999999999999"},
        {"增长率": 0.1},
        {"营业收入": 123456789012345679, "前年营业收入": 123456789012345678},  # < 10^18
    ]
    day = dt.date(2025, 1, 1)
    result = book.match(EnterpriseTable.from_records(rows, book), as_of=day)
    for i, raw in enumerate(rows):
        for pid in book.policies:
            assert result._verdict_at(pid, i) is book.evaluate(raw, pid, as_of=day), (pid, raw)
    assert result._verdict_at("D", 0) is Verdict.ELIGIBLE
    assert result._verdict_at("R", 1) is Verdict.INELIGIBLE
    assert result._verdict_at("Q", 3) is Verdict.ELIGIBLE


def test_builtin_functions_keep_the_error_bounds_of_their_arguments() -> None:
    book = load('tag 营业收入: money\ntag 前年营业收入: money\n'
                'policy "M" { name: "m"  eligible: max(营业收入 - 前年营业收入, 0) >= 0.3 }\n'
                'policy "N" { name: "n"  eligible: abs(前年营业收入 - 营业收入) >= 0.3 }\n')
    rows = [{"营业收入": "9711984893.99", "前年营业收入": "9711984893.69"},  # float: 0.2999…
            {"营业收入": "500", "前年营业收入": "100"}, {"营业收入": "100"}]
    day = dt.date(2025, 1, 1)
    result = book.match(EnterpriseTable.from_records(rows, book), as_of=day)
    for i, raw in enumerate(rows):
        for pid in book.policies:
            assert result._verdict_at(pid, i) is book.evaluate(raw, pid, as_of=day), (pid, raw)
    assert [result._verdict_at("M", i) for i in range(3)] == [
        Verdict.ELIGIBLE, Verdict.ELIGIBLE, Verdict.UNKNOWN]
    assert [result._verdict_at("N", i) for i in range(3)] == [
        Verdict.ELIGIBLE, Verdict.ELIGIBLE, Verdict.UNKNOWN]
    # vectorized: only the row whose difference is within its error bound went row by row
    assert set(result.evaluator._row_evaluators) == {0}


def _with_function(spec: FunctionSpec, text: str) -> Rulebook:
    vocabulary = load_vocabulary(entry_points=False)
    vocabulary.add_function(spec, source="test")
    loaded = load_sources({"g.rule": text}, vocabulary)
    assert loaded.rulebook is not None, [d.message for d in loaded.diagnostics]
    return loaded.rulebook


PLUGIN_RULES = ('tag 营业收入: money\n'
                'policy "P" { name: "p"  eligible: f(营业收入) >= 2000万 }\n')
PLUGIN_ROWS = [{"营业收入": "3000万"}, {"营业收入": "500万"}, {},
               # more digits than a float keeps: its float is 1000万 exactly
               {"营业收入": "9999999.9999999999999"}]


@pytest.mark.parametrize(("vectorized", "nonexpansive", "row_by_row"), [
    (None, False, {0, 1, 2, 3}),  # no vectorized form: the scalar evaluator calls impl
    (lambda x: 2 * x, False, {0, 1, 3}),  # no error bound: comparisons decided exactly
    (lambda x: np.maximum(x, 1e7), True, {3}),  # bounded: only the doubtful row
])
def test_a_plugin_function_reaches_the_bulk_matcher_through_its_spec(
        vectorized: Any, nonexpansive: bool, row_by_row: set[int]) -> None:
    impl = (lambda x: 2 * x) if not nonexpansive else (lambda x: max(x, Fraction(10**7)))
    book = _with_function(FunctionSpec(
        name="f", typing=fixed_signature([MONEY], MONEY), impl=impl,
        vectorized=vectorized, nonexpansive=nonexpansive), PLUGIN_RULES)
    day = dt.date(2025, 1, 1)
    result = book.match(EnterpriseTable.from_records(PLUGIN_ROWS, book), as_of=day)
    for i, raw in enumerate(PLUGIN_ROWS):
        assert result._verdict_at("P", i) is book.evaluate(raw, "P", as_of=day), raw
    assert result._verdict_at("P", 2) is Verdict.UNKNOWN
    assert result._verdict_at("P", 3) is Verdict.INELIGIBLE  # 19999999.99… < 2000万
    assert set(result.evaluator._row_evaluators) == row_by_row


@pytest.mark.parametrize("nonexpansive", [False, True])
def test_a_vectorized_function_that_cannot_compute_a_row_leaves_it_unknown(
        nonexpansive: bool) -> None:
    # impl answers None below 1000万; the vectorized form says so with NaN
    def impl(x: Fraction) -> Fraction | None:
        return None if x < 10**7 else x

    def vectorized(x: np.ndarray) -> np.ndarray:
        return np.where(x < 1e7, np.nan, x)

    book = _with_function(FunctionSpec(
        name="f", typing=fixed_signature([MONEY], MONEY), impl=impl,
        vectorized=vectorized, nonexpansive=nonexpansive),
        'tag 营业收入: money\n'
        'define p = f(营业收入)\n'
        'policy "P" { name: "p"  eligible: p >= 2000万 }\n'
        'policy "K" { name: "k"  eligible: known(p) }\n')
    day = dt.date(2025, 1, 1)
    rows = PLUGIN_ROWS[:3]  # not the row whose float sits on f's edge (see FunctionSpec)
    result = book.match(EnterpriseTable.from_records(rows, book), as_of=day)
    for pid in ("P", "K"):
        for i, raw in enumerate(rows):
            assert result._verdict_at(pid, i) is book.evaluate(raw, pid, as_of=day), (pid, raw)
    assert result._verdict_at("P", 1) is Verdict.UNKNOWN  # 500万: f cannot compute it
    assert result._verdict_at("K", 1) is Verdict.INELIGIBLE


def test_long_decimals_agree_across_scalar_bulk_and_point_lookup() -> None:
    """Values with more significant digits than a float keeps, a hair either side of a
    threshold (and on it): point lookup decides them exactly, as scalar and bulk do."""
    thresholds = {"W": ("2000万", Fraction(20_000_000)), "T": ("0.1", Fraction(1, 10)),
                  "H": ("1.5", Fraction(3, 2))}
    ops = {"lt": "<", "le": "<=", "gt": ">", "ge": ">=", "eq": "==", "ne": "!="}
    text = "tag 营业收入: money\n" + "".join(
        f'policy "{t}-{o}" {{ name: "x"  eligible: 营业收入 {op} {limit} }}\n'
        for t, (limit, _) in thresholds.items() for o, op in ops.items())
    book = load(text)
    raws = []
    for _, exact in thresholds.values():
        for digits in (14, 16, 18, 20, 22):
            for sign in (-1, 0, 1):
                value = exact + sign * Fraction(1, 10**digits)
                whole, rest = divmod(value.numerator * 10**digits // value.denominator,
                                     10**digits)
                raws.append({"营业收入": f"{whole}.{rest:0{digits}d}"})
    day = dt.date(2025, 1, 1)
    table = EnterpriseTable.from_records(raws, book)
    result = book.match(table, as_of=day)
    for i, raw in enumerate(raws):
        point = book.match_record(raw, as_of=day)
        for pid in book.policies:
            scalar = book.evaluate(raw, pid, as_of=day)
            assert point[pid] is scalar, (pid, raw)
            assert result._verdict_at(pid, i) is scalar, (pid, raw)
    assert book.evaluate({"营业收入": "19999999.999999999999"}, "W-ge", as_of=day) \
        is Verdict.INELIGIBLE
    assert book.match_record({"营业收入": "19999999.999999999999"}, as_of=day)["W-ge"] \
        is Verdict.INELIGIBLE
