"""Adversarial rulebooks: cost stays linear in the size of the rulebook, and nothing raises.

Shapes (the "bounded cost" issue): a define used twice by the next one (a DAG whose tree is
exponential), arithmetic reusing the last define twice, a long chain of defines, one huge
``or`` over a column, and constants beyond a float's range. Each is built at growing sizes
straight as typed IR (the checker's own limits on depth and digits are not what is tested
here: the engine must hold up whatever it is given), and every entry point runs on it.
Growth is compared between sizes (time and peak traced memory of the larger over the
smaller, min of three runs after a warm-up), never against absolute seconds.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import time
import tracemalloc
from collections.abc import Callable
from fractions import Fraction
from typing import Any

import pytest

from policy_match.core.loading import load_sources
from policy_match.core.rulebook import Rulebook
from policy_match.data.table import EnterpriseTable
from policy_match.dsl import ir
from policy_match.dsl.types import BOOL, MONEY, NUMBER
from policy_match.engine import walk

DAY = dt.date(2025, 6, 1)
BASE = ('tag a: number\ntag m: money\ntag b: bool\ntag c: bool\n'
        'policy "P" { name: "p"  eligible: b  benefit: 1万 }\n')
RECORDS: list[dict[str, Any]] = [{}, {"a": 3, "m": 100, "b": True, "c": False},
                                 {"a": 7, "m": "19999999.999999999999", "b": False, "c": True},
                                 {"b": True}, {"c": True, "a": 10**6}]


def _base() -> Rulebook:
    result = load_sources({"base.rule": BASE})
    assert result.rulebook is not None
    return result.rulebook


BOOK = _base()
A = ir.TagRef("a", NUMBER)
M = ir.TagRef("m", MONEY)
B = ir.TagRef("b", BOOL)
C = ir.TagRef("c", BOOL)


def num(x: int | Fraction) -> ir.Const:
    return ir.Const(Fraction(x), NUMBER, str(x))


def book_of(defines: dict[str, ir.Expr], eligible: ir.Expr,
            benefit: ir.Expr | None = None) -> Rulebook:
    """A rulebook with these defines and one policy "P" (built as IR, then compiled)."""
    policy = BOOK.policy("P").model_copy(update={"eligible": eligible, "benefit": benefit})
    program = dataclasses.replace(
        BOOK.program, defines={n: ir.Define(n, e) for n, e in defines.items()},
        policies={"P": policy})
    return Rulebook(program, BOOK.vocabulary)


def mux(levels: int) -> Rulebook:
    """d1 = b; dI = (d(I-1) and b) or (not d(I-1) and c): a tree of 2^levels leaves."""
    defines: dict[str, ir.Expr] = {"d1": B}
    for i in range(2, levels + 1):
        last = ir.DefineRef(f"d{i - 1}", BOOL)
        defines[f"d{i}"] = ir.Or((ir.And((last, B)), ir.And((ir.Not(last), C))))
    return book_of(defines, ir.DefineRef(f"d{levels}", BOOL))


def shares(levels: int) -> Rulebook:
    """v1 = m; vI = v(I-1)/3 + v(I-1)/7, compared with a threshold and paid as a benefit."""
    defines: dict[str, ir.Expr] = {"v1": M}
    for i in range(2, levels + 1):
        last = ir.DefineRef(f"v{i - 1}", MONEY)
        defines[f"v{i}"] = ir.Arith("+", ir.Arith("/", last, num(3), MONEY),
                                    ir.Arith("/", last, num(7), MONEY), MONEY)
    top = ir.DefineRef(f"v{levels}", MONEY)
    return book_of(defines, ir.Compare(">=", top, ir.Const(Fraction(1), MONEY, "1")), top)


def chain(levels: int) -> Rulebook:
    """x1 = a > 1; xI = x(I-1) and a > I."""
    defines: dict[str, ir.Expr] = {"x1": ir.Compare(">", A, num(1))}
    for i in range(2, levels + 1):
        defines[f"x{i}"] = ir.And((ir.DefineRef(f"x{i - 1}", BOOL), ir.Compare(">", A, num(i))))
    return book_of(defines, ir.DefineRef(f"x{levels}", BOOL))


def big_or(terms: int) -> Rulebook:
    """a == 1 or a == 2 or … or a == terms."""
    return book_of({}, ir.Or(tuple(ir.Compare("==", A, num(i)) for i in range(1, terms + 1))))


def big_product(factors: int) -> Rulebook:
    """a * 10^200 * 10^200 * … > 10^300: beyond a float's range on the way."""
    value: ir.Expr = A
    for _ in range(factors):
        value = ir.Arith("*", value, num(10**200), NUMBER)
    return book_of({}, ir.Compare(">", value, num(10**300)))


def table(book: Rulebook, rows: int = 20) -> EnterpriseTable:
    return EnterpriseTable.from_records([RECORDS[i % len(RECORDS)] for i in range(rows)], book)


def everything(book: Rulebook) -> list[Any]:
    """Every entry point, on every record: none may raise."""
    out: list[Any] = [book.match(table(book), as_of=DAY).tris["P"]]
    for record in RECORDS:
        out.append(book.evaluate(record, "P", as_of=DAY))
        out.append(book.match_record(record, as_of=DAY)["P"])
        out.append(book.explain(record, "P", as_of=DAY).to_json())
        out.append(book.explain(record, "P", as_of=DAY).render("en"))
        out.append(len(book.explain_all(record, as_of=DAY)))
        out.append(book.profile(record, as_of=DAY))
        out.append(book.benefit(record, "P", as_of=DAY))
    return out


SHAPES: dict[str, tuple[Callable[[int], Rulebook], tuple[int, ...]]] = {
    "mux": (mux, (20, 40, 80)),
    "shares": (shares, (10, 20, 40, 80)),
    "chain": (chain, (200, 400, 800)),
    "big_or": (big_or, (400, 800, 1600)),
}


def cost(work: Callable[[], object]) -> tuple[float, int]:
    """(min seconds of three runs after a warm-up, peak traced bytes of one run)."""
    work()
    seconds = []
    for _ in range(3):
        start = time.perf_counter()
        work()
        seconds.append(time.perf_counter() - start)
    tracemalloc.start()
    try:
        work()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return min(seconds), peak


def one_pass(build: Callable[[int], Rulebook], size: int) -> Callable[[], object]:
    """Compile the rulebook afresh and run the costly paths once."""
    def work() -> object:
        book = build(size)
        return (book.match(table(book), as_of=DAY).tris["P"],
                book.match_record(RECORDS[1], as_of=DAY)["P"],
                book.explain(RECORDS[0], "P", as_of=DAY).to_json(),
                book.explain(RECORDS[2], "P", as_of=DAY).to_json())
    return work


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_cost_grows_at_most_linearly(shape: str) -> None:
    build, sizes = SHAPES[shape]
    costs = [cost(one_pass(build, n)) for n in sizes]
    for (small_t, small_m), (large_t, large_m), n in zip(costs, costs[1:], sizes, strict=False):
        # doubling the size: linear is 2x; exponential or quadratic blows well past 4x
        assert large_t < 4 * small_t + 0.01, (shape, n, costs)
        assert large_m < 4 * small_m + 200_000, (shape, n, costs)


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_no_entry_point_raises(shape: str) -> None:
    build, sizes = SHAPES[shape]
    assert everything(build(sizes[0]))


def test_a_shared_define_is_explained_once_and_referred_to() -> None:
    book = mux(40)
    explanation = book.explain({"c": True}, "P", as_of=DAY)
    assert len(explanation.to_json()) < 500_000  # not 2^40 lines
    text = explanation.render()
    assert "见上" in text and "(see above)" in explanation.render("en")
    # the same answers as a small mux, where everything is shown in full
    assert explanation.verdict is book.evaluate({"c": True}, "P", as_of=DAY)


def test_five_thousand_chained_defines_run_without_deep_recursion() -> None:
    book = chain(5000)
    records = [{"a": 5}, {"a": 6000}, {}]
    want = ["ineligible", "eligible", "unknown"]
    assert [book.evaluate(r, "P", as_of=DAY).value for r in records] == want
    assert [book.match_record(r, as_of=DAY)["P"].value for r in records] == want
    result = book.match(EnterpriseTable.from_records(records, book), as_of=DAY)
    assert [result._verdict_at("P", i).value for i in range(3)] == want
    explanation = book.explain({"a": 6000}, "P", as_of=DAY)
    assert explanation.verdict.value == "eligible"
    assert explanation.match_degree == 1.0
    assert book.explain({}, "P", as_of=DAY).missing == ["a"]


def test_arithmetic_reusing_a_define_asks_for_the_missing_tag_once() -> None:
    book = shares(200)
    explanation = book.explain({}, "P", as_of=DAY)
    assert explanation.missing == ["m"]
    assert explanation.verdict.value == "unknown"


def test_products_beyond_a_float_stay_exact_everywhere() -> None:
    book = big_product(3)  # a * 10^600 > 10^300: true for a >= 1, false for a <= 0
    records = [{"a": 1}, {"a": 0}, {"a": "-0.000001"}, {}]
    want = ["eligible", "ineligible", "ineligible", "unknown"]
    assert [book.evaluate(r, "P", as_of=DAY).value for r in records] == want
    assert [book.match_record(r, as_of=DAY)["P"].value for r in records] == want
    result = book.match(EnterpriseTable.from_records(records, book), as_of=DAY)
    assert [result._verdict_at("P", i).value for i in range(4)] == want
    assert everything(book)
    # a constant no float can hold: a > 10^400 is false, a > -10^400 true, for any a given
    for op, limit, verdict in ((">", 10**400, "ineligible"), (">", -10**400, "eligible")):
        huge = book_of({}, ir.Compare(op, A, num(limit)))
        rows = EnterpriseTable.from_records([{"a": 10**17}, {"a": -(10**17)}], huge)
        bulk = huge.match(rows, as_of=DAY)
        for i, record in enumerate(({"a": 10**17}, {"a": -(10**17)})):
            assert huge.evaluate(record, "P", as_of=DAY).value == verdict
            assert huge.match_record(record, as_of=DAY)["P"].value == verdict
            assert bulk._verdict_at("P", i).value == verdict


def test_walks_keep_a_constant_stack() -> None:
    """The post-order walk of a 100,000-long chain needs no recursion."""
    nodes = list(range(100_000))
    order = walk.post_order(0, lambda i: (i + 1,) if i + 1 < len(nodes) else ())
    assert order[0] == len(nodes) - 1 and order[-1] == 0
    assert walk.pre_order((0,), lambda i: (i + 1,) if i < 99_999 else ())[-1] == 99_999
