"""Daily refresh: a new match from the previous one, evaluating only what changed.

A 企业库 changes a few percent a day. ``book.match(new_table, as_of, previous=result)``
pairs each row of the new table with the previous table's row of the same enterprise id
and compares their parsed values (a fingerprint per row, :mod:`policy_match.data.fingerprint`).
Then

- rows that are new are evaluated for every policy kept; rows whose values changed are
  evaluated again for the kept policies that read a column changed in some of them (a
  small table of just those rows and columns, through the columnar backend) — a policy
  reading none of the changed columns keeps its verdicts of those rows;
- a policy is *kept* when its condition is the same node for node as before, it is in force
  on both dates or on neither, and — if the date moved — its condition does not read the
  evaluation date (评估日); every other policy in force (added, edited, or reading the
  date) is evaluated on the whole new table;
- every other (row, kept policy) verdict is the previous one, moved to the row's new place.

A verdict depends only on the row's values, the condition and the date, so the result
equals a full match (``tests/core/test_refresh.py`` checks it with random edits). The new
verdict bitsets are put together only when read (:class:`RefreshedTris`): a refresh costs
about the changed rows' evaluation, not a pass over every policy's bitset.
:class:`Changes` says what changed: rows added, removed, changed; the columns changed;
policies added, removed, changed, re-evaluated for the date.
"""

from __future__ import annotations

import datetime as dt
import weakref
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from policy_match.core.compiled import CompiledBook
from policy_match.data.fingerprint import changed_columns
from policy_match.data.table import EnterpriseTable
from policy_match.engine import bitset, dag
from policy_match.engine.bitset import Tri
from policy_match.engine.columnar import ColumnarEvaluator
from policy_match.engine.columns import Columns, take_column
from policy_match.engine.walk import post_order


class Previous(Protocol):
    """What a refresh reads of the previous result (a ``MatchResult``; named by shape so
    that ``core.match`` can import this module's :class:`Changes`)."""

    book: CompiledBook
    table: EnterpriseTable
    as_of: dt.date
    tris: Mapping[str, Tri | None]


@dataclass(frozen=True)
class Changes:
    """What a refresh found different from the previous result (ids, in table order)."""

    rows_added: tuple[str, ...] = ()
    rows_removed: tuple[str, ...] = ()
    rows_changed: tuple[str, ...] = ()
    policies_added: tuple[str, ...] = ()
    policies_removed: tuple[str, ...] = ()
    policies_changed: tuple[str, ...] = ()  # condition or 适用时间 edited
    policies_dated: tuple[str, ...] = ()  # read the date, and the date moved
    rows_evaluated: int = 0  # rows evaluated again for some kept policy
    columns_changed: tuple[str, ...] = ()  # a value changed in some kept row (sorted)
    # the new table's rows whose values are new or changed (0-based, sorted)
    touched_rows: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64),
                                     compare=False)
    # rows whose verdict of a policy re-evaluated for the date differs from before
    dated_rows: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64),
                                   compare=False)
    # the new table's rows with no previous row (0-based, sorted; within ``touched_rows``)
    added_rows: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64),
                                   compare=False)

    def policies_touched(self) -> bool:
        """Whether a policy was added, edited or removed (its every row may differ)."""
        return bool(self.policies_added or self.policies_changed or self.policies_removed)

    def rows_to_check(self) -> np.ndarray:
        """Rows whose values or verdicts may differ from before (sorted), when no policy
        was added, edited or removed: what a plan of the changes looks at."""
        return np.union1d(self.touched_rows, self.dated_rows)

    def policies_to_check(self, book: CompiledBook) -> frozenset[str]:
        """The policies whose verdicts or missing tags may differ from before on a row
        of :meth:`rows_to_check` that is not new (when no policy was added, edited or
        removed): those reading a column that changed, and those re-evaluated for the date.
        On such a row every other policy reads the same values on the same date as before
        (a new row may differ for every policy)."""
        reads = tags_read(book)
        changed = frozenset(self.columns_changed)
        return frozenset((*(p for p, tags in reads.items() if tags & changed),
                          *self.policies_dated))

    @property
    def policies_evaluated(self) -> tuple[str, ...]:
        """Policies evaluated on the whole new table (not reused)."""
        return (*self.policies_added, *self.policies_changed, *self.policies_dated)

    def counts(self) -> dict[str, int]:
        return {"rows_added": len(self.rows_added), "rows_removed": len(self.rows_removed),
                "rows_changed": len(self.rows_changed),
                "policies_added": len(self.policies_added),
                "policies_removed": len(self.policies_removed),
                "policies_changed": len(self.policies_changed),
                "policies_dated": len(self.policies_dated),
                "rows_evaluated": self.rows_evaluated}


@dataclass(frozen=True)
class _Placement:
    """Where the previous verdicts go in the new table, and the rows evaluated again."""

    n: int
    previous_row: np.ndarray | None  # per new row, its previous row (-1: none); None: same
    rows: np.ndarray  # new rows evaluated again (sorted)
    words: np.ndarray  # identity placement: the words those rows fall in …
    starts: np.ndarray  # … where each word's rows start in ``rows``
    bit: np.ndarray  # each row's bit in its word
    clear: np.ndarray  # per word, the bits of the rows evaluated again

    @classmethod
    def of(cls, n: int, previous_row: np.ndarray | None, rows: np.ndarray) -> _Placement:
        words = rows >> 6
        starts = np.flatnonzero(np.diff(words, prepend=-1)) if rows.size else rows
        bit = np.left_shift(np.uint64(1), (rows & 63).astype(np.uint64))
        clear = (np.bitwise_or.reduceat(bit, starts) if rows.size
                 else np.zeros(0, dtype=np.uint64))
        return cls(n, previous_row, rows, words[starts], starts, bit, clear)

    def place(self, old: np.ndarray, old_n: int, fresh: np.ndarray) -> np.ndarray:
        """New packed bits: the old bits moved to their rows, the fresh bits (packed over
        ``rows``) at the rows evaluated again."""
        if self.previous_row is None and not self.rows.size:
            return old
        fresh_rows = bitset.unpack(fresh, self.rows.size)
        if self.previous_row is None:
            out = old.copy()
            new_words = np.bitwise_or.reduceat(np.where(fresh_rows, self.bit, np.uint64(0)),
                                               self.starts)
            out[self.words] = (out[self.words] & ~self.clear) | new_words
            return out
        before = bitset.unpack(old, old_n)
        mask = np.zeros(self.n, dtype=bool)
        kept = self.previous_row >= 0
        mask[kept] = before[self.previous_row[kept]]
        mask[self.rows] = fresh_rows
        return bitset.pack(mask)


class RefreshedTris(Mapping[str, Tri | None]):
    """A refreshed result's verdict bitsets, each put together when first read."""

    def __init__(self, ready: dict[str, Tri | None], pending: dict[str, tuple[Tri, _Placement]],
                 previous: Previous, order: list[str]) -> None:
        self._ready = ready
        # policy → its verdicts on the rows evaluated again for it, and where they go
        self._pending = pending
        self._order = order
        self._previous: Previous | None = previous

    def __getitem__(self, pid: str) -> Tri | None:
        if pid in self._ready:
            return self._ready[pid]
        fresh, placement = self._pending.pop(pid)  # KeyError for an unknown policy
        assert self._previous is not None
        old = self._previous.tris[pid]
        assert old is not None
        old_n = len(self._previous.table)
        place = placement.place
        tri = self._ready[pid] = Tri(place(old.t, old_n, fresh.t), place(old.f, old_n, fresh.f))
        if not self._pending:
            self._previous = None  # every verdict is here: the previous result may go
        return tri

    def __contains__(self, pid: object) -> bool:
        return pid in self._ready or pid in self._pending

    def __iter__(self) -> Iterator[str]:
        return iter(self._order)

    def __len__(self) -> int:
        return len(self._order)

    def pending(self) -> int:
        """How many policies' bitsets are not put together yet."""
        return len(self._pending)


def _previous_rows(new: EnterpriseTable, old: EnterpriseTable) -> np.ndarray | None:
    """Per new row, the old row of the same enterprise id (-1: none); None when the ids
    are the same, in the same order."""
    new_ids, old_ids = new.id_array(), old.id_array()
    if len(new) == len(old) and new_ids.equals(old_ids):
        return None
    import pyarrow.compute as pc

    found = pc.index_in(new_ids, value_set=old_ids).fill_null(-1)
    return np.asarray(found.to_numpy(zero_copy_only=False), dtype=np.int64)


def _ids(table: EnterpriseTable, rows: np.ndarray) -> tuple[str, ...]:
    return tuple(table.id_array().take(rows).to_pylist()) if rows.size else ()


@dataclass(frozen=True)
class _RowChanges:
    """How the new table's rows relate to the previous table's."""

    previous_row: np.ndarray | None  # per new row, its previous row (-1: none); None: same
    added: np.ndarray  # new rows with no previous row
    changed: np.ndarray  # new rows whose values differ from their previous row's
    removed: np.ndarray  # previous rows with no new row
    columns: frozenset[str]  # the columns that differ in some changed row


def _compare_rows(new: EnterpriseTable, old: EnterpriseTable) -> _RowChanges:
    previous_row = _previous_rows(new, old)
    new_fp, old_fp = new.row_fingerprints(), old.row_fingerprints()
    if previous_row is None:
        changed = np.flatnonzero(new_fp != old_fp)
        added = removed = np.zeros(0, np.int64)
        old_rows = changed
    else:
        import pyarrow.compute as pc

        kept = previous_row >= 0
        added = np.flatnonzero(~kept)
        changed = np.flatnonzero(kept & (new_fp != old_fp[np.where(kept, previous_row, 0)]))
        still = pc.is_in(old.id_array(), value_set=new.id_array()).to_numpy(
            zero_copy_only=False)
        removed = np.flatnonzero(~still)
        old_rows = previous_row[changed]
    columns = changed_columns(new.columns, changed, old.columns, old_rows)
    return _RowChanges(previous_row, added, changed, removed, columns)


_READS: weakref.WeakKeyDictionary[CompiledBook, dict[str, frozenset[str]]] = (
    weakref.WeakKeyDictionary())


def tags_read(book: CompiledBook) -> dict[str, frozenset[str]]:
    """Per policy, the tags its condition reads (through defines); once per rulebook."""
    found = _READS.get(book)
    if found is None:
        graph = book.dag
        memo: dict[int, frozenset[str]] = {}

        def successors(node: object) -> tuple[object, ...]:
            return dag.successors(node, graph.defines)

        for root in graph.conditions.values():
            for node in post_order(root, successors, lambda n: id(n) in memo):
                own = frozenset((node.name,)) if type(node) is dag.VTag else frozenset()
                memo[id(node)] = own.union(*(memo[id(k)] for k in successors(node)))
        found = _READS[book] = {pid: memo[id(c)] for pid, c in graph.conditions.items()}
    return found


def _evaluated_on(book: CompiledBook, table: EnterpriseTable, day: dt.date,
                  rows: np.ndarray, placement: _Placement, policies: list[str],
                  pending: dict[str, tuple[Tri, _Placement]]) -> None:
    """``policies`` evaluated on ``rows`` of ``table`` only: a small table of those rows
    and of the columns the policies read."""
    if not policies:
        return
    if not rows.size:
        empty = Tri(np.zeros(0, dtype=np.uint64), np.zeros(0, dtype=np.uint64))
        pending.update((pid, (empty, placement)) for pid in policies)
        return
    reads = tags_read(book)
    names = frozenset().union(*(reads[pid] for pid in policies))
    columns = table.columns.columns
    small = Columns(int(rows.size), {name: take_column(columns[name], rows)
                                     for name in names if name in columns})
    evaluator = ColumnarEvaluator(book.dag, book.vocabulary, small, day)
    for pid in policies:
        pending[pid] = (evaluator.truth(book.dag.conditions[pid]), placement)


def _kept(book: CompiledBook, old_book: CompiledBook, pid: str, day: dt.date,
          old_day: dt.date) -> bool | None:
    """True: reuse; False: evaluate on the whole table; None: changed (edited)."""
    policy, before = book.policies[pid], old_book.policies[pid]
    if policy.active_on(day) != before.active_on(old_day):
        return None
    if book is not old_book and book.dag.conditions[pid] != old_book.dag.conditions[pid]:
        return None
    return day == old_day or pid not in book.today_dependent


def _moved_rows(placement: _Placement, previous: Previous,
                tris: Mapping[str, Tri | None]) -> np.ndarray:
    """Rows where a re-evaluated policy's verdict differs from its previous verdict there."""
    n = placement.n
    moved = np.zeros(n, dtype=bool)
    old_n = len(previous.table)
    keep = np.ones(n, dtype=bool)
    if placement.previous_row is not None:
        keep = placement.previous_row >= 0
    for pid, tri in tris.items():
        old = previous.tris.get(pid)
        if tri is None or old is None:
            continue
        if placement.previous_row is None:
            differs = bitset.unpack((tri.t ^ old.t) | (tri.f ^ old.f), n)
        else:
            where = placement.previous_row[keep]
            differs = np.zeros(n, dtype=bool)
            differs[keep] = ((bitset.unpack(tri.t, n)[keep] != bitset.unpack(old.t, old_n)[where])
                             | (bitset.unpack(tri.f, n)[keep]
                                != bitset.unpack(old.f, old_n)[where]))
        moved |= differs
    return np.flatnonzero(moved)


@dataclass
class _PolicyPlan:
    """What to do with each policy: reuse its previous verdicts (outside the rows
    evaluated again), or evaluate it on the whole new table."""

    ready: dict[str, Tri | None]  # decided now (None: not in force); reused: placeholders
    reuse: list[str]
    added: list[str]
    changed: list[str]
    dated: list[str]


def _plan_policies(book: CompiledBook, day: dt.date, previous: Previous,
                   evaluator: ColumnarEvaluator) -> _PolicyPlan:
    old_book = previous.book
    same_texts = old_book is book or old_book.sources == book.sources
    plan = _PolicyPlan({}, [], [], [], [])
    quick = same_texts and day == previous.as_of  # every policy in force is kept
    for pid, policy in book.policies.items():
        active = policy.active_on(day)
        if quick:
            decision: bool | None = True
        elif pid not in old_book.policies:
            plan.added.append(pid)
            decision = False
        elif same_texts and active == old_book.policies[pid].active_on(previous.as_of):
            decision = day == previous.as_of or pid not in book.today_dependent
        else:
            decision = _kept(book, old_book, pid, day, previous.as_of)
        if not active:
            plan.ready[pid] = None
        elif decision:
            plan.reuse.append(pid)
            plan.ready[pid] = None  # placeholder: keeps the rulebook's order
        else:
            if decision is None:
                plan.changed.append(pid)
            elif pid not in plan.added:
                plan.dated.append(pid)
            plan.ready[pid] = evaluator.truth(book.dag.conditions[pid])
    return plan


def refresh(book: CompiledBook, table: EnterpriseTable, day: dt.date,
            previous: Previous) -> tuple[ColumnarEvaluator, RefreshedTris, Changes]:
    """The pieces of a refreshed ``MatchResult`` (see the module docstring)."""
    old_book, old_table = previous.book, previous.table
    rows = _compare_rows(table, old_table)
    evaluator = ColumnarEvaluator(book.dag, book.vocabulary, table.columns, day)
    plan = _plan_policies(book, day, previous, evaluator)
    # a kept policy is evaluated again on the new rows, and on the changed rows when it
    # reads a column that changed; elsewhere its previous verdicts stand
    reads = tags_read(book)
    touched = np.union1d(rows.added, rows.changed).astype(np.int64)
    affected = [p for p in plan.reuse if reads[p] & rows.columns]
    unaffected = [p for p in plan.reuse if not reads[p] & rows.columns]
    pending: dict[str, tuple[Tri, _Placement]] = {}
    everywhere = _Placement.of(len(table), rows.previous_row, touched)
    _evaluated_on(book, table, day, touched, everywhere, affected, pending)
    new_only = _Placement.of(len(table), rows.previous_row, rows.added)
    _evaluated_on(book, table, day, rows.added, new_only, unaffected, pending)
    for pid in plan.reuse:
        del plan.ready[pid]
    dated = _moved_rows(everywhere, previous, {p: plan.ready[p] for p in plan.dated})
    tris = RefreshedTris(plan.ready, pending, previous, list(book.policies))
    evaluated = touched.size if affected else (rows.added.size if unaffected else 0)
    changes = Changes(
        rows_added=_ids(table, rows.added), rows_removed=_ids(old_table, rows.removed),
        rows_changed=_ids(table, rows.changed),
        policies_added=tuple(plan.added),
        policies_removed=tuple(p for p in old_book.policies if p not in book.policies),
        policies_changed=tuple(plan.changed), policies_dated=tuple(plan.dated),
        rows_evaluated=int(evaluated), columns_changed=tuple(sorted(rows.columns)),
        touched_rows=touched, dated_rows=dated, added_rows=rows.added.astype(np.int64))
    return evaluator, tris, changes
