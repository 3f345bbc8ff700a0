"""Static bounds on what evaluating a checked rulebook can cost (``E-RANGE``, ``E-COST``).

Numbers are exact (fractions), so a rule such as ``define v2 = v1 * v1``, ``define v3 =
v2 * v2`` … doubles the digits of a value at every step: 25 steps make numbers of tens of
millions of digits and an evaluation that never ends. Each numeric expression therefore
gets, from its literals and the types of its tags, an upper bound on

- the digits of its numerator and of its denominator (what exact arithmetic costs), and
- its magnitude (what a float of the columnar backends can hold),

and one that may exceed ``MAX_DIGITS`` digits or ``10**MAX_MAGNITUDE`` is ``E-RANGE``.

A tag value is assumed to have at most ``TAG_SIGNIFICANT`` significant digits and a
magnitude below ``10**TAG_MAGNITUDE`` (after 万/亿 scaling; % and ‰ add up to three digits
to the denominator): the record parser is to enforce the same limit.

Nesting is bounded too: the depth of an expression counts through the defines it uses
(``define x2 = x1 and …`` is one level deeper than ``x1``); beyond ``MAX_DEPTH`` the
evaluators' walks would be too deep, so it is ``E-COST``, as is a rulebook of more than
``MAX_NODES`` expression nodes in all. The walks here are iterative: no depth of input
makes them raise. One diagnostic is given per problem: whatever uses a value already
reported stays quiet.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from fractions import Fraction

from policy_match.dsl import ast, ir
from policy_match.dsl.diagnostics import Code
from policy_match.dsl.reporter import Reporter
from policy_match.dsl.span import Span
from policy_match.dsl.types import Kind
from policy_match.dsl.values import Duration
from policy_match.dsl.words import Words

MAX_DIGITS = 1000  # digits of a numerator or denominator: exact arithmetic stays cheap
MAX_MAGNITUDE = 300  # |value| < 10**300: a float64 (up to 1.8e308) still holds it
MAX_DEPTH = 1000  # nesting levels, counted through the defines used
MAX_NODES = 1_000_000  # expression nodes in the whole rulebook

TAG_SIGNIFICANT = 30  # significant digits of a tag value
TAG_MAGNITUDE = 18  # |tag value| < 10**18


@dataclass(frozen=True)
class Bound:
    """What is known of an expression's values: ``|numerator| < 10**num``,
    ``denominator <= 10**den``, ``|value| < 10**mag``; ``depth`` nesting levels."""

    num: float = 0.0
    den: float = 0.0
    mag: float = 0.0
    depth: int = 1

    @property
    def digits(self) -> int:
        return math.ceil(max(self.num, self.den))


TAG_BOUND = Bound(TAG_SIGNIFICANT, TAG_SIGNIFICANT + 3, TAG_MAGNITUDE)
DATE_BOUND = Bound(7, 0, 7)  # a day number
_LOG2 = math.log10(2)


def _digits(n: int) -> float:
    """An upper bound on log10 of ``n + 1`` (cheap for any size: from the bit length)."""
    return (abs(n).bit_length()) * _LOG2 + 1e-9


def _constant(value: object) -> Bound:
    if isinstance(value, Duration):
        value = value.amount
    if isinstance(value, Fraction):
        num = _digits(value.numerator)
        return Bound(num, _digits(value.denominator) if value.denominator > 1 else 0.0, num)
    return Bound()


def _arith(op: str, a: Bound, b: Bound) -> tuple[float, float, float]:
    if op in "+-":
        return max(a.num + b.den, b.num + a.den) + _LOG2, a.den + b.den, max(a.mag, b.mag) + _LOG2
    if op == "*":
        return a.num + b.num, a.den + b.den, a.mag + b.mag
    # a / b: |1/b| <= b's denominator, since |b| >= 1/den(b) when b is not zero
    return a.num + b.den, a.den + b.num, a.mag + b.den


def _children(e: object) -> tuple[object, ...]:
    # a known test costs one step whatever it names, so its tag or define is not a child here
    return () if isinstance(e, ir.Known) else ir.sub_expressions(e)


def _postorder(root: ir.Expr) -> Iterator[tuple[object, tuple[object, ...]]]:
    """Each node after its children, with them; iterative, so any depth is walked."""
    stack: list[tuple[object, bool]] = [(root, False)]
    while stack:
        node, expanded = stack.pop()
        kids = _children(node)
        if expanded or not kids:
            yield node, kids
            continue
        stack.append((node, True))
        stack.extend((k, False) for k in reversed(kids))


class CostChecker:
    """Bounds every define (in dependency order) and policy of a checked program."""

    def __init__(self, report: Reporter) -> None:
        self.report = report
        self.defines: dict[str, Bound | None] = {}  # None: already reported (or failed)
        self.nodes = 0

    def run(self, defines: Iterable[ir.Define], policies: Iterable[ir.Policy]) -> None:
        for define in defines:
            self.defines[define.name] = self.expr(define.expr, define.span)
        for policy in policies:
            for expr in (policy.eligible, policy.benefit):
                if expr is not None:
                    self.expr(expr, policy.span)

    def expr(self, root: ir.Expr, where: Span) -> Bound | None:
        """The bound of ``root``; None when it, or something it uses, was reported."""
        done: dict[int, Bound | None] = {}
        for node, kids in _postorder(root):
            self.nodes += 1
            if self.nodes == MAX_NODES + 1:
                self.report.error(Code.COST, Words("check.too_many_nodes",
                                                   max=f"{MAX_NODES:,}"),
                                  _span(node, where), Words("hint.smaller_rulebooks"))
            inner = [done[id(k)] for k in kids]
            bound = None if any(b is None for b in inner) else self._bound(
                node, [b for b in inner if b is not None])
            done[id(node)] = bound if bound is None else self._within(node, bound, where)
        return done[id(root)]

    def _bound(self, node: object, kids: list[Bound]) -> Bound | None:
        depth = 1 + max((k.depth for k in kids), default=0)
        if isinstance(node, ir.DefineRef):
            used = self.defines.get(node.name, Bound())
            return None if used is None else Bound(used.num, used.den, used.mag, used.depth + 1)
        if isinstance(node, ir.Const):
            return _constant(node.value)
        if isinstance(node, ir.TagRef):
            kind = node.type.kind
            if kind is Kind.DATE:
                return DATE_BOUND
            return TAG_BOUND if node.type.is_numeric or kind is Kind.DURATION else Bound()
        if isinstance(node, ir.TodayRef):
            return DATE_BOUND
        if isinstance(node, ir.Arith):
            return Bound(*_arith(node.op, kids[0], kids[1]), depth=depth)
        if isinstance(node, ir.Neg):
            return Bound(kids[0].num, kids[0].den, kids[0].mag, depth)
        if isinstance(node, ir.Call):
            return _widest([*kids, TAG_BOUND], depth)
        if isinstance(node, ir.Case):
            values = [*kids[1:-1:2], kids[-1]]
            return _widest(values, depth)
        return Bound(depth=depth)  # a condition: true or false

    def _within(self, node: object, bound: Bound, where: Span) -> Bound | None:
        span = _span(node, where)
        if bound.depth > MAX_DEPTH:
            self.report.error(
                Code.COST, Words("check.too_deep_chain", max=MAX_DEPTH), span,
                Words("hint.flatten_chain"))
            return None
        if bound.digits > MAX_DIGITS or bound.mag > MAX_MAGNITUDE:
            self.report.error(
                Code.RANGE, Words("check.too_large", digits=f"{bound.digits:,}",
                                  magnitude=f"{math.ceil(bound.mag):,}"), span,
                Words("hint.too_large", max_digits=MAX_DIGITS, max_magnitude=MAX_MAGNITUDE,
                      tag_digits=TAG_SIGNIFICANT, tag_magnitude=TAG_MAGNITUDE))
            return None
        return bound


def _widest(bounds: list[Bound], depth: int) -> Bound:
    return Bound(max(b.num for b in bounds), max(b.den for b in bounds),
                 max(b.mag for b in bounds), depth)


def _span(node: object, where: Span) -> Span:
    span = getattr(node, "span", ast.NO_SPAN)
    return where if span == ast.NO_SPAN else span
