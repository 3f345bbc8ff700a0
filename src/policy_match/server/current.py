"""Which items are current on a day, and which tags carry an industry code: the two facts
every query starts from."""

from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict

from policy_match.core.rulebook import Rulebook
from policy_match.dsl import ir
from policy_match.server.state import Snapshot

INDUSTRY_HIERARCHY = "industry"  # GB/T 4754-2017, the built-in plug-in's name
DAYS_KEPT = 16  # dates whose current items are kept per snapshot


def current_policies(snapshot: Snapshot, today: dt.date) -> list[ir.Policy]:
    """The items in force on ``today`` (both ends of 适用时间 inclusive), in rulebook order
    (a new list: the caller may keep it).

    Kept for the last few dates asked for only: a check may name any date, and a cache that
    anyone could fill with dates would be a way to fill the server's memory."""
    recent: _RecentDays = snapshot.cached("current_policies", _RecentDays)
    found = recent.get(today)
    if found is None:
        found = tuple(p for p in snapshot.book.policies.values() if p.active_on(today))
        recent.put(today, found)
    return list(found)


class _RecentDays:
    """The items in force on each of the last :data:`DAYS_KEPT` dates asked for."""

    def __init__(self) -> None:
        self._days: OrderedDict[dt.date, tuple[ir.Policy, ...]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, day: dt.date) -> tuple[ir.Policy, ...] | None:
        return self._days.get(day)

    def put(self, day: dt.date, items: tuple[ir.Policy, ...]) -> None:
        with self._lock:
            self._days[day] = items
            while len(self._days) > DAYS_KEPT:
                self._days.popitem(last=False)

    def __len__(self) -> int:
        return len(self._days)


def industry_tags(book: Rulebook) -> list[str]:
    """The tags typed as GB/T 4754 industry codes."""
    return [name for name, spec in book.tags.items()
            if spec.type.hierarchy == INDUSTRY_HIERARCHY]
