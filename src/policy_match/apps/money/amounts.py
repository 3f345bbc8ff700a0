"""Benefit amounts column-wise, exact to the cent.

The columnar evaluator computes an amount in float64 for every row at once; a bound on its
float error, per row, says where that value may round to a different cent than the exact one
(a near-tie such as ``研发费用 * 10%`` with a cent ending in 5, a divisor that may be zero, a
function the columnar backend does not vectorize). Only those rows are recomputed exactly by
the scalar evaluator, so every amount equals ``money(book.benefit(record, id))``.
"""

from __future__ import annotations

from fractions import Fraction
from typing import TYPE_CHECKING, Any

import numpy as np

from policy_match.apps.money.cents import from_cents, to_cents
from policy_match.engine import bitset, dag
from policy_match.engine.columnar import ColumnarEvaluator, Unvectorized
from policy_match.engine.scalar import ScalarEvaluator

if TYPE_CHECKING:
    from policy_match.core.match import MatchResult
    from policy_match.core.rulebook import Rulebook

_U = 2.0**-53  # unit roundoff of float64
_BIG = 2.0**52  # beyond this many cents a float no longer holds every whole cent
_INF = float("inf")
I64_MIN = np.iinfo(np.int64).min
I64_MAX = np.iinfo(np.int64).max


class ErrorBounds:
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

    def array(self, x: Any) -> np.ndarray:
        return np.broadcast_to(np.asarray(x, dtype=float), (self.n,))

    def known(self, node: dag.ValueNode) -> np.ndarray:
        known = self.ev.value(node).known
        return np.ones(self.n, dtype=bool) if known is None else known

    def data(self, node: dag.ValueNode) -> np.ndarray:
        vec = self.ev.value(node)
        if vec.kind == "const":
            return self.array(float(vec.data))
        return self.array(vec.data)

    def _of(self, node: Any) -> tuple[np.ndarray, np.ndarray]:
        vec = self.ev.value(node)  # raises Unvectorized where the columnar backend would
        none = np.zeros(self.n, dtype=bool)
        if vec.kind == "const":
            if not isinstance(vec.data, Fraction | int) or isinstance(vec.data, bool):
                raise Unvectorized
            return self.array(_U * abs(float(vec.data))), none
        if vec.kind == "missing":  # a tag with no column: unknown on every row
            return np.zeros(self.n), none
        if vec.kind != "num":
            raise Unvectorized
        result = np.abs(self.array(vec.data))
        rounding = _U * result
        if isinstance(node, dag.VTag):
            return rounding, none
        if isinstance(node, dag.VDefine):
            return self.of(self.graph.defines[node.name])  # type: ignore[arg-type]
        if isinstance(node, dag.VNeg):
            return self.of(node.operand)
        if isinstance(node, dag.VArith):
            return self._arith(node, rounding)
        if isinstance(node, dag.VCall) and node.func in ("min", "max", "abs"):
            bounds = [self.of(a) for a in node.args]
            err = bounds[0][0]
            suspect = bounds[0][1]
            for e, s in bounds[1:]:
                err = np.maximum(err, e)
                suspect = suspect | s
            return err, suspect
        if isinstance(node, dag.VCase):
            return self._case(node)
        raise Unvectorized

    def _arith(self, node: dag.VArith, rounding: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        (ea, sa), (eb, sb) = self.of(node.left), self.of(node.right)
        suspect = sa | sb
        a, b = np.abs(self.data(node.left)), np.abs(self.data(node.right))
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
                both = self.known(node.left) & self.known(node.right)
                suspect = suspect | (~fine & (eb > 0) & both)
        return np.where(np.isnan(err), _INF, err), suspect

    def _case(self, node: dag.VCase) -> tuple[np.ndarray, np.ndarray]:
        """The bound of the branch each row takes (rows whose test is unknown take none)."""
        err = np.zeros(self.n)
        suspect = np.zeros(self.n, dtype=bool)
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


class ColumnAmounts:
    """Benefit amounts in cents for the rows asked, exact to the cent."""

    def __init__(self, book: Rulebook, result: MatchResult) -> None:
        self.book = book
        self.result = result
        self.ev = result.evaluator
        self.n = len(result.table)
        self._rows: dict[int, ScalarEvaluator] = {}
        self.recomputed = 0  # rows decided by the exact evaluator (near-ties and fall-backs)

    def _errors(self) -> ErrorBounds:
        """A private columnar evaluator for one amount, dropped with it: the result's own
        evaluator would keep every value array of every benefit node (a float64 per row and
        node: gigabytes at a million rows) for as long as the result lives."""
        ev = ColumnarEvaluator(self.book.dag, self.book.vocabulary, self.ev.table,
                               self.ev.as_of)
        return ErrorBounds(ev, self.book.dag)

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
        errors = self._errors()
        try:
            err, suspect = errors.of(node)
        except Unvectorized:
            self._exact(node, np.flatnonzero(wanted), cents, known)
            return cents, known
        x = errors.data(node)
        vec_known = errors.known(node)
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
            if not I64_MIN < c < I64_MAX:
                raise OverflowError(f"an amount of {from_cents(c)} yuan is out of range")
            cents[i] = c
            known[i] = True
