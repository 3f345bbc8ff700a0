"""The portal's caches hold at most their limit, whatever callers put in them."""

from __future__ import annotations

import datetime as dt
import threading

from policy_match.server.checking import check_json
from policy_match.server.current import current_policies
from policy_match.server.reports import Bounded, ItemCache
from policy_match.server.state import load_snapshot
from policy_match.tools.demo import bundled_rules
from policy_match.tools.generate import generate


def test_a_bounded_map_starts_again_at_its_limit() -> None:
    cache: Bounded[int] = Bounded(3)
    for i in range(3):
        cache.put(i, i * 10)
    assert len(cache) == 3 and cache.get(2) == 20
    cache.put(3, 30)  # full: it starts again with this entry
    assert len(cache) == 1 and cache.get(0) is None and cache.get(3) == 30


def test_concurrent_puts_never_pass_the_limit() -> None:
    cache: Bounded[int] = Bounded(50)

    def fill(offset: int) -> None:
        for i in range(2_000):
            cache.put((offset, i), i)
            assert len(cache) <= 50

    threads = [threading.Thread(target=fill, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert 0 < len(cache) <= 50


def test_plain_items_are_written_once_per_outcome() -> None:
    rules = bundled_rules()
    assert rules is not None
    snapshot = load_snapshot(rules, None)
    day = dt.date(2025, 6, 30)
    records = [{k: v for k, v in r.items() if v is not None} for r in generate(60, 3)]
    for record in records:
        check_json(snapshot, record, day)
    items = snapshot.cache["plain_items"]
    assert isinstance(items, ItemCache)
    answered = len(records) * len(current_policies(snapshot, day))
    assert 0 < len(items) < answered // 2  # outcomes repeat: far fewer than the answers
