"""兑付标准 in bulk: what each enterprise of a table is paid, after 就高不重复, 前置事项 and
排除事项, and what each item, department and category costs (财政测算).

Read :func:`compute_benefits` (``book.match(table)`` first). The rules, also written up in
``docs/benefits.md``:

**Money is in cents.** Every amount is the exact 兑付标准 value rounded to 0.01 yuan,
ROUND_HALF_UP (a tie goes away from zero): :func:`money` of ``book.benefit(record, id)``.
The bulk path computes amounts in float64 (the columnar evaluator's value of the benefit
node) together with a per-row bound on the float error; a row whose exact value may lie
within that bound of a half-cent (a near-tie: ``研发费用 * 10%`` with a cent ending in 5), or
whose error cannot be bounded (a divisor that may be zero, a function the columnar backend
does not vectorize), is recomputed exactly by the scalar evaluator. So every amount equals
``money(book.benefit(record, id))`` — and equals ``book.benefit`` itself whenever that is a
whole number of cents.

**Resolution**, per enterprise, in this order:

1. *candidates*: items whose verdict is eligible and every 前置事项 of which (transitively)
   is a candidate (an item whose prerequisite the enterprise does not qualify for never
   displaces anything);
2. *exclusivity*: two candidates conflict when they share a 互斥组 or one lists the other
   in 排除事项. Candidates are ranked by amount, highest first, ties to the lower item id;
   an item whose amount is unknown ranks at its item's greatest possible amount (``+∞`` when
   unbounded): a possibly higher item is never displaced by a known lower one. Going down
   the ranking, an item is kept unless it conflicts with one already kept; it is then
   *displaced* by the highest-ranked kept item it conflicts with. Within a 互斥组 (no
   排除事项 involved) this keeps exactly the highest item. An item without 兑付标准 ranks as 0;
3. *requirements after exclusivity*: a kept item is *held* only if every item it requires is
   held (checked in dependency order); otherwise it is *blocked*. Displaced items stay
   displaced (no second round).

**Settled.** The items linked by 互斥组, 排除事项 or 前置事项 form components. An enterprise's
component is *settled* when none of its items has an unknown verdict and no eligible item in
it has an unknown amount: only then does the resolution above not depend on missing data.
Rosters (免申即享) pay only held items with a known amount in a settled component.

**Fiscal estimate** per item: ``estimate`` is the sum of the held, known amounts.
``upper`` bounds what the item could cost once the missing data arrive: every held amount in
a settled component (exact), plus, for each enterprise whose component is not settled and
that might hold the item (verdict eligible or unknown, and so for every 前置事项), the
item's amount when it is computable, else the item's greatest possible amount (``min(…,
50万)``, tiers of fixed sums) — ``None`` (unbounded) when the item has no maximum. Where the
data leave a choice open, exclusivity is not applied to the bound, so it holds whatever the
data turn out to be. Department and category rows add up their items.

**One key, one enterprise.** A key on several rows of the table counts once in the estimate,
on its first row (:mod:`.keys`); rosters pay none of those rows until the data are fixed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import numpy as np

from policy_match.apps.money.amounts import I64_MAX, ColumnAmounts
from policy_match.apps.money.bounds import Intervals
from policy_match.apps.money.cents import CENT, from_cents, money, to_cents
from policy_match.apps.money.estimate import (
    UNSPECIFIED,
    By,
    Estimate,
    ItemFacts,
    combine,
    group_estimates,
    item_estimate,
)
from policy_match.apps.money.item_graph import item_graph
from policy_match.apps.money.keys import KeyCheck, check_keys
from policy_match.apps.money.resolution import (
    BLOCKED,
    DISPLACED,
    HELD,
    NONE,
    STATUS_NAMES,
    STATUS_ZH,
    ItemColumns,
    resolve,
)
from policy_match.core.rulebook import UNKNOWN, _Unknown
from policy_match.dsl.ir import Verdict
from policy_match.engine import bitset

if TYPE_CHECKING:
    from policy_match.core.match import MatchResult
    from policy_match.core.rulebook import Rulebook


@dataclass(frozen=True)
class Holding:
    """One item for one enterprise after resolution."""

    policy_id: str
    verdict: Verdict
    status: str  # held | displaced | blocked | none (verdict not eligible)
    amount: Decimal | _Unknown | None  # the 兑付标准 amount (before resolution), as book.benefit
    settled: bool  # nothing unknown in the item's 互斥组/排除事项/前置事项 component
    displaced_by: str | None = None  # status displaced: the kept item
    blocked_by: str | None = None  # status blocked: a 前置事项 not held
    displaced: tuple[str, ...] = ()  # status held: the items this one displaced


class Benefits:
    """Amounts and resolution for every (enterprise, item) of a match result.

    Arrays are indexed by row of the table; items by ``self.items`` (sorted ids: a lower index
    is a lower id). Only items in force on ``as_of`` take part."""

    def __init__(self, result: MatchResult) -> None:
        book = result.book
        self.book: Rulebook = book
        self.result = result
        self.table = result.table
        self.as_of: dt.date = result.as_of
        self.n = len(result.table)
        self.items: list[str] = sorted(result.tris)
        self.index = {pid: k for k, pid in enumerate(self.items)}
        self.eligible: dict[str, np.ndarray] = {}
        self.unknown: dict[str, np.ndarray] = {}
        self.pays: dict[str, bool] = {}
        self.cents: dict[str, np.ndarray] = {}
        self.known: dict[str, np.ndarray] = {}
        self.max_cents: dict[str, int | None] = {}
        self.recomputed = self._compute_amounts()
        graph = item_graph(book.policies, self.items)
        self.conflicts = graph.conflicts
        self.requires = graph.requires
        self.order = graph.order
        self.components = graph.components
        self.component_of = graph.component_of
        columns = {pid: ItemColumns(self.eligible[pid], self.unknown[pid], self.known[pid])
                   for pid in self.items}
        resolution = resolve(graph, self.items, columns, self.rank_cents, self.n)
        self.status = resolution.status
        self.by = resolution.by
        self.settled_component = resolution.settled_component
        self.possible = resolution.possible
        self.keys: KeyCheck = check_keys(book, result.table)

    def _compute_amounts(self) -> int:
        """Verdict masks and amounts of every item; how many rows were recomputed exactly."""
        book, result, n = self.book, self.result, self.n
        amounts = ColumnAmounts(book, result)
        intervals = Intervals(book.dag)
        for pid in self.items:
            tri = result.tris[pid]
            if tri is None:
                self.eligible[pid] = self.unknown[pid] = np.broadcast_to(np.False_, (n,))
            else:
                t, f = bitset.unpack(tri.t, n), bitset.unpack(tri.f, n)
                self.eligible[pid], self.unknown[pid] = t.copy(), ~(t | f)
            node = book.dag.benefits.get(pid)
            self.pays[pid] = node is not None
            if node is None:  # read-only views of one value: no array per row
                self.cents[pid] = np.broadcast_to(np.int64(0), (n,))
                self.known[pid] = np.broadcast_to(np.True_, (n,))
                self.max_cents[pid] = 0
                continue
            wanted = self.eligible[pid] | self.unknown[pid]
            self.cents[pid], self.known[pid] = amounts.column(node, wanted)
            hi = intervals.of(node)[1]
            self.max_cents[pid] = None if isinstance(hi, float) else to_cents(hi)
        return amounts.recomputed

    @property
    def held(self) -> dict[str, np.ndarray]:
        """Per item, the rows that hold it (made when asked: the statuses say it)."""
        return {pid: status == HELD for pid, status in self.status.items()}

    def rank_cents(self, pid: str) -> np.ndarray:
        """What the ranking reads: the amount, or for an unknown amount the item's maximum."""
        ceiling = self.max_cents[pid]
        fill = I64_MAX if ceiling is None else ceiling
        return np.where(self.known[pid], self.cents[pid], fill)

    def settled(self, pid: str) -> np.ndarray:
        return self.settled_component[self.component_of[pid]]

    # ---- one enterprise ---------------------------------------------------------------------

    def _verdict(self, pid: str, row: int) -> Verdict:
        if self.result.tris[pid] is None:
            return Verdict.INACTIVE
        if self.eligible[pid][row]:
            return Verdict.ELIGIBLE
        return Verdict.UNKNOWN if self.unknown[pid][row] else Verdict.INELIGIBLE

    def amount_at(self, pid: str, row: int) -> Decimal | _Unknown | None:
        """As ``book.benefit`` (rounded to cents): before resolution."""
        if not self.pays[pid]:
            return None
        verdict = self._verdict(pid, row)
        if verdict is Verdict.UNKNOWN:
            return UNKNOWN
        if verdict is not Verdict.ELIGIBLE:
            return None
        return from_cents(self.cents[pid][row]) if self.known[pid][row] else UNKNOWN

    def amount(self, enterprise_id: str, policy_id: str) -> Decimal | _Unknown | None:
        return self.amount_at(policy_id, self.table.index_of(enterprise_id))

    def paid_at(self, pid: str, row: int) -> Decimal | _Unknown | None:
        """After resolution: the amount of a held item, ``None`` for any other."""
        if self.status[pid][row] != HELD or not self.pays[pid]:
            return None
        return from_cents(self.cents[pid][row]) if self.known[pid][row] else UNKNOWN

    def paid(self, enterprise_id: str, policy_id: str) -> Decimal | _Unknown | None:
        return self.paid_at(policy_id, self.table.index_of(enterprise_id))

    def displaced_at(self, pid: str, row: int) -> tuple[str, ...]:
        k = self.index[pid]
        return tuple(q for q in sorted(self.conflicts[pid], key=self.index.__getitem__)
                     if self.status[q][row] == DISPLACED and self.by[q][row] == k)

    def holding_at(self, pid: str, row: int) -> Holding:
        status = int(self.status[pid][row])
        other = self.items[self.by[pid][row]] if self.by[pid][row] >= 0 else None
        return Holding(
            policy_id=pid, verdict=self._verdict(pid, row), status=STATUS_NAMES[status],
            amount=self.amount_at(pid, row), settled=bool(self.settled(pid)[row]),
            displaced_by=other if status == DISPLACED else None,
            blocked_by=other if status == BLOCKED else None,
            displaced=self.displaced_at(pid, row) if status == HELD else ())

    def holdings(self, enterprise_id: str) -> list[Holding]:
        """Every item eligible or unknown for the enterprise, in item order."""
        row = self.table.index_of(enterprise_id)
        return [self.holding_at(pid, row) for pid in self.items
                if self.eligible[pid][row] or self.unknown[pid][row]]

    def to_records(self) -> Iterator[dict[str, Any]]:
        """(enterprise, item) rows for eligible and unknown verdicts, item by item."""
        for pid in self.items:
            for row in np.flatnonzero(self.eligible[pid] | self.unknown[pid]):
                h = self.holding_at(pid, int(row))
                amount = h.amount
                yield {"enterprise": self.table.ids[row], "policy": pid,
                       "verdict": h.verdict.value, "status": h.status,
                       "amount": ("unknown" if amount is UNKNOWN
                                  else None if amount is None else str(amount)),
                       "settled": h.settled, "displaced_by": h.displaced_by,
                       "blocked_by": h.blocked_by, "displaced": list(h.displaced)}

    # ---- fiscal estimate ------------------------------------------------------------------

    def money_items(self) -> list[str]:
        """Items in force on ``as_of`` with a 兑付标准."""
        return [p for p in self.items if self.pays[p] and self.result.tris[p] is not None]

    def item_estimate(self, pid: str) -> Estimate:
        """One item's estimate; a key on several rows counts once (its first row)."""
        status, unknown, possible = self.status[pid], self.unknown[pid], self.possible[pid]
        counted = self.keys.counted
        if not counted.all():
            status = np.where(counted, status, NONE).astype(status.dtype)
            unknown, possible = unknown & counted, possible & counted
        facts = ItemFacts(
            status=status, cents=self.cents[pid], known=self.known[pid],
            unknown=unknown, settled=self.settled(pid), possible=possible,
            ceiling=self.max_cents[pid])
        return item_estimate(pid, self.book.policies[pid].name, facts)

    def estimate(self, by: By = "item") -> list[Estimate]:
        """The fiscal estimate per item (in id order), department or category (by name)."""
        rows = [self.item_estimate(pid) for pid in self.money_items()]
        if by == "item":
            return rows
        field = {"department": "department", "category": "category"}[by]
        group_of = {row.key: getattr(self.book.policies[row.key], field) for row in rows}
        return group_estimates(rows, group_of)

    def total(self) -> Estimate:
        return combine("total", "合计", [self.item_estimate(p) for p in self.money_items()])


def compute_benefits(result: MatchResult) -> Benefits:
    """Amounts, resolution and estimates for a match result (``book.match(table, as_of)``)."""
    return Benefits(result)


__all__ = ["BLOCKED", "CENT", "DISPLACED", "HELD", "NONE", "STATUS_NAMES", "STATUS_ZH",
           "UNSPECIFIED", "Benefits", "By", "Estimate", "Holding", "combine",
           "compute_benefits", "from_cents", "money", "to_cents"]
