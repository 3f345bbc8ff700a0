"""Point lookup's inputs: a record's values turned into the outcomes of the atoms that read
them, as bytes (false = 0, unknown = 1, true = 2), remembered so a value seen before costs a
dict look-up.

* A *group* is the atoms of one operand (a tag, or a computed value such as
  研发费用 / 营业收入) that compare it with something fixed: its outcomes are a function of
  the operand's value alone. A numeric or date operand is decided by its place among the
  group's thresholds (``bisect``; outcomes per place, computed when a place is first met),
  any other operand by a cache of outcomes per value.
* A *field* is every group (and every node only the scalar evaluator decides) that reads
  the same tags: its outcomes, back to back, are a function of those tags' values. A field
  remembers them by the *identity* of those values (``id``; the values are kept alive with
  the outcomes, so an id cannot be reused meanwhile): the point reader hands the same parsed
  objects for raw values it has seen (``core/point.py``), so a repeated value is one
  ``dict.get`` on an int — no hashing of a ``Fraction``, no ``bisect``. Only values of
  immutable types are remembered that way (a list could change under its id).

Outcomes for a threshold are exact: converting to ``float`` keeps order, so a value on a
different float than the threshold is decided by the float; where value and threshold fall
on one float (19999999.999999999999 and 2000万) the atom is decided again by the scalar
evaluator, which compares exactly. Every cached or precomputed outcome is one the scalar
evaluator gave (or follows from the float order).
"""

from __future__ import annotations

import datetime as dt
import math
import threading
from bisect import bisect_left
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

from policy_match.engine import dag
from policy_match.engine.columns import day_number
from policy_match.engine.scalar import ScalarEvaluator
from policy_match.engine.walk import pre_order

FALSE, UNKNOWN, TRUE = 0, 1, 2
CODE: dict[bool | None, int] = {False: FALSE, None: UNKNOWN, True: TRUE}
_CACHE_LIMIT = 1 << 12  # distinct values whose outcomes a group (or a field) remembers
# values that cannot change under their id (a field remembers outcomes by id)
_IMMUTABLE = frozenset({type(None), str, int, float, bool, Fraction, Decimal, dt.date,
                        dt.datetime, frozenset})


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



Decide = Callable[[dag.ValueNode, Any, list[Any]], bytes]


class ByValue:
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


class ByThreshold:
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


Group = ByValue | ByThreshold


def tags_read(node: Any, defines: Mapping[str, Any]) -> tuple[str, ...] | None:
    """The tags whose values decide ``node`` (a value or a condition), sorted; ``None`` when
    that cannot be told (a function call: a plugin's function is not known to be pure)."""
    names: set[str] = set()
    for item in pre_order((node,), lambda n: dag.successors(n, defines)):
        if type(item) is dag.VCall:
            return None
        if type(item) is dag.VTag:
            names.add(item.name)
    return tuple(sorted(names))


@dataclass(frozen=True)
class Part:
    """A stretch of a field's slots: a group's atoms, or one node (``node``) only the scalar
    evaluator decides."""

    operand: dag.ValueNode | None
    outcomes: Callable[[Any], bytes | bytearray] | None  # the group's, per value
    missing: bytes  # the group's outcomes when its operand has no value
    node: dag.BoolNode | None = None

    @property
    def size(self) -> int:
        return len(self.missing)

    def decide(self, values: Mapping[str, Any], scalar: ScalarEvaluator) -> bytes | bytearray:
        if self.node is not None:
            return bytes([CODE[scalar.truth(self.node)]])
        operand = self.operand
        assert operand is not None and self.outcomes is not None
        value = values.get(operand.name) if type(operand) is dag.VTag else scalar.value(operand)
        return self.missing if value is None else self.outcomes(value)


class Field:
    """The parts that read the same tags (``names``; ``None``: not known, decided on every
    lookup), their slots side by side; ``cache`` maps the ids of those tags' values (one
    tag: the id itself, else a tuple) to the parts' outcomes, back to back."""

    def __init__(self, names: tuple[str, ...] | None, parts: list[Part]) -> None:
        self.names = names
        self.parts = parts
        self.cache: dict[Any, bytes] = {}
        self._kept: dict[Any, tuple[Any, ...]] = {}  # the values whose ids are keys
        self._writing = threading.Lock()

    def key(self, values: Mapping[str, Any]) -> Any:
        """The cache key of a field reading several tags (``None``: never cached)."""
        if self.names is None:
            return None
        get = values.get
        return tuple([id(get(name)) for name in self.names])

    def pattern(self, values: Mapping[str, Any], scalar: ScalarEvaluator) -> bytes:
        """The parts' outcomes for ``values`` (remembered when every value read is
        immutable; the cache starts again when full)."""
        found = b"".join([part.decide(values, scalar) for part in self.parts])
        if self.names is None:
            return found
        read = tuple([values.get(name) for name in self.names])
        if not all(type(v) in _IMMUTABLE for v in read):
            return found
        key = id(read[0]) if len(read) == 1 else tuple([id(v) for v in read])
        # an entry in ``cache`` always has its values in ``_kept`` (written before it,
        # cleared after it; writers one at a time), so a reader finding an id there
        # holds the very value it was remembered for: lookups need no lock
        with self._writing:
            if len(self.cache) >= _CACHE_LIMIT:
                self.cache.clear()
                self._kept.clear()
            self._kept[key] = read
            self.cache[key] = found
        return found
