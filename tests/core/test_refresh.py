"""Daily refresh (core/refresh.py): ``book.match(new, as_of, previous=old)`` equals a full
match of ``new`` — every verdict of every policy — whatever rows were edited, added,
removed or moved, whatever policies were edited, and when the date moves."""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import policy_match as pm
from policy_match.core.loading import load_sources
from policy_match.core.match import MatchResult
from policy_match.core.refresh import tags_read
from policy_match.core.rulebook import Rulebook
from policy_match.data.table import EnterpriseTable
from policy_match.engine import bitset
from policy_match.tools.generate import REFERENCE_DATE, generate

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def book() -> Rulebook:
    return pm.load(REPO / "rules")


@pytest.fixture(scope="module")
def records() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The base library and a pool of other enterprises (new rows, new values)."""
    base = generate(160, seed=3)
    keys = {r["统一社会信用代码"] for r in base}
    return base, [r for r in generate(80, seed=4) if r["统一社会信用代码"] not in keys]


def verdict_rows(result: MatchResult[Any]) -> dict[str, tuple[bytes, bytes] | None]:
    """Every policy's verdicts as (true rows, false rows) bit strings."""
    n = len(result.table)
    out: dict[str, tuple[bytes, bytes] | None] = {}
    for pid, tri in result.tris.items():
        out[pid] = None if tri is None else (
            bitset.unpack(tri.t, n).tobytes(), bitset.unpack(tri.f, n).tobytes())
    return out


def edit(base: list[dict[str, Any]], pool: list[dict[str, Any]], rng: random.Random,
         changed: int, added: int, removed: int, shuffle: bool) -> list[dict[str, Any]]:
    rows = [dict(r) for r in base]
    tags = [t for t in rows[0] if t != "统一社会信用代码"]
    for _ in range(changed):
        row, donor, tag = rng.randrange(len(rows)), rng.choice(pool), rng.choice(tags)
        if rng.random() < 0.2:
            rows[row][tag] = None  # a value removed
        else:
            rows[row][tag] = donor.get(tag)
    for _ in range(removed):
        rows.pop(rng.randrange(len(rows)))
    rows += [dict(r) for r in rng.sample(pool, added)]
    if shuffle:
        rng.shuffle(rows)
    return rows


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 2**16), changed=st.integers(0, 30), added=st.integers(0, 5),
       removed=st.integers(0, 5), shuffle=st.booleans(), days=st.sampled_from([0, 0, 1, 400]))
def test_refresh_equals_a_full_match(book: Rulebook, records: Any, seed: int, changed: int,
                                     added: int, removed: int, shuffle: bool,
                                     days: int) -> None:
    base, pool = records
    rng = random.Random(seed)
    old_table = EnterpriseTable.from_records(base, book)
    old = book.match(old_table, as_of=REFERENCE_DATE)
    new_table = EnterpriseTable.from_records(
        edit(base, pool, rng, changed, added, removed, shuffle), book)
    day = REFERENCE_DATE + dt.timedelta(days=days)
    refreshed = book.match(new_table, as_of=day, previous=old)
    full = book.match(new_table, as_of=day)
    assert verdict_rows(refreshed) == verdict_rows(full)
    assert refreshed.counts() == full.counts()
    changes = refreshed.changes
    assert changes is not None
    assert len(changes.rows_added) == added
    # evaluated again: the new rows, and the changed rows when a kept policy reads a
    # column that changed
    assert len(changes.rows_added) <= changes.rows_evaluated \
        <= len(changes.rows_added) + len(changes.rows_changed)
    assert bool(changes.columns_changed) == bool(changes.rows_changed)
    if days == 0:
        assert not changes.policies_dated and not changes.policies_changed
    if not (changed or added or removed or shuffle):
        assert changes.rows_evaluated == 0


def test_only_changed_rows_are_evaluated(book: Rulebook, records: Any) -> None:
    base, _ = records
    old = book.match(EnterpriseTable.from_records(base, book), as_of=REFERENCE_DATE)
    rows = [dict(r) for r in base]
    rows[7]["营业收入"] = 123456789.0
    rows[42]["资质"] = None
    new = EnterpriseTable.from_records(rows, book)
    refreshed = book.match(new, as_of=REFERENCE_DATE, previous=old)
    changes = refreshed.changes
    assert changes is not None
    assert changes.rows_changed == (new.ids[7], new.ids[42])
    assert changes.rows_added == changes.rows_removed == ()
    assert changes.rows_evaluated == 2
    assert changes.policies_evaluated == ()
    assert refreshed.counts() == book.match(new, as_of=REFERENCE_DATE).counts()


def test_a_change_no_policy_reads_evaluates_nothing(book: Rulebook, records: Any) -> None:
    base, _ = records
    old = book.match(EnterpriseTable.from_records(base, book), as_of=REFERENCE_DATE)
    rows = [dict(r) for r in base]
    rows[3]["企业名称"] = "改了名字的公司"
    rows[9]["企业名称"] = "另一个新名字"
    new = EnterpriseTable.from_records(rows, book)
    assert not any("企业名称" in read for read in tags_read(book).values())
    changes = book.match(new, as_of=REFERENCE_DATE, previous=old).changes
    assert changes is not None
    assert changes.rows_changed == (new.ids[3], new.ids[9])
    assert changes.columns_changed == ("企业名称",)
    assert changes.rows_evaluated == 0


def test_a_value_removed_is_a_change_of_its_column(book: Rulebook, records: Any) -> None:
    """0 and missing differ (a hash of 0 must not stand for "no value")."""
    base, _ = records
    rows = [dict(r) for r in base]
    rows[5]["就业见习人月数"] = 0
    old = book.match(EnterpriseTable.from_records(rows, book), as_of=REFERENCE_DATE)
    rows[5]["就业见习人月数"] = None
    new = EnterpriseTable.from_records(rows, book)
    refreshed = book.match(new, as_of=REFERENCE_DATE, previous=old)
    assert refreshed.changes is not None
    assert refreshed.changes.columns_changed == ("就业见习人月数",)
    assert refreshed.changes.rows_evaluated == 1
    assert verdict_rows(refreshed) == verdict_rows(book.match(new, as_of=REFERENCE_DATE))


def test_policies_reading_only_unchanged_columns_keep_their_verdicts(
        book: Rulebook, records: Any) -> None:
    """Only the policies reading a changed column are evaluated again (on the changed
    rows); the others' bitsets are the previous ones, not copies."""
    base, _ = records
    old = book.match(EnterpriseTable.from_records(base, book), as_of=REFERENCE_DATE)
    rows = [dict(r) for r in base]
    rows[11]["营业收入"] = 987654321
    new = EnterpriseTable.from_records(rows, book)
    refreshed = book.match(new, as_of=REFERENCE_DATE, previous=old)
    reads = tags_read(book)
    for pid, tri in refreshed.tris.items():
        before = old.tris[pid]
        if tri is None or before is None:
            continue
        assert (tri.t is before.t) == ("营业收入" not in reads[pid]), pid
    assert verdict_rows(refreshed) == verdict_rows(book.match(new, as_of=REFERENCE_DATE))


def test_removed_and_added_rows_are_reported(book: Rulebook, records: Any) -> None:
    base, pool = records
    old = book.match(EnterpriseTable.from_records(base, book), as_of=REFERENCE_DATE)
    new = EnterpriseTable.from_records([*base[2:], pool[0]], book)
    changes = book.match(new, as_of=REFERENCE_DATE, previous=old).changes
    assert changes is not None
    key = "统一社会信用代码"
    assert set(changes.rows_removed) == {base[0][key], base[1][key]}
    assert changes.rows_added == (pool[0][key],)
    assert changes.rows_changed == ()


RULES = """\
tag 代码: text key
tag 收入: money
tag 成立日期: date
policy "A" {
    事项名称: "甲"
    申请条件: 收入 >= 100万
}
policy "B" {
    事项名称: "乙"
    申请条件: 收入 >= 500万
}
policy "C" {
    事项名称: "丙"
    申请条件: 成立日期 <= 评估日 - 3年
}
"""


def test_edited_added_and_removed_policies(tmp_path: Path) -> None:
    old_book = load_sources({"a.rule": RULES}).rulebook
    edited = RULES.replace("收入 >= 500万", "收入 >= 50万").replace(
        'policy "A" {\n    事项名称: "甲"\n    申请条件: 收入 >= 100万\n}\n', "")
    new_book = load_sources({"a.rule": edited + 'policy "D" {\n    事项名称: "丁"\n'
                                               '    申请条件: 收入 >= 1万\n}\n'}).rulebook
    rng = np.random.default_rng(0)
    records = [{"代码": f"E{i}", "收入": int(rng.integers(0, 10_000_000)),
                "成立日期": f"20{int(rng.integers(10, 24))}-06-30"} for i in range(300)]
    day = dt.date(2024, 7, 1)
    table = EnterpriseTable.from_records(records, old_book)
    old = old_book.match(table, as_of=day)
    new_table = EnterpriseTable.from_records(records, new_book)
    later = day + dt.timedelta(days=365)
    refreshed = new_book.match(new_table, as_of=later, previous=old)
    changes = refreshed.changes
    assert changes is not None
    assert changes.policies_removed == ("A",)
    assert changes.policies_changed == ("B",)
    assert changes.policies_added == ("D",)
    assert changes.policies_dated == ("C",)  # reads 评估日, and the date moved
    assert verdict_rows(refreshed) == verdict_rows(new_book.match(new_table, as_of=later))
