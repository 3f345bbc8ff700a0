"""Resolution per enterprise: 前置事项, then 就高不重复 (互斥组 and 排除事项), then 前置事项 again
(the rules are written up in :mod:`policy_match.apps.money.benefits` and ``docs/benefits.md``).

Every step works on whole columns: one boolean array per item, indexed by table row.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from policy_match.apps.money.amounts import I64_MIN
from policy_match.apps.money.item_graph import ItemGraph

HELD, DISPLACED, BLOCKED, NONE = 1, 2, 3, 0
STATUS_NAMES = {HELD: "held", DISPLACED: "displaced", BLOCKED: "blocked", NONE: "none"}
STATUS_ZH = {HELD: "享受", DISPLACED: "就高被替代", BLOCKED: "前置事项未满足", NONE: ""}


@dataclass(frozen=True)
class Resolution:
    status: dict[str, np.ndarray]  # int8 per row: HELD, DISPLACED, BLOCKED or NONE
    by: dict[str, np.ndarray]  # the item index that displaced or blocked it, else -1
    held: dict[str, np.ndarray]
    settled_component: list[np.ndarray]  # per component: rows whose resolution is final
    possible: dict[str, np.ndarray]  # rows that might hold the item once the data arrive


@dataclass(frozen=True)
class ItemColumns:
    """What resolution reads of one item: verdict and amount masks per row."""

    eligible: np.ndarray
    unknown: np.ndarray  # the verdict is unknown
    known: np.ndarray  # the amount is known (always, for an item without 兑付标准)


def resolve(graph: ItemGraph, items: list[str], columns: dict[str, ItemColumns],
            rank_cents: Callable[[str], np.ndarray], n: int) -> Resolution:
    """Resolve every row at once; ``rank_cents`` is what exclusivity ranks an item by."""
    steps = _Steps(graph, items, n)
    candidate = steps.candidates(columns)
    kept = steps.exclusivity(candidate, rank_cents)
    held = steps.requirements_after(kept)
    settled = [_settled(component, columns, n) for component in graph.components]
    return Resolution(steps.status, steps.by, held, settled, _possible(graph, columns))


class _Steps:
    """The three steps, recording each item's status and what caused it."""

    def __init__(self, graph: ItemGraph, items: list[str], n: int) -> None:
        self.graph = graph
        self.index = {pid: k for k, pid in enumerate(items)}
        self.status = {pid: np.zeros(n, dtype=np.int8) for pid in items}
        # the smallest integer that holds every item's index (two bytes for up to 32,767)
        kind = np.int16 if len(items) < np.iinfo(np.int16).max else np.int32
        # an item with no 前置事项 and no conflict is never displaced or blocked: its causes
        # are one read-only -1 (no array per row: most items of a rulebook are such)
        self.by = {pid: (np.full(n, -1, dtype=kind) if graph.requires[pid] or graph.conflicts[pid]
                         else np.broadcast_to(kind(-1), (n,)))
                   for pid in items}

    def mark(self, pid: str, rows: np.ndarray, status: int, other: str) -> None:
        """The first cause found is the one reported."""
        fresh = rows & (self.status[pid] == NONE)
        self.status[pid][fresh] = status
        self.by[pid][fresh] = self.index[other]

    def candidates(self, columns: dict[str, ItemColumns]) -> dict[str, np.ndarray]:
        """1. eligible, and every 前置事项 a candidate."""
        candidate: dict[str, np.ndarray] = {}
        for pid in self.graph.order:
            ok = columns[pid].eligible.copy()
            for r in self.graph.requires[pid]:
                self.mark(pid, ok & ~candidate[r], BLOCKED, r)
                ok &= candidate[r]
            candidate[pid] = ok
        return candidate

    def exclusivity(self, candidate: dict[str, np.ndarray],
                    rank_cents: Callable[[str], np.ndarray]) -> dict[str, np.ndarray]:
        """2. greedily down the ranking, component by component."""
        kept = {pid: c.copy() for pid, c in candidate.items()}
        conflicts = self.graph.conflicts
        for component in self.graph.components:
            members = [p for p in component if conflicts[p]]
            if len(members) < 2:
                continue
            keys = np.stack([np.where(candidate[p], rank_cents(p), I64_MIN) for p in members])
            undecided = np.stack([candidate[p] for p in members])
            for _ in range(len(members)):
                left = undecided.any(axis=0)
                if not left.any():
                    break
                top = np.argmax(np.where(undecided, keys, I64_MIN), axis=0)
                for j, p in enumerate(members):
                    chosen = left & (top == j)
                    if not chosen.any():
                        continue
                    undecided[j] &= ~chosen
                    for k, q in enumerate(members):
                        if q in conflicts[p]:
                            hit = chosen & undecided[k]
                            kept[q] &= ~hit
                            self.mark(q, hit, DISPLACED, p)
                            undecided[k] &= ~hit
        return kept

    def requirements_after(self, kept: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        """3. a kept item is held only if every item it requires is held."""
        held: dict[str, np.ndarray] = {}
        for pid in self.graph.order:
            ok = kept[pid].copy()
            for r in self.graph.requires[pid]:
                self.mark(pid, ok & ~held[r], BLOCKED, r)
                ok &= held[r]
            held[pid] = ok
            self.status[pid][ok] = HELD
        return held


def _settled(component: list[str], columns: dict[str, ItemColumns], n: int) -> np.ndarray:
    """Rows where no item of the component waits for data (verdict or amount)."""
    open_rows = np.zeros(n, dtype=bool)
    for p in component:
        c = columns[p]
        open_rows |= c.unknown | (c.eligible & ~c.known)
    return ~open_rows


def _possible(graph: ItemGraph, columns: dict[str, ItemColumns]) -> dict[str, np.ndarray]:
    """Rows that might hold the item: eligible or unknown, and so for every 前置事项."""
    possible: dict[str, np.ndarray] = {}
    for pid in graph.order:
        ok = columns[pid].eligible | columns[pid].unknown
        for r in graph.requires[pid]:
            ok = ok & possible[r]
        possible[pid] = ok
    return possible
