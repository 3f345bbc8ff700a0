"""W-TIERS: the tiers of a 兑付标准 ``case`` that overlap or leave a gap at a band edge.

A tiered benefit is a ``case`` in a 兑付标准 whose every test bounds one and the same
quantity by constants (``营业收入 >= 5000万 and 营业收入 < 1亿``): each test is then an
interval of that quantity, computed exactly with fractions. Two tiers *overlap* when their
intervals meet and neither holds the other (tiers written as nested thresholds, ``>= 1亿``
then ``>= 5000万``, are the usual first-match idiom and are left alone; a tier inside an
earlier one is W-UNREACHABLE). A *gap* is a value between two tiers that no tier takes, so
it falls to ``否则``. Each finding's witness is an enterprise whose quantity is the value at
issue, and the finding is reported only when the scalar evaluator agrees on it.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import z3

from policy_match.analysis.context import Context, Finding
from policy_match.analysis.domains import number_text
from policy_match.analysis.encode import real
from policy_match.analysis.walk import every
from policy_match.dsl import ir
from policy_match.dsl.diagnostics import Code
from policy_match.dsl.display import value_text
from policy_match.dsl.types import Kind
from policy_match.engine.semantics import MIRRORED_OP


@dataclass(frozen=True)
class Bound:
    value: Fraction
    closed: bool


@dataclass(frozen=True)
class Band:
    lo: Bound | None
    hi: Bound | None

    def meet(self, other: Band) -> Band | None:
        lo = _tighter(self.lo, other.lo, lower=True)
        hi = _tighter(self.hi, other.hi, lower=False)
        band = Band(lo, hi)
        return band if band.nonempty() else None

    def nonempty(self) -> bool:
        if self.lo is None or self.hi is None:
            return True
        if self.lo.value != self.hi.value:
            return self.lo.value < self.hi.value
        return self.lo.closed and self.hi.closed

    def within(self, other: Band) -> bool:
        return self.meet(other) == self

    def point(self) -> Fraction:
        """A value inside the band, at an edge where there is one."""
        lo, hi = self.lo, self.hi
        if lo is not None and lo.closed:
            return lo.value
        if hi is not None and hi.closed:
            return hi.value
        if lo is not None and hi is not None:
            return (lo.value + hi.value) / 2
        if lo is not None:
            return lo.value + 1
        return hi.value - 1 if hi is not None else Fraction(0)


def _tighter(a: Bound | None, b: Bound | None, *, lower: bool) -> Bound | None:
    if a is None or b is None:
        return a or b
    if a.value != b.value:
        return a if (a.value > b.value) == lower else b
    return Bound(a.value, a.closed and b.closed)


_BANDS = {">=": (True, True), ">": (True, False), "<=": (False, True), "<": (False, False)}


def _band_of(test: ir.Expr) -> tuple[ir.Expr, Band] | None:
    """The quantity a test bounds and the band it allows, or ``None``."""
    if isinstance(test, ir.And):
        found = [_band_of(i) for i in test.items]
        if not found or any(f is None for f in found):
            return None
        quantity = found[0][0]  # type: ignore[index]
        band: Band | None = Band(None, None)
        for q, b in found:  # type: ignore[misc]
            if q != quantity or band is None:
                return None
            band = band.meet(b)
        return None if band is None else (quantity, band)
    if not isinstance(test, ir.Compare):
        return None
    op, q, c = test.op, test.left, test.right
    if isinstance(q, ir.Const):
        op, q, c = MIRRORED_OP[op], c, q
    if not isinstance(c, ir.Const) or not isinstance(c.value, Fraction) or \
            isinstance(q, ir.Const):
        return None
    if op == "==":
        return q, Band(Bound(c.value, True), Bound(c.value, True))
    if op not in _BANDS:
        return None
    lower, closed = _BANDS[op]
    bound = Bound(c.value, closed)
    return q, Band(bound, None) if lower else Band(None, bound)


class TierChecks:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    def policy(self, policy: ir.Policy) -> None:
        if policy.benefit is None:
            return
        with self.ctx.prover.within(*self.ctx.window(policy)):
            for e in every(policy.benefit):
                if isinstance(e, ir.Case) and e.type.kind is not Kind.BOOL \
                        and len(e.branches) > 1:
                    self.case(policy, e)

    def case(self, policy: ir.Policy, e: ir.Case) -> None:
        found = [_band_of(t) for t, _ in e.branches]
        if any(f is None for f in found):
            return
        quantity = found[0][0]  # type: ignore[index]
        if any(f[0] != quantity for f in found):  # type: ignore[index]
            return
        bands = [f[1] for f in found]  # type: ignore[index]
        tests = [t for t, _ in e.branches]
        for j in range(len(bands)):
            for i in range(j):
                both = bands[i].meet(bands[j])
                if both is None or bands[j].within(bands[i]) or bands[i].within(bands[j]):
                    continue
                self._report(policy, quantity, tests, both.point(), "lint.tiers_overlap",
                             tests[j], {"i": i + 1, "j": j + 1},
                             lambda out, i=i, j=j: out[i] is True and out[j] is True)
        for below, above, value in _holes(bands):
            if not _suspicious(e, bands, below, above):
                continue
            # the witness is in the gap: every test false, and the quantity is the value
            at_value = ir.Compare("==", quantity, ir.Const(value, quantity.type))
            self._report(policy, quantity, [*tests, at_value], value, "lint.tiers_gap",
                         tests[above], {"i": below + 1, "j": above + 1},
                         lambda out: all(o is False for o in out[:-1]) and out[-1] is True)

    def _report(self, policy: ir.Policy, quantity: ir.Expr, tests: list[ir.Expr],
                value: Fraction, key: str, at: ir.Expr, params: dict[str, object],
                accept: object) -> None:
        enc = self.ctx.encoder
        q = enc.value(quantity)
        if q.sort != "num":
            return
        wanted = z3.And(q.known, q.term == real(value))
        eligible = enc.cond(policy.eligible).t
        model = self.ctx.example(wanted, eligible) or self.ctx.example(wanted)
        witness = None if model is None else self.ctx.witness(model, [*tests, policy.eligible])
        if not self.ctx.confirmed(witness, tests, accept):
            return
        shown = number_text(value, quantity.type.kind) or value_text(value, quantity.type)
        self.ctx.add(Finding(Code.LINT_TIERS, at.span, key,
                             {**params, "value": shown}, key.replace("lint.", "lint.hint."),
                             witness or ()))


def _suspicious(e: ir.Case, bands: list[Band], below: int, above: int) -> bool:
    """Whether a gap between two tiers looks like a mistake: a single value left out at
    an edge both tiers exclude (``< 1亿`` and ``> 1亿``), or a wider stretch that pays less
    than both tiers around it or more than both — never the idiom of ``否则`` as the
    middle tier (``>= 1亿: 30万; < 1000万: 0元; 否则: 10万``)."""
    lo, hi = bands[below].hi, bands[above].lo
    if lo is not None and hi is not None and lo.value == hi.value:
        return True
    amounts = [_amount(x) for x in (e.branches[below][1], e.branches[above][1], e.default)]
    if None in amounts:
        return False
    low, high, other = (a for a in amounts if a is not None)
    return not min(low, high) <= other <= max(low, high)


def _amount(e: ir.Expr) -> Fraction | None:
    return e.value if isinstance(e, ir.Const) and isinstance(e.value, Fraction) else None


def _holes(bands: list[Band]) -> list[tuple[int, int, Fraction]]:
    """Values between tiers that no tier takes: (tier below, tier above, a value)."""
    order = sorted(range(len(bands)), key=lambda k: _low_key(bands[k]))
    holes = []
    reach: Bound | None = None  # the highest upper edge so far
    reach_tier = -1
    for k in order:
        band = bands[k]
        if reach_tier >= 0 and reach is not None and band.lo is not None:
            gap = _between(reach, band.lo)
            if gap is not None:
                holes.append((reach_tier, k, gap))
        if reach_tier < 0 or _higher(band.hi, reach):
            reach, reach_tier = band.hi, k
        if reach is None:
            break  # a tier reaches up without end: nothing above it is a gap
    return holes


def _low_key(band: Band) -> tuple[int, Fraction, int]:
    if band.lo is None:
        return (0, Fraction(0), 0)
    return (1, band.lo.value, 0 if band.lo.closed else 1)


def _higher(a: Bound | None, b: Bound | None) -> bool:
    if a is None:
        return True
    if b is None:
        return False
    return a.value > b.value or (a.value == b.value and a.closed and not b.closed)


def _between(top: Bound, bottom: Bound) -> Fraction | None:
    """A value above ``top`` (an upper edge) and below ``bottom`` (the next lower edge)."""
    if top.value > bottom.value:
        return None
    if top.value == bottom.value:
        return top.value if not (top.closed or bottom.closed) else None
    if not top.closed:
        return top.value
    if not bottom.closed:
        return bottom.value
    return (top.value + bottom.value) / 2
