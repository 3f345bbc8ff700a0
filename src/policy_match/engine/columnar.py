"""Many records at once: the predicate DAG over columns, three-valued, as packed bitsets.

Each distinct node is evaluated once per table (the DAG is interned), so an atom shared by
a thousand policies costs one vectorized comparison. Enum, code and text tests look each
*distinct* value up once and gather by code; set tests OR or AND per-value masks.

Exactness: numbers are ``float64``. A stored value compares exactly with a decimal
constant (both are correctly rounded, and decimals of up to 15 digits stay distinct and
ordered). A *computed* value (``研发费用 / 营业收入``) may round, so rows whose computed value
lies within a hair of the threshold are decided again by the exact scalar evaluator.
Nodes with no vectorized form fall back to the scalar evaluator row by row; so do calls of
plug-in functions that give no ``vectorized`` form (see ``FunctionSpec``).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np

from policy_match.dsl.types import Kind
from policy_match.dsl.values import Duration
from policy_match.dsl.vocabulary import Vocabulary
from policy_match.engine import bitset, dag
from policy_match.engine.backend import VALUE_METHODS, Backend
from policy_match.engine.bitset import Tri
from policy_match.engine.columns import (
    BoolColumn,
    CategoryColumn,
    Columns,
    DateColumn,
    DurationColumn,
    NumberColumn,
    ObjectColumn,
    SetColumn,
    TextColumn,
    all_true,
    day_number,
)
from policy_match.engine.scalar import ScalarEvaluator
from policy_match.engine.semantics import arith
from policy_match.engine.walk import DEEP, post_order

_NP_COMPARE: dict[str, Callable[[Any, Any], np.ndarray]] = {
    "<": np.less, "<=": np.less_equal, ">": np.greater, ">=": np.greater_equal,
    "==": np.equal, "!=": np.not_equal,
}
_GROUP = 8  # equality atoms on one column, under one and/or, decided as one set test
_U = 4.5e-16  # a few units in the last place of a float64, per operation


@dataclass(frozen=True)
class Vec:
    """A value per row. ``data`` is an array (or one scalar for all rows); ``known`` a mask
    (``None``: every row known). ``kind``: num | date | cat | bool | set | const | column."""

    kind: str
    data: Any
    known: np.ndarray | None
    column: Any = None  # the source column, for category and set tests
    # A bound on |float value - exact value| per row (or one for all rows). Zero for stored
    # values, whose comparisons with decimal constants are exact; arithmetic grows it, and
    # a comparison whose two sides are within their bounds is decided again exactly.
    err: Any = 0.0

    @property
    def computed(self) -> bool:
        return np.any(np.asarray(self.err) != 0).item()


def _to_float(value: Fraction | int) -> float:
    try:
        return float(value)
    except OverflowError:
        return math.inf if value > 0 else -math.inf


class Unvectorized(Exception):
    """A node the columnar backend leaves to the scalar evaluator."""


_UNVECTORIZED = object()  # memoized: this value node has no vectorized form


# kept whatever their place: a tag's vector is its column, a constant is small
_LASTING = frozenset({dag.VTag, dag.VConst, dag.VToday})
_CONNECTIVES = frozenset({dag.All, dag.AnyNode, dag.AtLeast})


class ColumnarEvaluator(Backend[Vec, Tri]):
    def __init__(self, graph: dag.Dag, vocabulary: Vocabulary, table: Columns,
                 as_of: dt.date) -> None:
        self.graph = graph
        self.vocab = vocabulary
        self.table = table
        self.n = table.n
        self.as_of = as_of
        self.valid = bitset.full(self.n)
        self._memo: dict[int, Any] = {}
        self._depth = 0  # evaluations under way on Python's stack
        self._row_evaluators: dict[int, ScalarEvaluator] = {}
        # per-value row bitmaps of category columns: an `in [...]` is an OR of these
        self._value_bits: dict[tuple[int, str | None, str], np.ndarray] = {}
        self._known_bits: dict[int, np.ndarray] = {}
        self._code_index: dict[tuple[int, str], dict[str, np.ndarray]] = {}
        # the graphs whose nodes key the memo (by id): kept alive so no id is reused
        self._graphs: tuple[dag.Dag, ...] = (graph,)

    def for_graph(self, graph: dag.Dag) -> ColumnarEvaluator:
        """A new evaluator over ``graph`` (a rulebook extended from this one's) on the same
        table and date, starting with every node this one has evaluated: interned nodes the
        two graphs share are not evaluated again. This evaluator is left as it is."""
        new = ColumnarEvaluator(graph, self.vocab, self.table, self.as_of)
        new._memo = dict(self._memo)
        new._value_bits = dict(self._value_bits)
        new._known_bits = dict(self._known_bits)
        new._code_index = dict(self._code_index)
        new._graphs = (*self._graphs, graph)
        return new

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
            if self._depth >= DEEP:
                self._below(node)
                return self._memo[key]
            self._depth += 1
            try:
                found = self._truth_now(node)
            finally:
                self._depth -= 1
        return found

    def _truth_now(self, node: dag.BoolNode) -> Tri:
        try:
            found = self.visit_truth(node)
        except Unvectorized:
            found = self._scalar_truth(node)
        self._memo[id(node)] = found
        return found

    def _value_now(self, node: dag.ValueNode) -> Vec:
        try:
            found = self.visit_value(node)
        except Unvectorized:
            self._memo[id(node)] = _UNVECTORIZED  # asked again: no second attempt
            raise
        self._memo[id(node)] = found
        return found

    def transient_after(self, roots: Sequence[dag.BoolNode | None]) -> list[list[int]]:
        """For a bulk evaluation of ``roots`` in this order: after root ``i``, the memo keys
        that serve nothing more, to drop (:meth:`forget`). Those are the connectives inside
        conditions and the computed values (a ratio's million floats) no later root reaches;
        the roots, the atoms (what policies added later share) and the tags' columns stay.
        So the peak memory of a bulk match holds the policies' and the atoms' bitsets, not
        every inner outcome as well; none is evaluated twice."""
        defines = self.graph.defines
        memo = self._memo
        below: dict[int, list[Any]] = {}  # a root's nodes (a condition may serve many items)
        last: dict[int, int] = {}
        for i, root in enumerate(roots):
            # a root already known (a match reusing an earlier result's outcomes) evaluates
            # nothing below it: walking it would cost more than the new policies' evaluation
            if root is None or id(root) in memo:
                continue
            nodes = below.get(id(root))
            if nodes is None:
                nodes = below[id(root)] = [
                    n for n in post_order(root, lambda n: dag.successors(n, defines))
                    if n is not root and type(n) not in _LASTING
                    and (type(n) in _CONNECTIVES or type(n) in VALUE_METHODS)]
            for node in nodes:
                last[id(node)] = i
        lasting = {id(root) for root in roots if root is not None}
        after: list[list[int]] = [[] for _ in roots]
        for key, i in last.items():
            if key not in lasting:
                after[i].append(key)
        return after

    def forget(self, keys: Iterable[int]) -> None:
        """Drop these nodes' memoized outcomes (asked for again, they are evaluated again)."""
        memo = self._memo
        for key in keys:
            memo.pop(key, None)

    def _below(self, node: Any) -> None:
        """Deep in the DAG: everything below ``node`` not yet evaluated, in post order (each
        node once, after its successors: no recursion), then ``node``."""
        memo = self._memo
        defines = self.graph.defines
        for item in post_order(node, lambda n: dag.successors(n, defines),
                               lambda n: id(n) in memo):
            if type(item) in VALUE_METHODS:
                with contextlib.suppress(Unvectorized):  # readers fall back to scalar
                    self._value_now(item)
            else:
                self._truth_now(item)

    def bool_const(self, node: dag.Const) -> Tri:
        return bitset.const(node.value, self.valid)

    def all(self, node: dag.All) -> Tri:
        return bitset.all_of(self._items(node.items, "!="))

    def any(self, node: dag.AnyNode) -> Tri:
        return bitset.any_of(self._items(node.items, "=="))

    def _items(self, items: tuple[dag.BoolNode, ...], op: str) -> list[Tri]:
        """The children's outcomes; many ``x == c`` under an ``or`` (``x != c`` under an
        ``and``) on one column are decided together, one set-membership test for all."""
        groups: dict[int, list[dag.Cmp]] = {}
        for item in items:
            if (type(item) is dag.Cmp and item.op == op and type(item.left) is dag.VTag
                    and type(item.right) is dag.VConst and id(item) not in self._memo):
                groups.setdefault(id(item.left), []).append(item)
        together = {id(a) for group in groups.values() if len(group) >= _GROUP
                    for a in group}
        if not together:
            return [self.truth(i) for i in items]
        out = [self.truth(i) for i in items if id(i) not in together]
        for group in groups.values():
            if len(group) >= _GROUP:
                out.extend(self._membership(group, op))
        return out

    def _membership(self, group: list[dag.Cmp], op: str) -> list[Tri]:
        """``x == c1 or x == c2 …`` as one test of x against the set of c's (``!=`` under
        an ``and``: the rows outside the set); each atom alone where that cannot be done."""
        try:
            left = self.value(group[0].left)
        except Unvectorized:
            left = Vec("object", None, None)
        consts = [a.right.value for a in group]  # type: ignore[union-attr]
        if left.kind == "cat" and all(isinstance(c, str) for c in consts):
            inside = self._options_bits(left.column, None, tuple(consts))  # type: ignore[arg-type]
            return [self._tri_from_bits(left.column, inside, op == "!=")]
        numbers = [self._numeric(Vec("const", c, None)) for c in consts] \
            if left.kind in ("num", "date") and not left.computed else []
        if not numbers or not all(np.isfinite(float(x)) for x in numbers):
            return [self.truth(a) for a in group]
        hit = np.isin(left.data, np.array(numbers, dtype=float))
        return [bitset.tri_from_masks(hit if op == "==" else ~hit, self._known(left))]

    def at_least(self, node: dag.AtLeast) -> Tri:
        return bitset.at_least(node.n, [self.truth(i) for i in node.items], self.n)

    def case(self, node: dag.CaseCond) -> Tri:
        branches = [(self.truth(t), self.truth(v)) for t, v in node.branches]
        return bitset.select(branches, self.truth(node.default), self.valid)

    def named(self, node: dag.Named) -> Tri:
        return self.truth(node.body)

    def known(self, node: dag.KnownAtom) -> Tri:
        known = self._known(self.value(node.operand))
        return bitset.tri_from_masks(known != node.negated, all_true(self.n))

    def boolean(self, node: dag.Truth) -> Tri:
        operand = self.value(node.operand)
        if operand.kind == "missing":
            return self._unknown()
        if operand.kind != "bool":
            raise Unvectorized
        return bitset.tri_from_masks(operand.data != node.negated, self._known(operand))

    def member(self, node: dag.Member) -> Tri:
        operand = self.value(node.operand)
        if operand.kind == "missing":
            return self._unknown()
        if operand.kind != "cat":
            raise Unvectorized
        inside = self._options_bits(operand.column, node.hierarchy, node.options)
        return self._tri_from_bits(operand.column, inside, node.negated)

    def has(self, node: dag.HasAtom) -> Tri:
        operand = self.value(node.operand)
        if operand.kind == "missing":
            return self._unknown()
        if operand.kind != "set":
            raise Unvectorized
        column: SetColumn = operand.column
        masks = [column.mask(v) for v in node.values]
        combine = np.logical_and if node.mode == "all" else np.logical_or
        found = combine.reduce(masks) if len(masks) > 1 else masks[0]
        return bitset.tri_from_masks(found != node.negated, self._known(operand))

    def _known(self, v: Vec) -> np.ndarray:
        """``v``'s known-mask, read-only (callers combine it into masks of their own)."""
        if v.known is None:
            return all_true(self.n)
        return v.known

    def _column_known(self, column: Any) -> np.ndarray:
        key = id(column)
        if key not in self._known_bits:
            self._known_bits[key] = bitset.pack(column.known)
        return self._known_bits[key]

    def _tri_from_bits(self, column: Any, inside: np.ndarray, negated: bool) -> Tri:
        """Rows with a value inside the options are true (false when negated)."""
        known = self._column_known(column)
        outside = known & ~inside
        return Tri(outside, inside) if negated else Tri(inside, outside)

    def _options_bits(self, column: CategoryColumn, hierarchy: str | None,
                      options: tuple[str, ...]) -> np.ndarray:
        bits = [self._value_bits_of(column, hierarchy, o) for o in options]
        found = bits[0].copy()
        for more in bits[1:]:
            found |= more
        return found

    def _value_bits_of(self, column: CategoryColumn, hierarchy: str | None,
                       option: str) -> np.ndarray:
        """Rows whose value is ``option`` (or lies inside it in ``hierarchy``), packed;
        computed once per column and option, then shared by every atom naming it."""
        key = (id(column), hierarchy, option)
        found = self._value_bits.get(key)
        if found is None:
            categories = self._categories_under(column, hierarchy, option)
            lut = np.zeros(len(column.categories) + 1, dtype=bool)
            lut[categories] = True
            found = self._value_bits[key] = bitset.pack(lut[column.codes])  # -1 → last: False
        return found

    def _categories_under(self, column: CategoryColumn, hierarchy: str | None,
                          option: str) -> np.ndarray:
        if hierarchy is None:
            return np.array([i for i, c in enumerate(column.categories) if c == option],
                            dtype=np.int64)
        index_key = (id(column), hierarchy)
        index = self._code_index.get(index_key)
        if index is None:
            # each distinct code listed under every ancestor: one walk per column
            tree = self.vocab.hierarchies[hierarchy]
            lists: dict[str, list[int]] = {}
            for i, code in enumerate(column.categories):
                for ancestor in tree.path(code):
                    lists.setdefault(ancestor, []).append(i)
            index = {a: np.array(v, dtype=np.int64) for a, v in lists.items()}
            self._code_index[index_key] = index
        return index.get(option, np.empty(0, dtype=np.int64))

    def _unknown(self) -> Tri:
        zero = np.zeros_like(self.valid)
        return Tri(zero, zero.copy())

    def cmp(self, node: dag.Cmp) -> Tri:
        left, right = self.value(node.left), self.value(node.right)
        if "missing" in (left.kind, right.kind):
            return self._unknown()
        if left.kind == "cat" and right.kind == "const":
            if node.op not in ("==", "!="):
                raise Unvectorized
            column: CategoryColumn = left.column
            inside = self._value_bits_of(column, None, right.data)
            return self._tri_from_bits(column, inside, node.op == "!=")
        a, b = self._numeric(left), self._numeric(right)
        known = self._known(left) & self._known(right)
        with np.errstate(invalid="ignore"):
            result = _NP_COMPARE[node.op](a, b)
        result = np.broadcast_to(result, (self.n,))
        tri = bitset.tri_from_masks(result, known)
        if left.computed or right.computed:
            tri = self._recheck_close(node, tri, a, b, known, left.err + right.err)
        return tri

    def _recheck_close(self, node: dag.Cmp, tri: Tri, a: Any, b: Any,
                       known: np.ndarray, err: Any) -> Tri:
        """Rows whose two sides are closer than their error bounds (or not a number) are
        decided by the exact evaluator."""
        a = np.broadcast_to(np.asarray(a, dtype=float), (self.n,))
        b = np.broadcast_to(np.asarray(b, dtype=float), (self.n,))
        with np.errstate(invalid="ignore"):
            gap = np.abs(a - b)
            close = known & ((gap <= err + (np.abs(a) + np.abs(b)) * _U) | np.isnan(gap))
        rows = np.flatnonzero(close)
        if not rows.size:
            return tri
        exact = self._scalar_truth(node, rows)
        keep = bitset.pack(~close)
        return Tri((tri.t & keep) | exact.t, (tri.f & keep) | exact.f)

    def _numeric(self, v: Vec) -> Any:
        if v.kind in ("num", "date", "bool", "missing"):
            return v.data
        if v.kind == "const":
            value = v.data
            if isinstance(value, Fraction | int):
                return _to_float(value)
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
            if self._depth >= DEEP:
                self._below(node)
                found = self._memo[key]
            else:
                self._depth += 1
                try:
                    found = self._value_now(node)
                finally:
                    self._depth -= 1
        if found is _UNVECTORIZED:
            raise Unvectorized
        return found

    def const(self, node: dag.VConst) -> Vec:
        value = node.value
        if isinstance(value, Fraction | int) and math.isinf(_to_float(value)):
            # beyond a float's range: as a float it is infinite, its error bound too, so
            # every comparison with it is decided by the exact evaluator
            return Vec("const", value, None, err=np.inf)
        return Vec("const", value, None)

    def today(self, node: dag.VToday) -> Vec:
        return Vec("const", self.as_of, None)

    def tag(self, node: dag.VTag) -> Vec:
        return self._column(node.name)

    def define(self, node: dag.VDefine) -> Vec:
        target = self.graph.defines[node.name]
        if node.type.kind is Kind.BOOL:
            return self._truth_value(target)  # type: ignore[arg-type]
        return self.value(target)  # type: ignore[arg-type]

    def neg(self, node: dag.VNeg) -> Vec:
        inner = self.value(node.operand)
        if inner.kind == "num":
            return Vec("num", -inner.data, inner.known, err=inner.err)
        raise Unvectorized

    def cond_value(self, node: dag.VCond) -> Vec:
        return self._truth_value(node.cond)

    def _truth_value(self, node: dag.BoolNode) -> Vec:
        tri = self.truth(node)
        t = bitset.unpack(tri.t, self.n)
        return Vec("bool", t, t | bitset.unpack(tri.f, self.n))

    def _column(self, name: str) -> Vec:
        column = self.table.columns.get(name)
        if column is None:  # no data at all for this tag: every row unknown
            return Vec("missing", np.zeros(self.n), np.zeros(self.n, dtype=bool))
        if isinstance(column, NumberColumn):
            if not column.exact_rows:
                return Vec("num", column.values, column.known)
            err = np.zeros(self.n)
            err[list(column.exact_rows)] = np.inf
            return Vec("num", column.values, column.known, err=err)
        if isinstance(column, DateColumn):
            return Vec("date", column.days, column.known)
        if isinstance(column, TextColumn):
            column = column.categories()
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

    def arith(self, node: dag.VArith) -> Vec:
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
        ea, eb = self._input_err(left, a), self._input_err(right, b)
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            if node.op in "+-":
                data = np.add(a, b) if node.op == "+" else np.subtract(a, b)
                err = ea + eb
            elif node.op == "*":
                data = np.multiply(a, b)
                err = np.abs(a) * eb + np.abs(b) * ea + ea * eb
            else:
                b_arr = np.broadcast_to(np.asarray(b, dtype=float), (self.n,))
                # a divisor within its error of zero may or may not be zero exactly:
                # known-ness and value are left to the exact evaluator on those rows
                doubtful = (np.abs(b_arr) <= eb) & (eb > 0)
                known = known & ((b_arr != 0) | doubtful)
                safe = np.where(b_arr != 0, b_arr, 1.0)
                data = np.where(doubtful, np.nan, np.divide(a, safe))
                margin = np.abs(safe) - eb
                err = np.where(doubtful | (margin <= 0), np.inf,
                               (np.abs(a) * eb + np.abs(safe) * ea)
                               / (np.abs(safe) * np.where(margin > 0, margin, 1.0)))
            err = err + np.abs(data) * _U
        return Vec("num", np.broadcast_to(data, (self.n,)), known,
                   err=np.broadcast_to(err, (self.n,)))

    def _input_err(self, v: Vec, data: Any) -> Any:
        """The error bound of an arithmetic operand: its own, plus the rounding of the
        decimal it was read from (or written as, for a constant) to a float."""
        return v.err + np.abs(np.asarray(data, dtype=float)) * _U

    def call(self, node: dag.VCall) -> Vec:
        spec = self.vocab.functions[node.func]
        if spec.vectorized is None:
            raise Unvectorized  # the scalar evaluator calls ``impl`` row by row
        args = [self.value(a) for a in node.args]
        if any(a.kind not in ("num", "const", "missing") for a in args):
            raise Unvectorized
        known = np.ones(self.n, dtype=bool)
        for a in args:
            known &= self._known(a)
        values = [np.broadcast_to(np.asarray(self._numeric(a), dtype=float), (self.n,))
                  for a in args]
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            data = np.broadcast_to(np.asarray(spec.vectorized(*values), dtype=float),
                                   (self.n,))
        known &= ~np.isnan(data)  # NaN out is ``impl`` answering None: unknown, not a number
        if spec.nonexpansive:
            err: Any = np.broadcast_to(np.asarray(args[0].err, dtype=float), (self.n,))
            for a in args[1:]:
                err = np.maximum(err, a.err)
        else:  # no bound on how far off the float result is: comparisons decide exactly
            err = np.full(self.n, np.inf)
        return Vec("num", data, known, err=err)

    def value_case(self, node: dag.VCase) -> Vec:
        values = [self.value(v) for _, v in node.branches] + [self.value(node.default)]
        if any(v.kind not in ("num", "const", "missing") for v in values):
            raise Unvectorized
        data = np.zeros(self.n)
        err = np.zeros(self.n)
        known = np.zeros(self.n, dtype=bool)
        open_rows = np.ones(self.n, dtype=bool)
        for (test, _), value in zip(node.branches, values, strict=False):
            tri = self.truth(test)
            t, f = bitset.unpack(tri.t, self.n), bitset.unpack(tri.f, self.n)
            taken = open_rows & t
            data = np.where(taken, self._numeric(value), data)
            err = np.where(taken, value.err, err)
            known |= taken & self._known(value)
            open_rows &= f
        default = values[-1]
        data = np.where(open_rows, self._numeric(default), data)
        err = np.where(open_rows, default.err, err)
        known |= open_rows & self._known(default)
        return Vec("num", data, known, err=err)
