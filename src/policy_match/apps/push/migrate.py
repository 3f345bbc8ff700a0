"""Migrating a schema-1 ledger (one wide outbox row per message) to schema 2 (normalized), in
place and in one transaction: the old tables are renamed, the new ones filled from them, the
old ones dropped and ``user_version`` set, all or nothing. Message ids, planning order
(``seq``), texts, dates, runs and delivery times are kept; the export is the same.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from policy_match.apps.push.errors import LedgerError
from policy_match.apps.push.schema import V1_TABLES, body_digest, create_schema, id_blob

_COPY = (
    """INSERT INTO runs (id, started_at, finished_at, as_of, rules_digest, source, enterprises,
        added) SELECT id, started_at, finished_at, as_of, rules_digest, source, enterprises,
        added FROM v1_runs ORDER BY started_at, id""",
    """INSERT INTO enterprises (key) SELECT enterprise FROM v1_outbox GROUP BY enterprise
        ORDER BY min(seq)""",
    """INSERT INTO items (key) SELECT item FROM v1_outbox GROUP BY item ORDER BY min(seq)""",
    """INSERT INTO items (key) SELECT item FROM v1_told WHERE item NOT IN
        (SELECT key FROM items) GROUP BY item""",
    """INSERT INTO batches (run, as_of, at) SELECT r.n, o.as_of, o.created_at
        FROM v1_outbox o LEFT JOIN runs r ON r.id = o.run_id
        GROUP BY o.run_id, o.as_of, o.created_at ORDER BY min(o.seq)""",
    """INSERT INTO deliveries (at) SELECT sent_at FROM v1_outbox WHERE sent_at IS NOT NULL
        GROUP BY sent_at ORDER BY min(seq)""",
    """INSERT INTO bodies (digest, kind, item, item_name, push, reason, missing, text, payload)
        SELECT body_digest(o.kind, o.item, o.item_name, o.push, o.reason, o.missing, o.text,
                           o.payload) AS d, k.code, i.n, o.item_name, o.push, o.reason,
               o.missing, o.text, o.payload
        FROM v1_outbox o JOIN kinds k ON k.name = o.kind JOIN items i ON i.key = o.item
        GROUP BY d ORDER BY min(o.seq)""",
    """INSERT INTO outbox (seq, id, kind, enterprise, item, generation, body, batch, sent)
        SELECT o.seq, id_blob(o.id), k.code, e.n, i.n, o.generation, b.n, t.n, d.n
        FROM v1_outbox o JOIN kinds k ON k.name = o.kind
        JOIN enterprises e ON e.key = o.enterprise JOIN items i ON i.key = o.item
        JOIN bodies b ON b.digest = body_digest(o.kind, o.item, o.item_name, o.push,
                                                o.reason, o.missing, o.text, o.payload)
        JOIN batches t ON t.as_of = o.as_of AND t.at = o.created_at
             AND t.run IS (SELECT n FROM runs WHERE id = o.run_id)
        LEFT JOIN deliveries d ON d.at = o.sent_at ORDER BY o.seq""",
    """INSERT INTO told (enterprise, item, generation, told_by, withdrawn_by)
        SELECT e.n, i.n, f.generation, ob.seq, ow.seq FROM v1_told f
        JOIN enterprises e ON e.key = f.enterprise JOIN items i ON i.key = f.item
        JOIN v1_outbox ob ON ob.id = f.told_by LEFT JOIN v1_outbox ow ON ow.id = f.withdrawn_by""",
    """INSERT INTO prompted (enterprise, item, generation, prompted_by)
        SELECT e.n, i.n, f.generation, o.seq FROM v1_prompted f
        JOIN enterprises e ON e.key = f.enterprise JOIN items i ON i.key = f.item
        JOIN v1_outbox o ON o.id = f.prompted_by""",
)


def _id_blob(mid: str) -> bytes:
    blob = id_blob(str(mid))
    if blob is None:
        raise ValueError(f"message id {mid!r} is not 24 hex digits")
    return blob


def migrate_v1(conn: sqlite3.Connection, path: Path) -> None:
    """Inside the caller's ``BEGIN IMMEDIATE``: rewrite the schema-1 ledger at ``path`` as
    schema 2. Any failure rolls the whole migration back (the caller's transaction)."""
    names = {n for (n,) in conn.execute("SELECT name FROM sqlite_master")}
    if not set(V1_TABLES) <= names:
        raise LedgerError("migrate", path,
                          "tables missing: " + ", ".join(sorted(set(V1_TABLES) - names)))
    conn.create_function("body_digest", 8, _digest, deterministic=True)
    conn.create_function("id_blob", 1, _id_blob, deterministic=True)
    try:
        before = conn.execute("SELECT count(*) FROM outbox").fetchone()[0]
        conn.execute("DROP INDEX IF EXISTS outbox_unsent")
        for table in V1_TABLES:
            conn.execute(f"ALTER TABLE {table} RENAME TO v1_{table}")
        create_schema(conn)
        for statement in _COPY:
            conn.execute(statement)
        after = conn.execute("SELECT count(*) FROM outbox").fetchone()[0]
        if after != before:
            raise LedgerError("migrate", path, f"{before} messages, {after} copied")
        for table in ("told", "prompted", "outbox", "runs"):
            conn.execute(f"DROP TABLE v1_{table}")
    except sqlite3.Error as exc:
        raise LedgerError("migrate", path, str(exc)) from None
    finally:
        conn.create_function("body_digest", 8, None)
        conn.create_function("id_blob", 1, None)


def _digest(kind: str, item: str, item_name: str, push: str | None, reason: str,
            missing: str | None, text: str, payload: str) -> bytes:
    return body_digest(kind, item, item_name, push, reason, missing, text, payload)

