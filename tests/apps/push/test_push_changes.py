"""A plan of a refresh's changes looks only at the policies whose verdicts may have moved
(``Changes.policies_to_check``) on the rows that changed, at every policy on new rows, and
records the messages slice by slice; it must add exactly what a full plan adds, and write
the very same ledger rows."""

from __future__ import annotations

import csv
import datetime as dt
import random
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from policy_match.apps.push import Ledger, Planner, plan
from policy_match.apps.push import planner as planner_module
from policy_match.apps.push.chunks import Chunk
from policy_match.apps.push.facts import body_of, read_facts
from policy_match.apps.push.planner import keyed_row_array
from policy_match.apps.push.schema import KIND_CODES
from policy_match.core.loading import load
from policy_match.core.rulebook import Rulebook
from policy_match.data.table import EnterpriseTable

REPO = Path(__file__).resolve().parents[3]
DAY = dt.date(2025, 6, 1)
EDITED = ("营业收入", "研发费用")
TABLES = ("enterprises", "items", "bodies", "outbox", "told", "prompted")


@pytest.fixture(scope="module")
def book() -> Rulebook:
    return load(REPO / "rules")


@pytest.fixture(scope="module")
def records() -> list[dict[str, Any]]:
    with (REPO / "data" / "enterprises-2000.csv").open(encoding="utf-8-sig") as f:
        return [{k: v for k, v in r.items() if v != ""} for r in csv.DictReader(f)][:300]


def edited(records: list[dict[str, Any]], new_rows: int) -> list[dict[str, Any]]:
    """Two money columns moved (or dropped, or given) in 60 rows; ``new_rows`` enterprises
    added in the middle of the table."""
    rng = random.Random(5)
    out = [dict(r) for r in records]
    for r in rng.sample(out, 60):
        for tag in EDITED:
            choice = rng.random()
            if choice < 0.2:
                r.pop(tag, None)
            elif choice < 0.6 or tag not in r:
                r[tag] = str(rng.randint(0, 30_000_000))
            else:
                r[tag] = str(int(float(r[tag]) * 1.7) + 1)
    for k in range(new_rows):
        fresh = dict(out[k])
        fresh["统一社会信用代码"] = f"91530100NEW{k:06d}X"
        out.insert(150 + k, fresh)
    return out


def dump(db: Path) -> dict[str, list[tuple[object, ...]]]:
    conn = sqlite3.connect(db)
    try:
        out = {t: conn.execute(f"SELECT * FROM {t} ORDER BY 1, 2").fetchall() for t in TABLES}
        out["outbox"] = [row[:7] for row in out["outbox"]]  # not the batch (its own numbers)
        return out
    finally:
        conn.close()


@pytest.mark.parametrize("new_rows", [0, 3])
def test_a_plan_of_the_changes_writes_what_a_full_plan_writes(
        book: Rulebook, records: list[dict[str, Any]], new_rows: int, tmp_path: Path) -> None:
    old = book.match(EnterpriseTable.from_records(records, book), as_of=DAY)
    full_db, quick_db = tmp_path / "full.db", tmp_path / "quick.db"
    for db in (full_db, quick_db):
        with Ledger(db) as ledger:
            plan(ledger, old, batch_size=64)
    table = EnterpriseTable.from_records(edited(records, new_rows), book)
    refreshed = book.match(table, as_of=DAY, previous=old)
    changes = refreshed.changes
    assert changes is not None and not changes.policies_touched()
    assert set(changes.columns_changed) == set(EDITED)
    assert changes.added_rows.tolist() == list(range(150, 150 + new_rows))
    checked = changes.policies_to_check(book)
    assert 0 < len(checked) < len(book.policies)  # the plan looks at fewer policies
    with Ledger(full_db) as ledger:
        full = plan(ledger, book.match(table, as_of=DAY), batch_size=64)
    with Ledger(quick_db) as ledger:
        quick = plan(ledger, refreshed, batch_size=64, only_changes=True)
    assert quick.enterprises < full.enterprises
    assert quick.added == full.added and sum(full.added.values()) > 10
    assert dump(quick_db) == dump(full_db)


def test_the_policies_to_check_read_a_changed_column(book: Rulebook,
                                                     records: list[dict[str, Any]]) -> None:
    from policy_match.core.refresh import tags_read

    old = book.match(EnterpriseTable.from_records(records, book), as_of=DAY)
    table = EnterpriseTable.from_records(edited(records, 0), book)
    changes = book.match(table, as_of=DAY, previous=old).changes
    assert changes is not None
    reads = tags_read(book)
    assert changes.policies_to_check(book) == {p for p in book.policies
                                               if reads[p] & set(EDITED)}


def test_messages_recorded_in_slices_write_what_one_slice_writes(
        book: Rulebook, records: list[dict[str, Any]], tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    table = EnterpriseTable.from_records(records, book)
    result = book.match(table, as_of=DAY)
    with Ledger(tmp_path / "one.db") as ledger:
        one = plan(ledger, result, batch_size=100)
    monkeypatch.setattr(planner_module, "RECORD_SLICE", 7)
    with Ledger(tmp_path / "many.db") as ledger:
        many = plan(ledger, result, batch_size=100)
    assert one.added == many.added and one.total > 100
    assert dump(tmp_path / "one.db") == dump(tmp_path / "many.db")


def test_due_slices_are_the_decided_messages_in_order(
        book: Rulebook, records: list[dict[str, Any]], tmp_path: Path) -> None:
    table = EnterpriseTable.from_records(records, book)
    result = book.match(table, as_of=DAY)
    with Ledger(tmp_path / "l.db") as ledger:
        planner = Planner(ledger, result)
        rows, _ = keyed_row_array(result)
        chunk = Chunk(book, table, DAY, rows, planner.general)
        ids = table.id_objects()
        eids = [str(ids[r]) for r in rows]
        local = range(rows.size)
        with ledger.transaction() as conn:
            facts = read_facts(conn, eids)
            due = planner.due(conn, eids, chunk, local, facts)
            whole = planner.decide(conn, eids, chunk, local, facts)
    assert len(whole) == len(due) > 100
    sliced = [m for start in range(0, len(due), 13) for m in due.messages(start, start + 13)]
    assert [m.key for m in sliced] == [m.key for m in whole]
    assert [m.digest for m in sliced] == [m.digest for m in whole]
    # the rows recorded are those messages': the same keys, digests and bodies
    planned = [due.planned(start, start + 13) for start in range(0, len(due), 13)]
    rows = [(e, i, k, g, d, b.fields) for p in planned for e, i, k, g, d, b in p.rows]
    want = [(m.enterprise, m.item, KIND_CODES[m.kind.value], m.generation, m.digest,
             body_of(m, planner.makers.payload_json(m.item)).fields) for m in whole]
    assert rows == want
    assert {k for _, _, k, *_ in rows} >= {1, 2, 3}
    # one text per distinct message body, shared
    texts = {m.text for m in whole}
    assert len({id(m.text) for m in whole}) == len(texts)


def test_a_chunk_of_some_policies_gives_their_columns_of_the_full_chunk(
        book: Rulebook, records: list[dict[str, Any]]) -> None:
    import numpy as np

    table = EnterpriseTable.from_records(records, book)
    rows = np.arange(0, len(table), 2)
    general = np.array([p.push == "普惠" for p in book.policies.values()], dtype=bool)
    every = Chunk(book, table, DAY, rows, general)
    columns = np.arange(0, len(book.policies), 3)
    some = Chunk(book, table, DAY, rows, general, columns=columns)
    local = range(0, rows.size)
    for mine, full in zip(some.states(local), every.states(local), strict=True):
        assert mine.shape == (rows.size, columns.size)
        assert np.array_equal(mine, full[:, columns])
    for p in columns.tolist():
        pid = book.policies[list(book.policies)[p]].id
        assert some.missing_ids(pid)[0].tolist() == every.missing_ids(pid)[0].tolist()
        assert [some.missing(pid, j) for j in range(rows.size)] == [
            every.missing(pid, j) for j in range(rows.size)]
