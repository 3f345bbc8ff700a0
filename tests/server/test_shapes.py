"""Explanations shared by shape say what walking each record says: answers from a snapshot
whose shapes were made by earlier records equal, byte for byte, the answers the models give
on a snapshot with nothing cached — on the bundled rulebook and on random rulebooks with
every construct (defines, ``case`` in conditions and in values, at least K of, missing
values)."""

from __future__ import annotations

import datetime as dt
import random
import sys
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic_core import to_json

from policy_match.server.checking import check_items, check_json
from policy_match.server.shapes import ShapeCache
from policy_match.server.state import Snapshot, load_snapshot
from policy_match.tools.demo import DEMO_DATE, bundled_rules
from policy_match.tools.generate import generate

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "engine"))
from oracle import AS_OF_DATES, load, records, rulebooks


def _walked(snapshot: Snapshot, record: dict[str, Any], day: dt.date, explain: bool) -> bytes:
    """The answer of a snapshot with nothing cached, through the models."""
    fresh = Snapshot(snapshot.book, None, snapshot.version, snapshot.loaded_at)
    return to_json({"as_of": day, "version": snapshot.version,
                    "results": check_items(fresh, record, day, explain, True)})


def _some_missing(rows: list[dict[str, Any]], seed: int) -> list[dict[str, Any]]:
    """Each row with a few of its fields left out, as a half-filled form sends it."""
    pick = random.Random(seed)
    return [{k: v for k, v in row.items() if pick.random() > 0.15} for row in rows]


@pytest.mark.parametrize("explain", [True, False])
def test_bundled_rulebook_answers_by_shape_equal_walked_ones(explain: bool) -> None:
    rules = bundled_rules()
    assert rules is not None
    snapshot = load_snapshot(Path(rules), None)
    rows = [{k: v for k, v in r.items() if v is not None} for r in generate(120, seed=5)]
    rows += _some_missing(rows, 3)
    for record in rows:
        got = check_json(snapshot, record, DEMO_DATE, explain=explain, gaps=True)
        assert got == _walked(snapshot, record, DEMO_DATE, explain)
    shapes: ShapeCache = snapshot.cache["shapes"]
    # shapes were shared: far fewer shapes than items answered
    assert 0 < len(shapes._shapes) < len(rows) * len(snapshot.book.policies) // 2


def _plain(raw: dict[str, Any]) -> dict[str, Any]:
    """A generated record as JSON carries it (numbers and texts; dates as text)."""
    def one(value: Any) -> Any:
        if isinstance(value, Fraction):
            return int(value) if value.denominator == 1 else str(float(value))
        if isinstance(value, dt.date):
            return value.isoformat()
        return value
    return {k: one(v) for k, v in raw.items() if v is not None}


@settings(max_examples=25, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=st.data(), explain=st.booleans())
def test_random_rulebooks_answers_by_shape_equal_walked_ones(data: st.DataObject,
                                                            explain: bool) -> None:
    book = load(data.draw(rulebooks()).text)
    day = data.draw(st.sampled_from(AS_OF_DATES))
    snapshot = Snapshot(book, None, "test", dt.datetime(2024, 1, 1))
    rows = [_plain(data.draw(records(day))[0]) for _ in range(12)]
    for record in rows + rows[:4]:  # the repeats are answered from the caches
        got = check_json(snapshot, record, day, explain=explain, gaps=True)
        assert got == _walked(snapshot, record, day, explain)
