"""Missing tags as arrays (``missing_groups``) against the per-row dict form and the walk
of every pair (``exact=True``), and the packed-integer grouping against numpy's row-wise
``unique`` (the grouping it replaced)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pytest

from policy_match.core.loading import load
from policy_match.core.missing import _signature_groups, missing_groups, missing_tags
from policy_match.core.rulebook import Rulebook
from policy_match.data.table import EnterpriseTable

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def book() -> Rulebook:
    return load(REPO / "rules")


def _partition(group: np.ndarray) -> set[frozenset[int]]:
    """The groups as sets of row positions (numbering aside)."""
    out: dict[int, set[int]] = {}
    for i, g in enumerate(group.tolist()):
        out.setdefault(g, set()).add(i)
    return {frozenset(rows) for rows in out.values()}


@pytest.mark.parametrize("width", [1, 31, 32, 33, 70, 130])
def test_packed_grouping_equals_row_unique(width: int) -> None:
    rng = np.random.default_rng(width)
    n = 3000
    columns = []
    for j in range(width):  # atoms (2 bits, 0..3) and known-masks (1 bit), few values each
        if j % 3 == 2:
            columns.append((rng.random(n) < 0.9, 1))
        else:
            columns.append((rng.choice(np.array([0, 1, 3], np.uint8), n, p=[.8, .1, .1]), 2))
    first, group = _signature_groups(columns, n)
    matrix = np.stack([c.astype(np.uint8) for c, _ in columns], axis=1)
    _, expected = np.unique(matrix, axis=0, return_inverse=True)
    assert _partition(group) == _partition(np.asarray(expected).reshape(-1))
    assert len(set(group.tolist())) > 1
    assert first.size == group.max() + 1
    # each group's first row is in the group and no earlier row is
    for g, row in enumerate(first.tolist()):
        assert group[row] == g and g not in set(group[:row].tolist())


def test_no_columns_is_one_group() -> None:
    first, group = _signature_groups([], 5)
    assert first.tolist() == [0] and group.tolist() == [0] * 5


def test_missing_groups_equal_the_dict_form_and_every_walk(book: Rulebook) -> None:
    table = EnterpriseTable.load(REPO / "data" / "enterprises-2000.csv", book)
    for day in (dt.date(2024, 6, 1), dt.date(2025, 6, 1)):
        result = book.match(table, day)
        groups = missing_groups(result)
        exact = missing_tags(result, exact=True)
        assert set(groups) == set(exact) == {p for p, t in result.tris.items() if t is not None}
        assert sum(g.rows.size for g in groups.values()) > 0
        for pid, g in groups.items():
            assert g.rows.tolist() == sorted(exact[pid])
            assert g.group.shape == g.rows.shape
            assert set(g.group.tolist()) == set(range(len(g.answers)))  # every group used
            assert {r: g.answers[k] for r, k in zip(g.rows.tolist(), g.group.tolist(),
                                                    strict=True)} == exact[pid]
        assert missing_tags(result) == exact
        some = sorted(groups)[:3]
        assert missing_tags(result, some) == {p: exact[p] for p in some}


def test_reached_is_walked_once_per_rulebook(book: Rulebook) -> None:
    from policy_match.core.missing import reached, reached_by

    for pid in list(book.policies)[:20]:
        atoms, tags = reached_by(book, pid)
        want_atoms, want_tags = reached(book.dag.conditions[pid], book.dag.defines)
        assert [id(a) for a in atoms] == [id(a) for a in want_atoms] and tags == want_tags
        assert reached_by(book, pid)[0] is atoms  # the same lists: not walked again
