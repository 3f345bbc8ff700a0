"""The check's shortcuts change nothing: answers copied from the per-item cache and lines
shared across requests equal answers computed afresh, record after record."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from pydantic_core import to_json

from policy_match.server.checking import check_items, check_json
from policy_match.server.state import Snapshot, load_snapshot
from policy_match.tools.demo import DEMO_DATE, bundled_rules
from policy_match.tools.generate import generate


@pytest.fixture(scope="module")
def snapshot() -> Snapshot:
    rules = bundled_rules()
    assert rules is not None
    return load_snapshot(Path(rules), None)


def _fresh(snapshot: Snapshot, record: dict, day: dt.date, explain: bool) -> dict:  # type: ignore[type-arg]
    """The same check on a snapshot of the same book with empty caches."""
    clean = Snapshot(snapshot.book, None, snapshot.version, snapshot.loaded_at)
    return {"as_of": day.isoformat(), "version": snapshot.version,
            "results": json.loads(to_json(check_items(clean, record, day, explain, True)))}


@pytest.mark.parametrize("explain", [False, True])
def test_cached_answers_equal_fresh_ones(snapshot: Snapshot, explain: bool) -> None:
    rows = [{k: v for k, v in r.items() if v is not None} for r in generate(60, seed=11)]
    # the same small firm again and again, and firms that differ only in far-away fields
    rows += [{"企业规模": "小型", "所在区域": "530102003", "失信被执行人": "否"}] * 3
    rows += [{**rows[0], "出口额": 1000 * i} for i in range(3)]
    for day in (DEMO_DATE, dt.date(2026, 12, 31)):
        for record in rows:
            got = json.loads(check_json(snapshot, record, day, explain=explain, gaps=True))
            assert got == _fresh(snapshot, record, day, explain)
    assert snapshot.cache["answers"]._answers  # the cache was used


@pytest.mark.parametrize(("explain", "gaps"), [(True, True), (False, True), (False, False)])
def test_answers_written_straight_to_json_are_the_models_bytes(snapshot: Snapshot,
                                                               explain: bool,
                                                               gaps: bool) -> None:
    """The explained and gap answers are assembled from bytes (``server/explained.py``),
    not serialized from models: byte for byte they are what the models would give."""
    rows = [{k: v for k, v in r.items() if v is not None} for r in generate(80, seed=23)]
    rows += [{}, {"企业规模": "小型"}]  # everything unknown, nearly everything unknown
    for day in (DEMO_DATE, dt.date(2026, 12, 31)):
        for record in rows:
            fresh = Snapshot(snapshot.book, None, snapshot.version, snapshot.loaded_at)
            want = to_json({"as_of": day, "version": snapshot.version,
                            "results": check_items(fresh, record, day, explain, gaps)})
            assert check_json(fresh, record, day, explain=explain, gaps=gaps) == want
