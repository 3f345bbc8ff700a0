"""Recording a batch in bulk (``Recorder.record_all``) writes the very rows, numbers and facts
that recording its messages one by one (``Recorder.record``) writes: run over the bundled
sample's messages on two days (so that the second day meets existing enterprises, items,
bodies, facts and outbox rows), and on a batch recorded twice (every key already there)."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

import numpy as np
import pytest

from policy_match.apps.push import Ledger, Planner
from policy_match.apps.push.chunks import Chunk
from policy_match.apps.push.facts import Recorder, read_facts
from policy_match.apps.push.messages import Message
from policy_match.apps.push.planner import keyed_row_array
from policy_match.core.loading import load
from policy_match.core.rulebook import Rulebook
from policy_match.data.table import EnterpriseTable
from policy_match.engine.columns import Columns, take_columns

REPO = Path(__file__).resolve().parents[3]
TABLES = ("enterprises", "items", "bodies", "batches", "outbox", "told", "prompted")


@pytest.fixture(scope="module")
def book() -> Rulebook:
    return load(REPO / "rules")


def dump(db: Path) -> dict[str, list[tuple[object, ...]]]:
    conn = sqlite3.connect(db)
    try:
        return {t: conn.execute(f"SELECT * FROM {t} ORDER BY 1, 2").fetchall() for t in TABLES}
    finally:
        conn.close()


def record_day(db: Path, book: Rulebook, table: EnterpriseTable, day: dt.date,
               bulk: bool, times: int = 1) -> list[bool]:
    """Decide every keyed row's messages against the ledger and record them (in one batch;
    ``times`` > 1: the same messages recorded again, in a transaction each)."""
    result = book.match(table, as_of=day)
    added: list[bool] = []
    with Ledger(db) as ledger:
        planner = Planner(ledger, result)
        rows, _ = keyed_row_array(result)
        chunk = Chunk(book, table, day, rows, planner.general)
        local = range(rows.size)
        ids = table.id_objects()
        eids = [str(ids[r]) for r in rows]
        messages: list[Message] = []
        for _ in range(times):
            with ledger.transaction() as conn:
                messages = messages or planner.decide(conn, eids, chunk, local,
                                                      read_facts(conn, eids))
                texts = [planner.makers.payload_json(m.item) for m in messages]
                recorder = Recorder(ledger, None, day.isoformat(), "2026-01-01T00:00:00")
                if bulk:
                    added += recorder.record_all(messages, texts)
                else:
                    added += [recorder.record(m, t) for m, t in zip(messages, texts, strict=True)]
        assert ledger.check() == []
    return added


def test_bulk_recording_writes_what_one_by_one_writes(book: Rulebook, tmp_path: Path) -> None:
    table = EnterpriseTable.from_csv(REPO / "data" / "enterprises-2000.csv", book)
    first = EnterpriseTable(table.columns, table.ids, [])
    rows = np.arange(0, len(table), 3)  # a second day: a third of the rows, a later date
    second = EnterpriseTable(take_columns(table.columns, rows),
                             table.id_objects()[rows].tolist(), [])
    flags: dict[bool, list[bool]] = {}
    for bulk in (False, True):
        db = tmp_path / f"{bulk}.db"
        flags[bulk] = (record_day(db, book, first, dt.date(2025, 6, 1), bulk)
                       + record_day(db, book, second, dt.date(2027, 1, 15), bulk))
    assert flags[True] == flags[False] and sum(flags[True]) > 1000
    one, many = dump(tmp_path / "False.db"), dump(tmp_path / "True.db")
    assert {t: len(v) for t, v in one.items()} == {t: len(v) for t, v in many.items()}
    assert one == many
    kinds = {k for (k,) in sqlite3.connect(tmp_path / "True.db").execute(
        "SELECT DISTINCT kind FROM outbox")}
    assert kinds == {1, 2, 3, 4}


def test_a_batch_recorded_twice_adds_nothing_the_second_time(book: Rulebook,
                                                             tmp_path: Path) -> None:
    table = EnterpriseTable.from_csv(REPO / "data" / "enterprises-2000.csv", book)
    rows = np.arange(0, 300)
    small = EnterpriseTable(take_rows(table, rows), table.id_objects()[rows].tolist(), [])
    flags: dict[bool, list[bool]] = {}
    for bulk in (False, True):
        db = tmp_path / f"{bulk}.db"
        flags[bulk] = record_day(db, book, small, dt.date(2025, 6, 1), bulk, times=2)
    assert flags[True] == flags[False]
    half = len(flags[True]) // 2
    assert all(flags[True][:half]) and not any(flags[True][half:])
    assert dump(tmp_path / "False.db") == dump(tmp_path / "True.db")


def take_rows(table: EnterpriseTable, rows: np.ndarray) -> Columns:
    return take_columns(table.columns, rows)



def test_the_outbox_keeps_the_planning_order(book: Rulebook, tmp_path: Path) -> None:
    """Bulk decisions are written in the order one by one wrote them: enterprise by
    enterprise in table order, each in rulebook order, a prompt after its item's other
    message."""
    from policy_match.apps.push import plan

    table = EnterpriseTable.from_csv(REPO / "data" / "enterprises-2000.csv", book)
    rows = np.arange(0, 400)
    small = EnterpriseTable(take_rows(table, rows), table.id_objects()[rows].tolist(), [])
    with Ledger(tmp_path / "l.db") as ledger:
        plan(ledger, book.match(small, as_of=dt.date(2025, 6, 1)), batch_size=64)
        messages = ledger.messages()
    position = {eid: k for k, eid in enumerate(small.ids)}
    order = {pid: k for k, pid in enumerate(book.policies)}
    keys = [(position[m["enterprise"]], order[m["item"]], m["kind"] == "prompt")
            for m in messages]
    assert len(keys) > 1000 and any(k[2] for k in keys)
    assert keys == sorted(keys)


def _facts_by_sql(conn: sqlite3.Connection, eids: list[str], items: list[int] | None
                  ) -> set[tuple[object, ...]]:
    """The told and prompted facts of ``eids``, read row by row (the reference)."""
    position = {e: k for k, e in enumerate(eids)}
    told = {("told", position[key], item, gen, active) for key, item, gen, active in
            conn.execute("SELECT e.key, f.item, f.generation, f.withdrawn_by IS NULL"
                         " FROM told f JOIN enterprises e ON e.n = f.enterprise")}
    prompted = {("prompted", position[key], item, gen, body) for key, item, gen, body in
                conn.execute("SELECT e.key, f.item, f.generation, o.body FROM prompted f"
                             " JOIN enterprises e ON e.n = f.enterprise"
                             " JOIN outbox o ON o.seq = f.prompted_by")}
    return {f for f in told | prompted if items is None or f[2] in items}


def test_read_facts_reads_every_fact_of_the_keys_asked(book: Rulebook, tmp_path: Path) -> None:
    table = EnterpriseTable.from_csv(REPO / "data" / "enterprises-2000.csv", book)
    db = tmp_path / "l.db"
    record_day(db, book, EnterpriseTable(table.columns, table.ids, []), dt.date(2025, 6, 1),
               bulk=True)
    with Ledger(db) as ledger, ledger.snapshot() as conn:
        known = [k for (k,) in conn.execute("SELECT key FROM enterprises ORDER BY key DESC")]
        assert len(known) > 1000  # several of read_facts' query batches
        eids = ["not-in-the-ledger", *known[:700], "neither", *known[700:]]
        some = [n for (n,) in conn.execute("SELECT n FROM items WHERE n % 3 = 0")]
        for items in (None, some):
            facts = read_facts(conn, eids, items)
            got = {("told", int(k), int(i), int(g), int(a)) for k, i, g, a in zip(
                facts.told_at, facts.told_item, facts.told_generation, facts.told_active,
                strict=True)}
            got |= {("prompted", int(k), int(i), int(g), int(b)) for k, i, g, b in zip(
                facts.prompted_at, facts.prompted_item, facts.prompted_generation,
                facts.prompted_body, strict=True)}
            want = _facts_by_sql(conn, eids, items)
            assert got == want and len(want) > 1000
            numbers = dict(conn.execute("SELECT key, n FROM enterprises"))
            assert all(numbers[eids[k]] == n for k, n in facts.enterprise_n.items())


def test_a_batch_partly_recorded_already_adds_the_rest_as_one_by_one(
        book: Rulebook, tmp_path: Path) -> None:
    """Some of a batch's logical keys in the outbox already: the bulk insert meets the
    UNIQUE key, rolls its savepoint back and records key by key — the very rows, numbers and
    facts one by one writes, with nothing left of the attempt (bodies, batch, outbox)."""
    table = EnterpriseTable.from_csv(REPO / "data" / "enterprises-2000.csv", book)
    rows = np.arange(0, 200)
    small = EnterpriseTable(take_rows(table, rows), table.id_objects()[rows].tolist(), [])
    day = dt.date(2025, 6, 1)
    flags: dict[bool, list[bool]] = {}
    for bulk in (False, True):
        with Ledger(tmp_path / f"{bulk}.db") as ledger:
            planner = Planner(ledger, book.match(small, as_of=day))
            keyed, _ = keyed_row_array(planner.result)
            chunk = Chunk(book, small, day, keyed, planner.general)
            eids = [str(small.id_objects()[r]) for r in keyed]
            with ledger.transaction() as conn:
                messages = planner.decide(conn, eids, chunk, range(keyed.size),
                                          read_facts(conn, eids))
            texts = [planner.makers.payload_json(m.item) for m in messages]
            flags[bulk] = []
            for part in (slice(None, None, 3), slice(None)):  # a third, then all of them
                with ledger.transaction():
                    recorder = Recorder(ledger, None, day.isoformat(), "2026-01-01T00:00:00")
                    if bulk:
                        flags[bulk] += recorder.record_all(messages[part], texts[part])
                    else:
                        flags[bulk] += [recorder.record(m, t) for m, t in
                                        zip(messages[part], texts[part], strict=True)]
            assert ledger.check() == []
    third = len(messages[::3])
    assert flags[True] == flags[False] and len(messages) > 1000
    assert all(flags[True][:third])
    assert flags[True][third:] == [k % 3 != 0 for k in range(len(messages))]
    assert dump(tmp_path / "False.db") == dump(tmp_path / "True.db")
    with Ledger(tmp_path / "True.db") as ledger:
        assert ledger.conn.execute("SELECT count(*) FROM batches").fetchone()[0] == 2
