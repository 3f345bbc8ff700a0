"""Which items are current on a day, and which tags carry an industry code: the two facts
every query starts from."""

from __future__ import annotations

import datetime as dt

from policy_match.base.recent import Recent
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
    recent: Recent[dt.date, tuple[ir.Policy, ...]] = snapshot.cached(
        "current_policies", lambda: Recent(DAYS_KEPT))
    return list(recent.get_or_make(today, lambda day: tuple(
        p for p in snapshot.book.policies.values() if p.active_on(day))))


def industry_tags(book: Rulebook) -> list[str]:
    """The tags typed as GB/T 4754 industry codes."""
    return [name for name, spec in book.tags.items()
            if spec.type.hierarchy == INDUSTRY_HIERARCHY]
