"""What each enterprise has been told: the ``told`` and ``prompted`` facts of the ledger, read
per batch of enterprises and updated with every message recorded in the outbox.

Both functions run inside the caller's ``BEGIN IMMEDIATE`` transaction, so the outbox and
the facts never disagree (``Ledger.check`` verifies it).
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass

from policy_match.apps.push.messages import TELLING, Message, MessageKind

_CHUNK = 500  # enterprises per IN (...) query: well under SQLite's bound-parameter limit


@dataclass(frozen=True)
class Told:
    """A standing or withdrawn "told" fact of one (enterprise, item)."""

    kind: MessageKind
    generation: int
    active: bool
    told_by: str
    item_name: str


@dataclass(frozen=True)
class Prompted:
    """The missing tags an enterprise was last asked for, for one item."""

    missing: tuple[str, ...]
    generation: int


Facts = tuple[dict[str, dict[str, Told]], dict[str, dict[str, Prompted]]]


def read_facts(conn: sqlite3.Connection, enterprises: list[str]) -> Facts:
    """The told and prompted facts of ``enterprises``, by enterprise then item."""
    told: dict[str, dict[str, Told]] = {}
    prompted: dict[str, dict[str, Prompted]] = {}
    for start in range(0, len(enterprises), _CHUNK):
        chunk = enterprises[start:start + _CHUNK]
        marks = ",".join("?" * len(chunk))
        for eid, item, kind, gen, active, by, name in conn.execute(
                "SELECT t.enterprise, t.item, t.kind, t.generation, t.active, t.told_by,"
                " o.item_name FROM told t JOIN outbox o ON o.id = t.told_by"
                f" WHERE t.enterprise IN ({marks})", chunk):
            told.setdefault(eid, {})[item] = Told(MessageKind(kind), gen, bool(active), by,
                                                  name)
        for eid, item, missing, gen in conn.execute(
                "SELECT enterprise, item, missing, generation FROM prompted"
                f" WHERE enterprise IN ({marks})", chunk):
            prompted.setdefault(eid, {})[item] = Prompted(tuple(json.loads(missing)), gen)
    return told, prompted


def record(conn: sqlite3.Connection, m: Message, run_id: str, now: str,
           payload_json: str) -> bool:
    """Insert the message and update the facts it changes; whether the message was new."""
    missing = (json.dumps(list(m.missing), ensure_ascii=False)
               if m.kind is MessageKind.PROMPT else None)
    cursor = conn.execute(
        "INSERT INTO outbox (id, kind, enterprise, item, generation, item_name, push,"
        " as_of, reason, missing, text, payload, run_id, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
        (m.id, m.kind.value, m.enterprise, m.item, m.generation, m.item_name, m.push,
         m.as_of.isoformat(), m.reason.value,
         missing,
         m.text, payload_json, run_id, now))
    added = cursor.rowcount == 1
    mid = m.id
    if not added:
        # the logical message is there already (planned with an earlier version of the
        # item, so under another id): the facts point at the one in the outbox
        mid = conn.execute(
            "SELECT id FROM outbox WHERE kind = ? AND enterprise = ? AND item = ?"
            " AND generation = ?", m.key).fetchone()[0]
    day = m.as_of.isoformat()
    if m.kind in TELLING:
        conn.execute(
            "INSERT INTO told (enterprise, item, kind, generation, active, told_by,"
            " told_as_of) VALUES (?, ?, ?, ?, 1, ?, ?)"
            " ON CONFLICT (enterprise, item) DO UPDATE SET kind = excluded.kind,"
            " generation = excluded.generation, active = 1, told_by = excluded.told_by,"
            " told_as_of = excluded.told_as_of, withdrawn_by = NULL,"
            " withdrawn_as_of = NULL WHERE excluded.generation > told.generation",
            (m.enterprise, m.item, m.kind.value, m.generation, mid, day))
    elif m.kind is MessageKind.WITHDRAW:
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
            (m.enterprise, m.item, missing, m.generation, mid, day))
    return added
