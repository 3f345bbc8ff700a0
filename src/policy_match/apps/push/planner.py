"""Planning: which messages are due to whom, written into the ledger batch by batch.

Each batch of enterprises is one ``BEGIN IMMEDIATE`` transaction that reads their facts,
decides what is due and records it, so a killed planner leaves whole batches or nothing and
a rerun does the rest exactly once (see the package docstring and ``docs/push.md``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import sqlite3
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from policy_match.apps.push.chunks import CHUNK_ROWS, Chunk, chunk_rows
from policy_match.apps.push.facts import (
    Facts,
    Recorder,
    bodies_missing,
    item_keys,
    read_facts,
    told_details,
)
from policy_match.apps.push.ledger import Ledger, now_stamp
from policy_match.apps.push.messages import (
    Message,
    MessageKind,
    Reason,
    item_version,
    message_text,
    payload,
)
from policy_match.dsl.ir import Policy

if TYPE_CHECKING:
    from policy_match.core.match import MatchResult
    from policy_match.core.rulebook import Rulebook

DEFAULT_BATCH = 500
Progress = Callable[[int, int], None]  # (done, total): a plain callable
BATCH_ENV = "POLICY_MATCH_PUSH_BATCH"


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
        self.versions = {pid: item_version(self.book, p) for pid, p in self.book.policies.items()}
        self.payloads = {pid: payload(p) for pid, p in self.book.policies.items()}
        self.general = np.array([p.push == "普惠" for p in self.book.policies.values()],
                                dtype=bool)
        self._payload_texts: dict[str, str] = {}
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

    def run(self, batch_size: int | None = None, source: str | None = None,
            after_batch: Callable[[PlanReport], None] | None = None,
            only_changes: bool = False, rows: np.ndarray | None = None) -> PlanReport:
        """Plan every keyed row (or the changes, or the table ``rows`` given)."""
        started = time.monotonic()
        size = batch_size or batch_size_default()
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
        for part in chunk_rows(rows, max(CHUNK_ROWS // size, 1) * size):
            chunk = Chunk(self.book, self.result.table, self.as_of, part, self.general,
                          self.exact_missing)
            for start in range(0, part.size, size):
                self._plan_batch(chunk, range(start, min(start + size, part.size)), report)
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
        """One transaction: the batch's facts read, its messages recorded."""
        ids = self.result.table.id_objects()
        eids = [str(ids[chunk.rows[j]]) for j in local]
        with self.ledger.transaction() as conn:
            facts = read_facts(conn, eids)
            recorder = Recorder(self.ledger, self._run_n, self.as_of.isoformat(), now_stamp())
            messages = self.decide(conn, eids, chunk, local, facts)
            texts = [self._payload_json(m.item, m.payload) for m in messages]
            for message, added in zip(messages, recorder.record_all(messages, texts),
                                      strict=True):
                if added:
                    report.added[message.kind.value] += 1
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

    def decide(self, conn: sqlite3.Connection, eids: list[str], chunk: Chunk, local: range,
               facts: Facts) -> list[Message]:
        """The messages due to a batch of enterprises, given what they have been told, in
        planning order: per enterprise, in rulebook order (a prompt after the item's other
        message), withdrawals of items no longer in the rulebook last. Decided with numpy
        over (enterprise × policy) masks; a Python object is made per message only."""
        tell, ineligible, unknown = chunk.states(local)
        shape = tell.shape
        policy = self._item_policies(conn, facts.told_item)
        kept = policy >= 0
        active = np.zeros(shape, dtype=bool)
        generation = np.zeros(shape, dtype=np.int64)
        active[facts.told_at[kept], policy[kept]] = facts.told_active[kept]
        generation[facts.told_at[kept], policy[kept]] = facts.told_generation[kept]
        due: list[tuple[int, int, int, int, Message]] = []
        for k, p in zip(*np.nonzero(tell & ~active), strict=True):
            item = self.book.policies[self.policies[p]]
            kind = MessageKind.ANNOUNCE if item.push == "普惠" else MessageKind.MATCH
            due.append((int(k), int(p), 0, 0,
                        self._tell(kind, eids[k], item, int(generation[k, p]) + 1)))
        due.extend(self._withdrawals(conn, eids, chunk, ineligible, facts, policy))
        due.extend(self._prompts(conn, eids, chunk, local, unknown, facts))
        due.sort(key=lambda d: d[:4])
        return [d[4] for d in due]

    def _withdrawals(self, conn: sqlite3.Connection, eids: list[str], chunk: Chunk,
                     ineligible: np.ndarray, facts: Facts, policy: np.ndarray
                     ) -> list[tuple[int, int, int, int, Message]]:
        """Standing facts of items expired, not in force, ineligible (精准) or repealed."""
        at, kept = facts.told_at, policy >= 0
        safe = np.where(kept, policy, 0)
        withdraw = facts.told_active & (~kept | ~chunk.in_force[safe]
                                        | (~chunk.general[safe] & ineligible[at, safe]))
        which = np.flatnonzero(withdraw)
        if not which.size:
            return []
        pairs = [(facts.enterprise_n[int(at[i])], int(facts.told_item[i])) for i in which]
        out = []
        for i, (by, name) in zip(which, told_details(conn, pairs), strict=True):
            k, p, n = int(at[i]), int(policy[i]), int(facts.told_item[i])
            gen = int(facts.told_generation[i])
            if p < 0:
                out.append((k, len(self.policies), 0, n, self._withdraw(
                    eids[k], self._item_keys[n], gen, by, name, Reason.REPEALED)))
                continue
            pid = self.policies[p]
            if not chunk.in_force[p]:
                reason = (Reason.EXPIRED if self.book.policies[pid].expired_on(self.as_of)
                          else Reason.NOT_IN_FORCE)
            else:
                reason = Reason.INELIGIBLE
            out.append((k, p, 0, 0, self._withdraw(eids[k], pid, gen, by, name, reason)))
        return out

    def _prompts(self, conn: sqlite3.Connection, eids: list[str], chunk: Chunk, local: range,
                 unknown: np.ndarray, facts: Facts) -> list[tuple[int, int, int, int, Message]]:
        """Prompts of unknown verdicts whose missing tags are not the set last asked (as
        arrays of pairs: the tags are numbered per chunk, and compared as sets once per
        distinct pair of prompt body and tags)."""
        policy = self._item_policies(conn, facts.prompted_item)
        kept = policy >= 0
        body = np.zeros(unknown.shape, dtype=np.int64)  # 0: never prompted (bodies from 1)
        before = np.zeros(unknown.shape, dtype=np.int64)
        body[facts.prompted_at[kept], policy[kept]] = facts.prompted_body[kept]
        before[facts.prompted_at[kept], policy[kept]] = facts.prompted_generation[kept]
        asked = self._bodies_missing(conn, np.unique(body[unknown]))
        ks, ps, answer = self._missing_pairs(chunk, local, unknown)
        bs = body[ks, ps]
        due = bs == 0
        seen = np.flatnonzero(~due)
        if seen.size:  # each distinct (body asked, tags missing) pair compared once
            pairs = bs[seen] * len(chunk.answers) + answer[seen]
            distinct, inverse = np.unique(pairs, return_inverse=True)
            differs = np.array([self._asked_differs(int(b), chunk.answers[int(a)], asked)
                                for b, a in zip(*np.divmod(distinct, len(chunk.answers)),
                                                strict=True)], dtype=bool)
            due[seen] = differs[inverse.reshape(-1)]
        out = []
        for i in np.flatnonzero(due).tolist():
            k, p, tags = int(ks[i]), int(ps[i]), chunk.answers[int(answer[i])]
            out.append((k, p, 1, 0, self._prompt(eids[k], self.book.policies[self.policies[p]],
                                                 tags, int(before[k, p]) + 1)))
        return out

    @staticmethod
    def _missing_pairs(chunk: Chunk, local: range, unknown: np.ndarray
                       ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The (batch position, policy, missing tags in ``chunk.answers``) of every unknown
        pair of the batch with tags missing, policy by policy."""
        parts: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        for p in np.flatnonzero(unknown.any(axis=0)).tolist():
            rows, ids = chunk.missing_ids(chunk.policies[p])
            ks = np.flatnonzero(unknown[:, p])
            at = np.minimum(np.searchsorted(rows, ks + local.start), max(rows.size - 1, 0))
            answer = (np.where(rows[at] == ks + local.start, ids[at], -1) if rows.size
                      else np.full(ks.size, -1, dtype=np.int64))
            kept = answer >= 0
            parts.append((ks[kept], np.full(int(kept.sum()), p, dtype=np.int64),
                          answer[kept]))
        if not parts:
            empty = np.zeros(0, dtype=np.int64)
            return empty, empty, empty
        ks, ps, answers = zip(*parts, strict=True)
        return np.concatenate(ks), np.concatenate(ps), np.concatenate(answers)

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

    def _tell(self, kind: MessageKind, enterprise: str, policy: Policy,
              generation: int) -> Message:
        reason = Reason.ELIGIBLE if kind is MessageKind.MATCH else Reason.BROAD
        return Message(kind, enterprise, policy.id, generation, policy.name, policy.push,
                       self.as_of, reason, self.versions[policy.id],
                       message_text(kind, reason, policy.name, policy.id, policy, (),
                                    self.as_of),
                       self.payloads[policy.id])

    def _prompt(self, enterprise: str, policy: Policy, tags: tuple[str, ...],
                generation: int) -> Message:
        trigger = self.versions[policy.id] + "|" + "、".join(tags)
        text = message_text(MessageKind.PROMPT, Reason.MISSING, policy.name, policy.id, policy,
                            tags, self.as_of)
        return Message(MessageKind.PROMPT, enterprise, policy.id, generation, policy.name,
                       policy.push, self.as_of, Reason.MISSING, trigger, text,
                       self.payloads[policy.id], tags)

    def _withdraw(self, enterprise: str, item: str, generation: int, told_by: str,
                  item_name: str, reason: Reason) -> Message:
        policy = self.book.policies.get(item)
        name = policy.name if policy is not None else item_name
        trigger = f"{told_by}|{reason.value}"
        text = message_text(MessageKind.WITHDRAW, reason, name, item, policy, (), self.as_of)
        return Message(MessageKind.WITHDRAW, enterprise, item, generation, name,
                       policy.push if policy is not None else None, self.as_of, reason,
                       trigger, text, self.payloads.get(item, {}))

    def _payload_json(self, item: str, payload: dict[str, Any]) -> str:
        text = self._payload_texts.get(item)
        if text is None:
            text = self._payload_texts[item] = json.dumps(payload, ensure_ascii=False)
        return text


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
