"""Point lookup: one record against every policy, vectorized across atoms instead of rows.

A portal asks "which of these 2,000 policies fit this enterprise?" in well under a
millisecond. Walking 2,000 condition trees in Python cannot do that; this module compiles
the DAG once into flat arrays and then, per record:

* decides the atoms in groups, one group per *operand* (a tag, or a computed value such as
  研发费用 / 营业收入): every atom of a group compares its operand with something fixed, so
  the group's outcomes are a function of the operand's value alone, and they sit side by
  side in the state. A record's value is turned into the whole group's outcomes at once:
  a numeric or date operand by its place among the group's thresholds (``bisect``; outcomes
  precomputed per place), any other operand (enum, code, set, …) by a cache of outcomes per
  value. Then one slice assignment per group — no per-atom Python and no numpy call;
* leaves the rest (an atom comparing two record values, ``case``) to the scalar evaluator;
* combines nodes level by level with Kleene's connectives on the encoding
  false = 0, unknown = 1, true = 2, where ``and`` is ``min`` and ``or`` is ``max``: each
  level's nodes are contiguous, so a level is one gather and one ``reduceat`` written in
  place (``np.minimum.reduceat(..., out=state[a:b])``).

The state is a ``bytearray`` copied from a template (the constants, and each group's
outcomes for a missing value, already in it); numpy reads it without a copy.

Outcomes for a threshold are exact: converting to ``float`` keeps order, so a value on a
different float than the threshold is decided by the float; where value and threshold fall
on one float (19999999.999999999999 and 2000万) the atom is decided again by the scalar
evaluator, which compares exactly. Every cached or precomputed outcome is one the scalar
evaluator gave (or follows from the float order), so point lookup agrees with it
(``tests/engine/test_pointwise.py``, ``tests/engine/test_columnar.py``).

As a backend (``engine/backend.py``) it answers at compile time: ``visit_truth(node)`` files a
condition node under the pass that will decide it, ``visit_value(node)`` says whether a value
is the same for every record (so a comparison with it is against something fixed).
"""

from __future__ import annotations

import datetime as dt
import math
from bisect import bisect_left
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np

from policy_match.dsl.vocabulary import Vocabulary
from policy_match.engine import dag
from policy_match.engine.backend import Backend
from policy_match.engine.columns import day_number
from policy_match.engine.scalar import ScalarEvaluator
from policy_match.engine.semantics import MIRRORED_OP
from policy_match.engine.walk import post_order, pre_order

FALSE, UNKNOWN, TRUE = 0, 1, 2
_CODE: dict[bool | None, int] = {False: FALSE, None: UNKNOWN, True: TRUE}
_NUMERIC_KINDS = frozenset({"money", "count", "number", "ratio", "date"})
_CACHE_LIMIT = 1 << 12  # distinct values whose outcomes a group remembers
_MAX_ITEMS = 0xFFFF  # an at-least node counts its items in 16 bits
# an at-least node's items summed at once: true counts 65536 + 1, unknown 1, false 0;
# the high half is the number true, the low half the number not false
_ATLEAST_WEIGHTS = np.array([0, 1, (1 << 16) + 1], dtype=np.int32)


def _numeric(value: Any) -> float | None:
    """A value as a float for the threshold pass (beyond float's range: ±inf; a value on
    the threshold's float is decided again exactly)."""
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


def _as_float(value: Any) -> float | None:
    """``_numeric`` with the common types first (a parsed number is a ``Fraction``)."""
    try:
        if type(value) is Fraction:  # int / int rounds correctly, as float(value) does
            return value.numerator / value.denominator
        if type(value) is int or type(value) is float:
            return float(value)
    except OverflowError:
        return math.inf if value > 0 else -math.inf
    return _numeric(value)


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


def _kind(node: dag.ValueNode) -> str | None:
    found = getattr(node, "type", None)
    return None if found is None else str(found.kind.value)


def _given(graph: dag.Dag, vocabulary: Vocabulary, as_of: dt.date, operand: dag.ValueNode,
           value: Any) -> ScalarEvaluator:
    """The scalar evaluator with one operand's value given (set in its memo, where it looks
    first): it decides the atoms reading that operand — the one definition of what each
    atom means."""
    scalar = ScalarEvaluator(graph, vocabulary, {}, as_of)
    scalar._memo[id(operand)] = value
    return scalar


Decide = Callable[[dag.ValueNode, Any, list[Any]], bytes]


class _ByValue:
    """Atoms of one operand decided per distinct value (enum, code, set, text, …); the
    outcomes of a value are remembered (up to ``_CACHE_LIMIT`` values)."""

    def __init__(self, operand: dag.ValueNode, atoms: list[Any], decide: Decide) -> None:
        self.operand = operand
        self.atoms = atoms
        self._decide = decide
        self._cache: dict[Any, bytes] = {}

    def outcomes(self, value: Any) -> bytes:
        try:
            found = self._cache.get(value)
        except TypeError:  # unhashable: decided every time
            return self._decide(self.operand, value, self.atoms)
        if found is None:
            found = self._decide(self.operand, value, self.atoms)
            if len(self._cache) < _CACHE_LIMIT and value == value:  # (NaN never hits)
                self._cache[value] = found
        return found


class _ByThreshold:
    """Atoms of one numeric or date operand compared with fixed thresholds (and whether it
    is known): the outcomes depend only on where the value falls among the thresholds, so
    they are computed once per place (when a value first lands there: all places at once
    would cost thresholds × atoms); a value on a threshold's float is decided exactly."""

    def __init__(self, operand: dag.ValueNode, atoms: list[Any],
                 limits: list[tuple[str, float] | None], decide: Decide) -> None:
        self.operand = operand
        self.atoms = atoms
        self._decide = decide
        self._limits = sorted({entry[1] for entry in limits if entry is not None})
        place = {f: i for i, f in enumerate(self._limits)}
        # per atom: (its op, the index of its threshold) or None (a ``known`` atom)
        self._atoms = [None if e is None else (e[0], place[e[1]]) for e in limits]
        self._places: dict[int, bytes] = {}  # outcomes by place, as they are met
        self._tied: dict[int, list[int]] = {}  # per threshold, the atoms comparing with it
        for k, entry in enumerate(self._atoms):
            if entry is not None:
                self._tied.setdefault(entry[1], []).append(k)

    def _at(self, where: int) -> bytes:
        found = self._places.get(where)
        if found is None:
            found = self._pattern(where)
            if len(self._places) < _CACHE_LIMIT:
                self._places[where] = found
        return found

    def _pattern(self, where: int) -> bytes:
        """The outcomes for a value at ``where``: ``2i`` below threshold ``i`` (above the
        one before), ``2i + 1`` on threshold ``i``'s float (its own atoms: unknown here,
        decided exactly per value)."""
        out = bytearray()
        for atom, entry in zip(self.atoms, self._atoms, strict=True):
            if entry is None:
                out.append(FALSE if atom.negated else TRUE)
                continue
            op, i = entry
            sign = 0 if where == 2 * i + 1 else (-1 if where <= 2 * i else 1)
            if sign == 0:
                out.append(UNKNOWN)
                continue
            holds = {"<": sign < 0, "<=": sign < 0, ">": sign > 0, ">=": sign > 0,
                     "==": False, "!=": True}[op]
            out.append(TRUE if holds else FALSE)
        return bytes(out)

    def outcomes(self, value: Any) -> bytes | bytearray:
        x = _as_float(value)
        if x is None or x != x:  # not a number after all (or NaN): every atom exactly
            return self._decide(self.operand, value, self.atoms)
        i = bisect_left(self._limits, x)
        if i < len(self._limits) and self._limits[i] == x:
            out = bytearray(self._at(2 * i + 1))
            tied = self._tied[i]
            exact = self._decide(self.operand, value, [self.atoms[k] for k in tied])
            for k, code in zip(tied, exact, strict=True):
                out[k] = code
            return out
        return self._at(2 * i)


Group = _ByValue | _ByThreshold
_PAD_TRUE, _PAD_FALSE = -1, -2  # (keys of the padding slots)


@dataclass(frozen=True)
class _Level:
    """The connectives of one depth and kind, in slots ``start:stop``."""

    ufunc: np.ufunc  # min for ``and``, max for ``or``, add for at-least (counts)
    start: int
    stop: int
    index: np.ndarray  # (widest, nodes) item slots, or the items back to back
    offsets: np.ndarray | None  # where each node's items start (back to back only)
    counted: tuple[np.ndarray, np.ndarray] | None  # at-least: need, need << 16

    def combine(self, nodes: np.ndarray) -> None:
        gathered = nodes.take(self.index)
        if self.counted is None:
            self._reduce(gathered, nodes[self.start:self.stop])
            return
        # at least ``need`` true: true when enough are true, false when too few are not
        # false, unknown otherwise (the sum's high half counts true, its low half not false)
        need, need_high = self.counted
        sums = self._reduce(_ATLEAST_WEIGHTS.take(gathered), None)
        np.add(sums >= need_high, (sums & 0xFFFF) >= need, out=nodes[self.start:self.stop],
               dtype=np.int8)

    def _reduce(self, gathered: np.ndarray, out: np.ndarray | None) -> np.ndarray:
        if self.offsets is None:
            found: np.ndarray = self.ufunc.reduce(gathered, axis=0, out=out)
        else:
            found = self.ufunc.reduceat(gathered, self.offsets, out=out)
        return found


class PointEvaluator(Backend[bool, None]):
    """Compiled once per rulebook (and evaluation date); ``codes(values)`` per request."""

    def __init__(self, graph: dag.Dag, vocabulary: Vocabulary, roots: Mapping[str, dag.BoolNode],
                 as_of: dt.date) -> None:
        self.graph = graph
        self.vocab = vocabulary
        self.as_of = as_of
        self.roots = dict(roots)
        self._fixed = ScalarEvaluator(graph, vocabulary, {}, as_of)
        self._nodes: list[Any] = []
        done: set[int] = set()
        for root in self.roots.values():
            for node in post_order(root, _compiled_children, lambda n: id(n) in done):
                done.add(id(node))
                self._nodes.append(node)
        self._compile()

    # ---- compilation -------------------------------------------------------------------

    def _compile(self) -> None:
        # filled by the Backend methods below, one entry per node
        self._thresholds: dict[int, tuple[dag.ValueNode, list[Any], list[Any]]] = {}
        self._valued: dict[int, tuple[dag.ValueNode, list[Any]]] = {}
        self._known: list[dag.KnownAtom] = []
        self._fallback: list[Any] = []
        self._consts: list[tuple[Any, int]] = []
        self._connectives: list[tuple[Any, str, int]] = []
        for node in self._nodes:
            self.visit_truth(node)
        for atom in self._known:  # with the thresholds of its operand when there are any
            found = self._thresholds.get(id(atom.operand))
            if found is not None:
                found[1].append(atom)
                found[2].append(None)
            else:
                self._valued.setdefault(id(atom.operand), (atom.operand, []))[1].append(atom)
        groups: list[Group] = [
            *(_ByThreshold(operand, atoms, limits, self._decide)
              for operand, atoms, limits in self._thresholds.values()),
            *(_ByValue(operand, atoms, self._decide) for operand, atoms in self._valued.values())]
        self._layout(groups)

    def _layout(self, groups: list[Group]) -> None:
        """Slots: each group's atoms side by side, then the scalar evaluator's nodes, the
        constants, and the connectives level by level (each level contiguous)."""
        order: list[Any] = [atom for group in groups for atom in group.atoms]
        order += self._fallback
        order += [node for node, _ in self._consts]
        depth: dict[int, int] = {id(n): 0 for n in order}
        levels: dict[tuple[int, str], list[tuple[Any, int]]] = {}
        for node, kind, need in self._connectives:  # children first (topological order)
            d = depth[id(node)] = 1 + max(depth[id(k)] for k in dag.children(node))
            levels.setdefault((d, kind), []).append((node, need))
        for key in sorted(levels):
            order += [node for node, _ in levels[key]]
        slot = {id(n): i for i, n in enumerate(order)}
        assert len(slot) == len(self._nodes) == len(order)
        # two more slots, always true and always false: what a level's rows are padded with
        slot[_PAD_TRUE], slot[_PAD_FALSE] = len(order), len(order) + 1
        template = bytearray([UNKNOWN]) * len(order) + bytes([TRUE, FALSE])
        self._tag_groups: list[tuple[str, int, int, Callable[[Any], bytes | bytearray]]] = []
        self._computed_groups: list[tuple[Any, int, int, Callable[[Any], bytes | bytearray]]] = []
        for group in groups:
            start = slot[id(group.atoms[0])]
            stop = start + len(group.atoms)
            template[start:stop] = self._decide(group.operand, None, group.atoms)
            entry = (start, stop, group.outcomes)
            if isinstance(group.operand, dag.VTag):
                self._tag_groups.append((group.operand.name, *entry))
            else:
                self._computed_groups.append((group.operand, *entry))
        for node, code in self._consts:
            template[slot[id(node)]] = code
        self._template = bytes(template)
        self._fallback_slots = [(slot[id(n)], n) for n in self._fallback]
        self._levels = [self._level_arrays(kind, [n for n, _ in levels[(d, kind)]],
                                           [need for _, need in levels[(d, kind)]], slot)
                        for d, kind in sorted(levels)]
        self._root_slots = np.array([slot[id(r)] for r in self.roots.values()], dtype=np.intp)

    @staticmethod
    def _level_arrays(kind: str, nodes: list[Any], needs: list[int], slot: dict[int, int]
                      ) -> _Level:
        """One level's gather: a (widest, nodes) matrix of item slots, padded with a slot
        that changes nothing (true for ``and``, false for ``or`` and at-least), reduced
        over its rows; where padding would cost more than it saves, the items back to back
        and ``reduceat`` (slower per node)."""
        kids = [[slot[id(k)] for k in dag.children(n)] for n in nodes]
        sizes = [len(ks) for ks in kids]
        widest = max(sizes)
        need = np.array(needs, dtype=np.int32)
        start = slot[id(nodes[0])]
        ufunc = {"min": np.minimum, "max": np.maximum, "atleast": np.add}[kind]
        counted = (need, need << 16) if kind == "atleast" else None
        if widest * len(nodes) <= 3 * sum(sizes) + 64:
            pad = slot[_PAD_TRUE if kind == "min" else _PAD_FALSE]
            matrix = np.array([ks + [pad] * (widest - len(ks)) for ks in kids], dtype=np.intp)
            return _Level(ufunc, start, start + len(nodes), np.ascontiguousarray(matrix.T),
                          None, counted)
        flat = np.array([k for ks in kids for k in ks], dtype=np.intp)
        offsets = np.concatenate(([0], np.cumsum(sizes)[:-1])).astype(np.intp)
        return _Level(ufunc, start, start + len(nodes), flat, offsets, counted)

    def _decide(self, operand: dag.ValueNode, value: Any, atoms: list[Any]) -> bytes:
        """The scalar evaluator's outcomes of ``atoms`` when ``operand`` has ``value``."""
        given = _given(self.graph, self.vocab, self.as_of, operand, value)
        return bytes([_CODE[given.atom(a)] for a in atoms])

    # ---- compiling one condition node (Backend) ------------------------------------------

    def _by_value(self, operand: dag.ValueNode, node: Any) -> None:
        self._valued.setdefault(id(operand), (operand, []))[1].append(node)

    def _by_scalar(self, node: dag.BoolNode) -> None:
        self._fallback.append(node)

    def _connective(self, node: dag.All | dag.AnyNode | dag.AtLeast | dag.Named, kind: str,
                    need: int = 0) -> None:
        items = dag.children(node)
        if not items or (kind == "atleast" and len(items) > _MAX_ITEMS):
            # nothing to combine (a constant), or too many items to count in 16 bits
            outcome = self._fixed.truth(node) if not items else None
            if outcome is None:
                return self._by_scalar(node)
            self._consts.append((node, _CODE[outcome]))
            return None
        self._connectives.append((node, kind, need))
        return None

    def bool_const(self, node: dag.Const) -> None:
        self._consts.append((node, TRUE if node.value else FALSE))

    def all(self, node: dag.All) -> None:
        self._connective(node, "min")

    def any(self, node: dag.AnyNode) -> None:
        self._connective(node, "max")

    def at_least(self, node: dag.AtLeast) -> None:
        self._connective(node, "atleast", node.n)

    def named(self, node: dag.Named) -> None:
        self._connective(node, "min")

    def case(self, node: dag.CaseCond) -> None:
        self._by_scalar(node)

    def cmp(self, node: dag.Cmp) -> None:
        left_fixed, right_fixed = _fixed_value(node.left), _fixed_value(node.right)
        if left_fixed and right_fixed:  # the same for every record
            self._consts.append((node, _CODE[self._fixed.truth(node)]))
            return None
        if not (left_fixed or right_fixed):  # two record values: the scalar evaluator
            return self._by_scalar(node)
        operand, fixed, op = ((node.left, node.right, node.op) if right_fixed
                              else (node.right, node.left, MIRRORED_OP[node.op]))
        limit = self._fixed.value(fixed)
        number = _numeric(limit) if limit is not None else None
        if number is None or number != number or _kind(operand) not in _NUMERIC_KINDS:
            return self._by_value(operand, node)
        found = self._thresholds.setdefault(id(operand), (operand, [], []))
        found[1].append(node)
        found[2].append((op, number))
        return None

    def member(self, node: dag.Member) -> None:
        self._by_value(node.operand, node)

    def has(self, node: dag.HasAtom) -> None:
        self._by_value(node.operand, node)

    def boolean(self, node: dag.Truth) -> None:
        self._by_value(node.operand, node)

    def known(self, node: dag.KnownAtom) -> None:
        self._known.append(node)

    # ---- whether a value is fixed for every record (Backend) ------------------------------
    # (constants, today, arithmetic of them; the rest is read from the record)

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
        state = bytearray(self._template)
        for name, start, stop, outcomes in self._tag_groups:
            value = values.get(name)
            if value is not None:
                state[start:stop] = outcomes(value)
        if self._computed_groups or self._fallback_slots:
            self._by_scalar_evaluator(values, state)
        nodes = np.frombuffer(state, dtype=np.int8)
        for level in self._levels:
            level.combine(nodes)
        return nodes.take(self._root_slots)

    def _by_scalar_evaluator(self, values: Mapping[str, Any], state: bytearray) -> None:
        """Computed operands, and the atoms only the scalar evaluator decides (one
        evaluator per record: a value shared by several of them is computed once)."""
        scalar = ScalarEvaluator(self.graph, self.vocab, values, self.as_of)
        for operand, start, stop, outcomes in self._computed_groups:
            value = scalar.value(operand)
            if value is not None:
                state[start:stop] = outcomes(value)
        for slot, node in self._fallback_slots:
            state[slot] = _CODE[scalar.truth(node)]
