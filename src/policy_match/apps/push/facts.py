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
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from policy_match.apps.push.ledger import Ledger
from policy_match.apps.push.messages import (
    TELLING,
    Body,
    Message,
    MessageKind,
    Planned,
    Reason,
    id_bytes,
)
from policy_match.apps.push.schema import KIND_CODES, body_digest

_CHUNK = 500  # enterprises per IN (...) query: well under SQLite's bound-parameter limit
FactRow = tuple[int, int, int, int]  # the parameters of one _TELL, _WITHDRAW or _PROMPT


@dataclass(frozen=True)
class Facts:
    """The told and prompted facts of a batch of enterprises, one array entry per fact
    (``*_at``: the enterprise's position in the batch; items are the ledger's numbers)."""

    enterprise_n: dict[int, int]  # batch position -> the enterprise's number in the ledger
    told_at: np.ndarray
    told_item: np.ndarray
    told_generation: np.ndarray
    told_active: np.ndarray  # bool: not withdrawn
    prompted_at: np.ndarray
    prompted_item: np.ndarray
    prompted_generation: np.ndarray
    prompted_body: np.ndarray  # the body of the prompt, whose ``missing`` was asked


def _numbers(conn: sqlite3.Connection, enterprises: list[str]) -> list[dict[int, int]]:
    """Per query batch of ``enterprises``: the ledger's number of each known one -> its
    position in ``enterprises``."""
    position = {eid: k for k, eid in enumerate(enterprises)}
    out = []
    for start in range(0, len(enterprises), _CHUNK):
        chunk = enterprises[start:start + _CHUNK]
        out.append({n: position[key] for key, n in conn.execute(
            f"SELECT key, n FROM enterprises WHERE key IN ({','.join('?' * len(chunk))})",
            chunk)})
    return out


def _grouped(conn: sqlite3.Connection, sql: str, batches: list[dict[int, int]], only: str
             ) -> tuple[dict[int, int], list[np.ndarray]]:
    """Run ``sql`` (rows: enterprise number, count, then comma-joined integer lists, one
    group per enterprise) batch by batch: the lists parsed in one numpy call each, so no
    Python object is made per fact; and the enterprises' positions repeated per fact.
    The facts are read by enterprise number, in the order of their primary key, so SQLite
    groups them as it reads them (a join from the keys made it sort every fact of the
    batch into a temporary b-tree first)."""
    numbers: dict[int, int] = {}
    at: list[int] = []
    counts: list[int] = []
    texts: list[list[str]] = []
    for at_n in batches:
        if not at_n:
            continue
        marks = ",".join("?" * len(at_n))
        for n, count, *lists in conn.execute(sql.format(marks=marks, only=only), list(at_n)):
            k = at_n[n]
            numbers[k] = n
            at.append(k)
            counts.append(count)
            if not texts:
                texts = [[] for _ in lists]
            for column, text in zip(texts, lists, strict=True):
                column.append(text)
    parsed = [np.fromstring(",".join(column), dtype=np.int64, sep=",") if column
              else np.zeros(0, np.int64) for column in texts]
    return numbers, [np.repeat(np.array(at, dtype=np.int64), counts), *parsed]


# a fact's item and generation travel packed in one integer (item << 32 | generation << 1 |
# active): SQLite writes, and numpy parses, one number per fact instead of three (a
# generation is below 2**31: each one is a message of the pair, told then withdrawn)
_TOLD = ("SELECT f.enterprise, count(*), group_concat((f.item << 32) | (f.generation << 1)"
         " | (f.withdrawn_by IS NULL)) FROM told f"
         " WHERE f.enterprise IN ({marks}){only} GROUP BY f.enterprise")
_PROMPTED = ("SELECT f.enterprise, count(*), group_concat((f.item << 32) | f.generation),"
             " group_concat(o.body) FROM prompted f"
             " JOIN outbox o ON o.seq = f.prompted_by"
             " WHERE f.enterprise IN ({marks}){only} GROUP BY f.enterprise")
_LOW = (1 << 32) - 1


def read_facts(conn: sqlite3.Connection, enterprises: list[str],
               items: list[int] | None = None) -> Facts:
    """The told and prompted facts of ``enterprises`` (distinct keys), as arrays; only
    those of the ledger's ``items`` (numbers) when given."""
    # a filter, not an index look-up (the unary +): each enterprise's facts are one range
    only = "" if items is None else f" AND +f.item IN ({','.join(str(int(i)) for i in items)})"
    batches = _numbers(conn, enterprises)
    told_n, told = _grouped(conn, _TOLD, batches, only)
    prompted_n, prompted = _grouped(conn, _PROMPTED, batches, only)
    empty = np.zeros(0, np.int64)
    told_packed = told[1] if len(told) > 1 else empty
    item_gen, body = (prompted[1], prompted[2]) if len(prompted) > 1 else (empty, empty)
    return Facts({**told_n, **prompted_n}, told[0], told_packed >> 32,
                 (told_packed & _LOW) >> 1, (told_packed & 1).astype(bool),
                 prompted[0], item_gen >> 32, item_gen & _LOW, body)


def told_details(conn: sqlite3.Connection, pairs: list[tuple[int, int]]
                 ) -> list[tuple[str, str]]:
    """(id of the message that told it, the item's name then) of (enterprise, item) facts
    (read only for the facts to withdraw), a few hundred pairs a query."""
    found: dict[tuple[int, int], tuple[str, str]] = {}
    for start in range(0, len(pairs), _CHUNK):
        chunk = pairs[start:start + _CHUNK]
        values = ",".join("(?, ?)" for _ in chunk)
        for enterprise, item, mid, name in conn.execute(
                f"WITH p (e, i) AS (VALUES {values})"
                " SELECT f.enterprise, f.item, lower(hex(o.id)), b.item_name FROM p"
                " CROSS JOIN told f ON f.enterprise = p.e AND f.item = p.i"
                " JOIN outbox o ON o.seq = f.told_by JOIN bodies b ON b.n = o.body",
                [n for pair in chunk for n in pair]):
            found[enterprise, item] = (mid, name)
    return [found[pair] for pair in pairs]


def bodies_missing(conn: sqlite3.Connection, bodies: list[int]) -> dict[int, tuple[str, ...]]:
    """The missing tags each prompt body asked for."""
    out: dict[int, tuple[str, ...]] = {}
    for start in range(0, len(bodies), _CHUNK):
        chunk = bodies[start:start + _CHUNK]
        marks = ",".join("?" * len(chunk))
        for n, missing in conn.execute(f"SELECT n, missing FROM bodies WHERE n IN ({marks})",
                                       chunk):
            out[n] = tuple(json.loads(missing)) if missing else ()
    return out


def item_keys(conn: sqlite3.Connection) -> dict[int, str]:
    """Every item the ledger knows, by number."""
    return dict(conn.execute("SELECT n, key FROM items"))


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

    def _known_enterprises(self, keys: list[str]) -> None:
        """The numbers of those of ``keys`` the ledger already has, read in bulk."""
        for start in range(0, len(keys), _CHUNK):
            chunk = keys[start:start + _CHUNK]
            marks = ",".join("?" * len(chunk))
            self.enterprises.update(self.conn.execute(
                f"SELECT key, n FROM enterprises WHERE key IN ({marks})", chunk))

    def _item(self, key: str) -> int:
        cache = self.ledger.interned["items"]
        n = cache.get(key)
        if n is None:
            n = cache[key] = _intern(self.conn, "items", key)
        return n

    def _body_n(self, body: Body, item: int) -> int:
        """The number of ``body`` (of the item numbered ``item``), added when new."""
        cache = self.ledger.interned["bodies"]
        fields = body.fields
        n = cache.get(fields)
        if n is None:
            digest = body_digest(*fields)
            row = self.conn.execute("SELECT n FROM bodies WHERE digest = ?",
                                    (digest,)).fetchone()
            if row is None:
                row = (self.conn.execute(
                    "INSERT INTO bodies (digest, kind, item, item_name, push, reason, missing,"
                    " text, payload) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (digest, KIND_CODES[body.kind], item, *fields[2:])).lastrowid,)
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
        enterprise, item = self._enterprise(m.enterprise), self._item(m.item)
        kind = KIND_CODES[m.kind.value]
        row = conn.execute(
            "SELECT seq FROM outbox WHERE enterprise = ? AND item = ? AND kind = ?"
            " AND generation = ?", (enterprise, item, kind, m.generation)).fetchone()
        added = row is None
        if added:
            # a new logical message (an existing one keeps its row, and its id when it was
            # planned with an earlier version of the item: the facts point at that one)
            seq = _next_seq(conn)
            conn.execute(_INSERT, (seq, id_bytes(seq, m.digest), kind, enterprise, item,
                                   m.generation, self._body_n(body_of(m, payload_json), item),
                                   self._batch()))
        else:
            seq = row[0]
        if m.kind in TELLING:
            conn.execute(_TELL, (enterprise, item, m.generation, seq))
        elif m.kind is MessageKind.WITHDRAW:
            conn.execute(_WITHDRAW, (seq, enterprise, item, m.generation))
        else:
            conn.execute(_PROMPT, (enterprise, item, m.generation, seq))
        return added

    def record_all(self, messages: list[Message], payloads: list[str]) -> list[bool]:
        """:meth:`record` of every message in order, in a few statements: the same rows,
        numbers and facts (whether each was new)."""
        return self.record_planned(Planned([
            (m.enterprise, m.item, _KIND_CODE[id(m.kind)], m.generation, m.digest,
             body_of(m, text)) for m, text in zip(messages, payloads, strict=True)]))

    def record_planned(self, planned: Planned) -> list[bool]:
        """:meth:`record_all` of messages given as rows (whether each was new)."""
        if not planned:
            return []
        rows = planned.rows
        enterprises = list(dict.fromkeys(row[0] for row in rows))
        self._known_enterprises(enterprises)
        # new ones interned in the order of first use, as one by one (each table numbers
        # its own keys, so enterprises and items need not interleave)
        numbers = [self._enterprise(key) for key in enterprises]
        enterprise_n = dict(zip(enterprises, numbers, strict=True))
        item_n = {key: self._item(key) for key in dict.fromkeys(row[1] for row in rows)}
        keys = [(enterprise_n[e], item_n[i], k, g) for e, i, k, g, _, _ in rows]
        if self._insert_all(planned, keys):
            return [True] * len(rows)
        # a logical key was there already: those keep their rows
        seqs, added = self._insert_new(planned, keys)
        self._update_facts(keys, seqs)
        return added

    def _update_facts(self, keys: list[tuple[int, int, int, int]], seqs: list[int]) -> None:
        """The told and prompted facts of messages (logical keys) recorded at ``seqs``."""
        told: list[FactRow] = []
        withdrawn: list[FactRow] = []
        prompted: list[FactRow] = []
        for key, seq in zip(keys, seqs, strict=True):
            if key[2] == _PROMPT_CODE:
                prompted.append((key[0], key[1], key[3], seq))
            elif key[2] == _WITHDRAW_CODE:
                withdrawn.append((seq, key[0], key[1], key[3]))
            else:
                told.append((key[0], key[1], key[3], seq))
        conn = self.conn
        conn.executemany(_TELL, told)
        conn.executemany(_WITHDRAW, withdrawn)
        conn.executemany(_PROMPT, prompted)

    def _insert_all(self, planned: Planned, keys: list[tuple[int, int, int, int]]) -> bool:
        """Every message inserted and its facts updated, when none of their logical keys
        is in the outbox (the plan's case: the facts said each is due). Otherwise False,
        and nothing written (a savepoint rolled back): no look-up of the keys first, the
        UNIQUE index refuses a known one as it inserts."""
        conn = self.conn
        first = _next_seq(conn)
        seqs = list(range(first, first + len(keys)))
        batch = self.batch
        conn.execute("SAVEPOINT record_all")
        # made before ``changes`` is read: making them inserts new bodies and the batch row
        outbox = self._rows(planned, keys, seqs, range(len(keys)))
        changes = conn.total_changes
        conn.executemany(_INSERT_NEW, outbox)
        if conn.total_changes - changes == len(outbox):
            conn.execute("RELEASE record_all")
            self._update_facts(keys, seqs)
            return True
        conn.execute("ROLLBACK TO record_all")
        conn.execute("RELEASE record_all")
        self.batch = batch  # the numbers handed out since the savepoint were rolled back
        self.ledger.interned["bodies"].clear()
        return False

    def _insert_new(self, planned: Planned, keys: list[tuple[int, int, int, int]]
                    ) -> tuple[list[int], list[bool]]:
        """The messages whose logical key is not in the outbox inserted, in order; per
        message, the ``seq`` of its key's row and whether it was inserted."""
        conn = self.conn
        existing = _existing(conn, keys)
        new = [j for j, key in enumerate(keys) if key not in existing]
        first = _next_seq(conn)
        new_seqs = list(range(first, first + len(new)))
        if new:
            conn.executemany(_INSERT, self._rows(planned, keys, new_seqs, new))
        seqs = iter(new_seqs)
        return ([existing[key] if key in existing else next(seqs) for key in keys],
                [key not in existing for key in keys])

    def _rows(self, planned: Planned, keys: list[tuple[int, int, int, int]], seqs: list[int],
              which: Sequence[int]) -> list[tuple[Any, ...]]:
        """The outbox rows of the messages ``which`` (positions in ``planned``), numbered
        ``seqs``; bodies numbered once per distinct object (the makers share them)."""
        numbers: dict[int, int] = {}
        batch = self._batch()
        rows = planned.rows
        out = []
        for seq, j in zip(seqs, which, strict=True):
            row, key = rows[j], keys[j]
            body = row[5]
            n = numbers.get(id(body))
            if n is None:
                n = numbers[id(body)] = self._body_n(body, key[1])
            out.append((seq, id_bytes(seq, row[4]), key[2], key[0], key[1], key[3], n, batch))
        return out


def body_of(m: Message, payload: str) -> Body:
    missing = (json.dumps(list(m.missing), ensure_ascii=False)
               if m.kind is MessageKind.PROMPT else None)
    return Body(_VALUE[id(m.kind)], m.item, m.item_name, m.push, _VALUE[id(m.reason)],
                missing, m.text, payload)


# the kinds' codes by member identity (an enum member hashes in Python, an id in C)
_KIND_CODE = {id(kind): KIND_CODES[kind.value] for kind in MessageKind}
# the kinds' and reasons' values by member identity (``.value`` is a Python-level property)
_VALUE: dict[int, str] = {id(member): member.value
                          for members in (MessageKind, Reason) for member in members}
_PROMPT_CODE, _WITHDRAW_CODE = KIND_CODES["prompt"], KIND_CODES["withdraw"]
assert {KIND_CODES[k.value] for k in TELLING} == set(KIND_CODES.values()) - {
    _PROMPT_CODE, _WITHDRAW_CODE}

_TELL = ("INSERT INTO told (enterprise, item, generation, told_by) VALUES (?, ?, ?, ?)"
         " ON CONFLICT (enterprise, item) DO UPDATE SET"
         " generation = excluded.generation, told_by = excluded.told_by,"
         " withdrawn_by = NULL WHERE excluded.generation > told.generation")
_INSERT = ("INSERT INTO outbox (seq, id, kind, enterprise, item, generation, body, batch)"
           " VALUES (?, ?, ?, ?, ?, ?, ?, ?)")
_INSERT_NEW = _INSERT + " ON CONFLICT (enterprise, item, kind, generation) DO NOTHING"
_WITHDRAW = ("UPDATE told SET withdrawn_by = ? WHERE enterprise = ? AND item = ?"
             " AND generation = ? AND withdrawn_by IS NULL")
_PROMPT = ("INSERT INTO prompted (enterprise, item, generation, prompted_by)"
           " VALUES (?, ?, ?, ?) ON CONFLICT (enterprise, item) DO UPDATE SET"
           " generation = excluded.generation, prompted_by = excluded.prompted_by"
           " WHERE excluded.generation > prompted.generation")


def _existing(conn: sqlite3.Connection, keys: list[tuple[int, int, int, int]]
              ) -> dict[tuple[int, int, int, int], int]:
    """The outbox rows already holding any of the logical keys (enterprise, item, kind,
    generation), by key: one join through the outbox's UNIQUE index."""
    conn.execute("CREATE TEMP TABLE IF NOT EXISTS planned_keys (enterprise INTEGER,"
                 " item INTEGER, kind INTEGER, generation INTEGER)")
    conn.execute("DELETE FROM temp.planned_keys")
    conn.executemany("INSERT INTO temp.planned_keys VALUES (?, ?, ?, ?)", keys)
    found = {(e, i, k, g): seq for e, i, k, g, seq in conn.execute(
        "SELECT o.enterprise, o.item, o.kind, o.generation, o.seq FROM temp.planned_keys t"
        " JOIN outbox o ON o.enterprise = t.enterprise AND o.item = t.item"
        " AND o.kind = t.kind AND o.generation = t.generation")}
    conn.execute("DELETE FROM temp.planned_keys")
    return found


def _next_seq(conn: sqlite3.Connection) -> int:
    """The ``seq`` SQLite would give the next outbox row (the ids embed it)."""
    return int(conn.execute("SELECT coalesce(max(seq), 0) + 1 FROM outbox").fetchone()[0])


def _intern(conn: sqlite3.Connection, table: str, key: str) -> int:
    """The number of ``key`` in ``enterprises`` or ``items``, added when new."""
    row = conn.execute(f"SELECT n FROM {table} WHERE key = ?", (key,)).fetchone()
    if row is None:
        row = (conn.execute(f"INSERT INTO {table} (key) VALUES (?)", (key,)).lastrowid,)
    return int(row[0])
