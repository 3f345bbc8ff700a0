"""The greatest possible amount of an item: interval bounds of a numeric value node over every
possible record, used to rank an unknown amount (never displaced by a known lower one) and to
bound the fiscal estimate (``upper``)."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from policy_match.dsl.types import Kind
from policy_match.engine import dag

_INF = float("inf")
Bound = Fraction | float  # a Fraction, or ±inf


def _mul(a: Bound, b: Bound) -> Bound:
    if a == 0 or b == 0:
        return Fraction(0)
    if isinstance(a, float) or isinstance(b, float):
        return _INF if (a > 0) == (b > 0) else -_INF
    return a * b


def _reciprocal(x: Bound) -> Bound:
    return Fraction(0) if isinstance(x, float) else 1 / x


def _hull(*pairs: tuple[Bound, Bound]) -> tuple[Bound, Bound]:
    return min(p[0] for p in pairs), max(p[1] for p in pairs)


class Intervals:
    """``[lo, hi]`` of a numeric value node over every possible record (±inf: unbounded)."""

    def __init__(self, graph: dag.Dag) -> None:
        self.graph = graph
        self._memo: dict[int, tuple[Bound, Bound]] = {}

    def of(self, node: dag.ValueNode) -> tuple[Bound, Bound]:
        key = id(node)
        if key not in self._memo:
            self._memo[key] = self._of(node)
        return self._memo[key]

    def _of(self, node: Any) -> tuple[Bound, Bound]:
        unbounded: tuple[Bound, Bound] = (-_INF, _INF)
        if isinstance(node, dag.VConst):
            value = node.value
            if isinstance(value, Fraction | int) and not isinstance(value, bool):
                return Fraction(value), Fraction(value)
            return unbounded
        if isinstance(node, dag.VTag):
            return (Fraction(0), _INF) if node.type.kind is Kind.COUNT else unbounded
        if isinstance(node, dag.VDefine):
            if node.type.kind is Kind.BOOL:
                return unbounded
            return self.of(self.graph.defines[node.name])  # type: ignore[arg-type]
        if isinstance(node, dag.VNeg):
            lo, hi = self.of(node.operand)
            return -hi, -lo
        if isinstance(node, dag.VArith):
            (a, b), (c, d) = self.of(node.left), self.of(node.right)
            if node.op == "+":
                return a + c, b + d
            if node.op == "-":
                return a - d, b - c
            if node.op == "/":
                if c <= 0 <= d:
                    return unbounded  # the divisor may be zero, or as close to it as you like
                c, d = _reciprocal(d), _reciprocal(c)
            products = [_mul(a, c), _mul(a, d), _mul(b, c), _mul(b, d)]
            return min(products), max(products)
        if isinstance(node, dag.VCall):
            args = [self.of(a) for a in node.args]
            if node.func == "min":
                return min(a[0] for a in args), min(a[1] for a in args)
            if node.func == "max":
                return max(a[0] for a in args), max(a[1] for a in args)
            if node.func == "abs":
                lo, hi = args[0]
                if lo >= 0:
                    return lo, hi
                if hi <= 0:
                    return -hi, -lo
                return Fraction(0), max(-lo, hi)
            return unbounded
        if isinstance(node, dag.VCase):
            return _hull(*(self.of(v) for _, v in node.branches), self.of(node.default))
        return unbounded
