"""What each enterprise has been told: the ``told`` and ``prompted`` facts of the ledger, read
per batch of enterprises and updated with every message recorded in the outbox.

Both run inside the caller's ``BEGIN IMMEDIATE`` transaction, so the outbox and the facts
never disagree (``Ledger.check`` verifies it). A message is stored as integer keys: its
enterprise and item are interned (``enterprises``, ``items``), its text and details stored
once per distinct body (``bodies``), its date and time once per batch (``batches``).
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass

from policy_match.apps.push.ledger import Ledger
from policy_match.apps.push.messages import TELLING, Message, MessageKind
from policy_match.apps.push.schema import KIND_CODES, body_digest, id_blob

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
    texts: dict[str, tuple[str, ...]] = {}  # each distinct missing list parsed once
    for start in range(0, len(enterprises), _CHUNK):
        chunk = enterprises[start:start + _CHUNK]
        marks = ",".join("?" * len(chunk))
        for eid, item, kind, gen, active, by, name in conn.execute(
                "SELECT e.key, i.key, o.kind, f.generation, f.withdrawn_by IS NULL,"
                " lower(hex(o.id)), b.item_name FROM enterprises e"
                " JOIN told f ON f.enterprise = e.n JOIN items i ON i.n = f.item"
                " JOIN outbox o ON o.seq = f.told_by JOIN bodies b ON b.n = o.body"
                f" WHERE e.key IN ({marks})", chunk):
            told.setdefault(eid, {})[item] = Told(_KINDS[kind], gen,
                                                  bool(active), by, name)
        for eid, item, missing, gen in conn.execute(
                "SELECT e.key, i.key, b.missing, f.generation FROM enterprises e"
                " JOIN prompted f ON f.enterprise = e.n JOIN items i ON i.n = f.item"
                " JOIN outbox o ON o.seq = f.prompted_by JOIN bodies b ON b.n = o.body"
                f" WHERE e.key IN ({marks})", chunk):
            found = texts.get(missing)
            if found is None:
                found = texts[missing] = tuple(json.loads(missing))
            prompted.setdefault(eid, {})[item] = Prompted(found, gen)
    return told, prompted


_KIND_NAMES = {code: name for name, code in KIND_CODES.items()}
_KINDS = {code: MessageKind(name) for code, name in _KIND_NAMES.items()}  # no enum call per row


class Recorder:
    """Records the messages of one batch (one transaction) of one run."""

    def __init__(self, ledger: Ledger, run: int | None, as_of: str, at: str) -> None:
        self.ledger = ledger
        self.conn = ledger.conn
        self.run, self.as_of, self.at = run, as_of, at
        self.batch: int | None = None  # created with the batch's first new message
        self.enterprises: dict[str, int] = {}

    def _enterprise(self, key: str) -> int:
        n = self.enterprises.get(key)
        if n is None:
            n = self.enterprises[key] = _intern(self.conn, "enterprises", key)
        return n

    def _item(self, key: str) -> int:
        cache = self.ledger.interned["items"]
        n = cache.get(key)
        if n is None:
            n = cache[key] = _intern(self.conn, "items", key)
        return n

    def _body(self, m: Message, item: int, missing: str | None, payload: str) -> int:
        cache = self.ledger.interned["bodies"]
        fields = (m.kind.value, m.item, m.item_name, m.push, m.reason.value, missing, m.text,
                  payload)
        n = cache.get(fields)
        if n is None:
            digest = body_digest(*fields)
            row = self.conn.execute("SELECT n FROM bodies WHERE digest = ?",
                                    (digest,)).fetchone()
            if row is None:
                row = (self.conn.execute(
                    "INSERT INTO bodies (digest, kind, item, item_name, push, reason, missing,"
                    " text, payload) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (digest, KIND_CODES[m.kind.value], item, m.item_name, m.push,
                     m.reason.value, missing, m.text, payload)).lastrowid,)
            n = cache[fields] = int(row[0])
        return n

    def _batch(self) -> int:
        if self.batch is None:
            self.batch = self.conn.execute(
                "INSERT INTO batches (run, as_of, at) VALUES (?, ?, ?)",
                (self.run, self.as_of, self.at)).lastrowid
            assert self.batch is not None
        return self.batch

    def record(self, m: Message, payload_json: str) -> bool:
        """Insert the message and update the facts it changes; whether it was new."""
        conn = self.conn
        missing = (json.dumps(list(m.missing), ensure_ascii=False)
                   if m.kind is MessageKind.PROMPT else None)
        enterprise, item = self._enterprise(m.enterprise), self._item(m.item)
        kind = KIND_CODES[m.kind.value]
        mid = id_blob(m.id)
        row = conn.execute(
            "SELECT seq FROM outbox WHERE enterprise = ? AND item = ? AND kind = ?"
            " AND generation = ?", (enterprise, item, kind, m.generation)).fetchone()
        added = row is None
        if added:
            # a new logical message (an existing one keeps its row, and its id when it was
            # planned with an earlier version of the item: the facts point at that one)
            seq = conn.execute(
                "INSERT INTO outbox (id, kind, enterprise, item, generation, body, batch)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (mid, kind, enterprise, item, m.generation,
                 self._body(m, item, missing, payload_json), self._batch())).lastrowid
        else:
            seq = row[0]
        if m.kind in TELLING:
            conn.execute(
                "INSERT INTO told (enterprise, item, generation, told_by) VALUES (?, ?, ?, ?)"
                " ON CONFLICT (enterprise, item) DO UPDATE SET"
                " generation = excluded.generation, told_by = excluded.told_by,"
                " withdrawn_by = NULL WHERE excluded.generation > told.generation",
                (enterprise, item, m.generation, seq))
        elif m.kind is MessageKind.WITHDRAW:
            conn.execute(
                "UPDATE told SET withdrawn_by = ? WHERE enterprise = ? AND item = ?"
                " AND generation = ? AND withdrawn_by IS NULL",
                (seq, enterprise, item, m.generation))
        else:
            conn.execute(
                "INSERT INTO prompted (enterprise, item, generation, prompted_by)"
                " VALUES (?, ?, ?, ?) ON CONFLICT (enterprise, item) DO UPDATE SET"
                " generation = excluded.generation, prompted_by = excluded.prompted_by"
                " WHERE excluded.generation > prompted.generation",
                (enterprise, item, m.generation, seq))
        return added


def _intern(conn: sqlite3.Connection, table: str, key: str) -> int:
    """The number of ``key`` in ``enterprises`` or ``items``, added when new."""
    row = conn.execute(f"SELECT n FROM {table} WHERE key = ?", (key,)).fetchone()
    if row is None:
        row = (conn.execute(f"INSERT INTO {table} (key) VALUES (?)", (key,)).lastrowid,)
    return int(row[0])
