"""Point lookup's connectives: ``and``, ``or`` and ``at least`` combined level by level.

On the encoding false = 0, unknown = 1, true = 2, Kleene's ``and`` is ``min``, ``or`` is
``max``, and "at least n of k" is the n-th largest of the k (it is true when n are true,
false when fewer than n are not false, unknown otherwise: exactly the n-th largest). Nodes
of one level sit in contiguous slots, so a level is one gather (``take``) and one reduction
written in place.

Each level costs numpy calls whatever its size, so there are as few as the nesting allows:

* ``and`` nodes go on odd levels, ``or`` nodes on even ones, each on the first such level
  above its items: ``all of [.., any of [all of [..], ..]]`` takes three levels, and every
  policy of a rulebook shares them;
* at least n of k is the ``or`` of the ``and`` of every n of them (the n-th largest is the
  largest of the n-subsets' smallest) when that is small; otherwise its own level sorts
  the gathered items and picks each node's n-th largest;
* a connective with one item (a define's name around its body, ``all of`` one condition)
  takes its item's slot, repeated items of ``and``/``or`` count once, and "at least 1" /
  "at least k of k" are ``or`` / ``and``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import combinations
from math import comb
from typing import Any

import numpy as np

from policy_match.engine import dag

Kind = str  # "min" (and), "max" (or), "nth" (at least n of more than n)
_UFUNC = {"min": np.minimum, "max": np.maximum}


@dataclass(frozen=True)
class Level:
    """The connectives of one depth and kind, in slots ``start:stop``."""

    start: int
    stop: int
    index: np.ndarray  # (widest, nodes) item slots, or the items back to back
    ufunc: np.ufunc  # min for ``and``, max for ``or`` (unused by at least n)
    offsets: np.ndarray | None = None  # where each node's items start (back to back only)
    pick: np.ndarray | None = None  # at least n: each node's n-th largest, sorted, flat

    def combine(self, nodes: np.ndarray) -> None:
        gathered = nodes.take(self.index)
        out = nodes[self.start:self.stop]
        if self.pick is not None:  # at least n: the n-th largest
            gathered.sort(axis=0)
            gathered.take(self.pick, out=out)
        elif self.offsets is None:
            self.ufunc.reduce(gathered, axis=0, out=out)
        else:
            self.ufunc.reduceat(gathered, self.offsets, out=out)


@dataclass(frozen=True)
class _Node:
    key: int  # the node's id, or a negative number for a node made here
    kind: Kind
    need: int
    items: list[int]  # the items' keys (a leaf, or a connective)


class _Planner:
    """Connectives filed by level: an ``and`` on an odd level, an ``or`` on an even one, each
    on the first such level above its items, so a chain and-or-and takes three levels
    however it nests, and a level holds one kind (one gather, one reduction)."""

    def __init__(self, leaves: dict[int, int]) -> None:
        self.rep: dict[int, int] = {key: key for key in leaves}  # id → whose slot it takes
        self.level: dict[int, int] = dict.fromkeys(leaves, 0)
        self.levels: dict[tuple[int, str, int], list[_Node]] = {}
        self._made = 0

    def add(self, key: int, kind: str, need: int, items: list[int]) -> int:
        """File one connective; its representative's key (an item's, when it has one)."""
        kind, items = _simplest(kind, need, items)
        if len(items) == 1 and kind != "nth":
            return items[0]
        if kind == "nth" and comb(len(items), need) * need <= _EXPANDED:
            # at least n of k: the ``or`` of the ``and`` of every n of them (the n-th
            # largest is the largest of the n-subsets' smallest), on the and-or levels
            subsets = [self.add(self._new(), "min", 0, list(some))
                       for some in combinations(items, need)]
            return self.add(key, "max", 0, subsets)
        top = max(self.level[k] for k in items)
        at = top + 1 if kind == "nth" or _KIND_OF_LEVEL[(top + 1) % 2] == kind else top + 2
        self.level[key] = at
        # at least n of many items: a level of its own (little padding with the others)
        bucket = len(items).bit_length() if kind == "nth" and len(items) > 8 else 0
        self.levels.setdefault((at, kind, bucket), []).append(_Node(key, kind, need, items))
        return key

    def _new(self) -> int:
        self._made += 1
        return -2 - self._made  # (never an id, nor a padding key)


_KIND_OF_LEVEL = ("max", "min")  # by a level's parity
_EXPANDED = 48  # most items an at-least node's subsets may hold, expanded to and-or


def lay_out(connectives: Sequence[tuple[Any, str, int]], slot: dict[int, int],
            first: int) -> tuple[list[Level], int]:
    """Slots from ``first`` for ``connectives`` (children first; kind ``min``, ``max`` or
    ``atleast`` with its n), level after level, added to ``slot`` (leaves already in it);
    then two padding slots, true and false. Returns the levels and the number of slots."""
    plan = _Planner(slot)
    rep = plan.rep
    for node, kind, need in connectives:
        rep[id(node)] = plan.add(id(node), kind, need, [rep[id(k)] for k in dag.children(node)])
    at = first
    for key in sorted(plan.levels):
        for entry in plan.levels[key]:
            slot[entry.key] = at
            at += 1
    pads = {"min": at, "max": at + 1, "nth": at + 1}  # true pads an and, false the others
    for node, _, _ in connectives:
        slot[id(node)] = slot[rep[id(node)]]
    built = [_level([[slot[k] for k in e.items] for e in nodes], nodes, slot, pads)
             for _, nodes in sorted(plan.levels.items())]
    return built, at + 2


def _simplest(kind: str, need: int, items: list[int]) -> tuple[Kind, list[int]]:
    """The same connective in the cheapest kind: at least 1 is ``or``, at least all is
    ``and``; ``and``/``or`` of an item twice is of it once."""
    if kind == "atleast":
        if need == len(items):
            kind = "min"
        elif need == 1:
            kind = "max"
        else:
            return "nth", items
    return kind, list(dict.fromkeys(items))


def _level(kids: list[list[int]], nodes: list[_Node], slot: dict[int, int],
           pads: dict[str, int]) -> Level:
    """One level's gather: a (widest, nodes) matrix of item slots, padded with a slot that
    changes nothing (true for ``and``, false for ``or`` and at least n), reduced over its
    rows; for ``and``/``or`` where padding would cost more than it saves, the items back to
    back and ``reduceat`` (slower per node)."""
    kind = nodes[0].kind
    start = slot[nodes[0].key]
    stop = start + len(nodes)
    sizes = [len(ks) for ks in kids]
    widest = max(sizes)
    padded = kind == "nth" or widest * len(nodes) <= 3 * sum(sizes) + 64
    if padded:
        matrix = np.array([ks + [pads[kind]] * (widest - len(ks)) for ks in kids],
                          dtype=np.intp)
        index = np.ascontiguousarray(matrix.T)
    if kind == "nth":  # the n-th largest of a sorted column is in row widest - n
        need = np.array([e.need for e in nodes], dtype=np.intp)
        pick = (widest - need) * len(nodes) + np.arange(len(nodes), dtype=np.intp)
        return Level(start, stop, index, np.maximum, pick=pick)
    if padded:
        return Level(start, stop, index, _UFUNC[kind])
    flat = np.array([k for ks in kids for k in ks], dtype=np.intp)
    offsets = np.concatenate(([0], np.cumsum(sizes)[:-1])).astype(np.intp)
    return Level(start, stop, flat, _UFUNC[kind], offsets=offsets)

