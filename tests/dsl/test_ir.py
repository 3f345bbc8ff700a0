"""The typed IR: expression equality ignores spans; a policy holds its IR expressions as built."""

from __future__ import annotations

import json
import typing
from fractions import Fraction

from policy_match.dsl import ir
from policy_match.dsl.span import Span
from policy_match.dsl.types import MONEY

REVENUE = ir.TagRef("营业收入", MONEY)
THRESHOLD = ir.Const(Fraction(2000 * 10**4), MONEY, "2000万")


def test_equal_tests_written_in_different_places_are_equal() -> None:
    here = ir.Compare(">=", REVENUE, THRESHOLD, span=Span("a.rule", 0, 9, 1, 1, 1, 10))
    there = ir.Compare(">=", REVENUE, THRESHOLD, span=Span("b.rule", 5, 14, 3, 5, 3, 14))
    assert here == there
    assert hash(here) == hash(there)


def test_a_policy_keeps_the_expressions_it_is_given() -> None:
    condition = ir.And((ir.Compare(">=", REVENUE, THRESHOLD), ir.Not(ir.Known(REVENUE))))
    benefit = ir.Arith("*", REVENUE, ir.Const(Fraction(1, 10), MONEY), MONEY)
    policy = ir.Policy(id="P-1", name="奖励", eligible=condition, benefit=benefit)
    assert policy.eligible is condition
    assert policy.benefit is benefit
    assert ir.Policy(id="P-2", name="无兑付", eligible=condition).benefit is None


def test_the_expression_fields_are_typed_as_ir_expressions() -> None:
    hints = typing.get_type_hints(ir.Policy, include_extras=True)
    assert typing.get_args(hints["eligible"])[0] == ir.Expr
    assert typing.get_args(hints["benefit"])[0] == ir.Expr | None


def test_a_policy_serializes_its_condition() -> None:
    policy = ir.Policy(id="P-1", name="奖励", eligible=ir.Compare(">=", REVENUE, THRESHOLD))
    dumped = json.loads(policy.model_dump_json())["eligible"]
    assert dumped["op"] == ">="
    assert dumped["left"]["name"] == "营业收入"
    assert (dumped["right"]["value"], dumped["right"]["text"]) == ("20000000", "2000万")
