"""Many records at once: the predicate DAG over columns, three-valued, as packed bitsets.

Each distinct node is evaluated once per table (the DAG is interned), so an atom shared by
a thousand policies costs one vectorized comparison. Enum, code and text tests look each
*distinct* value up once and gather by code; set tests OR or AND per-value masks.

Exactness: numbers are ``float64``. A stored value compares exactly with a decimal
constant (both are correctly rounded, and decimals of up to 15 digits stay distinct and
ordered). A *computed* value (``研发费用 / 营业收入``) may round, so rows whose computed value
lies within a hair of the threshold are decided again by the exact scalar evaluator.
Nodes with no vectorized form fall back to the scalar evaluator row by row.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np

from ..dsl.types import Kind
from ..dsl.values import Duration
from ..dsl.vocabulary import Vocabulary
from . import bitset, dag
from .bitset import Tri
from .columns import (
    BoolColumn,
    CategoryColumn,
    Columns,
    DateColumn,
    DurationColumn,
    NumberColumn,
    ObjectColumn,
    SetColumn,
    day_number,
)
from .scalar import ScalarEvaluator
from .semantics import arith

_NP_COMPARE: dict[str, Callable[[Any, Any], np.ndarray]] = {
    "<": np.less, "<=": np.less_equal, ">": np.greater, ">=": np.greater_equal,
    "==": np.equal, "!=": np.not_equal,
}
_CLOSE = 1e-9


@dataclass(frozen=True)
class Vec:
    """A value per row. ``data`` is an array (or one scalar for all rows); ``known`` a mask
    (``None``: every row known). ``kind``: num | date | cat | bool | set | const | column."""

    kind: str
    data: Any
    known: np.ndarray | None
    column: Any = None  # the source column, for category and set tests
    computed: bool = False  # arithmetic happened: comparisons need the exact recheck


class Unvectorized(Exception):
    """A node the columnar backend leaves to the scalar evaluator."""


class ColumnarEvaluator:
    def __init__(self, graph: dag.Dag, vocabulary: Vocabulary, table: Columns,
                 as_of: dt.date) -> None:
        self.graph = graph
        self.vocab = vocabulary
        self.table = table
        self.n = table.n
        self.as_of = as_of
        self.valid = bitset.full(self.n)
        self._memo: dict[int, Any] = {}
        self._row_evaluators: dict[int, ScalarEvaluator] = {}

    # ---- fall-back ---------------------------------------------------------------------

    def _row(self, i: int) -> ScalarEvaluator:
        ev = self._row_evaluators.get(i)
        if ev is None:
            ev = ScalarEvaluator(self.graph, self.vocab, self.table.row(i), self.as_of)
            self._row_evaluators[i] = ev
        return ev

    def _scalar_truth(self, node: dag.BoolNode, rows: np.ndarray | None = None) -> Tri:
        t = np.zeros(self.n, dtype=bool)
        f = np.zeros(self.n, dtype=bool)
        for i in (range(self.n) if rows is None else rows):
            outcome = self._row(int(i)).truth(node)
            t[i] = outcome is True
            f[i] = outcome is False
        return Tri(bitset.pack(t), bitset.pack(f))

    # ---- conditions --------------------------------------------------------------------

    def truth(self, node: dag.BoolNode) -> Tri:
        key = id(node)
        found = self._memo.get(key)
        if found is None:
            try:
                found = self._truth(node)
            except Unvectorized:
                found = self._scalar_truth(node)
            self._memo[key] = found
        return found  # type: ignore[no-any-return]

    def _truth(self, node: dag.BoolNode) -> Tri:
        if isinstance(node, dag.Const):
            return bitset.const(node.value, self.valid)
        if isinstance(node, dag.All):
            return bitset.all_of([self.truth(i) for i in node.items])
        if isinstance(node, dag.AnyNode):
            return bitset.any_of([self.truth(i) for i in node.items])
        if isinstance(node, dag.AtLeast):
            return bitset.at_least(node.n, [self.truth(i) for i in node.items], self.n)
        if isinstance(node, dag.CaseCond):
            branches = [(self.truth(t), self.truth(v)) for t, v in node.branches]
            return bitset.select(branches, self.truth(node.default), self.valid)
        if isinstance(node, dag.Named):
            return self.truth(node.body)
        if isinstance(node, dag.KnownAtom):
            known = self._known(self.value(node.operand))
            return bitset.tri_from_masks(known != node.negated, np.ones(self.n, dtype=bool))
        if isinstance(node, dag.Cmp):
            return self._compare(node)
        operand = self.value(node.operand)
        known = self._known(operand)
        if isinstance(node, dag.Truth):
            if operand.kind != "bool":
                raise Unvectorized
            return bitset.tri_from_masks(operand.data != node.negated, known)
        if isinstance(node, dag.Member):
            return bitset.tri_from_masks(self._member(node, operand) != node.negated, known)
        if isinstance(node, dag.HasAtom):
            if operand.kind != "set":
                raise Unvectorized
            column: SetColumn = operand.column
            masks = [column.mask(v) for v in node.values]
            combine = np.logical_and if node.mode == "all" else np.logical_or
            found = combine.reduce(masks) if len(masks) > 1 else masks[0]
            return bitset.tri_from_masks(found != node.negated, known)
        raise Unvectorized

    def _known(self, v: Vec) -> np.ndarray:
        if v.known is None:
            return np.ones(self.n, dtype=bool)
        return v.known

    def _member(self, node: dag.Member, operand: Vec) -> np.ndarray:
        if operand.kind != "cat":
            raise Unvectorized
        column: CategoryColumn = operand.column
        if node.hierarchy is None:
            options = set(node.options)
            return column.lookup(options.__contains__)
        hierarchy = self.vocab.hierarchies[node.hierarchy]
        return column.lookup(lambda code: any(hierarchy.contains(o, code) for o in node.options))

    def _compare(self, node: dag.Cmp) -> Tri:
        left, right = self.value(node.left), self.value(node.right)
        if left.kind == "cat" and right.kind == "const":
            column: CategoryColumn = left.column
            target = right.data
            result = column.lookup(lambda v: v == target)
            if node.op == "!=":
                result = ~result & column.known
            elif node.op != "==":
                raise Unvectorized
            return bitset.tri_from_masks(result, column.known)
        a, b = self._numeric(left), self._numeric(right)
        known = self._known(left) & self._known(right)
        with np.errstate(invalid="ignore"):
            result = _NP_COMPARE[node.op](a, b)
        result = np.broadcast_to(result, (self.n,))
        tri = bitset.tri_from_masks(result, known)
        if left.computed or right.computed:
            tri = self._recheck_close(node, tri, a, b, known)
        return tri

    def _recheck_close(self, node: dag.Cmp, tri: Tri, a: Any, b: Any,
                       known: np.ndarray) -> Tri:
        a = np.broadcast_to(np.asarray(a, dtype=float), (self.n,))
        b = np.broadcast_to(np.asarray(b, dtype=float), (self.n,))
        scale = np.maximum(np.maximum(np.abs(a), np.abs(b)), 1.0)
        close = known & (np.abs(a - b) <= _CLOSE * scale)
        rows = np.flatnonzero(close)
        if not rows.size:
            return tri
        exact = self._scalar_truth(node, rows)
        keep = bitset.pack(~close)
        return Tri((tri.t & keep) | exact.t, (tri.f & keep) | exact.f)

    def _numeric(self, v: Vec) -> Any:
        if v.kind in ("num", "date", "bool"):
            return v.data
        if v.kind == "const":
            value = v.data
            if isinstance(value, Fraction | int):
                return float(value)
            if isinstance(value, dt.date):
                return day_number(value)
            if isinstance(value, Duration):
                return float(value.approx_days())
            if isinstance(value, bool):
                return value
        raise Unvectorized

    # ---- values --------------------------------------------------------------------------

    def value(self, node: dag.ValueNode) -> Vec:
        key = id(node)
        found = self._memo.get(key)
        if found is None:
            found = self._value(node)
            self._memo[key] = found
        return found  # type: ignore[no-any-return]

    def _value(self, node: dag.ValueNode) -> Vec:
        if isinstance(node, dag.VConst):
            return Vec("const", node.value, None)
        if isinstance(node, dag.VToday):
            return Vec("const", self.as_of, None)
        if isinstance(node, dag.VTag):
            return self._column(node.name)
        if isinstance(node, dag.VDefine):
            target = self.graph.defines[node.name]
            if node.type.kind is Kind.BOOL:
                return self._truth_value(target)  # type: ignore[arg-type]
            return self.value(target)  # type: ignore[arg-type]
        if isinstance(node, dag.VArith):
            return self._arith(node)
        if isinstance(node, dag.VNeg):
            inner = self.value(node.operand)
            if inner.kind == "num":
                return Vec("num", -inner.data, inner.known, computed=inner.computed)
            raise Unvectorized
        if isinstance(node, dag.VCall) and node.func in ("min", "max", "abs"):
            return self._call(node)
        if isinstance(node, dag.VCase):
            return self._case(node)
        if isinstance(node, dag.VCond):
            return self._truth_value(node.cond)
        raise Unvectorized

    def _truth_value(self, node: dag.BoolNode) -> Vec:
        tri = self.truth(node)
        t = bitset.unpack(tri.t, self.n)
        return Vec("bool", t, t | bitset.unpack(tri.f, self.n))

    def _column(self, name: str) -> Vec:
        column = self.table.columns.get(name)
        if column is None:  # no data at all for this tag: every row unknown
            return Vec("num", np.zeros(self.n), np.zeros(self.n, dtype=bool))
        if isinstance(column, NumberColumn):
            return Vec("num", column.values, column.known)
        if isinstance(column, DateColumn):
            return Vec("date", column.days, column.known)
        if isinstance(column, CategoryColumn):
            return Vec("cat", column.codes, column.known, column)
        if isinstance(column, BoolColumn):
            return Vec("bool", column.values, column.known)
        if isinstance(column, SetColumn):
            return Vec("set", None, column.known, column)
        if isinstance(column, DurationColumn):
            return Vec("num", column.days, column.known)
        assert isinstance(column, ObjectColumn)
        raise Unvectorized

    def _arith(self, node: dag.VArith) -> Vec:
        left, right = self.value(node.left), self.value(node.right)
        if left.kind == "const" and right.kind == "const":
            value = arith(node.op, left.data, right.data)
            if value is None:  # a constant division by zero: unknown on every row
                return Vec("num", np.zeros(self.n), np.zeros(self.n, dtype=bool))
            return Vec("const", value, None)
        if left.kind == "date" and right.kind == "const" and isinstance(right.data, Duration):
            raise Unvectorized  # calendar arithmetic per row: rare, left to the scalar path
        a, b = self._numeric(left), self._numeric(right)
        if left.kind == "date" or right.kind == "date":
            raise Unvectorized
        known = self._known(left) & self._known(right)
        with np.errstate(divide="ignore", invalid="ignore"):
            if node.op == "+":
                data = np.add(a, b)
            elif node.op == "-":
                data = np.subtract(a, b)
            elif node.op == "*":
                data = np.multiply(a, b)
            else:
                b_arr = np.broadcast_to(np.asarray(b, dtype=float), (self.n,))
                known = known & (b_arr != 0)  # a division by zero is unknown
                data = np.divide(a, np.where(b_arr != 0, b_arr, 1.0))
        return Vec("num", np.broadcast_to(data, (self.n,)), known, computed=True)

    def _call(self, node: dag.VCall) -> Vec:
        args = [self.value(a) for a in node.args]
        if any(a.kind not in ("num", "const") for a in args):
            raise Unvectorized
        known = np.ones(self.n, dtype=bool)
        for a in args:
            known &= self._known(a)
        values = [np.broadcast_to(np.asarray(self._numeric(a), dtype=float), (self.n,))
                  for a in args]
        if node.func == "abs":
            data = np.abs(values[0])
        else:
            reduce = np.minimum if node.func == "min" else np.maximum
            data = values[0]
            for v in values[1:]:
                data = reduce(data, v)
        return Vec("num", data, known, computed=any(a.computed for a in args))

    def _case(self, node: dag.VCase) -> Vec:
        values = [self.value(v) for _, v in node.branches] + [self.value(node.default)]
        if any(v.kind not in ("num", "const") for v in values):
            raise Unvectorized
        data = np.zeros(self.n)
        known = np.zeros(self.n, dtype=bool)
        open_rows = np.ones(self.n, dtype=bool)
        for (test, _), value in zip(node.branches, values, strict=False):
            tri = self.truth(test)
            t, f = bitset.unpack(tri.t, self.n), bitset.unpack(tri.f, self.n)
            taken = open_rows & t
            data = np.where(taken, self._numeric(value), data)
            known |= taken & self._known(value)
            open_rows &= f
        default = values[-1]
        data = np.where(open_rows, self._numeric(default), data)
        known |= open_rows & self._known(default)
        return Vec("num", data, known, computed=any(v.computed for v in values))
