"""The compiled evaluator (closures made once per rulebook) answers every node as the
reference scalar evaluator does: verdicts, amounts, defines and every atom."""

from __future__ import annotations

import datetime as dt
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from oracle import AS_OF_DATES, records, rulebooks

from policy_match.core.loading import load_sources
from policy_match.core.rulebook import Rulebook
from policy_match.engine import dag
from policy_match.engine.backend import NODE_KINDS
from policy_match.engine.closures import _MAKERS, HEIGHT, CompiledEvaluator, Program
from policy_match.engine.scalar import ScalarEvaluator
from policy_match.engine.walk import pre_order
from policy_match.server.app import default_rules
from policy_match.tools.generate import generate

DAY = dt.date(2025, 6, 30)


def load(text: str) -> Rulebook:
    result = load_sources({"g.rule": text})
    assert result.rulebook is not None, [d.message for d in result.diagnostics]
    return result.rulebook


def every_node(book: Rulebook) -> list[Any]:
    graph = book.dag
    roots = [*graph.conditions.values(), *(b for b in graph.benefits.values() if b),
             *graph.defines.values()]
    return pre_order(roots, lambda n: dag.successors(n, graph.defines))


def answers(ev: ScalarEvaluator, nodes: list[Any]) -> list[Any]:
    """Roots first (as a check asks), then every node, value or condition."""
    graph = ev.graph
    out: list[Any] = [ev.truth(root) for root in graph.conditions.values()]
    out += [ev.value(b) for b in graph.benefits.values() if b is not None]
    for node in nodes:
        is_value = isinstance(node, (dag.VTag, dag.VDefine, dag.VConst, dag.VToday, dag.VArith,
                                     dag.VNeg, dag.VCall, dag.VCase, dag.VCond))
        out.append(ev.value(node) if is_value else ev.truth(node))
    return out


def agree(book: Rulebook, program: Program, values: dict[str, Any], as_of: dt.date) -> None:
    nodes = every_node(book)
    reference = ScalarEvaluator(book.dag, book.vocabulary, values, as_of)
    compiled = program.evaluator(values, as_of)
    assert answers(compiled, nodes) == answers(reference, nodes)
    atoms = list(book.dag.atoms)  # many at once, on a fresh record (as a shape's key asks)
    assert program.evaluator(values, as_of).truths(atoms) == reference.truths(atoms)


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=st.data())
def test_compiled_answers_equal_the_reference_on_generated_rulebooks(
        data: st.DataObject) -> None:
    book = load(data.draw(rulebooks(), label="rulebook").text)
    program = Program(book.dag, book.vocabulary)
    for _ in range(3):
        as_of = data.draw(st.sampled_from(AS_OF_DATES), label="as_of")
        _, values = data.draw(records(as_of), label="record")
        agree(book, program, values, as_of)


def test_compiled_answers_equal_the_reference_on_the_bundled_rulebook() -> None:
    from policy_match import load as load_book

    book = load_book(default_rules())
    program = Program(book.dag, book.vocabulary)
    assert len(program.closures) == len(every_node(book))  # nothing there is too high
    for row in generate(150, seed=7):
        values = book.read_record({k: v for k, v in row.items() if v is not None}).values
        for as_of in (DAY, dt.date(2026, 12, 6)):
            agree(book, program, values, as_of)


CHAIN = "tag a: number\ndefine x1 = a > 1\n" + "".join(
    f"define x{i} = x{i - 1} and a > {i}\n" for i in range(2, 301)) + """
policy "P" {
    事项名称: "链"
    申请条件: x300
}
"""


def test_a_node_too_high_for_a_closure_is_answered_by_the_reference() -> None:
    book = load(CHAIN)
    program = Program(book.dag, book.vocabulary)
    root = book.dag.conditions["P"]
    assert id(root) not in program.closures
    assert id(book.dag.defines["x10"]) in program.closures
    for a in (0, 5, 150, 299, 301, None):
        values = {} if a is None else {"a": a}
        compiled = program.evaluator(values, DAY)
        want = ScalarEvaluator(book.dag, book.vocabulary, values, DAY).truth(root)
        assert compiled.truth(root) is want
    assert HEIGHT < 300


SHARED = """\
tag 营业收入: money
tag 从业人数: count
policy "A" {
    事项名称: "甲"
    申请条件: 营业收入 >= 2000万 and 从业人数 >= 10
}
policy "B" {
    事项名称: "乙"
    申请条件: 营业收入 >= 2000万 and 从业人数 >= 20
}
"""


def test_only_what_can_be_asked_twice_is_remembered() -> None:
    book = load(SHARED)
    program = Program(book.dag, book.vocabulary)
    ev: CompiledEvaluator = program.evaluator({"营业收入": 3 * 10**7, "从业人数": 15}, DAY)
    assert ev.truth(book.dag.conditions["A"]) is True
    assert ev.truth(book.dag.conditions["B"]) is False
    shared, alone = (next(a for a in book.dag.atoms if isinstance(a, dag.Cmp)
                          and isinstance(a.left, dag.VTag) and a.left.name == name
                          and a.right.value == value)  # type: ignore[union-attr]
                     for name, value in (("营业收入", 2 * 10**7), ("从业人数", 10)))
    assert ev.memo[id(shared)] is True  # both items read it: computed once, kept
    assert id(alone) not in ev.memo  # one parent: read once per item anyway
    assert ev.truth(alone) is True  # asked directly, it is answered (and kept)
    assert ev.memo[id(alone)] is True


DATED = """\
tag 成立日期: date
policy "P" {
    事项名称: "满三年"
    申请条件: 成立日期 <= today - 3年
}
"""


def test_a_value_of_the_date_alone_is_kept_per_date() -> None:
    """``today - 3年`` is computed once per evaluation date and shared by every record of
    that date; a record of another date, before or after, gets its own."""
    book = load(DATED)
    program = Program(book.dag, book.vocabulary)
    root = book.dag.conditions["P"]
    founded = {"成立日期": dt.date(2022, 3, 1)}
    days = [dt.date(2025, 3, 1) + dt.timedelta(days=i) for i in range(-40, 40, 3)] * 3
    for day in days:  # more dates than are kept: the kept ones start again
        want = ScalarEvaluator(book.dag, book.vocabulary, founded, day).truth(root)
        assert program.evaluator(founded, day).truth(root) is want
    assert program.evaluator(founded, dt.date(2025, 3, 1)).truth(root) is True
    assert program.evaluator(founded, dt.date(2025, 2, 28)).truth(root) is False


def test_every_node_kind_has_a_closure_maker() -> None:
    """A new kind of DAG node fails here until the compiled evaluator can make it."""
    assert set(_MAKERS) == NODE_KINDS
