"""Point lookup: one record against every policy, vectorized across atoms instead of rows.

A portal asks "which of these 2,000 policies fit this enterprise?" in well under a
millisecond. Walking 2,000 condition trees in Python cannot do that; this module compiles
the DAG once into flat arrays and then, per record:

* decides every simple atom at once with numpy — numeric thresholds per column in one
  comparison, enum/code/set tests by looking up the record's value (and, for codes, its
  ancestors) in a value → atoms index;
* combines nodes level by level with Kleene's connectives on the encoding
  false = 0, unknown = 1, true = 2, where ``and`` is ``min`` and ``or`` is ``max``
  (``np.minimum.reduceat`` over each level's children).

Anything else (computed values, ``case``) is decided by the scalar evaluator, per atom.

As a backend (``engine/backend.py``) it answers at compile time: ``visit_truth(node)`` files a
condition node under the array pass that will decide it, ``visit_value(node)`` says whether
a value is the same for every record (so a comparison with it is a fixed threshold).
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Mapping
from fractions import Fraction
from typing import Any

import numpy as np

from policy_match.dsl.vocabulary import Vocabulary
from policy_match.engine import dag
from policy_match.engine.backend import Backend
from policy_match.engine.columns import day_number
from policy_match.engine.scalar import ScalarEvaluator
from policy_match.engine.semantics import compare
from policy_match.engine.walk import post_order, pre_order

FALSE, UNKNOWN, TRUE = 0, 1, 2
_OPS = ("<", "<=", ">", ">=", "==", "!=")


def _numeric(value: Any) -> float | None:
    """A value as a float for the array pass (beyond float's range: ±inf; ties of the
    float pass are decided again exactly, see ``_exact_ties``)."""
    if isinstance(value, bool):
        return float(value)
    if isinstance(value, Fraction | int | float):
        try:
            return float(value)
        except OverflowError:
            return math.inf if value > 0 else -math.inf
    if isinstance(value, dt.date):
        return float(day_number(value))
    return None


def _compiled_children(node: Any) -> tuple[Any, ...]:
    """The children the array pass combines (a ``case`` goes to the scalar evaluator)."""
    return () if isinstance(node, dag.CaseCond) else dag.children(node)


def _fixed_value(node: dag.ValueNode) -> bool:
    """Whether a value is the same for every record: constants, today and arithmetic of
    them (walked with a stack: an arithmetic chain can be long)."""
    return all(type(n) in (dag.VConst, dag.VToday, dag.VArith)
               for n in pre_order((node,), _arith_operands))


def _arith_operands(node: Any) -> tuple[Any, ...]:
    return (node.left, node.right) if type(node) is dag.VArith else ()


class PointEvaluator(Backend[bool, None]):
    """Compiled once per rulebook (and evaluation date); ``evaluate(record)`` per request."""

    def __init__(self, graph: dag.Dag, vocabulary: Vocabulary, roots: Mapping[str, dag.BoolNode],
                 as_of: dt.date) -> None:
        self.graph = graph
        self.vocab = vocabulary
        self.as_of = as_of
        self.roots = dict(roots)
        self._index: dict[int, int] = {}
        self._nodes: list[Any] = []
        for root in self.roots.values():
            self._collect(root)
        self._compile()
        self._root_slots = np.array([self._index[id(r)] for r in self.roots.values()],
                                    dtype=np.int64)

    # ---- compilation -------------------------------------------------------------------

    def _collect(self, root: Any) -> None:
        """Every boolean node, children before parents (a topological order)."""
        for node in post_order(root, _compiled_children, lambda n: id(n) in self._index):
            self._index[id(node)] = len(self._nodes)
            self._nodes.append(node)

    def _compile(self) -> None:
        self._numeric: dict[str, list[tuple[int, int, float, Any]]] = defaultdict(list)
        self._member: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
        self._member_slots: dict[str, list[int]] = defaultdict(list)
        self._member_negated: list[int] = []
        self._member_hierarchy: dict[str, str | None] = {}
        self._has: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
        self._has_slots: dict[str, list[tuple[int, str, int, bool]]] = defaultdict(list)
        self._truth: dict[str, list[tuple[int, bool]]] = defaultdict(list)
        self._known: dict[str, list[tuple[int, bool]]] = defaultdict(list)
        self._consts: list[tuple[int, int]] = []
        self._fallback: list[tuple[int, Any]] = []
        self._depth: dict[int, int] = {}
        self._level_entries: dict[tuple[int, str], list[tuple[int, list[int], int]]] = (
            defaultdict(list))
        self._fixed = ScalarEvaluator(self.graph, self.vocab, {}, self.as_of)
        for node in self._nodes:  # children first: a connective's depth follows its kids'
            self.visit_truth(node)
        self._flatten_numeric()
        self._flatten_levels()

    def _flatten_numeric(self) -> None:
        """Every numeric threshold atom in three flat arrays: one pass decides them all."""
        numeric = self._numeric
        self._numeric_columns = list(numeric)
        flat = [(column, slot, op, limit, exact)
                for column, name in enumerate(self._numeric_columns)
                for slot, op, limit, exact in numeric[name]]
        self._numeric_column_of = np.array([f[0] for f in flat], dtype=np.int64)
        self._numeric_slots = np.array([f[1] for f in flat], dtype=np.int64)
        self._numeric_ops = np.array([f[2] for f in flat], dtype=np.int64)
        self._numeric_limits = np.array([f[3] for f in flat], dtype=float)
        self._numeric_exact = [f[4] for f in flat]  # the limits as written (exact)
        self._member_arrays = {
            name: (np.array(slots, dtype=np.int64),
                   {opt: np.array(s, dtype=np.int64) for opt, s in self._member[name].items()})
            for name, slots in self._member_slots.items()
        }
        self._negated_members = np.array(self._member_negated, dtype=np.int64)

    def _flatten_levels(self) -> None:
        """Connectives grouped by depth; each group combined with one reduceat call."""
        self._levels = []
        for (_, kind), entries in sorted(self._level_entries.items()):
            slots = np.array([e[0] for e in entries], dtype=np.int64)
            flat = np.array([k for e in entries for k in e[1]], dtype=np.int64)
            sizes = np.array([len(e[1]) for e in entries], dtype=np.int64)
            offsets = np.concatenate(([0], np.cumsum(sizes)[:-1]))
            need = np.array([e[2] for e in entries], dtype=np.int64)
            self._levels.append((kind, slots, flat, offsets, sizes, need))

    # ---- compiling one condition node (Backend) ------------------------------------------

    def _slot(self, node: dag.BoolNode) -> int:
        return self._index[id(node)]

    def _by_scalar(self, node: dag.BoolNode) -> None:
        self._fallback.append((self._slot(node), node))

    def _level(self, node: dag.All | dag.AnyNode | dag.AtLeast | dag.Named, kind: str,
               need: int = 0) -> None:
        slot = self._slot(node)
        kids = [self._index[id(c)] for c in dag.children(node)]
        depth = self._depth[slot] = 1 + max((self._depth.get(k, 0) for k in kids), default=0)
        self._level_entries[(depth, kind)].append((slot, kids, need))

    def bool_const(self, node: dag.Const) -> None:
        self._consts.append((self._slot(node), TRUE if node.value else FALSE))

    def all(self, node: dag.All) -> None:
        self._level(node, "min")

    def any(self, node: dag.AnyNode) -> None:
        self._level(node, "max")

    def at_least(self, node: dag.AtLeast) -> None:
        self._level(node, "atleast", node.n)

    def named(self, node: dag.Named) -> None:
        self._level(node, "min")

    def case(self, node: dag.CaseCond) -> None:
        self._by_scalar(node)

    def cmp(self, node: dag.Cmp) -> None:
        if not isinstance(node.left, dag.VTag):
            return self._by_scalar(node)
        limit = self._fixed.value(node.right) if _fixed_value(node.right) else None
        number = _numeric(limit) if limit is not None else None
        if number is not None and node.left.type.kind.value in (
                "money", "count", "number", "ratio", "date"):
            self._numeric[node.left.name].append(
                (self._slot(node), _OPS.index(node.op), number, limit))
        else:
            self._by_scalar(node)
        return None

    def member(self, node: dag.Member) -> None:
        if not isinstance(node.operand, dag.VTag):
            return self._by_scalar(node)
        name, slot = node.operand.name, self._slot(node)
        self._member_hierarchy[name] = node.hierarchy
        self._member_slots[name].append(slot)
        for option in node.options:
            self._member[name][option].append(slot)
        if node.negated:
            self._member_negated.append(slot)
        return None

    def has(self, node: dag.HasAtom) -> None:
        if not isinstance(node.operand, dag.VTag):
            return self._by_scalar(node)
        name, slot = node.operand.name, self._slot(node)
        self._has_slots[name].append((slot, node.mode, len(node.values), node.negated))
        for value in node.values:
            self._has[name][value].append(slot)
        return None

    def boolean(self, node: dag.Truth) -> None:
        if not isinstance(node.operand, dag.VTag):
            return self._by_scalar(node)
        self._truth[node.operand.name].append((self._slot(node), node.negated))
        return None

    def known(self, node: dag.KnownAtom) -> None:
        if not isinstance(node.operand, dag.VTag):
            return self._by_scalar(node)
        self._known[node.operand.name].append((self._slot(node), node.negated))
        return None

    # ---- whether a value is fixed for every record (Backend) ------------------------------
    # (constants, today, arithmetic of them; the rest is left to the scalar evaluator)

    def const(self, node: dag.VConst) -> bool:
        return True

    def today(self, node: dag.VToday) -> bool:
        return True

    def arith(self, node: dag.VArith) -> bool:
        return _fixed_value(node)

    def tag(self, node: dag.VTag) -> bool:
        return False

    def define(self, node: dag.VDefine) -> bool:
        return False

    def neg(self, node: dag.VNeg) -> bool:
        return False

    def call(self, node: dag.VCall) -> bool:
        return False

    def value_case(self, node: dag.VCase) -> bool:
        return False

    def cond_value(self, node: dag.VCond) -> bool:
        return False

    # ---- evaluation --------------------------------------------------------------------

    def evaluate(self, values: Mapping[str, Any]) -> dict[str, bool | None]:
        """The truth of every root for one parsed record (``None``: unknown)."""
        truth = {FALSE: False, UNKNOWN: None, TRUE: True}
        return dict(zip(self.roots, (truth[c] for c in self.codes(values).tolist()),
                        strict=True))

    def codes(self, values: Mapping[str, Any]) -> np.ndarray:
        """Every root's outcome for one parsed record, in root order: 0 false, 1 unknown,
        2 true (cheaper for callers that map many roots at once)."""
        state = np.full(len(self._nodes), UNKNOWN, dtype=np.int8)
        for slot, code in self._consts:
            state[slot] = code
        self._numeric_atoms(values, state)
        self._member_atoms(values, state)
        self._set_atoms(values, state)
        for name, rows in self._truth.items():
            value = values.get(name)
            for slot, negated in rows:
                state[slot] = UNKNOWN if value is None else (TRUE if bool(value) != negated
                                                             else FALSE)
        for name, rows in self._known.items():
            present = values.get(name) is not None
            for slot, negated in rows:
                state[slot] = TRUE if present != negated else FALSE
        if self._fallback:
            scalar = ScalarEvaluator(self.graph, self.vocab, values, self.as_of)
            for slot, node in self._fallback:
                outcome = scalar.truth(node)
                state[slot] = UNKNOWN if outcome is None else (TRUE if outcome else FALSE)
        for kind, slots, flat, offsets, sizes, need in self._levels:
            gathered = state[flat]
            if kind == "min":
                state[slots] = np.minimum.reduceat(gathered, offsets)
            elif kind == "max":
                state[slots] = np.maximum.reduceat(gathered, offsets)
            else:
                trues = np.add.reduceat((gathered == TRUE).astype(np.int64), offsets)
                falses = np.add.reduceat((gathered == FALSE).astype(np.int64), offsets)
                result = np.full(slots.shape[0], UNKNOWN, dtype=np.int8)
                result[sizes - falses < need] = FALSE
                result[trues >= need] = TRUE
                state[slots] = result
        return state[self._root_slots]

    def _numeric_atoms(self, values: Mapping[str, Any], state: np.ndarray) -> None:
        if not self._numeric_slots.size:
            return
        per_column = [values.get(name) for name in self._numeric_columns]
        numbers = [None if v is None else _numeric(v) for v in per_column]
        x = np.array([np.nan if v is None else v for v in numbers],
                     dtype=float)[self._numeric_column_of]
        limits = self._numeric_limits
        with np.errstate(invalid="ignore"):
            outcome = np.choose(self._numeric_ops, (x < limits, x <= limits, x > limits,
                                                    x >= limits, x == limits, x != limits))
        decided = np.where(outcome, TRUE, FALSE).astype(np.int8)
        state[self._numeric_slots] = np.where(np.isnan(x), UNKNOWN, decided)
        self._exact_ties(per_column, np.flatnonzero(x == limits), state)

    def _exact_ties(self, per_column: list[Any], ties: np.ndarray, state: np.ndarray) -> None:
        """Rounding to float keeps order but not distinctness: where value and limit round
        to one float (19999999.999999999999 and 2000万), compare the exact values."""
        for i in ties.tolist():
            value = per_column[self._numeric_column_of[i]]
            outcome = compare(_OPS[self._numeric_ops[i]], value, self._numeric_exact[i])
            state[self._numeric_slots[i]] = TRUE if outcome else FALSE

    def _member_atoms(self, values: Mapping[str, Any], state: np.ndarray) -> None:
        for name, (slots, by_option) in self._member_arrays.items():
            value = values.get(name)
            if value is None:
                continue
            state[slots] = FALSE
            hierarchy = self._member_hierarchy[name]
            keys = (self.vocab.hierarchies[hierarchy].path(value) if hierarchy else (value,))
            for key in keys:
                hits = by_option.get(key)
                if hits is not None:
                    state[hits] = TRUE
        if self._negated_members.size:
            touched = state[self._negated_members]
            state[self._negated_members] = np.where(touched == UNKNOWN, UNKNOWN, 2 - touched)

    def _set_atoms(self, values: Mapping[str, Any], state: np.ndarray) -> None:
        for name, rows in self._has_slots.items():
            members = values.get(name)
            if members is None:
                continue
            hits: dict[int, int] = defaultdict(int)
            index = self._has[name]
            for member in members:
                for slot in index.get(member, ()):
                    hits[slot] += 1
            for slot, mode, size, negated in rows:
                found = hits.get(slot, 0) >= (size if mode == "all" else 1)
                state[slot] = TRUE if found != negated else FALSE

