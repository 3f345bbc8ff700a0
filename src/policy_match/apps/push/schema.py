"""The ledger's file format: the schema text (``PRAGMA user_version``), the kinds' codes, how
a sound ledger's ``sqlite_master`` reads, and how ids and bodies are keyed. Imports nothing
of the package, so that the ledger, its checks and its migration can all read it."""

from __future__ import annotations

import functools
import hashlib
import sqlite3

SCHEMA_VERSION = 2
SQLITE_HEADER = b"SQLite format 3\x00"

# the kinds' codes in outbox.kind: fixed by the file format
KIND_CODES = {"match": 1, "announce": 2, "prompt": 3, "withdraw": 4}

SCHEMA = (
    """CREATE TABLE IF NOT EXISTS kinds (
        code  INTEGER PRIMARY KEY,
        name  TEXT NOT NULL UNIQUE CHECK (name IN ('match', 'announce', 'prompt', 'withdraw'))
    )""",
    """CREATE TABLE IF NOT EXISTS runs (
        n             INTEGER PRIMARY KEY,
        id            TEXT NOT NULL UNIQUE,
        started_at    TEXT NOT NULL,
        finished_at   TEXT,
        as_of         TEXT NOT NULL,
        rules_digest  TEXT NOT NULL,
        source        TEXT NOT NULL,
        enterprises   INTEGER NOT NULL,
        added         TEXT
    )""",
    """CREATE TABLE IF NOT EXISTS batches (
        n      INTEGER PRIMARY KEY,
        run    INTEGER REFERENCES runs (n),
        as_of  TEXT NOT NULL,
        at     TEXT NOT NULL
    )""",
    """CREATE TABLE IF NOT EXISTS deliveries (
        n   INTEGER PRIMARY KEY,
        at  TEXT NOT NULL
    )""",
    """CREATE TABLE IF NOT EXISTS enterprises (
        n    INTEGER PRIMARY KEY,
        key  TEXT NOT NULL UNIQUE
    )""",
    """CREATE TABLE IF NOT EXISTS items (
        n    INTEGER PRIMARY KEY,
        key  TEXT NOT NULL UNIQUE
    )""",
    """CREATE TABLE IF NOT EXISTS bodies (
        n          INTEGER PRIMARY KEY,
        digest     BLOB NOT NULL UNIQUE,
        kind       INTEGER NOT NULL REFERENCES kinds (code),
        item       INTEGER NOT NULL REFERENCES items (n),
        item_name  TEXT NOT NULL,
        push       TEXT,
        reason     TEXT NOT NULL CHECK (reason IN ('eligible', 'broad', 'missing',
                       'ineligible', 'expired', 'not_in_force', 'repealed')),
        missing    TEXT,
        text       TEXT NOT NULL,
        payload    TEXT NOT NULL
    )""",
    """CREATE TABLE IF NOT EXISTS outbox (
        seq         INTEGER PRIMARY KEY,
        id          BLOB NOT NULL UNIQUE,
        kind        INTEGER NOT NULL REFERENCES kinds (code),
        enterprise  INTEGER NOT NULL REFERENCES enterprises (n),
        item        INTEGER NOT NULL REFERENCES items (n),
        generation  INTEGER NOT NULL CHECK (generation >= 1),
        body        INTEGER NOT NULL REFERENCES bodies (n),
        batch       INTEGER NOT NULL REFERENCES batches (n),
        sent        INTEGER REFERENCES deliveries (n),
        UNIQUE (enterprise, item, kind, generation)
    )""",
    "CREATE INDEX IF NOT EXISTS outbox_unsent ON outbox (seq) WHERE sent IS NULL",
    """CREATE TABLE IF NOT EXISTS told (
        enterprise    INTEGER NOT NULL REFERENCES enterprises (n),
        item          INTEGER NOT NULL REFERENCES items (n),
        generation    INTEGER NOT NULL CHECK (generation >= 1),
        told_by       INTEGER NOT NULL REFERENCES outbox (seq),
        withdrawn_by  INTEGER REFERENCES outbox (seq),
        PRIMARY KEY (enterprise, item)
    ) WITHOUT ROWID""",
    """CREATE TABLE IF NOT EXISTS prompted (
        enterprise   INTEGER NOT NULL REFERENCES enterprises (n),
        item         INTEGER NOT NULL REFERENCES items (n),
        generation   INTEGER NOT NULL CHECK (generation >= 1),
        prompted_by  INTEGER NOT NULL REFERENCES outbox (seq),
        PRIMARY KEY (enterprise, item)
    ) WITHOUT ROWID""",
    # the rows of schema 1, for senders, people with the sqlite3 shell, and the tests
    """CREATE VIEW IF NOT EXISTS messages AS
        SELECT o.seq, lower(hex(o.id)) AS id, k.name AS kind, e.key AS enterprise,
               i.key AS item, o.generation, b.item_name, b.push, t.as_of, b.reason,
               b.missing, b.text, b.payload, r.id AS run_id, t.at AS created_at,
               d.at AS sent_at, o.sent AS delivery, o.body
        FROM outbox o JOIN kinds k ON k.code = o.kind
        JOIN enterprises e ON e.n = o.enterprise JOIN items i ON i.n = o.item
        JOIN bodies b ON b.n = o.body JOIN batches t ON t.n = o.batch
        LEFT JOIN runs r ON r.n = t.run LEFT JOIN deliveries d ON d.n = o.sent""",
    """CREATE VIEW IF NOT EXISTS told_facts AS
        SELECT e.key AS enterprise, i.key AS item, k.name AS kind, f.generation,
               f.withdrawn_by IS NULL AS active, lower(hex(o.id)) AS told_by,
               tb.as_of AS told_as_of,
               CASE WHEN w.id IS NOT NULL THEN lower(hex(w.id)) END AS withdrawn_by,
               wb.as_of AS withdrawn_as_of
        FROM told f JOIN enterprises e ON e.n = f.enterprise JOIN items i ON i.n = f.item
        JOIN outbox o ON o.seq = f.told_by JOIN kinds k ON k.code = o.kind
        JOIN batches tb ON tb.n = o.batch
        LEFT JOIN outbox w ON w.seq = f.withdrawn_by LEFT JOIN batches wb ON wb.n = w.batch""",
    """CREATE VIEW IF NOT EXISTS prompted_facts AS
        SELECT e.key AS enterprise, i.key AS item, b.missing, f.generation,
               lower(hex(o.id)) AS prompted_by, t.as_of
        FROM prompted f JOIN enterprises e ON e.n = f.enterprise JOIN items i ON i.n = f.item
        JOIN outbox o ON o.seq = f.prompted_by JOIN bodies b ON b.n = o.body
        JOIN batches t ON t.n = o.batch""",
)
# the tables of schema 1, whose ledgers are migrated in place (``migrate.py``)
V1_TABLES = ("runs", "outbox", "told", "prompted")

# a message as read back for a sender: these columns, then the payload's fields
EXPORT_FIELDS = ("id", "kind", "enterprise", "item", "item_name", "generation", "push",
                 "as_of", "reason", "missing", "text", "run_id", "created_at", "sent_at")


def id_blob(mid: str) -> bytes | None:
    """A message id (24 hex digits) as the ledger stores it; ``None`` when it is not one."""
    if len(mid) != 24:
        return None
    try:
        return bytes.fromhex(mid)
    except ValueError:
        return None


@functools.cache
def expected_schema() -> dict[str, tuple[str, str | None]]:
    """What ``sqlite_master`` holds for a sound ledger: name -> (type, sql)."""
    conn = sqlite3.connect(":memory:")
    try:
        for statement in SCHEMA:
            conn.execute(statement)
        return {name: (kind, sql) for kind, name, sql in conn.execute(
            "SELECT type, name, sql FROM sqlite_master")}
    finally:
        conn.close()


def schema_damage(conn: sqlite3.Connection) -> list[tuple[str, str]]:
    """(object, what is wrong) for every table, index or view of the schema that is missing
    or altered (objects the schema does not name are left alone)."""
    found = {name: (kind, sql) for kind, name, sql in conn.execute(
        "SELECT type, name, sql FROM sqlite_master")}
    damage = []
    for name, want in expected_schema().items():
        have = found.get(name)
        if have is None:
            damage.append((name, f"{want[0]} missing"))
        elif have != want:
            damage.append((name, f"{want[0]} altered"))
    return damage


def create_schema(conn: sqlite3.Connection) -> None:
    """The tables of a new ledger, inside the caller's transaction."""
    for statement in SCHEMA:
        conn.execute(statement)
    conn.executemany("INSERT INTO kinds (code, name) VALUES (?, ?)",
                     [(code, name) for name, code in KIND_CODES.items()])
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")


def body_digest(kind: str, item: str, item_name: str, push: str | None, reason: str,
                missing: str | None, text: str, payload: str) -> bytes:
    """What makes two bodies one (``bodies.digest``): every field of the body."""
    parts = (kind, item, item_name, push or "", reason, missing or "", text, payload)
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).digest()[:16]
