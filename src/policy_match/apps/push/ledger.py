"""The push ledger: a crash-safe SQLite file holding the outbox and what each enterprise was
told (schema and guarantees: ``docs/push.md``).

The values of :class:`~policy_match.apps.push.messages.MessageKind` and ``Reason`` are the
strings this schema stores; the ``CHECK`` constraints below name them literally because the
schema text is part of the file format (``PRAGMA user_version``).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

SCHEMA_VERSION = 1
BUSY_TIMEOUT = 60.0  # seconds a writer waits for another writer's batch

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

# a message as read back for a sender: these columns, then the payload's fields
EXPORT_FIELDS = ("id", "kind", "enterprise", "item", "item_name", "generation", "push",
                 "as_of", "reason", "missing", "text", "run_id", "created_at", "sent_at")

# consistency checks: each query lists the rows that break one invariant (none expected)
_CONSISTENCY = {
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


class LedgerError(Exception):
    """A ledger that cannot be used (not SQLite, a newer schema, WAL unavailable)."""


def now_stamp() -> str:
    """The wall-clock time stored in the ledger (UTC, milliseconds)."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds")


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
        mode = self._enter_wal()
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

    def _enter_wal(self) -> Any:
        """Switch to WAL; that takes a lock of its own, so retry while another holds it."""
        deadline = time.monotonic() + self.timeout
        while True:
            try:
                return self.conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

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
        for what, query in _CONSISTENCY.items():
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
