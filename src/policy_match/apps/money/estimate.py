"""The fiscal estimate (财政测算): what an item, a department or a category costs.

Per item, ``estimate`` is the sum of the held, known amounts; ``upper`` bounds what the item
could cost once the missing data arrive (``None``: unbounded). The definitions are in
:mod:`policy_match.apps.money.benefits` and ``docs/benefits.md``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

import numpy as np

from policy_match.apps.money.cents import from_cents, total_cents
from policy_match.apps.money.resolution import BLOCKED, DISPLACED, HELD

By = Literal["item", "department", "category"]
UNSPECIFIED = "（未注明）"


@dataclass(frozen=True)
class Estimate:
    """One row of the fiscal estimate (财政测算): an item, a department or a category."""

    key: str
    label: str
    items: int
    held: int  # (enterprise, item) pairs held after resolution
    amount_unknown: int  # held, but the amount waits for data
    displaced: int  # eligible, displaced by a higher item (互斥组 / 排除事项)
    blocked: int  # eligible, a 前置事项 not held
    unknown: int  # verdict unknown (待补充信息)
    estimate: Decimal
    upper: Decimal | None  # None: unbounded

    def as_dict(self) -> dict[str, Any]:
        return {"key": self.key, "label": self.label, "items": self.items, "held": self.held,
                "amount_unknown": self.amount_unknown, "displaced": self.displaced,
                "blocked": self.blocked, "unknown": self.unknown,
                "estimate": str(self.estimate),
                "upper": None if self.upper is None else str(self.upper)}


@dataclass(frozen=True)
class ItemFacts:
    """What one item's estimate reads, per row of the table."""

    status: np.ndarray  # resolution status (HELD, DISPLACED, BLOCKED, NONE)
    cents: np.ndarray
    known: np.ndarray  # the amount is known
    unknown: np.ndarray  # the verdict is unknown
    settled: np.ndarray  # the item's component waits for no data
    possible: np.ndarray  # might hold the item once the data arrive
    ceiling: int | None  # the item's greatest possible amount in cents; None: unbounded


def item_estimate(key: str, label: str, facts: ItemFacts) -> Estimate:
    """One item's row: the held, known amounts, and the bound on what it could cost."""
    status, known, cents = facts.status, facts.known, facts.cents
    held = status == HELD
    return Estimate(
        key=key, label=label, items=1, held=int(held.sum()),
        amount_unknown=int((held & ~known).sum()),
        displaced=int((status == DISPLACED).sum()), blocked=int((status == BLOCKED).sum()),
        unknown=int(facts.unknown.sum()),
        estimate=from_cents(total_cents(cents[held & known])),
        upper=_upper(facts, held))


def _upper(facts: ItemFacts, held: np.ndarray) -> Decimal | None:
    """Held amounts where settled (exact); elsewhere, where the item is possible, its amount
    when computable, else its greatest possible amount (exclusivity not applied)."""
    open_rows = ~facts.settled & facts.possible
    exact_rows = held & facts.settled
    cents = facts.cents
    upper = total_cents(cents[exact_rows]) + total_cents(
        np.maximum(cents[open_rows & facts.known], 0))
    count_unknown = int((open_rows & ~facts.known).sum())
    if count_unknown:
        if facts.ceiling is None:
            return None
        upper += count_unknown * max(facts.ceiling, 0)
    return from_cents(upper)


def combine(key: str, label: str, rows: Iterable[Estimate]) -> Estimate:
    """Rows added up: counts and sums; unbounded if any row is."""
    found = list(rows)
    uppers = [r.upper for r in found]
    return Estimate(
        key=key, label=label, items=sum(r.items for r in found),
        held=sum(r.held for r in found), amount_unknown=sum(r.amount_unknown for r in found),
        displaced=sum(r.displaced for r in found), blocked=sum(r.blocked for r in found),
        unknown=sum(r.unknown for r in found),
        estimate=sum((r.estimate for r in found), Decimal("0.00")),
        upper=None if any(u is None for u in uppers)
        else sum((u for u in uppers if u is not None), Decimal("0.00")))


def group_estimates(rows: list[Estimate], group_of: dict[str, str | None]) -> list[Estimate]:
    """Item rows added up by group (department or category), groups by name; an item
    without one counts under ``UNSPECIFIED``."""
    grouped: dict[str, list[Estimate]] = {}
    for row in rows:
        key = group_of[row.key] or UNSPECIFIED
        grouped.setdefault(key, []).append(row)
    return [combine(key, key, found) for key, found in sorted(grouped.items())]
