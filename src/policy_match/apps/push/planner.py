"""Planning: which messages are due to whom, written into the ledger batch by batch.

Each batch of enterprises is one ``BEGIN IMMEDIATE`` transaction that reads their facts,
decides what is due and records it, so a killed planner leaves whole batches or nothing and
a rerun does the rest exactly once (see the package docstring and ``docs/push.md``).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import hashlib
import json
import os
import sqlite3
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from policy_match.apps.push.chunks import CHUNK_ROWS, Chunk, chunk_rows, looked_up
from policy_match.apps.push.due import Due, Makers, Prompts, Tells, Withdrawals
from policy_match.apps.push.facts import (
    Facts,
    Recorder,
    bodies_missing,
    item_keys,
    read_facts,
    told_details,
)
from policy_match.apps.push.ledger import Ledger, now_stamp
from policy_match.apps.push.messages import Message, Reason
from policy_match.apps.push.schema import KIND_CODES

if TYPE_CHECKING:
    from policy_match.core.match import MatchResult
    from policy_match.core.rulebook import Rulebook

DEFAULT_BATCH = 500
RECORD_SLICE = 20_000  # messages made and recorded at once within a batch's transaction
Progress = Callable[[int, int], None]  # (done, total): a plain callable
BATCH_ENV = "POLICY_MATCH_PUSH_BATCH"
KIND_NAMES = {code: name for name, code in KIND_CODES.items()}


@dataclass
class PlanReport:
    run_id: str
    as_of: dt.date
    enterprises: int
    skipped: int  # rows without an enterprise key (the ledger needs stable ids)
    batches: int = 0
    # keyed by the kinds' plain values, so the counts print as the ledger stores them
    added: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0

    @property
    def total(self) -> int:
        return sum(self.added.values())


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cycle collector off for a chunk of rows (its matching, then its batches): a
    batch makes tens of thousands of short-lived objects (messages, their rows, the missing
    tags' walks), freed by their reference counts; the collections they would trigger walk
    the objects alive (a full one walks the table's and the rulebook's too: 0.15 s in the
    1,000,000-row refresh, at random points of the plan). Cycles made meanwhile are
    collected once the collector is back on, a chunk later at most."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def rules_digest(book: Rulebook) -> str:
    digest = hashlib.sha256()
    for path in sorted(book.sources):
        digest.update(book.sources[path].encode("utf-8") + b"\0")
    return digest.hexdigest()[:16]


def batch_size_default() -> int:
    text = os.environ.get(BATCH_ENV, "")
    try:
        return max(1, int(text)) if text else DEFAULT_BATCH
    except ValueError:
        return DEFAULT_BATCH


def keyed_rows(result: MatchResult) -> tuple[list[tuple[str, int]], int]:
    """(enterprise id, row) for the first row of every keyed enterprise, in table order;
    and how many rows were skipped (no key: ``#n`` ids are not stable between tables)."""
    rows, skipped = keyed_row_array(result)
    ids = result.table.id_objects()[rows].tolist()
    return list(zip(ids, rows.tolist(), strict=True)), skipped


def keyed_row_array(result: MatchResult) -> tuple[np.ndarray, int]:
    """:func:`keyed_rows`'s rows as an ascending array (Arrow kernels, no loop per row)."""
    import pyarrow.compute as pc

    n = len(result.table)
    if result.book.key is None or n == 0:
        return np.zeros(0, dtype=np.int64), n
    ids = result.table.id_array()
    keyed = ~np.asarray(pc.starts_with(ids, "#").to_numpy(zero_copy_only=False), dtype=bool)
    rows = np.flatnonzero(keyed)
    codes = pc.dictionary_encode(ids.take(rows)).indices.to_numpy(zero_copy_only=False)
    _, first = np.unique(codes, return_index=True)
    return rows[np.sort(first)], int(n - rows.size)


def keyed_rows_among(result: MatchResult, candidates: np.ndarray) -> tuple[np.ndarray, int]:
    """:func:`keyed_row_array` restricted to the rows ``candidates``, without encoding every
    id of the table (a refresh plans a few rows of a large table): a candidate is kept when
    its id is keyed and no earlier row holds it, found by one hash look-up per row."""
    import pyarrow.compute as pc

    n = len(result.table)
    if result.book.key is None or n == 0:
        return np.zeros(0, dtype=np.int64), n
    ids = result.table.id_array()
    skipped = int(np.count_nonzero(pc.starts_with(ids, "#").to_numpy(zero_copy_only=False)))
    rows = np.unique(np.asarray(candidates, dtype=np.int64))
    wanted = ids.take(rows)
    keyed = ~np.asarray(pc.starts_with(wanted, "#").to_numpy(zero_copy_only=False), dtype=bool)
    rows = rows[keyed]
    values = pc.unique(wanted.filter(keyed))
    holding = np.flatnonzero(np.asarray(pc.is_in(ids, value_set=values)
                                        .to_numpy(zero_copy_only=False), dtype=bool))
    codes = pc.index_in(ids.take(holding), value_set=values).to_numpy(zero_copy_only=False)
    _, first = np.unique(codes, return_index=True)  # ``holding`` ascends: the first rows
    return rows[np.isin(rows, holding[first])], skipped


class Planner:
    """Plans one match result into a ledger, chunk by chunk of rows, batch by batch."""

    def __init__(self, ledger: Ledger, result: MatchResult, exact_missing: bool = False,
                 progress: Progress | None = None) -> None:
        self.ledger = ledger
        self.result = result
        self.book = result.book
        self.as_of = result.as_of
        self.exact_missing = exact_missing
        self.progress = progress
        self.makers = Makers(self.book, self.as_of)
        self.versions = self.makers.versions
        self.payloads = self.makers.payloads
        self.general = np.array([p.push == "普惠" for p in self.book.policies.values()],
                                dtype=bool)
        self._run_n: int | None = None
        self.policies = list(self.book.policies)
        self.index = {pid: k for k, pid in enumerate(self.policies)}
        self._item_policy = np.zeros(0, dtype=np.int64)  # ledger item number -> policy index
        self._item_keys: dict[int, str] = {}
        self._asked: dict[int, tuple[str, ...]] = {}  # prompt body -> the tags it asked
        self._differs: dict[tuple[int, tuple[str, ...]], bool] = {}

    def rows_to_plan(self, only_changes: bool) -> tuple[np.ndarray, int]:
        """The keyed rows to plan; with ``only_changes`` (a refreshed result, whose previous
        result was planned into this ledger) only the rows whose values or verdicts moved,
        unless a policy was added, edited or removed (then every row)."""
        changes = self.result.changes
        if not only_changes or changes is None or changes.policies_touched():
            return keyed_row_array(self.result)
        return keyed_rows_among(self.result, changes.rows_to_check())

    def _policies_to_check(self, only_changes: bool) -> np.ndarray | None:
        """With ``only_changes``: the policies (rulebook indices) whose verdicts or missing
        tags may have moved on a changed row that is not new — on every other policy, such
        a row stands where the previous plan left it (None: every policy)."""
        changes = self.result.changes
        if not only_changes or changes is None or changes.policies_touched():
            return None
        checked = changes.policies_to_check(self.book)
        return np.array([k for k, pid in enumerate(self.policies) if pid in checked],
                        dtype=np.int64)

    def _has_new_rows(self, part: np.ndarray) -> bool:
        changes = self.result.changes
        added = changes.added_rows if changes is not None else np.zeros(0, np.int64)
        return bool(added.size and np.isin(part, added).any())

    def run(self, batch_size: int | None = None, source: str | None = None,
            after_batch: Callable[[PlanReport], None] | None = None,
            only_changes: bool = False, rows: np.ndarray | None = None) -> PlanReport:
        """Plan every keyed row (or the changes, or the table ``rows`` given)."""
        started = time.monotonic()
        size = batch_size or batch_size_default()
        given = rows is not None
        if rows is None:
            rows, skipped = self.rows_to_plan(only_changes)
        else:
            rows, skipped = keyed_rows_among(self.result, rows)
        report = PlanReport(uuid.uuid4().hex, self.as_of, int(rows.size), skipped)
        with self.ledger.transaction() as conn:
            self._run_n = conn.execute(
                "INSERT INTO runs (id, started_at, as_of, rules_digest, source, enterprises)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (report.run_id, now_stamp(), self.as_of.isoformat(), rules_digest(self.book),
                 source or self.result.table.source, int(rows.size))).lastrowid
        done = 0
        checked = self._policies_to_check(only_changes and not given)
        for part in chunk_rows(rows, max(CHUNK_ROWS // size, 1) * size):
            columns = checked
            if checked is not None and self._has_new_rows(part):
                columns = None  # a new enterprise may be due any message
            with collector_paused():  # the chunk's matching too: it allocates as much
                chunk = Chunk(self.book, self.result.table, self.as_of, part, self.general,
                              self.exact_missing, columns)
                for start in range(0, part.size, size):
                    self._plan_batch(chunk, range(start, min(start + size, part.size)),
                                     report)
                    done = min(done + size, int(rows.size))
                    if after_batch is not None:
                        after_batch(report)
                    if self.progress is not None:
                        self.progress(done, int(rows.size))
        with self.ledger.transaction() as conn:
            conn.execute("UPDATE runs SET finished_at = ?, added = ? WHERE id = ?",
                         (now_stamp(), json.dumps(dict(report.added)), report.run_id))
        report.seconds = time.monotonic() - started
        return report

    def _plan_batch(self, chunk: Chunk, local: range, report: PlanReport) -> None:
        """One transaction: the batch's facts read, its messages recorded (slice by slice,
        so that memory holds one slice's message objects)."""
        eids = [str(chunk.ids[j]) for j in local]
        with collector_paused(), self.ledger.transaction() as conn:
            facts = read_facts(conn, eids, self._items_looked_at(conn, chunk))
            recorder = Recorder(self.ledger, self._run_n, self.as_of.isoformat(), now_stamp())
            due = self.due(conn, eids, chunk, local, facts)
            for start in range(0, len(due), RECORD_SLICE):
                planned = due.planned(start, start + RECORD_SLICE)
                added = Counter(row[2] for row, new in zip(
                    planned.rows, recorder.record_planned(planned), strict=True) if new)
                for kind, count in added.items():
                    report.added[KIND_NAMES[kind]] += count
        report.batches += 1

    # ---- what is due ----------------------------------------------------------------

    def _item_policies(self, conn: sqlite3.Connection, items: np.ndarray) -> np.ndarray:
        """Per ledger item number in ``items``: its policy's index in the rulebook (-1: not
        in the rulebook); the ledger's items are read again only when one is new."""
        if items.size and int(items.max()) >= self._item_policy.size:
            keys = item_keys(conn)
            self._item_keys = keys
            self._item_policy = np.full(max(keys, default=0) + 1, -1, dtype=np.int64)
            for n, key in keys.items():
                self._item_policy[n] = self.index.get(key, -1)
        return self._item_policy[items]

    def _items_looked_at(self, conn: sqlite3.Connection, chunk: Chunk) -> list[int] | None:
        """The ledger's numbers of the items whose facts the chunk needs: those of its
        policies, and those no longer in the rulebook (None: every item)."""
        if chunk.columns.size == len(self.policies):
            return None
        keys = item_keys(conn)
        return [n for n, key in keys.items()
                if key not in self.index or chunk.column_of[self.index[key]] >= 0]

    def _item_columns(self, conn: sqlite3.Connection, chunk: Chunk, items: np.ndarray
                      ) -> tuple[np.ndarray, np.ndarray]:
        """Per ledger item number in ``items``: its policy's index in the rulebook (-1: not
        in the rulebook) and its column in the chunk (-1: not in the rulebook, or a policy
        the chunk does not look at)."""
        policy = self._item_policies(conn, items)
        column = np.where(policy >= 0, chunk.column_of[np.maximum(policy, 0)], -1)
        return policy, column

    def decide(self, conn: sqlite3.Connection, eids: list[str], chunk: Chunk, local: range,
               facts: Facts) -> list[Message]:
        """The messages due to a batch of enterprises, given what they have been told, in
        planning order (:class:`~policy_match.apps.push.due.Due`)."""
        return self.due(conn, eids, chunk, local, facts).messages()

    def due(self, conn: sqlite3.Connection, eids: list[str], chunk: Chunk, local: range,
            facts: Facts) -> Due:
        """What :meth:`decide` returns, as arrays: decided with numpy over (enterprise ×
        chunk column) masks; a Python object is made per withdrawal only."""
        tell, ineligible, unknown = chunk.states(local)
        shape = tell.shape
        policy, column = self._item_columns(conn, chunk, facts.told_item)
        kept = column >= 0
        active = np.zeros(shape, dtype=bool)
        active[facts.told_at[kept], column[kept]] = facts.told_active[kept]
        ks, cs = np.nonzero(tell & ~active)
        generation, = _lookup(facts.told_at[kept], column[kept], shape[1], ks, cs,
                              facts.told_generation[kept])
        tells = Tells(ks, chunk.columns[cs], generation + 1)
        withdrawals = self._withdrawals(conn, eids, chunk, ineligible, facts, policy, column)
        prompts = self._prompts(conn, chunk, local, unknown, facts)
        return Due(eids, tells, withdrawals, prompts, self.makers, self.general)

    def _withdrawals(self, conn: sqlite3.Connection, eids: list[str], chunk: Chunk,
                     ineligible: np.ndarray, facts: Facts, policy: np.ndarray,
                     column: np.ndarray) -> Withdrawals:
        """Standing facts of items expired, not in force, ineligible (精准) or repealed (of
        the policies the chunk looks at, and of items no longer in the rulebook)."""
        at, kept = facts.told_at, policy >= 0
        safe = np.where(kept, policy, 0)
        safe_column = np.maximum(column, 0)
        looked_at = ~kept | (column >= 0)
        withdraw = facts.told_active & looked_at & (
            ~kept | ~chunk.in_force[safe]
            | (~chunk.general[safe] & ineligible[at, safe_column]))
        which = np.flatnonzero(withdraw)
        pairs = [(facts.enterprise_n[int(at[i])], int(facts.told_item[i])) for i in which]
        out: list[Message] = []
        sort_policy = np.where(kept[which], policy[which], len(self.policies))
        sort_item = np.where(kept[which], 0, facts.told_item[which])
        for i, (by, name) in zip(which, told_details(conn, pairs), strict=True):
            k, p, n = int(at[i]), int(policy[i]), int(facts.told_item[i])
            gen = int(facts.told_generation[i])
            if p < 0:
                out.append(self.makers.withdraw(eids[k], self._item_keys[n], gen, by, name,
                                                Reason.REPEALED))
                continue
            pid = self.policies[p]
            if not chunk.in_force[p]:
                reason = (Reason.EXPIRED if self.book.policies[pid].expired_on(self.as_of)
                          else Reason.NOT_IN_FORCE)
            else:
                reason = Reason.INELIGIBLE
            out.append(self.makers.withdraw(eids[k], pid, gen, by, name, reason))
        return Withdrawals(at[which], sort_policy.astype(np.int64),
                           sort_item.astype(np.int64), out)

    def _prompts(self, conn: sqlite3.Connection, chunk: Chunk, local: range,
                 unknown: np.ndarray, facts: Facts) -> Prompts:
        """Prompts of unknown verdicts whose missing tags are not the set last asked (as
        arrays of pairs: the tags are numbered per chunk, and compared as sets once per
        distinct pair of prompt body and tags)."""
        _, column = self._item_columns(conn, chunk, facts.prompted_item)
        kept = column >= 0
        ks, cs, answer = chunk.missing_pairs(local, unknown)
        # per pair: the body last asked (0: never prompted; bodies count from 1) and its
        # generation
        bs, before = _lookup(facts.prompted_at[kept], column[kept], unknown.shape[1], ks, cs,
                             facts.prompted_body[kept], facts.prompted_generation[kept])
        asked = self._bodies_missing(conn, np.unique(bs))
        due = bs == 0
        seen = np.flatnonzero(~due)
        if seen.size:  # each distinct (body asked, tags missing) pair compared once
            pairs = bs[seen] * len(chunk.answers) + answer[seen]
            distinct, inverse = np.unique(pairs, return_inverse=True)
            differs = np.array([self._asked_differs(int(b), chunk.answers[int(a)], asked)
                                for b, a in zip(*np.divmod(distinct, len(chunk.answers)),
                                                strict=True)], dtype=bool)
            due[seen] = differs[inverse.reshape(-1)]
        which = np.flatnonzero(due)
        return Prompts(ks[which], chunk.columns[cs[which]], answer[which],
                       before[which] + 1, chunk.answers)

    def _asked_differs(self, body: int, tags: tuple[str, ...],
                       asked: dict[int, tuple[str, ...]]) -> bool:
        """Whether ``tags`` is not the set the prompt body ``body`` asked for (cached)."""
        key = (body, tags)
        differs = self._differs.get(key)
        if differs is None:
            differs = self._differs[key] = set(asked[body]) != set(tags)
        return differs

    def _bodies_missing(self, conn: sqlite3.Connection, bodies: np.ndarray
                        ) -> dict[int, tuple[str, ...]]:
        cache = self._asked
        new = [int(b) for b in bodies if b and int(b) not in cache]
        if new:
            cache.update(bodies_missing(conn, new))
        return cache


def _lookup(at: np.ndarray, column: np.ndarray, width: int, ks: np.ndarray, cs: np.ndarray,
            *values: np.ndarray) -> list[np.ndarray]:
    """Per pair (``ks``, ``cs``) of (batch position, chunk column): each of ``values`` of
    the fact at that pair (facts at (``at``, ``column``), at most one per pair), 0 where
    there is none. Sorted keys and a binary search: a dense (batch × columns) array per
    value cost more to fill than the pairs it answered."""
    keys = at * width + column
    order = np.argsort(keys, kind="stable")
    return looked_up(keys[order], ks.astype(np.int64) * width + cs,
                     [v[order] for v in values], 0)


def plan(ledger: Ledger, result: MatchResult, batch_size: int | None = None,
         source: str | None = None, exact_missing: bool = False, only_changes: bool = False,
         progress: Progress | None = None) -> PlanReport:
    """Write the messages due from ``result`` into the ledger's outbox; see the package doc.

    ``only_changes``: ``result`` is a refresh (``book.match(table, previous=old)``) and
    ``old`` was planned into this ledger: only the rows whose values or verdicts changed
    are planned (every row when a policy was added, edited or removed) — what a full plan
    would add, at the cost of the change. ``progress(done, total)``: enterprises planned."""
    return Planner(ledger, result, exact_missing, progress).run(batch_size, source,
                                                                only_changes=only_changes)
