"""兑付标准 in bulk: what each enterprise of a table is paid, after 就高不重复, 前置事项 and
排除事项, and what each item, department and category costs (财政测算).

Read :func:`compute_benefits` (``book.match(table)`` first). The rules, also written up in
``docs/benefits.md``:

**Money is in cents.** Every amount is the exact 兑付标准 value rounded to 0.01 yuan,
ROUND_HALF_UP (a tie goes away from zero): :func:`money` of ``book.benefit(record, id)``.
The bulk path computes amounts in float64 (the columnar evaluator's value of the benefit
node) together with a per-row bound on the float error; a row whose exact value may lie
within that bound of a half-cent (a near-tie: ``研发费用 * 10%`` with a cent ending in 5), or
whose error cannot be bounded (a divisor that may be zero, a function the columnar backend
does not vectorize), is recomputed exactly by the scalar evaluator. So every amount equals
``money(book.benefit(record, id))`` — and equals ``book.benefit`` itself whenever that is a
whole number of cents.

**Resolution**, per enterprise, in this order:

1. *candidates*: items whose verdict is eligible and every 前置事项 of which (transitively)
   is a candidate (an item whose prerequisite the enterprise does not qualify for never
   displaces anything);
2. *exclusivity*: two candidates conflict when they share a 互斥组 or one lists the other
   in 排除事项. Candidates are ranked by amount, highest first, ties to the lower item id;
   an item whose amount is unknown ranks at its item's greatest possible amount (``+∞`` when
   unbounded): a possibly higher item is never displaced by a known lower one. Going down
   the ranking, an item is kept unless it conflicts with one already kept; it is then
   *displaced* by the highest-ranked kept item it conflicts with. Within a 互斥组 (no
   排除事项 involved) this keeps exactly the highest item. An item without 兑付标准 ranks as 0;
3. *requirements after exclusivity*: a kept item is *held* only if every item it requires is
   held (checked in dependency order); otherwise it is *blocked*. Displaced items stay
   displaced (no second round).

**Settled.** The items linked by 互斥组, 排除事项 or 前置事项 form components. An enterprise's
component is *settled* when none of its items has an unknown verdict and no eligible item in
it has an unknown amount: only then does the resolution above not depend on missing data.
Rosters (免申即享) pay only held items with a known amount in a settled component.

**Fiscal estimate** per item: ``estimate`` is the sum of the held, known amounts.
``upper`` bounds what the item could cost once the missing data arrive: every held amount in
a settled component (exact), plus, for each enterprise whose component is not settled and
that might hold the item (verdict eligible or unknown, and so for every 前置事项), the
item's amount when it is computable, else the item's greatest possible amount (``min(…,
50万)``, tiers of fixed sums) — ``None`` (unbounded) when the item has no maximum. Where the
data leave a choice open, exclusivity is not applied to the bound, so it holds whatever the
data turn out to be. Department and category rows add up their items.
"""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import TYPE_CHECKING, Any, Literal

import networkx as nx
import numpy as np

from .dsl.display import to_decimal
from .dsl.ir import Verdict
from .dsl.types import Kind
from .engine import bitset, dag
from .engine.columnar import ColumnarEvaluator, Unvectorized
from .engine.scalar import ScalarEvaluator
from .rulebook import UNKNOWN, _Unknown

if TYPE_CHECKING:
    from .match import MatchResult
    from .rulebook import Rulebook

CENT = Decimal("0.01")
_U = 2.0**-53  # unit roundoff of float64
_BIG = 2.0**52  # beyond this many cents a float no longer holds every whole cent
_I64_MIN = np.iinfo(np.int64).min
_I64_MAX = np.iinfo(np.int64).max
_CONTEXT = decimal.Context(prec=60)

HELD, DISPLACED, BLOCKED, NONE = 1, 2, 3, 0
STATUS_NAMES = {HELD: "held", DISPLACED: "displaced", BLOCKED: "blocked", NONE: "none"}
STATUS_ZH = {HELD: "享受", DISPLACED: "就高被替代", BLOCKED: "前置事项未满足", NONE: ""}
By = Literal["item", "department", "category"]
UNSPECIFIED = "（未注明）"


# ---- money ------------------------------------------------------------------------------------


def money(amount: Decimal | Fraction | int) -> Decimal:
    """An amount in yuan rounded to cents, ROUND_HALF_UP: the convention of this module.

    A ``Fraction`` is first made a decimal as ``book.benefit`` does (exact where it
    terminates, else 28 significant digits), so ``money(F) == money(book.benefit(...))``."""
    if isinstance(amount, Fraction):
        amount = to_decimal(amount)
    return Decimal(amount).quantize(CENT, rounding=ROUND_HALF_UP, context=_CONTEXT)


def to_cents(amount: Decimal | Fraction | int) -> int:
    return int(money(amount).scaleb(2, context=_CONTEXT))


def from_cents(cents: int) -> Decimal:
    return Decimal(int(cents)).scaleb(-2, context=_CONTEXT)


# ---- the greatest possible amount: interval bounds of a value node ---------------------------

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


class _Intervals:
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


# ---- amounts column-wise, exact to the cent -----------------------------------------------


class _ErrorBounds:
    """Per row, a bound on ``|float64 value - exact value|`` of a numeric value node, as the
    columnar evaluator computes it; and the rows where a divisor may be zero exactly but not
    in float64 (or the reverse), which only the exact evaluator can settle."""

    def __init__(self, ev: ColumnarEvaluator, graph: dag.Dag) -> None:
        self.ev = ev
        self.graph = graph
        self.n = ev.n
        self._memo: dict[int, tuple[np.ndarray, np.ndarray]] = {}

    def of(self, node: dag.ValueNode) -> tuple[np.ndarray, np.ndarray]:
        key = id(node)
        if key not in self._memo:
            self._memo[key] = self._of(node)
        return self._memo[key]

    def _array(self, x: Any) -> np.ndarray:
        return np.broadcast_to(np.asarray(x, dtype=float), (self.n,))

    def _known(self, node: dag.ValueNode) -> np.ndarray:
        known = self.ev.value(node).known
        return np.ones(self.n, dtype=bool) if known is None else known

    def _data(self, node: dag.ValueNode) -> np.ndarray:
        vec = self.ev.value(node)
        if vec.kind == "const":
            return self._array(float(vec.data))
        return self._array(vec.data)

    def _of(self, node: Any) -> tuple[np.ndarray, np.ndarray]:
        vec = self.ev.value(node)  # raises Unvectorized where the columnar backend would
        none = np.zeros(self.n, dtype=bool)
        if vec.kind == "const":
            if not isinstance(vec.data, Fraction | int) or isinstance(vec.data, bool):
                raise Unvectorized
            return self._array(_U * abs(float(vec.data))), none
        if vec.kind == "missing":  # a tag with no column: unknown on every row
            return np.zeros(self.n), none
        if vec.kind != "num":
            raise Unvectorized
        result = np.abs(self._array(vec.data))
        rounding = _U * result
        if isinstance(node, dag.VTag):
            return rounding, none
        if isinstance(node, dag.VDefine):
            return self.of(self.graph.defines[node.name])  # type: ignore[arg-type]
        if isinstance(node, dag.VNeg):
            return self.of(node.operand)
        if isinstance(node, dag.VArith):
            (ea, sa), (eb, sb) = self.of(node.left), self.of(node.right)
            suspect = sa | sb
            a, b = np.abs(self._data(node.left)), np.abs(self._data(node.right))
            with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
                if node.op in ("+", "-"):
                    err = ea + eb + rounding
                elif node.op == "*":
                    err = a * eb + b * ea + ea * eb + rounding
                else:
                    room = b - eb
                    fine = room > 0
                    err = np.where(fine, (a * eb + b * ea) / (b * np.where(fine, room, 1.0)),
                                   _INF) + rounding
                    both = self._known(node.left) & self._known(node.right)
                    suspect = suspect | (~fine & (eb > 0) & both)
            return np.where(np.isnan(err), _INF, err), suspect
        if isinstance(node, dag.VCall) and node.func in ("min", "max", "abs"):
            bounds = [self.of(a) for a in node.args]
            err = bounds[0][0]
            suspect = bounds[0][1]
            for e, s in bounds[1:]:
                err = np.maximum(err, e)
                suspect = suspect | s
            return err, suspect
        if isinstance(node, dag.VCase):
            err = np.zeros(self.n)
            suspect = none.copy()
            open_rows = np.ones(self.n, dtype=bool)
            for test, value in node.branches:
                tri = self.ev.truth(test)
                taken = open_rows & bitset.unpack(tri.t, self.n)
                e, s = self.of(value)
                err = np.where(taken, e, err)
                suspect |= taken & s
                open_rows &= bitset.unpack(tri.f, self.n)
            e, s = self.of(node.default)
            return np.where(open_rows, e, err), suspect | (open_rows & s)
        raise Unvectorized


class _Amounts:
    """Benefit amounts in cents for the rows asked, exact to the cent."""

    def __init__(self, book: Rulebook, result: MatchResult) -> None:
        self.book = book
        self.result = result
        self.ev = result.evaluator
        self.n = len(result.table)
        self.errors = _ErrorBounds(self.ev, book.dag)
        self._rows: dict[int, ScalarEvaluator] = {}
        self.recomputed = 0  # rows decided by the exact evaluator (near-ties and fall-backs)

    def _scalar(self, i: int) -> ScalarEvaluator:
        found = self._rows.get(i)
        if found is None:
            found = self._rows[i] = ScalarEvaluator(self.book.dag, self.book.vocabulary,
                                                    self.result.table.row(i), self.result.as_of)
        return found

    def column(self, node: dag.ValueNode, wanted: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``(cents, known)`` per row; only rows in ``wanted`` are meaningful."""
        cents = np.zeros(self.n, dtype=np.int64)
        known = np.zeros(self.n, dtype=bool)
        try:
            err, suspect = self.errors.of(node)
        except Unvectorized:
            self._exact(node, np.flatnonzero(wanted), cents, known)
            return cents, known
        x = self.errors._data(node)
        vec_known = self.errors._known(node)
        with np.errstate(invalid="ignore", over="ignore"):
            c = x * 100.0
            slack = 4.0 * (100.0 * err + _U * np.abs(c))
            frac = c - np.floor(c)
            near = (~np.isfinite(c) | ~np.isfinite(slack) | (np.abs(c) >= _BIG)
                    | (np.abs(frac - 0.5) <= slack) | (slack >= 0.5))
        exact = wanted & ((vec_known & near) | suspect)
        fast = wanted & vec_known & ~exact
        cents[fast] = np.rint(c[fast]).astype(np.int64)
        known[fast] = True
        self._exact(node, np.flatnonzero(exact), cents, known)
        return cents, known

    def _exact(self, node: dag.ValueNode, rows: np.ndarray, cents: np.ndarray,
               known: np.ndarray) -> None:
        for i in rows:
            value = self._scalar(int(i)).value(node)
            self.recomputed += 1
            if value is None:
                known[i] = False
                continue
            c = to_cents(Fraction(value))
            if not _I64_MIN < c < _I64_MAX:
                raise OverflowError(f"an amount of {from_cents(c)} yuan is out of range")
            cents[i] = c
            known[i] = True


# ---- results ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Holding:
    """One item for one enterprise after resolution."""

    policy_id: str
    verdict: Verdict
    status: str  # held | displaced | blocked | none (verdict not eligible)
    amount: Decimal | _Unknown | None  # the 兑付标准 amount (before resolution), as book.benefit
    settled: bool  # nothing unknown in the item's 互斥组/排除事项/前置事项 component
    displaced_by: str | None = None  # status displaced: the kept item
    blocked_by: str | None = None  # status blocked: a 前置事项 not held
    displaced: tuple[str, ...] = ()  # status held: the items this one displaced


@dataclass(frozen=True)
class Estimate:
    """One row of the fiscal estimate (财政测算): an item, a department or a category."""

    key: str
    label: str
    items: int
    held: int  # (enterprise, item) pairs held after resolution
    amount_unknown: int  # held, but the amount waits for data
    displaced: int  # eligible, displaced by a higher item (互斥组 / 排除事项)
    blocked: int  # eligible, a 前置事项 not held
    unknown: int  # verdict unknown (待补充信息)
    estimate: Decimal
    upper: Decimal | None  # None: unbounded

    def as_dict(self) -> dict[str, Any]:
        return {"key": self.key, "label": self.label, "items": self.items, "held": self.held,
                "amount_unknown": self.amount_unknown, "displaced": self.displaced,
                "blocked": self.blocked, "unknown": self.unknown,
                "estimate": str(self.estimate),
                "upper": None if self.upper is None else str(self.upper)}


class Benefits:
    """Amounts and resolution for every (enterprise, item) of a match result.

    Arrays are indexed by row of the table; items by ``self.items`` (sorted ids: a lower index
    is a lower id). Only items in force on ``as_of`` take part."""

    def __init__(self, result: MatchResult) -> None:
        book = result.book
        self.book: Rulebook = book
        self.result = result
        self.table = result.table
        self.as_of: dt.date = result.as_of
        n = self.n = len(result.table)
        self.items: list[str] = sorted(result.tris)
        self.index = {pid: k for k, pid in enumerate(self.items)}
        self.eligible: dict[str, np.ndarray] = {}
        self.unknown: dict[str, np.ndarray] = {}
        self.pays: dict[str, bool] = {}
        self.cents: dict[str, np.ndarray] = {}
        self.known: dict[str, np.ndarray] = {}
        self.max_cents: dict[str, int | None] = {}
        amounts = _Amounts(book, result)
        intervals = _Intervals(book.dag)
        for pid in self.items:
            tri = result.tris[pid]
            if tri is None:
                self.eligible[pid] = self.unknown[pid] = np.zeros(n, dtype=bool)
            else:
                t, f = bitset.unpack(tri.t, n), bitset.unpack(tri.f, n)
                self.eligible[pid], self.unknown[pid] = t.copy(), ~(t | f)
            node = book.dag.benefits.get(pid)
            self.pays[pid] = node is not None
            if node is None:
                self.cents[pid] = np.zeros(n, dtype=np.int64)
                self.known[pid] = np.ones(n, dtype=bool)
                self.max_cents[pid] = 0
                continue
            wanted = self.eligible[pid] | self.unknown[pid]
            self.cents[pid], self.known[pid] = amounts.column(node, wanted)
            hi = intervals.of(node)[1]
            self.max_cents[pid] = None if isinstance(hi, float) else to_cents(hi)
        self.recomputed = amounts.recomputed
        self._relations()
        self._resolve()

    # ---- the item graph ---------------------------------------------------------------------

    def _relations(self) -> None:
        policies = self.book.policies
        self.conflicts: dict[str, set[str]] = {pid: set() for pid in self.items}
        groups: dict[str, list[str]] = {}
        for pid in self.items:
            group = policies[pid].group
            if group is not None:
                groups.setdefault(group, []).append(pid)
        for members in groups.values():
            for a in members:
                self.conflicts[a] |= set(members) - {a}
        for pid in self.items:
            for other in policies[pid].excludes:
                if other in self.conflicts and other != pid:
                    self.conflicts[pid].add(other)
                    self.conflicts[other].add(pid)
        self.requires = {pid: [r for r in policies[pid].requires if r in self.index]
                         for pid in self.items}
        needs = nx.DiGraph()
        needs.add_nodes_from(self.items)
        needs.add_edges_from((r, pid) for pid in self.items for r in self.requires[pid])
        self.order: list[str] = list(nx.lexicographical_topological_sort(needs))
        linked = nx.Graph()
        linked.add_nodes_from(self.items)
        linked.add_edges_from((a, b) for a in self.items for b in self.conflicts[a])
        linked.add_edges_from(needs.edges)
        self.components: list[list[str]] = sorted(
            (sorted(c, key=self.index.__getitem__) for c in nx.connected_components(linked)),
            key=lambda c: self.index[c[0]])
        self.component_of = {pid: k for k, c in enumerate(self.components) for pid in c}

    def rank_cents(self, pid: str) -> np.ndarray:
        """What the ranking reads: the amount, or for an unknown amount the item's maximum."""
        ceiling = self.max_cents[pid]
        fill = _I64_MAX if ceiling is None else ceiling
        return np.where(self.known[pid], self.cents[pid], fill)

    def _resolve(self) -> None:
        n = self.n
        # 1. candidates: eligible, and every 前置事项 a candidate
        candidate: dict[str, np.ndarray] = {}
        self.status = {pid: np.zeros(n, dtype=np.int8) for pid in self.items}
        self.by = {pid: np.full(n, -1, dtype=np.int32) for pid in self.items}
        for pid in self.order:
            ok = self.eligible[pid].copy()
            for r in self.requires[pid]:
                lacking = ok & ~candidate[r]
                self._mark(pid, lacking, BLOCKED, r)
                ok &= candidate[r]
            candidate[pid] = ok
        # 2. exclusivity, greedily down the ranking, component by component
        kept = {pid: candidate[pid].copy() for pid in self.items}
        for component in self.components:
            members = [p for p in component if self.conflicts[p]]
            if len(members) < 2:
                continue
            keys = np.stack([np.where(candidate[p], self.rank_cents(p), _I64_MIN)
                             for p in members])
            undecided = np.stack([candidate[p] for p in members])
            for _ in range(len(members)):
                left = undecided.any(axis=0)
                if not left.any():
                    break
                top = np.argmax(np.where(undecided, keys, _I64_MIN), axis=0)
                for j, p in enumerate(members):
                    chosen = left & (top == j)
                    if not chosen.any():
                        continue
                    undecided[j] &= ~chosen
                    for k, q in enumerate(members):
                        if q in self.conflicts[p]:
                            hit = chosen & undecided[k]
                            kept[q] &= ~hit
                            self._mark(q, hit, DISPLACED, p)
                            undecided[k] &= ~hit
        # 3. requirements after exclusivity
        self.held: dict[str, np.ndarray] = {}
        for pid in self.order:
            ok = kept[pid].copy()
            for r in self.requires[pid]:
                self._mark(pid, ok & ~self.held[r], BLOCKED, r)
                ok &= self.held[r]
            self.held[pid] = ok
            self.status[pid][ok] = HELD
        # settled components, and who might hold an item once the data arrive
        self.settled_component = []
        for component in self.components:
            open_rows = np.zeros(n, dtype=bool)
            for p in component:
                open_rows |= self.unknown[p] | (self.eligible[p] & ~self.known[p])
            self.settled_component.append(~open_rows)
        self.possible: dict[str, np.ndarray] = {}
        for pid in self.order:
            ok = self.eligible[pid] | self.unknown[pid]
            for r in self.requires[pid]:
                ok = ok & self.possible[r]
            self.possible[pid] = ok

    def _mark(self, pid: str, rows: np.ndarray, status: int, other: str) -> None:
        fresh = rows & (self.status[pid] == NONE)
        self.status[pid][fresh] = status
        self.by[pid][fresh] = self.index[other]

    def settled(self, pid: str) -> np.ndarray:
        return self.settled_component[self.component_of[pid]]

    # ---- one enterprise ---------------------------------------------------------------------

    def _verdict(self, pid: str, row: int) -> Verdict:
        if self.result.tris[pid] is None:
            return Verdict.INACTIVE
        if self.eligible[pid][row]:
            return Verdict.ELIGIBLE
        return Verdict.UNKNOWN if self.unknown[pid][row] else Verdict.INELIGIBLE

    def amount_at(self, pid: str, row: int) -> Decimal | _Unknown | None:
        """As ``book.benefit`` (rounded to cents): before resolution."""
        if not self.pays[pid]:
            return None
        verdict = self._verdict(pid, row)
        if verdict is Verdict.UNKNOWN:
            return UNKNOWN
        if verdict is not Verdict.ELIGIBLE:
            return None
        return from_cents(self.cents[pid][row]) if self.known[pid][row] else UNKNOWN

    def amount(self, enterprise_id: str, policy_id: str) -> Decimal | _Unknown | None:
        return self.amount_at(policy_id, self.table.index_of(enterprise_id))

    def paid_at(self, pid: str, row: int) -> Decimal | _Unknown | None:
        """After resolution: the amount of a held item, ``None`` for any other."""
        if self.status[pid][row] != HELD or not self.pays[pid]:
            return None
        return from_cents(self.cents[pid][row]) if self.known[pid][row] else UNKNOWN

    def paid(self, enterprise_id: str, policy_id: str) -> Decimal | _Unknown | None:
        return self.paid_at(policy_id, self.table.index_of(enterprise_id))

    def displaced_at(self, pid: str, row: int) -> tuple[str, ...]:
        k = self.index[pid]
        return tuple(q for q in sorted(self.conflicts[pid], key=self.index.__getitem__)
                     if self.status[q][row] == DISPLACED and self.by[q][row] == k)

    def holding_at(self, pid: str, row: int) -> Holding:
        status = int(self.status[pid][row])
        other = self.items[self.by[pid][row]] if self.by[pid][row] >= 0 else None
        return Holding(
            policy_id=pid, verdict=self._verdict(pid, row), status=STATUS_NAMES[status],
            amount=self.amount_at(pid, row), settled=bool(self.settled(pid)[row]),
            displaced_by=other if status == DISPLACED else None,
            blocked_by=other if status == BLOCKED else None,
            displaced=self.displaced_at(pid, row) if status == HELD else ())

    def holdings(self, enterprise_id: str) -> list[Holding]:
        """Every item eligible or unknown for the enterprise, in item order."""
        row = self.table.index_of(enterprise_id)
        return [self.holding_at(pid, row) for pid in self.items
                if self.eligible[pid][row] or self.unknown[pid][row]]

    def to_records(self) -> Iterator[dict[str, Any]]:
        """(enterprise, item) rows for eligible and unknown verdicts, item by item."""
        for pid in self.items:
            for row in np.flatnonzero(self.eligible[pid] | self.unknown[pid]):
                h = self.holding_at(pid, int(row))
                amount = h.amount
                yield {"enterprise": self.table.ids[row], "policy": pid,
                       "verdict": h.verdict.value, "status": h.status,
                       "amount": ("unknown" if amount is UNKNOWN
                                  else None if amount is None else str(amount)),
                       "settled": h.settled, "displaced_by": h.displaced_by,
                       "blocked_by": h.blocked_by, "displaced": list(h.displaced)}

    # ---- fiscal estimate ------------------------------------------------------------------

    def money_items(self) -> list[str]:
        """Items in force on ``as_of`` with a 兑付标准."""
        return [p for p in self.items if self.pays[p] and self.result.tris[p] is not None]

    def item_estimate(self, pid: str) -> Estimate:
        policy = self.book.policies[pid]
        status, known, cents = self.status[pid], self.known[pid], self.cents[pid]
        held = status == HELD
        settled = self.settled(pid)
        open_rows = ~settled & self.possible[pid]
        exact_rows = held & settled
        upper_known = open_rows & known
        upper_unknown = open_rows & ~known
        ceiling = self.max_cents[pid]
        upper: int | None = _total(cents[exact_rows]) + _total(
            np.maximum(cents[upper_known], 0))
        count_unknown = int(upper_unknown.sum())
        if count_unknown:
            upper = None if ceiling is None else upper + count_unknown * max(ceiling, 0)
        return Estimate(
            key=pid, label=policy.name, items=1, held=int(held.sum()),
            amount_unknown=int((held & ~known).sum()),
            displaced=int((status == DISPLACED).sum()), blocked=int((status == BLOCKED).sum()),
            unknown=int(self.unknown[pid].sum()),
            estimate=from_cents(_total(cents[held & known])),
            upper=None if upper is None else from_cents(upper))

    def estimate(self, by: By = "item") -> list[Estimate]:
        """The fiscal estimate per item (in id order), department or category (by name)."""
        rows = [self.item_estimate(pid) for pid in self.money_items()]
        if by == "item":
            return rows
        field = {"department": "department", "category": "category"}[by]
        grouped: dict[str, list[Estimate]] = {}
        for row in rows:
            key = getattr(self.book.policies[row.key], field) or UNSPECIFIED
            grouped.setdefault(key, []).append(row)
        return [combine(key, key, found) for key, found in sorted(grouped.items())]

    def total(self) -> Estimate:
        return combine("total", "合计", [self.item_estimate(p) for p in self.money_items()])


def combine(key: str, label: str, rows: Iterable[Estimate]) -> Estimate:
    """Rows added up: counts and sums; unbounded if any row is."""
    found = list(rows)
    uppers = [r.upper for r in found]
    return Estimate(
        key=key, label=label, items=sum(r.items for r in found),
        held=sum(r.held for r in found), amount_unknown=sum(r.amount_unknown for r in found),
        displaced=sum(r.displaced for r in found), blocked=sum(r.blocked for r in found),
        unknown=sum(r.unknown for r in found),
        estimate=sum((r.estimate for r in found), Decimal("0.00")),
        upper=None if any(u is None for u in uppers)
        else sum((u for u in uppers if u is not None), Decimal("0.00")))


def _total(cents: np.ndarray) -> int:
    """An exact sum of int64 cents (Python ints when int64 could overflow)."""
    if not cents.size:
        return 0
    biggest = int(np.abs(cents).max())
    if biggest * cents.size < 2**62:
        return int(cents.sum(dtype=np.int64))
    return sum(int(c) for c in cents)


def compute_benefits(result: MatchResult) -> Benefits:
    """Amounts, resolution and estimates for a match result (``book.match(table, as_of)``)."""
    return Benefits(result)


__all__ = ["CENT", "Benefits", "Estimate", "Holding", "combine", "compute_benefits",
           "from_cents", "money", "to_cents"]
