"""The graphs between declarations: define order and cycles, 前置事项 / 排除事项 of policies."""

from __future__ import annotations

from policy_match.dsl import ast, ir
from policy_match.dsl.dependency_check import check_relations, define_order
from policy_match.dsl.diagnostics import Code
from policy_match.dsl.parser import parse
from policy_match.dsl.reporter import Reporter
from policy_match.dsl.span import Span
from policy_match.dsl.types import BOOL


def defines(text: str) -> dict[str, ast.DefineDecl]:
    result = parse(text)
    assert result.diagnostics == ()
    return {d.name.name: d for d in result.module.decls if isinstance(d, ast.DefineDecl)}


def test_a_define_follows_the_defines_it_uses_and_ties_keep_source_order() -> None:
    decls = defines("define c = a + b\ndefine a = 1\ndefine d = 2\ndefine b = a * 2\n")
    report = Reporter()
    order = define_order(decls, report)
    assert report.diags == []
    assert order.on_cycle == frozenset()
    assert order.order == ("a", "b", "c", "d")


def test_a_cycle_is_reported_once_on_its_first_define_and_left_out_of_the_order() -> None:
    decls = defines("define x = 1\ndefine 甲 = 乙 + 1\ndefine 乙 = 丙\ndefine 丙 = 甲\n"
                    "define y = 甲 + x\n")
    report = Reporter()
    order = define_order(decls, report)
    assert [d.code for d in report.diags] == [Code.CYCLE]
    d = report.diags[0]
    assert d.message == "defines form a cycle: 甲 → 乙 → 丙 → 甲"
    assert d.span == decls["甲"].name.span
    assert [r.message for r in d.related] == ["乙 is on the cycle", "丙 is on the cycle"]
    assert order.on_cycle == {"甲", "乙", "丙"}
    assert order.order == ("x", "y")


def test_a_function_name_is_no_dependency() -> None:
    decls = defines("define max = 1\ndefine y = max(2, 3)\n")
    order = define_order(decls, Reporter())
    assert order.order == ("max", "y")


def policy(pid: str, requires: tuple[str, ...] = (), excludes: tuple[str, ...] = ()) -> ir.Policy:
    return ir.Policy(id=pid, name=pid, eligible=ir.Const(True, BOOL), requires=requires,
                     excludes=excludes)


def relations(*policies: ir.Policy) -> list[tuple[Code, str]]:
    spans = {p.id: Span("a.rule", i, i + 1, i + 1, 1, i + 1, 2)
             for i, p in enumerate(policies)}
    report = Reporter()
    check_relations({p.id: p for p in policies}, spans, report)
    return [(d.code, d.message) for d in report.diags]


def test_consistent_requirements_and_exclusions_pass() -> None:
    assert relations(policy("A", requires=("B",), excludes=("C",)), policy("B"),
                     policy("C")) == []


def test_unknown_ids_and_self_requirements_are_reported() -> None:
    assert relations(policy("A", requires=("A", "Z"))) == [
        (Code.FIELD, '"Z" named by policy "A" is no policy'),
        (Code.CYCLE, 'policy "A" requires itself'),
    ]


def test_a_cycle_of_requirements_is_reported_from_its_smallest_id() -> None:
    found = relations(policy("B", requires=("C",)), policy("C", requires=("A",)),
                      policy("A", requires=("B",)))
    assert found == [(Code.CYCLE, "前置事项 form a cycle: A → B → C → A")]


def test_requiring_an_excluded_item_even_indirectly_is_reported() -> None:
    found = relations(policy("A", requires=("B",), excludes=("C",)),
                      policy("B", requires=("C",)), policy("C"))
    assert found == [(Code.FIELD, 'policy "A" both requires and excludes "C"')]


def test_a_required_item_that_excludes_another_requirement_is_reported() -> None:
    found = relations(policy("A", requires=("B", "C")), policy("B", excludes=("C",)),
                      policy("C"))
    assert found == [
        (Code.FIELD, 'policy "A" requires "B", which excludes "C", also required'),
    ]
