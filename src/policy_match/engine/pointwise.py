"""Point lookup: one record against every policy, vectorized across atoms instead of rows.

A portal asks "which of these 2,000 policies fit this enterprise?" in well under a
millisecond. Walking 2,000 condition trees in Python cannot do that; this module compiles
the DAG once into flat arrays and then, per record:

* turns the record's values into the outcomes of every atom that compares a value with
  something fixed, a *field* (the atoms reading the same tags) at a time: a field's outcomes
  are bytes remembered by the identity of the values it reads, so a value seen before costs
  one ``dict.get`` (``engine/pointgroups.py``: groups, fields, exact thresholds). An atom
  comparing two record values, or a ``case``, is decided by the scalar evaluator, filed
  under the field of the tags it reads (remembered the same way);
* joins the fields' bytes and the constant tail into the state (``bytes.join``: one copy);
* combines nodes level by level with Kleene's connectives on the encoding
  false = 0, unknown = 1, true = 2 (``engine/pointlevels.py``): each level's nodes are
  contiguous, so a level is one gather and one reduction written in place.

Every outcome is one the scalar evaluator gave (or follows from the float order of a
threshold), so point lookup agrees with it (``tests/engine/test_pointwise.py``,
``tests/engine/test_columnar.py``).

As a backend (``engine/backend.py``) it answers at compile time: ``visit_truth(node)`` files a
condition node under the pass that will decide it, ``visit_value(node)`` says whether a value
is the same for every record (so a comparison with it is against something fixed).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import numpy as np

from policy_match.dsl.vocabulary import Vocabulary
from policy_match.engine import dag
from policy_match.engine.backend import Backend
from policy_match.engine.pointgroups import (
    CODE,
    FALSE,
    TRUE,
    UNKNOWN,
    ByThreshold,
    ByValue,
    Field,
    Group,
    Part,
    _as_float,
    _numeric,
    tags_read,
)
from policy_match.engine.pointlevels import lay_out
from policy_match.engine.scalar import ScalarEvaluator
from policy_match.engine.semantics import MIRRORED_OP
from policy_match.engine.walk import post_order, pre_order

__all__ = ["FALSE", "TRUE", "UNKNOWN", "PointEvaluator", "_as_float", "_numeric"]

_NUMERIC_KINDS = frozenset({"money", "count", "number", "ratio", "date"})


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

    def __reduce__(self) -> tuple[Any, ...]:
        # compiled again where it lands: its caches are keyed by ids of this process's objects
        return (PointEvaluator, (self.graph, self.vocab, self.roots, self.as_of))

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
            *(ByThreshold(operand, atoms, limits, self._decide)
              for operand, atoms, limits in self._thresholds.values()),
            *(ByValue(operand, atoms, self._decide) for operand, atoms in self._valued.values())]
        self._layout(self._fields(groups))

    def _fields(self, groups: list[Group]) -> list[Field]:
        """Groups and the scalar evaluator's nodes filed by the tags they read; fields of
        one tag first (the common case, looked up without a tuple)."""
        defines = self.graph.defines
        by_names: dict[tuple[str, ...] | None, list[tuple[Any, Part]]] = {}
        for group in groups:
            operand = group.operand
            names = (operand.name,) if type(operand) is dag.VTag else tags_read(operand, defines)
            part = Part(operand, group.outcomes, self._decide(operand, None, group.atoms))
            by_names.setdefault(names, []).append((group.atoms, part))
        for node in self._fallback:
            by_names.setdefault(tags_read(node, defines), []).append(
                ([node], Part(None, None, bytes([UNKNOWN]), node)))
        self._field_nodes = {id(part): atoms for entries in by_names.values()
                             for atoms, part in entries}
        fields = [Field(names, [part for _, part in entries])
                  for names, entries in by_names.items()]
        return sorted(fields, key=lambda f: f.names is None or len(f.names) != 1)

    def _layout(self, fields: list[Field]) -> None:
        """Slots: the fields' (each part's atoms side by side), the constants, then the
        connectives level by level (each level contiguous) and two padding slots."""
        order = [node for field in fields for part in field.parts
                 for node in self._field_nodes[id(part)]]
        order += [node for node, _ in self._consts]
        slot = {id(n): i for i, n in enumerate(order)}
        self._levels, size = lay_out(self._connectives, slot, len(order))
        plain = all(level.pick is None and level.offsets is None for level in self._levels)
        self._reductions = [(level.index, level.start, level.stop, level.ufunc.reduce)
                            for level in self._levels] if plain else None
        template = bytearray([UNKNOWN]) * size
        for node, code in self._consts:
            template[slot[id(node)]] = code
        template[size - 2:] = bytes([TRUE, FALSE])
        fielded = sum(len(part.missing) for field in fields for part in field.parts)
        self._tail = bytes(template[fielded:])  # everything after the fields' slots
        single = [f for f in fields if f.names is not None and len(f.names) == 1]
        self._names = [f.names[0] for f in single if f.names is not None]
        self._caches = [f.cache for f in single]
        self._all_fields = fields
        self._multi = fields[len(single):]
        self._root_slots = np.array([slot[id(r)] for r in self.roots.values()], dtype=np.intp)

    def _decide(self, operand: dag.ValueNode, value: Any, atoms: list[Any]) -> bytes:
        """The scalar evaluator's outcomes of ``atoms`` when ``operand`` has ``value`` (the
        one definition of what each atom means): a tag's value is the record's, any other
        operand's is set in the evaluator's memo, where it looks first."""
        if type(operand) is dag.VTag:  # (read from the record, never from the memo)
            record = {} if value is None else {operand.name: value}
            given = ScalarEvaluator(self.graph, self.vocab, record, self.as_of)
        else:
            given = ScalarEvaluator(self.graph, self.vocab, {}, self.as_of)
            given._memo[id(operand)] = value
        return bytes([CODE[given.atom(a)] for a in atoms])

    # ---- compiling one condition node (Backend) ------------------------------------------

    def _by_value(self, operand: dag.ValueNode, node: Any) -> None:
        self._valued.setdefault(id(operand), (operand, []))[1].append(node)

    def _by_scalar(self, node: dag.BoolNode) -> None:
        self._fallback.append(node)

    def _connective(self, node: dag.All | dag.AnyNode | dag.AtLeast | dag.Named, kind: str,
                    need: int = 0) -> None:
        items = dag.children(node)
        if not items or (kind == "atleast" and not 0 < need <= len(items)):
            # nothing to combine, at least none, or at least more than there are: a constant
            self._consts.append((node, CODE[self._fixed.truth(node)]))
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
            self._consts.append((node, CODE[self._fixed.truth(node)]))
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
        # one field per tag first: its outcomes by the id of the tag's value (C-level maps)
        parts: list[bytes | None] = list(map(dict.get, self._caches,
                                             map(id, map(values.get, self._names))))
        for field in self._multi:
            key = field.key(values)
            parts.append(None if key is None else field.cache.get(key))
        parts.append(self._tail)
        try:
            state = bytearray().join(parts)  # type: ignore[arg-type]
        except TypeError:  # a field not remembered for these values (its part is None)
            self._fill(values, parts)
            state = bytearray().join(parts)  # type: ignore[arg-type]
        nodes = np.frombuffer(state, dtype=np.int8)
        if self._reductions is None:
            for level in self._levels:
                level.combine(nodes)
        else:  # the common case, every level one gather and one reduction: inlined
            take = nodes.take
            for index, start, stop, reduce in self._reductions:
                reduce(take(index), 0, None, nodes[start:stop])
        return nodes.take(self._root_slots)

    def _fill(self, values: Mapping[str, Any], parts: list[bytes | None]) -> None:
        """The fields not remembered for these values, decided (one scalar evaluator per
        record: a value shared by several fields is computed once)."""
        scalar = ScalarEvaluator(self.graph, self.vocab, values, self.as_of)
        for i, field in enumerate(self._all_fields):
            if parts[i] is None:
                parts[i] = field.pattern(values, scalar)
