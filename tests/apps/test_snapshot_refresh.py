"""``diff`` after a daily refresh (``policy_match.apps.snapshot``): given the refresh's
``changes`` it compares only the rows that may differ, and gives the same report as the
full comparison — whatever rows were edited, added, removed or moved, and when the date
moves; ``snapshot --previous --diff-out`` writes that report."""

from __future__ import annotations

import datetime as dt
import json
import random
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import policy_match
from policy_match.apps.snapshot import Snapshot, _candidates, diff, render_text
from policy_match.cli import main
from policy_match.core.rulebook import Rulebook
from policy_match.data.table import EnterpriseTable
from policy_match.tools.generate import REFERENCE_DATE, generate

REPO = Path(__file__).resolve().parents[2]
KEY = "统一社会信用代码"


@pytest.fixture(scope="module")
def book() -> Rulebook:
    return policy_match.load(REPO / "rules")


@pytest.fixture(scope="module")
def records() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    base = generate(120, seed=11)
    keys = {r[KEY] for r in base}
    return base, [r for r in generate(60, seed=12) if r[KEY] not in keys]


def edited(base: list[dict[str, Any]], pool: list[dict[str, Any]], rng: random.Random,
           changed: int, added: int, removed: int, shuffle: bool) -> list[dict[str, Any]]:
    rows = [dict(r) for r in base]
    tags = [t for t in rows[0] if t != KEY]
    for _ in range(changed):
        row, donor, tag = rng.randrange(len(rows)), rng.choice(pool), rng.choice(tags)
        rows[row][tag] = None if rng.random() < 0.2 else donor.get(tag)
    for _ in range(removed):
        rows.pop(rng.randrange(len(rows)))
    rows += [dict(r) for r in rng.sample(pool, added)]
    if shuffle:
        rng.shuffle(rows)
    return rows


def same_report(a: Any, b: Any) -> None:
    assert a.to_dict() == b.to_dict()
    assert a.to_csv() == b.to_csv()
    assert render_text(a, limit=None) == render_text(b, limit=None)


@settings(max_examples=20, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 2**16), changed=st.integers(0, 25), added=st.integers(0, 4),
       removed=st.integers(0, 4), shuffle=st.booleans(), days=st.sampled_from([0, 0, 1, 400]))
def test_the_refreshed_diff_equals_the_full_diff(book: Rulebook, records: Any, seed: int,
                                                 changed: int, added: int, removed: int,
                                                 shuffle: bool, days: int) -> None:
    base, pool = records
    rng = random.Random(seed)
    previous = book.match(EnterpriseTable.from_records(base, book), as_of=REFERENCE_DATE)
    table = EnterpriseTable.from_records(
        edited(base, pool, rng, changed, added, removed, shuffle), book)
    day = REFERENCE_DATE + dt.timedelta(days=days)
    refreshed = book.match(table, as_of=day, previous=previous)
    old, new = Snapshot.from_result(previous), Snapshot.from_result(refreshed)
    assert new.codes.keys() == Snapshot.from_result(book.match(table, as_of=day)).codes.keys()
    same_report(diff(old, new, refreshed.changes), diff(old, new))


def test_only_the_rows_a_refresh_touched_are_compared(book: Rulebook, records: Any) -> None:
    base, pool = records
    previous = book.match(EnterpriseTable.from_records(base, book), as_of=REFERENCE_DATE)
    rows = [dict(r) for r in base]
    rows[4]["营业收入"] = 98765432
    rows[17]["资质"] = None
    rows.append(dict(pool[0]))
    table = EnterpriseTable.from_records(rows, book)
    refreshed = book.match(table, as_of=REFERENCE_DATE, previous=previous)
    assert refreshed.changes is not None
    every_pair = np.arange(len(base))  # the rows of the table found in both
    assert _candidates(refreshed.changes, every_pair).tolist() == [4, 17]
    assert _candidates(None, every_pair) is None
    old, new = Snapshot.from_result(previous), Snapshot.from_result(refreshed)
    result = diff(old, new, refreshed.changes)
    same_report(result, diff(old, new))
    assert {p.enterprise for p in result.pairs()} <= {rows[4][KEY], rows[17][KEY]}
    assert result.added_enterprises == [pool[0][KEY]]


def write_jsonl(path: Path, records: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records),
                    encoding="utf-8")
    return path


def test_snapshot_with_previous_writes_the_diff(tmp_path: Path, records: Any,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    base, pool = records
    rows = edited(base, pool, random.Random(5), 20, 2, 2, True)
    rules, day = str(REPO / "rules"), REFERENCE_DATE.isoformat()
    old_data = write_jsonl(tmp_path / "old.jsonl", base)
    new_data = write_jsonl(tmp_path / "new.jsonl", rows)
    old_snap, new_snap = tmp_path / "old.parquet", tmp_path / "new.parquet"
    assert main(["snapshot", rules, str(old_data), "--out", str(old_snap), "--as-of", day,
                 "--quiet"]) == 0
    report = tmp_path / "changes.json"
    assert main(["snapshot", rules, str(new_data), "--out", str(new_snap), "--as-of", day,
                 "--previous", str(old_data), "--diff-out", str(report), "--quiet"]) == 0
    assert "wrote the json report" in capsys.readouterr().err
    assert main(["diff", str(old_snap), str(new_snap), "--format", "json"]) == 0
    full = json.loads(capsys.readouterr().out)
    refreshed = json.loads(report.read_text(encoding="utf-8"))
    for key in ("counts", "policies", "added_enterprises", "removed_enterprises", "notes"):
        assert refreshed[key] == full[key], key
    assert sum(full["counts"].values()) > 0


def test_diff_out_needs_previous(tmp_path: Path, records: Any,
                                 capsys: pytest.CaptureFixture[str]) -> None:
    base, _ = records
    data = write_jsonl(tmp_path / "t.jsonl", base)
    assert main(["snapshot", str(REPO / "rules"), str(data), "--out",
                 str(tmp_path / "s.parquet"), "--diff-out", str(tmp_path / "r.txt"),
                 "--quiet"]) == 2
    assert "--previous" in capsys.readouterr().err
