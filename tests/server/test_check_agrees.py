"""``POST /api/check`` agrees with ``book.evaluate`` and ``book.benefit`` on generated
records: rows of the seeded generator (``tools/generate``) with fields left out at random
(so that unknown verdicts occur), on dates inside and around the items' 适用时间."""

from __future__ import annotations

import datetime as dt
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from policy_match import load
from policy_match.core.rulebook import UNKNOWN
from policy_match.tools.generate import generate

ROWS = generate(40, seed=7)
DAYS = [dt.date(2023, 1, 1), dt.date(2024, 12, 31), dt.date(2025, 6, 30), dt.date(2026, 12, 31)]


@pytest.fixture(scope="module")
def book(live_server):  # type: ignore[no-untyped-def]
    return load(live_server.rules)


def _form(row: dict[str, Any], keep: list[bool]) -> dict[str, Any]:
    """The row as a form sends it: missing values left out, some known ones too."""
    fields = [(k, v) for k, v in row.items() if v is not None]
    return {k: v for (k, v), kept in zip(fields, keep * len(fields), strict=False) if kept}


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(index=st.integers(0, len(ROWS) - 1),
       keep=st.lists(st.booleans(), min_size=1, max_size=12),
       day=st.sampled_from(DAYS), explain=st.booleans())
def test_check_agrees_with_the_library(client: httpx.Client, book, index: int,  # type: ignore[no-untyped-def]
                                       keep: list[bool], day: dt.date, explain: bool) -> None:
    record = _form(ROWS[index], keep)
    got = client.post("/api/check", json={"record": record, "as_of": day.isoformat(),
                                          "explain": explain})
    assert got.status_code == 200, got.text
    results = got.json()["results"]
    assert {r["policy_id"] for r in results} == {
        pid for pid, p in book.policies.items() if p.active_on(day)}
    for r in results:
        pid = r["policy_id"]
        assert r["verdict"] == book.evaluate(record, pid, day).value, pid
        amount = book.benefit(record, pid, day)
        if amount is None or amount is UNKNOWN:
            assert r["benefit"] is None
        else:
            assert r["benefit"] == str(amount)
        if r["verdict"] == "unknown":
            assert r["missing"] == book.explain(record, pid, day).missing
        if explain:
            assert r["explanation"]["match_degree"] == pytest.approx(
                book.explain(record, pid, day).match_degree)
