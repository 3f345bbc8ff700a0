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
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from policy_match.apps.push.chunks import CHUNK_ROWS, Chunk, chunk_rows
from policy_match.apps.push.facts import Prompted, Recorder, Told, read_facts
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

    def rows_to_plan(self, only_changes: bool) -> tuple[np.ndarray, int]:
        """The keyed rows to plan; with ``only_changes`` (a refreshed result, whose previous
        result was planned into this ledger) only the rows whose values or verdicts moved,
        unless a policy was added, edited or removed (then every row)."""
        rows, skipped = keyed_row_array(self.result)
        changes = self.result.changes
        if not only_changes or changes is None or changes.policies_touched():
            return rows, skipped
        return rows[np.isin(rows, changes.rows_to_check())], skipped

    def run(self, batch_size: int | None = None, source: str | None = None,
            after_batch: Callable[[PlanReport], None] | None = None,
            only_changes: bool = False, rows: np.ndarray | None = None) -> PlanReport:
        """Plan every keyed row (or the changes, or the table ``rows`` given)."""
        started = time.monotonic()
        size = batch_size or batch_size_default()
        if rows is None:
            rows, skipped = self.rows_to_plan(only_changes)
        else:
            keyed, skipped = keyed_row_array(self.result)
            rows = keyed[np.isin(keyed, rows)]
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
            told, prompted = read_facts(conn, eids)
            recorder = Recorder(self.ledger, self._run_n, self.as_of.isoformat(), now_stamp())
            for eid, j in zip(eids, local, strict=True):
                for message in self.decide(eid, chunk, j, told.get(eid, {}),
                                           prompted.get(eid, {})):
                    text = self._payload_json(message.item, message.payload)
                    if recorder.record(message, text):
                        report.added[message.kind.value] += 1
        report.batches += 1

    # ---- what is due ----------------------------------------------------------------

    def decide(self, enterprise: str, chunk: Chunk, j: int, told: dict[str, Told],
               prompted: dict[str, Prompted]) -> list[Message]:
        """The messages due to one enterprise, given what it has been told: the policies it
        may newly be told about and those it was told about are looked at, not every one
        (in rulebook order; withdrawals of items no longer in the rulebook last)."""
        due: list[tuple[int, int, Message]] = []
        policies, order = self.book.policies, chunk.index
        standing = {item: t for item, t in told.items() if t.active}
        for pid in chunk.told_candidates(j):
            if pid not in standing:
                before = told.get(pid)
                policy = policies[pid]
                kind = MessageKind.ANNOUNCE if policy.push == "普惠" else MessageKind.MATCH
                gen = before.generation + 1 if before is not None else 1
                due.append((order[pid], 0, self._tell(kind, enterprise, policy, gen)))
        for item, fact in standing.items():
            policy = policies.get(item)
            if policy is None:
                due.append((len(order), 0, self._withdraw(enterprise, item, fact,
                                                          Reason.REPEALED)))
            elif not chunk.in_force(item):
                reason = Reason.EXPIRED if policy.expired_on(self.as_of) else Reason.NOT_IN_FORCE
                due.append((order[item], 0, self._withdraw(enterprise, item, fact, reason)))
            elif policy.push != "普惠" and chunk.ineligible_at(item, j):
                due.append((order[item], 0, self._withdraw(enterprise, item, fact,
                                                           Reason.INELIGIBLE)))
        for pid in chunk.unknown_policies(j):
            for message in self._prompt_if_new(enterprise, policies[pid], chunk.missing(pid, j),
                                               prompted.get(pid)):
                due.append((order[pid], 1, message))
        due.sort(key=lambda d: (d[0], d[1]))
        return [m for _, _, m in due]

    def _prompt_if_new(self, enterprise: str, policy: Policy, tags: tuple[str, ...],
                       before: Prompted | None) -> list[Message]:
        """A prompt when explain names missing tags and they are not the set last asked."""
        if not tags or (before is not None and set(before.missing) == set(tags)):
            return []
        return [self._prompt(enterprise, policy, tags, before.generation + 1 if before else 1)]

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

    def _withdraw(self, enterprise: str, item: str, standing: Told, reason: Reason) -> Message:
        policy = self.book.policies.get(item)
        name = policy.name if policy is not None else standing.item_name
        trigger = f"{standing.told_by}|{reason.value}"
        text = message_text(MessageKind.WITHDRAW, reason, name, item, policy, (), self.as_of)
        return Message(MessageKind.WITHDRAW, enterprise, item, standing.generation, name,
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
