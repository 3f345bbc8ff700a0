"""The items current on a day: the same answer from the cache as from the rulebook, and the
cache holds a bounded number of dates whatever dates the callers name."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from policy_match.server.current import DAYS_KEPT, current_policies
from policy_match.server.state import load_snapshot
from policy_match.tools.demo import bundled_rules


def test_current_items_are_those_in_force_and_few_dates_are_kept() -> None:
    rules = bundled_rules()
    assert rules is not None
    snapshot = load_snapshot(Path(rules), None)
    policies = list(snapshot.book.policies.values())
    days = [dt.date(2023, 1, 1) + dt.timedelta(days=37 * i) for i in range(3 * DAYS_KEPT)]
    counts = set()
    for day in days + days[:5]:  # asked twice: the second answer comes from the cache
        got = current_policies(snapshot, day)
        assert [p.id for p in got] == [p.id for p in policies if p.active_on(day)]
        counts.add(len(got))
        got.clear()  # the caller's own list: clearing it changes nothing kept
    assert len(counts) > 1  # the dates span items starting and ending
    assert 0 < len(snapshot.cache["current_policies"]) <= DAYS_KEPT
