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
from policy_match.core.missing import Missing, missing_tags
from policy_match.dsl.ir import Policy
from policy_match.engine import bitset

if TYPE_CHECKING:
    from policy_match.core.match import MatchResult
    from policy_match.core.rulebook import Rulebook

DEFAULT_BATCH = 500
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


class _Targets:
    """Where every enterprise stands on the match date: verdict masks per item in force."""

    def __init__(self, result: MatchResult, missing: Missing) -> None:
        n = len(result.table)
        self.eligible: dict[str, np.ndarray] = {}
        self.ineligible: dict[str, np.ndarray] = {}
        for pid, tri in result.tris.items():
            if tri is not None:
                self.eligible[pid] = bitset.unpack(tri.t, n)
                self.ineligible[pid] = bitset.unpack(tri.f, n)
        self.missing = missing


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
    seen: set[str] = set()
    rows: list[tuple[str, int]] = []
    skipped = 0
    for i, eid in enumerate(result.table.ids):
        if eid.startswith("#") or result.book.key is None:
            skipped += 1
        elif eid not in seen:
            seen.add(eid)
            rows.append((eid, i))
    return rows, skipped


class Planner:
    """Plans one match result into a ledger, batch by batch."""

    def __init__(self, ledger: Ledger, result: MatchResult,
                 missing: Missing | None = None) -> None:
        self.ledger = ledger
        self.result = result
        self.book = result.book
        self.as_of = result.as_of
        self.targets = _Targets(result, missing if missing is not None
                                else missing_tags(result))
        self.versions = {pid: item_version(self.book, p) for pid, p in self.book.policies.items()}
        self.payloads = {pid: payload(p) for pid, p in self.book.policies.items()}
        self._payload_texts: dict[str, str] = {}
        self._run_n: int | None = None

    def run(self, batch_size: int | None = None, source: str | None = None,
            after_batch: Callable[[PlanReport], None] | None = None) -> PlanReport:
        started = time.monotonic()
        size = batch_size or batch_size_default()
        rows, skipped = keyed_rows(self.result)
        report = PlanReport(uuid.uuid4().hex, self.as_of, len(rows), skipped)
        with self.ledger.transaction() as conn:
            self._run_n = conn.execute(
                "INSERT INTO runs (id, started_at, as_of, rules_digest, source, enterprises)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (report.run_id, now_stamp(), self.as_of.isoformat(), rules_digest(self.book),
                 source or self.result.table.source, len(rows))).lastrowid
        for start in range(0, len(rows), size):
            self._plan_batch(rows[start:start + size], report)
            if after_batch is not None:
                after_batch(report)
        with self.ledger.transaction() as conn:
            conn.execute("UPDATE runs SET finished_at = ?, added = ? WHERE id = ?",
                         (now_stamp(), json.dumps(dict(report.added)), report.run_id))
        report.seconds = time.monotonic() - started
        return report

    def _plan_batch(self, batch: list[tuple[str, int]], report: PlanReport) -> None:
        """One transaction: the batch's facts read, its messages recorded."""
        with self.ledger.transaction() as conn:
            told, prompted = read_facts(conn, [eid for eid, _ in batch])
            recorder = Recorder(self.ledger, self._run_n, self.as_of.isoformat(), now_stamp())
            for eid, row in batch:
                for message in self.decide(eid, row, told.get(eid, {}), prompted.get(eid, {})):
                    text = self._payload_json(message.item, message.payload)
                    if recorder.record(message, text):
                        report.added[message.kind.value] += 1
        report.batches += 1

    # ---- what is due ----------------------------------------------------------------

    def decide(self, enterprise: str, row: int, told: dict[str, Told],
               prompted: dict[str, Prompted]) -> list[Message]:
        """The messages due to one enterprise, given what it has been told."""
        out: list[Message] = []
        targets = self.targets
        for pid, policy in self.book.policies.items():
            standing = told.get(pid)
            if standing is not None and not standing.active:
                standing_gen, standing = standing.generation, None
            else:
                standing_gen = standing.generation if standing is not None else 0
            if pid not in targets.eligible:  # not in force on as_of
                if standing is not None:
                    expired = policy.expired_on(self.as_of)
                    reason = Reason.EXPIRED if expired else Reason.NOT_IN_FORCE
                    out.append(self._withdraw(enterprise, pid, standing, reason))
                continue
            eligible = bool(targets.eligible[pid][row])
            ineligible = bool(targets.ineligible[pid][row])
            if policy.push == "普惠":
                if standing is None:
                    out.append(self._tell(MessageKind.ANNOUNCE, enterprise, policy,
                                          standing_gen + 1))
            elif eligible and standing is None:
                out.append(self._tell(MessageKind.MATCH, enterprise, policy, standing_gen + 1))
            elif ineligible and standing is not None:
                out.append(self._withdraw(enterprise, pid, standing, Reason.INELIGIBLE))
            if not (eligible or ineligible):
                out += self._prompt_if_new(enterprise, policy, row, prompted.get(pid))
        for item, standing in told.items():
            if item not in self.book.policies and standing.active:
                out.append(self._withdraw(enterprise, item, standing, Reason.REPEALED))
        return out

    def _prompt_if_new(self, enterprise: str, policy: Policy, row: int,
                       before: Prompted | None) -> list[Message]:
        """A prompt when explain names missing tags and they are not the set last asked."""
        tags = self.targets.missing.get(policy.id, {}).get(row, ())
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
         source: str | None = None, exact_missing: bool = False) -> PlanReport:
    """Write the messages due from ``result`` into the ledger's outbox; see the package doc."""
    missing = missing_tags(result, exact=exact_missing)
    return Planner(ledger, result, missing).run(batch_size, source)
