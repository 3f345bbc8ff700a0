"""The push ledger: a crash-safe SQLite file holding the outbox and what each enterprise was
told (schema and guarantees: ``docs/push.md``).

Schema 2 stores messages normalized: a message row holds only integer keys (its kind,
enterprise, item, body, batch and delivery) and its 12-byte id; the text, reason, missing tags
and item details are stored once per distinct body, the enterprise and item keys once each,
the evaluation date and creation time once per batch, the delivery time once per
``mark-sent``. The view ``messages`` joins them back into the rows of schema 1.

The values of :class:`~policy_match.apps.push.messages.MessageKind` and ``Reason`` are the
strings this schema stores (``kinds.name``, ``bodies.reason``); the ``CHECK`` constraints in
``schema.py`` name them literally because the schema text is part of the file format
(``PRAGMA user_version``).
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

from policy_match.apps.push.checking import find_damage
from policy_match.apps.push.errors import LedgerError, ledger_error
from policy_match.apps.push.migrate import migrate_v1
from policy_match.apps.push.schema import (
    EXPORT_FIELDS,
    SCHEMA_VERSION,
    SQLITE_HEADER,
    create_schema,
    schema_damage,
)

BUSY_TIMEOUT = 60.0  # seconds a writer waits for another writer's batch
CACHE_KIB = 128 * 1024  # SQLite's page cache per connection, at most (grows with use)
CHECKPOINT_PAGES = 32_768  # WAL pages before a commit copies them into the file (128 MB)


def now_stamp() -> str:
    """The wall-clock time stored in the ledger (UTC, milliseconds)."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds")


class Ledger:
    """An open push ledger. Writers use :meth:`transaction` (``BEGIN IMMEDIATE``); every
    ``sqlite3`` error it meets is raised as a :class:`LedgerError`."""

    def __init__(self, path: str | Path, timeout: float = BUSY_TIMEOUT,
                 create: bool = True) -> None:
        self.path = Path(path)
        self.timeout = timeout
        # ids of enterprises, items and bodies already committed (rows are never deleted)
        self.interned: dict[str, dict[Any, int]] = {"items": {}, "bodies": {}}
        if self.path.exists() and self.path.stat().st_size:
            with open(self.path, "rb") as handle:
                if handle.read(len(SQLITE_HEADER)) != SQLITE_HEADER:
                    raise LedgerError("not_sqlite", self.path)
        elif not create:
            raise LedgerError("io", self.path, "no such file")
        try:
            # isolation_level=None: no implicit transactions; every one is explicit here
            self.conn = sqlite3.connect(str(self.path), timeout=timeout, isolation_level=None)
        except sqlite3.Error as exc:
            raise ledger_error(self.path, exc) from None
        try:
            self._setup()
        except sqlite3.Error as exc:
            self.conn.close()
            raise ledger_error(self.path, exc) from None
        except BaseException:
            self.conn.close()
            raise

    def _setup(self) -> None:
        conn = self.conn
        conn.execute(f"PRAGMA busy_timeout = {int(self.timeout * 1000)}")
        mode = self._enter_wal()
        if str(mode).lower() != "wal":
            raise LedgerError("wal", self.path, f"journal_mode {mode}")
        conn.execute("PRAGMA synchronous = FULL")  # a commit survives power loss too
        conn.execute("PRAGMA foreign_keys = ON")
        # a plan looks up the outbox's and the facts' indexes at random: SQLite's default
        # cache (2 MB) would read most pages from the file again
        conn.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
        # a batch's new messages land all over the outbox's id index: checkpointing after
        # every commit (SQLite's default, at 1,000 pages) would write most of those pages
        # back to the file once per batch, not once per run (commits still sync the WAL)
        conn.execute(f"PRAGMA wal_autocheckpoint = {CHECKPOINT_PAGES}")
        version = self._version()
        if version != SCHEMA_VERSION:
            if version > SCHEMA_VERSION:
                raise LedgerError("newer", self.path, str(version))
            with self.transaction():
                migrated = self._create_or_migrate()
            if migrated:  # give the old rows' space back (best effort: others may read)
                with contextlib.suppress(sqlite3.Error):
                    conn.execute("VACUUM")
        damage = schema_damage(conn)
        if damage:
            raise LedgerError("altered", self.path,
                              "; ".join(f"{name}: {what}" for name, what in damage))

    def _version(self) -> int:
        return int(self.conn.execute("PRAGMA user_version").fetchone()[0])

    def _create_or_migrate(self) -> bool:
        """Inside the write lock (another process may have done it meanwhile); whether an
        old-format ledger was migrated."""
        conn = self.conn
        version = self._version()
        if version == 0:
            tables = [n for (n,) in conn.execute(
                "SELECT name FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'")]
            if tables:
                raise LedgerError("not_ledger", self.path,
                                  "tables " + ", ".join(sorted(tables)[:5]))
            create_schema(conn)
        elif version == 1:
            migrate_v1(conn, self.path)
            return True
        elif version != SCHEMA_VERSION:
            raise LedgerError("not_ledger", self.path, f"user_version {version}")
        return False

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
    def guard(self) -> Iterator[sqlite3.Connection]:
        """Any ``sqlite3`` error inside becomes a :class:`LedgerError`."""
        try:
            yield self.conn
        except sqlite3.Error as exc:
            raise ledger_error(self.path, exc) from None

    @contextlib.contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One atomic write: ``BEGIN IMMEDIATE`` takes the write lock up front (waiting up to
        the busy timeout for another writer), so what is read inside is still true at
        ``COMMIT``. An ``sqlite3`` error rolls back and is raised as a LedgerError."""
        self._begin("BEGIN IMMEDIATE")
        try:
            yield self.conn
        except BaseException as exc:
            self._rollback()
            if isinstance(exc, sqlite3.Error):
                raise ledger_error(self.path, exc) from None
            raise
        try:
            self.conn.execute("COMMIT")
        except sqlite3.Error as exc:
            self._rollback()
            raise ledger_error(self.path, exc) from None

    @contextlib.contextmanager
    def snapshot(self) -> Iterator[sqlite3.Connection]:
        """One consistent read (a deferred transaction), errors as LedgerErrors."""
        self._begin("BEGIN")
        try:
            with self.guard():
                yield self.conn
        finally:
            with contextlib.suppress(sqlite3.Error):
                self.conn.execute("COMMIT")

    def _begin(self, statement: str) -> None:
        try:
            self.conn.execute(statement)
        except sqlite3.Error as exc:
            raise ledger_error(self.path, exc) from None

    def _rollback(self) -> None:
        for cache in self.interned.values():  # they may name rows rolled back
            cache.clear()
        if self.conn.in_transaction:
            with contextlib.suppress(sqlite3.Error):
                self.conn.execute("ROLLBACK")

    # ---- reading -----------------------------------------------------------------------

    def iter_messages(self, unsent: bool = False) -> Iterator[dict[str, Any]]:
        """The outbox in planning order, each message flattened for a sender, read in one
        snapshot (keep the ledger open while iterating)."""
        where = " WHERE delivery IS NULL" if unsent else ""
        payloads: dict[int, dict[str, Any]] = {}
        with self.snapshot() as conn:
            cursor = conn.execute(
                f"SELECT {', '.join(EXPORT_FIELDS)}, body, payload FROM messages{where}"
                " ORDER BY seq")
            for row in cursor:
                yield _flatten(row, payloads)

    def messages(self, unsent: bool = False) -> list[dict[str, Any]]:
        """The outbox in planning order, each message flattened for a sender."""
        return list(self.iter_messages(unsent))

    def check(self, quick: bool = False) -> list[str]:
        """Problems with the ledger's consistency (none expected, whatever was killed when):
        SQLite's own checks, the schema, and that the facts and the outbox agree."""
        return [d.line() for d in find_damage(self.conn, quick=quick)]

    def counts(self) -> dict[str, int]:
        with self.guard() as conn:
            total, unsent = conn.execute(
                "SELECT count(*), count(*) - count(sent) FROM outbox").fetchone()
        return {"messages": total, "unsent": unsent}


def _flatten(row: tuple[Any, ...], payloads: dict[int, dict[str, Any]]) -> dict[str, Any]:
    message = dict(zip(EXPORT_FIELDS, row, strict=False))
    message["missing"] = json.loads(message["missing"]) if message["missing"] else []
    body = row[len(EXPORT_FIELDS)]
    payload = payloads.get(body)
    if payload is None:
        payload = payloads[body] = json.loads(row[len(EXPORT_FIELDS) + 1])
    return {**message, **payload}
