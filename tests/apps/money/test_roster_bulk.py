"""The bulk roster equals the roster built the scalar way (one ``book.explain`` per entry on
the raw record, as the roster was built before it was made bulk): same entries in the same
order, same ids, amounts, facts, basis, displaced items; same 待核实 list and withheld counts.
The reference is computed here, by the scalar path, not read from a file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

import policy_match as pm
from policy_match.apps.money.benefits import Benefits, compute_benefits
from policy_match.apps.money.cents import from_cents
from policy_match.apps.money.resolution import HELD
from policy_match.apps.money.roster import (
    ENTERPRISE_NAME_TAG,
    _exact_text,
    build_roster,
    roster_id,
    roster_items,
    true_facts,
)
from policy_match.core.rulebook import Rulebook
from policy_match.data.table import EnterpriseTable
from policy_match.engine.explain import tags_read
from policy_match.tools.generate import REFERENCE_DATE, generate

REPO = Path(__file__).resolve().parents[3]


def scalar_roster(benefits: Benefits) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """(entries, 待核实 rows) the way the roster was built before: explain per entry."""
    book, table, as_of = benefits.book, benefits.table, benefits.as_of
    entries: list[tuple[Any, ...]] = []
    verify: list[tuple[Any, ...]] = []
    for pid in roster_items(benefits):
        paid = (benefits.status[pid] == HELD) & benefits.known[pid] & benefits.settled(pid)
        node = book.dag.benefits.get(pid)
        basis = tags_read(node, book.dag.defines) if node is not None else []
        for i in np.flatnonzero(paid).tolist():
            record = table.row(i)
            amount = from_cents(benefits.cents[pid][i]) if benefits.pays[pid] else None
            name = (str(record[ENTERPRISE_NAME_TAG])
                    if ENTERPRISE_NAME_TAG in book.tags and ENTERPRISE_NAME_TAG in record
                    else None)
            problem = benefits.keys.problems.get(i)
            if problem is not None:
                verify.append((pid, i + 1, benefits.keys.shown[i], name, amount, problem.zh))
                continue
            explanation = book.explain(record, pid, as_of=as_of)
            enterprise = table.ids[i]
            entries.append((
                roster_id(pid, enterprise, as_of, amount), pid, enterprise, name, amount,
                tuple(true_facts(explanation.tree)),
                tuple(f"{t} {_exact_text(record[t], book.tags[t].type)}"
                      for t in basis if t in record),
                benefits.displaced_at(pid, i)))
    entries.sort(key=lambda e: (e[1], e[2]))
    verify.sort(key=lambda v: (v[0], v[1]))
    return entries, verify


@pytest.fixture(scope="module")
def bundled() -> tuple[Rulebook, Benefits]:
    book = pm.load(REPO / "rules")
    records = generate(900, seed=11, dirty=True)
    table = EnterpriseTable.from_records(records, book)
    return book, compute_benefits(book.match(table, as_of=REFERENCE_DATE))


def test_bulk_roster_equals_the_scalar_roster(bundled: tuple[Rulebook, Benefits]) -> None:
    _, benefits = bundled
    roster = build_roster(benefits)
    entries, verify = scalar_roster(benefits)
    assert entries and verify  # the sample exercises both lists
    assert any(e[6] for e in entries)  # amounts computed from values
    got = [(e.roster_id, e.policy_id, e.enterprise, e.enterprise_name, e.amount, e.facts,
            e.amount_basis, e.displaced)
           for e in roster.entries]
    assert got == entries
    assert [(v.policy_id, v.row, v.enterprise, v.enterprise_name, v.amount, v.reason)
            for v in roster.to_verify] == verify
    assert roster.total() == sum((e[4] for e in entries if e[4] is not None),
                                 start=roster.total() * 0)


def test_entries_are_built_lazily_and_indexable(bundled: tuple[Rulebook, Benefits]) -> None:
    _, benefits = bundled
    roster = build_roster(benefits)
    listed = list(roster.entries)
    assert len(roster.entries) == len(listed) == len(roster)
    assert roster.entries[0] == listed[0] and roster.entries[-1] == listed[-1]
    middle = len(listed) // 2
    assert roster.entries[middle] == listed[middle]
    assert roster.by_item() == {
        pid: (sum(1 for e in listed if e.policy_id == pid),
              sum((e.amount or 0 for e in listed if e.policy_id == pid),
                  start=roster.total() * 0))
        for pid in {e.policy_id for e in listed}}
