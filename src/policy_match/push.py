"""Push planning with a ledger: what each enterprise has been told, and what to tell it next.

A match result says where every enterprise stands today; the ledger (an SQLite file)
remembers what each enterprise has already been told. Planning writes an outbox of the
difference only:

- ``match`` (精准): an item in force that the enterprise newly qualifies for;
- ``announce`` (普惠): an item in force not yet announced to the enterprise (every enterprise
  gets each general item once, whatever its verdict);
- ``prompt`` (请补充信息): an item whose verdict is unknown for lack of named tags (explain's
  ``missing``), once per distinct set of missing tags;
- ``withdraw``: an item the enterprise was told about that has since expired (or is no
  longer in the rulebook), or — for 精准 items — that it no longer qualifies for.

Every message has a logical key ``(kind, enterprise, item, generation)`` that is UNIQUE in
the outbox, and a deterministic id hashed from that key and the state that triggered it.
The "told" facts are updated in the same transaction as the outbox rows, one batch of
enterprises per ``BEGIN IMMEDIATE`` transaction, so a killed planner leaves whole batches
or nothing, a rerun does the rest exactly once, and two planners at once serialize per
batch. The schema and the guarantees are documented in ``docs/push.md``.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import hashlib
import json
import os
import sqlite3
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from .dsl.ir import Policy
from .engine import bitset
from .missing import Missing, missing_tags

if TYPE_CHECKING:
    from .match import MatchResult
    from .rulebook import Rulebook

SCHEMA_VERSION = 1
DEFAULT_BATCH = 500
BATCH_ENV = "POLICY_MATCH_PUSH_BATCH"
BUSY_TIMEOUT = 60.0  # seconds a writer waits for another writer's batch
KINDS = ("match", "announce", "prompt", "withdraw")

SCHEMA = (
    """CREATE TABLE IF NOT EXISTS runs (
        id            TEXT PRIMARY KEY,
        started_at    TEXT NOT NULL,
        finished_at   TEXT,
        as_of         TEXT NOT NULL,
        rules_digest  TEXT NOT NULL,
        source        TEXT NOT NULL,
        enterprises   INTEGER NOT NULL,
        added         TEXT
    )""",
    """CREATE TABLE IF NOT EXISTS outbox (
        seq         INTEGER PRIMARY KEY,
        id          TEXT NOT NULL UNIQUE,
        kind        TEXT NOT NULL CHECK (kind IN ('match', 'announce', 'prompt', 'withdraw')),
        enterprise  TEXT NOT NULL,
        item        TEXT NOT NULL,
        generation  INTEGER NOT NULL CHECK (generation >= 1),
        item_name   TEXT NOT NULL,
        push        TEXT,
        as_of       TEXT NOT NULL,
        reason      TEXT NOT NULL,
        missing     TEXT,
        text        TEXT NOT NULL,
        payload     TEXT NOT NULL,
        run_id      TEXT REFERENCES runs (id),
        created_at  TEXT NOT NULL,
        sent_at     TEXT,
        UNIQUE (kind, enterprise, item, generation)
    )""",
    "CREATE INDEX IF NOT EXISTS outbox_unsent ON outbox (seq) WHERE sent_at IS NULL",
    """CREATE TABLE IF NOT EXISTS told (
        enterprise       TEXT NOT NULL,
        item             TEXT NOT NULL,
        kind             TEXT NOT NULL CHECK (kind IN ('match', 'announce')),
        generation       INTEGER NOT NULL CHECK (generation >= 1),
        active           INTEGER NOT NULL CHECK (active IN (0, 1)),
        told_by          TEXT NOT NULL REFERENCES outbox (id),
        told_as_of       TEXT NOT NULL,
        withdrawn_by     TEXT REFERENCES outbox (id),
        withdrawn_as_of  TEXT,
        PRIMARY KEY (enterprise, item),
        CHECK ((active = 1) = (withdrawn_by IS NULL))
    ) WITHOUT ROWID""",
    """CREATE TABLE IF NOT EXISTS prompted (
        enterprise   TEXT NOT NULL,
        item         TEXT NOT NULL,
        missing      TEXT NOT NULL,
        generation   INTEGER NOT NULL CHECK (generation >= 1),
        prompted_by  TEXT NOT NULL REFERENCES outbox (id),
        as_of        TEXT NOT NULL,
        PRIMARY KEY (enterprise, item)
    ) WITHOUT ROWID""",
)

REASON_ZH = {
    "eligible": "符合申请条件",
    "broad": "普惠政策公布",
    "missing": "需补充信息",
    "ineligible": "已不符合申请条件",
    "expired": "适用时间届满",
    "not_in_force": "不在适用时间内",
    "repealed": "事项已下架",
}


class LedgerError(Exception):
    """A ledger that cannot be used (not SQLite, a newer schema, WAL unavailable)."""


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds")


# ---- the ledger ------------------------------------------------------------------------------


class Ledger:
    """An open push ledger. Writers use :meth:`transaction` (``BEGIN IMMEDIATE``)."""

    def __init__(self, path: str | Path, timeout: float = BUSY_TIMEOUT) -> None:
        self.path = Path(path)
        self.timeout = timeout
        try:
            # isolation_level=None: no implicit transactions; every one is explicit here
            self.conn = sqlite3.connect(str(self.path), timeout=timeout, isolation_level=None)
        except sqlite3.Error as exc:
            raise LedgerError(f"{self.path}: cannot open: {exc}") from None
        try:
            self._setup()
        except sqlite3.DatabaseError as exc:
            self.conn.close()
            raise LedgerError(f"{self.path}: not a push ledger: {exc}") from None
        except BaseException:
            self.conn.close()
            raise

    def _setup(self) -> None:
        conn = self.conn
        conn.execute(f"PRAGMA busy_timeout = {int(self.timeout * 1000)}")
        deadline = time.monotonic() + self.timeout
        while True:  # switching to WAL takes a lock of its own: retry while another holds it
            try:
                mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
                break
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        if str(mode).lower() != "wal":
            raise LedgerError(f"{self.path}: WAL journal mode unavailable (got {mode})")
        conn.execute("PRAGMA synchronous = FULL")  # a commit survives power loss too
        conn.execute("PRAGMA foreign_keys = ON")
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if version == SCHEMA_VERSION:
            return
        if version > SCHEMA_VERSION:
            raise LedgerError(f"{self.path}: ledger schema {version} is newer than this "
                              f"program's ({SCHEMA_VERSION})")
        with self.transaction():
            if conn.execute("PRAGMA user_version").fetchone()[0] == 0:
                for statement in SCHEMA:
                    conn.execute(statement)
                conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextlib.contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One atomic write: ``BEGIN IMMEDIATE`` takes the write lock up front (waiting up to
        the busy timeout for another writer), so what is read inside is still true at
        ``COMMIT``."""
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self.conn
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")

    # ---- reading -----------------------------------------------------------------------

    def messages(self, unsent: bool = False) -> list[dict[str, Any]]:
        """The outbox in planning order, each message flattened for a sender."""
        where = " WHERE sent_at IS NULL" if unsent else ""
        self.conn.execute("BEGIN")  # one snapshot
        try:
            cursor = self.conn.execute(f"SELECT * FROM outbox{where} ORDER BY seq")
            names = [d[0] for d in cursor.description]
            rows = [dict(zip(names, row, strict=True)) for row in cursor]
        finally:
            self.conn.execute("COMMIT")
        return [_flatten(row) for row in rows]

    def check(self) -> list[str]:
        """Problems with the ledger's consistency (none expected, whatever was killed when):
        SQLite's own checks, and that the told facts and the outbox agree."""
        conn = self.conn
        problems = [f"integrity: {row[0]}" for row in conn.execute("PRAGMA integrity_check")
                    if row[0] != "ok"]
        problems += [f"foreign key: {row}" for row in conn.execute("PRAGMA foreign_key_check")]
        queries = {
            "told fact whose message differs": """
                SELECT t.enterprise, t.item FROM told t JOIN outbox o ON o.id = t.told_by
                WHERE o.kind != t.kind OR o.enterprise != t.enterprise OR o.item != t.item
                   OR o.generation != t.generation""",
            "withdrawn fact without its withdrawal": """
                SELECT t.enterprise, t.item FROM told t LEFT JOIN outbox o
                  ON o.id = t.withdrawn_by
                WHERE t.active = 0 AND (o.kind IS NOT 'withdraw'
                   OR o.enterprise != t.enterprise OR o.item != t.item
                   OR o.generation != t.generation)""",
            "message not in the told facts": """
                SELECT o.id FROM outbox o LEFT JOIN told t
                  ON t.enterprise = o.enterprise AND t.item = o.item
                WHERE o.kind IN ('match', 'announce') AND (t.generation IS NULL
                   OR t.generation < o.generation
                   OR (t.generation = o.generation AND t.told_by != o.id))""",
            "withdrawal not in the told facts": """
                SELECT o.id FROM outbox o LEFT JOIN told t
                  ON t.enterprise = o.enterprise AND t.item = o.item
                WHERE o.kind = 'withdraw' AND (t.generation IS NULL
                   OR t.generation < o.generation
                   OR (t.generation = o.generation AND t.withdrawn_by IS NOT o.id))""",
            "prompt not in the prompted facts": """
                SELECT o.id FROM outbox o LEFT JOIN prompted p
                  ON p.enterprise = o.enterprise AND p.item = o.item
                WHERE o.kind = 'prompt' AND (p.generation IS NULL
                   OR p.generation < o.generation
                   OR (p.generation = o.generation AND p.prompted_by != o.id))""",
        }
        for what, query in queries.items():
            problems += [f"{what}: {row}" for row in conn.execute(query)]
        return problems

    def counts(self) -> dict[str, int]:
        total, unsent = self.conn.execute(
            "SELECT count(*), count(*) - count(sent_at) FROM outbox").fetchone()
        return {"messages": total, "unsent": unsent}


def _flatten(row: dict[str, Any]) -> dict[str, Any]:
    payload = json.loads(row.pop("payload"))
    missing = row.pop("missing")
    row["missing"] = json.loads(missing) if missing else []
    row.pop("seq")
    return {**{k: row[k] for k in EXPORT_FIELDS if k in row}, **payload}


# ---- messages --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Message:
    kind: str
    enterprise: str
    item: str
    generation: int
    item_name: str
    push: str | None
    as_of: dt.date
    reason: str
    trigger: str  # the state that triggered it: item version, missing tags, reason
    text: str
    payload: dict[str, Any]
    missing: tuple[str, ...] = ()

    @property
    def key(self) -> tuple[str, str, str, int]:
        return (self.kind, self.enterprise, self.item, self.generation)

    @property
    def id(self) -> str:
        return message_id(self.kind, self.enterprise, self.item, self.generation, self.trigger)


def message_id(kind: str, enterprise: str, item: str, generation: int, trigger: str) -> str:
    """Deterministic: the same logical message planned twice gets the same id."""
    text = "\x1f".join((kind, enterprise, item, str(generation), trigger))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:24]


def item_version(book: Rulebook, policy: Policy) -> str:
    """A digest of the item's rule text (its declaration), or of its id when unknown."""
    span = policy.span
    text = book.sources.get(span.path, "")[span.start:span.end] or policy.id
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


def _payload(policy: Policy) -> dict[str, Any]:
    return {
        "category": policy.category, "department": policy.department,
        "contact": policy.contact, "phone": policy.phone, "url": policy.url,
        "channel": policy.channel, "no_application": policy.no_application,
        "valid_from": policy.valid_from.isoformat() if policy.valid_from else None,
        "valid_to": policy.valid_to.isoformat() if policy.valid_to else None,
    }


def _tail(policy: Policy) -> str:
    parts = []
    if policy.no_application:
        parts.append("该事项免申即享，无需另行申请。")
    elif policy.channel:
        parts.append(f"申请方式：{policy.channel}。")
    if policy.valid_to:
        parts.append(f"适用时间至{policy.valid_to.isoformat()}。")
    if policy.department:
        contact = "，".join(x for x in (policy.contact, policy.phone) if x)
        parts.append(f"执行部门：{policy.department}" + (f"（{contact}）" if contact else "")
                     + "。")
    if policy.url:
        parts.append(f"详情：{policy.url}")
    return "".join(parts)


def _text(kind: str, reason: str, name: str, item: str, policy: Policy | None,
          missing: Sequence[str], as_of: dt.date) -> str:
    title = f"“{name}”（{item}）"
    if kind == "match":
        assert policy is not None
        return f"【政策推送】贵企业符合{title}的申请条件。" + _tail(policy)
    if kind == "announce":
        assert policy is not None
        content = f"{policy.content}。" if policy.content else ""
        return f"【普惠政策】{title}面向全部企业公布。{content}" + _tail(policy)
    if kind == "prompt":
        return (f"【请补充信息】为判断贵企业是否符合{title}的申请条件，"
                f"请补充：{'、'.join(missing)}。")
    why = {
        "ineligible": "根据最新企业信息，贵企业已不符合该事项的申请条件",
        "expired": (f"该事项适用时间已于{policy.valid_to.isoformat()}届满"
                    if policy is not None and policy.valid_to else "该事项适用时间已届满"),
        "not_in_force": f"该事项在{as_of.isoformat()}不在适用时间内",
        "repealed": "该事项已下架",
    }[reason]
    return f"【政策撤回】{title}：{why}，此前推送的信息不再有效。"


# ---- planning -------------------------------------------------------------------------------


@dataclass
class PlanReport:
    run_id: str
    as_of: dt.date
    enterprises: int
    skipped: int  # rows without an enterprise key (the ledger needs stable ids)
    batches: int = 0
    added: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0

    @property
    def total(self) -> int:
        return sum(self.added.values())


@dataclass(frozen=True)
class _Told:
    kind: str
    generation: int
    active: bool
    told_by: str
    item_name: str


@dataclass(frozen=True)
class _Prompted:
    missing: tuple[str, ...]
    generation: int


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
        self.payloads = {pid: _payload(p) for pid, p in self.book.policies.items()}
        self._payload_texts: dict[str, str] = {}

    def run(self, batch_size: int | None = None, source: str | None = None,
            after_batch: Callable[[PlanReport], None] | None = None) -> PlanReport:
        started = time.monotonic()
        size = batch_size or batch_size_default()
        rows, skipped = keyed_rows(self.result)
        report = PlanReport(uuid.uuid4().hex, self.as_of, len(rows), skipped)
        conn = self.ledger.conn
        with self.ledger.transaction():
            conn.execute(
                "INSERT INTO runs (id, started_at, as_of, rules_digest, source, enterprises)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (report.run_id, _now(), self.as_of.isoformat(), rules_digest(self.book),
                 source or self.result.table.source, len(rows)))
        for start in range(0, len(rows), size):
            batch = rows[start:start + size]
            with self.ledger.transaction():
                told, prompted = self._state([eid for eid, _ in batch])
                now = _now()
                for eid, row in batch:
                    for message in self.decide(eid, row, told.get(eid, {}),
                                               prompted.get(eid, {})):
                        if self._record(message, report.run_id, now):
                            report.added[message.kind] += 1
            report.batches += 1
            if after_batch is not None:
                after_batch(report)
        with self.ledger.transaction():
            conn.execute("UPDATE runs SET finished_at = ?, added = ? WHERE id = ?",
                         (_now(), json.dumps(dict(report.added)), report.run_id))
        report.seconds = time.monotonic() - started
        return report

    # ---- state ----------------------------------------------------------------------

    def _state(self, enterprises: list[str]
               ) -> tuple[dict[str, dict[str, _Told]], dict[str, dict[str, _Prompted]]]:
        told: dict[str, dict[str, _Told]] = {}
        prompted: dict[str, dict[str, _Prompted]] = {}
        conn = self.ledger.conn
        for start in range(0, len(enterprises), 500):
            chunk = enterprises[start:start + 500]
            marks = ",".join("?" * len(chunk))
            for eid, item, kind, gen, active, by, name in conn.execute(
                    "SELECT t.enterprise, t.item, t.kind, t.generation, t.active, t.told_by,"
                    " o.item_name FROM told t JOIN outbox o ON o.id = t.told_by"
                    f" WHERE t.enterprise IN ({marks})", chunk):
                told.setdefault(eid, {})[item] = _Told(kind, gen, bool(active), by, name)
            for eid, item, missing, gen in conn.execute(
                    "SELECT enterprise, item, missing, generation FROM prompted"
                    f" WHERE enterprise IN ({marks})", chunk):
                prompted.setdefault(eid, {})[item] = _Prompted(tuple(json.loads(missing)), gen)
        return told, prompted

    # ---- what is due ----------------------------------------------------------------

    def decide(self, enterprise: str, row: int, told: dict[str, _Told],
               prompted: dict[str, _Prompted]) -> list[Message]:
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
                    out.append(self._withdraw(enterprise, pid, standing,
                                              "expired" if expired else "not_in_force"))
                continue
            eligible = bool(targets.eligible[pid][row])
            ineligible = bool(targets.ineligible[pid][row])
            if policy.push == "普惠":
                if standing is None:
                    out.append(self._tell("announce", enterprise, policy, standing_gen + 1))
            elif eligible and standing is None:
                out.append(self._tell("match", enterprise, policy, standing_gen + 1))
            elif ineligible and standing is not None:
                out.append(self._withdraw(enterprise, pid, standing, "ineligible"))
            if not (eligible or ineligible):
                tags = targets.missing.get(pid, {}).get(row, ())
                before = prompted.get(pid)
                if tags and (before is None or set(before.missing) != set(tags)):
                    out.append(self._prompt(enterprise, policy, tags,
                                            before.generation + 1 if before else 1))
        for item, standing in told.items():
            if item not in self.book.policies and standing.active:
                out.append(self._withdraw(enterprise, item, standing, "repealed"))
        return out

    def _tell(self, kind: str, enterprise: str, policy: Policy, generation: int) -> Message:
        reason = "eligible" if kind == "match" else "broad"
        return Message(kind, enterprise, policy.id, generation, policy.name, policy.push,
                       self.as_of, reason, self.versions[policy.id],
                       _text(kind, reason, policy.name, policy.id, policy, (), self.as_of),
                       self.payloads[policy.id])

    def _prompt(self, enterprise: str, policy: Policy, tags: tuple[str, ...],
                generation: int) -> Message:
        trigger = self.versions[policy.id] + "|" + "、".join(tags)
        return Message("prompt", enterprise, policy.id, generation, policy.name, policy.push,
                       self.as_of, "missing", trigger,
                       _text("prompt", "missing", policy.name, policy.id, policy, tags,
                             self.as_of),
                       self.payloads[policy.id], tags)

    def _withdraw(self, enterprise: str, item: str, standing: _Told, reason: str) -> Message:
        policy = self.book.policies.get(item)
        name = policy.name if policy is not None else standing.item_name
        trigger = f"{standing.told_by}|{reason}"
        return Message("withdraw", enterprise, item, standing.generation, name,
                       policy.push if policy is not None else None, self.as_of, reason,
                       trigger, _text("withdraw", reason, name, item, policy, (), self.as_of),
                       self.payloads.get(item, {}))

    # ---- writing --------------------------------------------------------------------

    def _payload_json(self, item: str, payload: dict[str, Any]) -> str:
        text = self._payload_texts.get(item)
        if text is None:
            text = self._payload_texts[item] = json.dumps(payload, ensure_ascii=False)
        return text

    def _record(self, m: Message, run_id: str, now: str) -> bool:
        """Insert the message and update the told facts (inside the batch's transaction);
        whether the message was new."""
        conn = self.ledger.conn
        cursor = conn.execute(
            "INSERT INTO outbox (id, kind, enterprise, item, generation, item_name, push,"
            " as_of, reason, missing, text, payload, run_id, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
            (m.id, m.kind, m.enterprise, m.item, m.generation, m.item_name, m.push,
             m.as_of.isoformat(), m.reason,
             json.dumps(list(m.missing), ensure_ascii=False) if m.kind == "prompt" else None,
             m.text, self._payload_json(m.item, m.payload), run_id, now))
        added = cursor.rowcount == 1
        mid = m.id
        if not added:
            # the logical message is there already (planned with an earlier version of the
            # item, so under another id): the told facts point at the one in the outbox
            mid = conn.execute(
                "SELECT id FROM outbox WHERE kind = ? AND enterprise = ? AND item = ?"
                " AND generation = ?", m.key).fetchone()[0]
        day = m.as_of.isoformat()
        if m.kind in ("match", "announce"):
            conn.execute(
                "INSERT INTO told (enterprise, item, kind, generation, active, told_by,"
                " told_as_of) VALUES (?, ?, ?, ?, 1, ?, ?)"
                " ON CONFLICT (enterprise, item) DO UPDATE SET kind = excluded.kind,"
                " generation = excluded.generation, active = 1, told_by = excluded.told_by,"
                " told_as_of = excluded.told_as_of, withdrawn_by = NULL,"
                " withdrawn_as_of = NULL WHERE excluded.generation > told.generation",
                (m.enterprise, m.item, m.kind, m.generation, mid, day))
        elif m.kind == "withdraw":
            conn.execute(
                "UPDATE told SET active = 0, withdrawn_by = ?, withdrawn_as_of = ?"
                " WHERE enterprise = ? AND item = ? AND generation = ? AND active = 1",
                (mid, day, m.enterprise, m.item, m.generation))
        else:
            conn.execute(
                "INSERT INTO prompted (enterprise, item, missing, generation, prompted_by,"
                " as_of) VALUES (?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (enterprise, item) DO UPDATE SET missing = excluded.missing,"
                " generation = excluded.generation, prompted_by = excluded.prompted_by,"
                " as_of = excluded.as_of WHERE excluded.generation > prompted.generation",
                (m.enterprise, m.item, json.dumps(list(m.missing), ensure_ascii=False),
                 m.generation, mid, day))
        return added


def plan(ledger: Ledger, result: MatchResult, batch_size: int | None = None,
         source: str | None = None, exact_missing: bool = False) -> PlanReport:
    """Write the messages due from ``result`` into the ledger's outbox; see the module doc."""
    missing = missing_tags(result, exact=exact_missing)
    return Planner(ledger, result, missing).run(batch_size, source)


# ---- delivery and export -----------------------------------------------------------------------


@dataclass
class MarkReport:
    marked: int = 0
    already: int = 0
    unknown: list[str] = field(default_factory=list)


def mark_sent(ledger: Ledger, ids: Iterable[str] | None, at: str | None = None) -> MarkReport:
    """Record delivery of the messages ``ids`` (``None``: every unsent message), atomically."""
    when = at or _now()
    report = MarkReport()
    conn = ledger.conn
    with ledger.transaction():
        if ids is None:
            report.marked = conn.execute(
                "UPDATE outbox SET sent_at = ? WHERE sent_at IS NULL", (when,)).rowcount
            return report
        for mid in dict.fromkeys(ids):
            cursor = conn.execute(
                "UPDATE outbox SET sent_at = ? WHERE id = ? AND sent_at IS NULL", (when, mid))
            if cursor.rowcount:
                report.marked += 1
            elif conn.execute("SELECT 1 FROM outbox WHERE id = ?", (mid,)).fetchone():
                report.already += 1
            else:
                report.unknown.append(mid)
    return report


EXPORT_FIELDS = ("id", "kind", "enterprise", "item", "item_name", "generation", "push",
                 "as_of", "reason", "missing", "text", "run_id", "created_at", "sent_at")
PAYLOAD_FIELDS = ("category", "department", "contact", "phone", "url", "channel",
                  "no_application", "valid_from", "valid_to")


def export(ledger: Ledger, out: str | Path, unsent: bool = False) -> int:
    """Write the outbox to ``out`` (.jsonl or .csv), replacing it atomically; the count."""
    path = Path(out)
    suffix = path.suffix.lower()
    if suffix not in (".jsonl", ".csv"):
        raise ValueError(f"{path}: use .jsonl or .csv")
    messages = ledger.messages(unsent=unsent)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(temporary, "w", encoding="utf-8", newline="") as handle:
            if suffix == ".jsonl":
                for message in messages:
                    handle.write(json.dumps(message, ensure_ascii=False) + "\n")
            else:
                fields = [*EXPORT_FIELDS, *PAYLOAD_FIELDS]
                writer = csv.DictWriter(handle, fieldnames=fields, extrasaction="ignore")
                writer.writeheader()
                for message in messages:
                    writer.writerow({k: _cell(message.get(k)) for k in fields})
        os.replace(temporary, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            temporary.unlink()
    return len(messages)


def _cell(value: Any) -> Any:
    if isinstance(value, list):
        return "、".join(value)
    if isinstance(value, bool):
        return "是" if value else "否"
    return value


def read_ids(path: str | Path) -> list[str]:
    """Message ids from a file: one per line, or an exported .jsonl / .csv (its id column)."""
    text = Path(path).read_text(encoding="utf-8-sig")
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if not lines:
        return []
    if lines[0].startswith("{"):
        return [str(json.loads(line)["id"]) for line in lines]
    if "," in lines[0]:
        return [row["id"] for row in csv.DictReader(text.splitlines()) if row.get("id")]
    return lines
