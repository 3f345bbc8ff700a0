"""Bulk push planning equals planning pair by pair.

The reference is the planner's decision rules as they were written before planning was made
bulk — per enterprise, per policy, with the verdict and missing tags of ``book.explain`` on
the raw record (the scalar path) and an in-memory ledger — run here over the bundled sample
on two days with edited data in between. The ledger the bulk planner writes must hold
exactly the messages the reference decides; and a plan restricted to a refresh's changes
(``result.changes``) must add exactly what a full plan adds.
"""

from __future__ import annotations

import csv
import datetime as dt
import random
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from policy_match.apps.push import Ledger, plan
from policy_match.core.loading import load
from policy_match.core.rulebook import Rulebook
from policy_match.data.table import EnterpriseTable
from policy_match.dsl.ir import Verdict

REPO = Path(__file__).resolve().parents[3]
DAY1, DAY2 = dt.date(2025, 6, 1), dt.date(2027, 1, 15)


@pytest.fixture(scope="module")
def book() -> Rulebook:
    return load(REPO / "rules")


@pytest.fixture(scope="module")
def days() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    with (REPO / "data" / "enterprises-2000.csv").open(encoding="utf-8-sig") as f:
        records: list[dict[str, Any]] = [
            {k: v for k, v in r.items() if v != ""} for r in csv.DictReader(f)][:260]
    header = list(records[0])
    rng = random.Random(3)
    edited = [dict(r) for r in records]
    for r in rng.sample(edited, 40):
        tag = rng.choice([h for h in header if h != "统一社会信用代码"])
        donor = rng.choice(records)
        if tag in donor:
            r[tag] = donor[tag]
        else:
            r.pop(tag, None)
    return records, edited[5:] + records[:2]


class Oracle:
    """The old decision rules over an in-memory ledger (told, prompted)."""

    def __init__(self, book: Rulebook) -> None:
        self.book = book
        self.told: dict[tuple[str, str], tuple[int, bool]] = {}
        self.prompted: dict[tuple[str, str], tuple[frozenset[str], int]] = {}
        self.sent: Counter[tuple[str, str, str, int]] = Counter()

    def plan(self, records: list[dict[str, Any]], day: dt.date) -> None:
        seen: set[str] = set()
        for record in records:
            eid = record.get("统一社会信用代码") or ""
            if not eid or eid in seen:
                continue
            seen.add(eid)
            for pid, policy in self.book.policies.items():
                self.decide(eid, record, pid, policy, day)
            for (e, item), (gen, active) in list(self.told.items()):
                if e == eid and item not in self.book.policies and active:
                    self.withdraw(eid, item, gen)

    def decide(self, eid: str, record: dict[str, Any], pid: str, policy: Any,
               day: dt.date) -> None:
        gen, active = self.told.get((eid, pid), (0, False))
        standing = active
        if not policy.active_on(day):
            if standing:
                self.withdraw(eid, pid, gen)
            return
        why = self.book.explain(record, pid, as_of=day)
        if policy.push == "普惠":
            if not standing:
                self.tell("announce", eid, pid, gen + 1)
        elif why.verdict is Verdict.ELIGIBLE and not standing:
            self.tell("match", eid, pid, gen + 1)
        elif why.verdict is Verdict.INELIGIBLE and standing:
            self.withdraw(eid, pid, gen)
        if why.verdict is Verdict.UNKNOWN and why.missing:
            before = self.prompted.get((eid, pid))
            if before is None or before[0] != frozenset(why.missing):
                g = before[1] + 1 if before else 1
                self.prompted[(eid, pid)] = (frozenset(why.missing), g)
                self.sent[("prompt", eid, pid, g)] += 1

    def tell(self, kind: str, eid: str, pid: str, gen: int) -> None:
        self.told[(eid, pid)] = (gen, True)
        self.sent[(kind, eid, pid, gen)] += 1

    def withdraw(self, eid: str, pid: str, gen: int) -> None:
        self.told[(eid, pid)] = (gen, False)
        self.sent[("withdraw", eid, pid, gen)] += 1


def ledger_messages(db: Path) -> Counter[tuple[str, str, str, int]]:
    with Ledger(db) as ledger:
        return Counter((m["kind"], m["enterprise"], m["item"], m["generation"])
                       for m in ledger.messages())


def test_bulk_plan_equals_the_pair_by_pair_rules(book: Rulebook, days: Any,
                                                 tmp_path: Path) -> None:
    first, second = days
    oracle = Oracle(book)
    db = tmp_path / "ledger.db"
    for records, day in ((first, DAY1), (second, DAY2)):
        oracle.plan(records, day)
        table = EnterpriseTable.from_records(records, book)
        with Ledger(db) as ledger:
            plan(ledger, book.match(table, as_of=day), batch_size=37)
            assert ledger.check() == []
        assert ledger_messages(db) == oracle.sent
    assert {k[0] for k in oracle.sent} == {"announce", "match", "withdraw", "prompt"}


def test_plan_of_a_refresh_adds_what_a_full_plan_adds(book: Rulebook, days: Any,
                                                      tmp_path: Path) -> None:
    first, second = days
    full_db, quick_db = tmp_path / "full.db", tmp_path / "quick.db"
    old = book.match(EnterpriseTable.from_records(first, book), as_of=DAY1)
    for db in (full_db, quick_db):
        with Ledger(db) as ledger:
            plan(ledger, old)
    table = EnterpriseTable.from_records(second, book)
    later = DAY1 + dt.timedelta(days=1)
    with Ledger(full_db) as ledger:
        full = plan(ledger, book.match(table, as_of=later))
    refreshed = book.match(table, as_of=later, previous=old)
    with Ledger(quick_db) as ledger:
        quick = plan(ledger, refreshed, only_changes=True)
    assert quick.enterprises < full.enterprises  # only the changed rows were planned
    assert quick.added == full.added and sum(full.added.values()) > 0
    assert ledger_messages(quick_db) == ledger_messages(full_db)
