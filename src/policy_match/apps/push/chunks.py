"""Where a run of enterprises stands, for planning: verdicts and missing tags, one chunk of
rows at a time, so memory holds one chunk's verdicts, never the whole table's.

A chunk is matched on its own (a small table of just its rows, through the columnar backend:
a verdict depends only on the row, the condition and the date, so these are the verdicts of
the result being planned). From it, two sparse lists are taken with numpy, each sorted by
row then policy:

- *tell candidates*: (row, policy) where the policy is in force and 普惠, or its verdict is
  eligible — a message is due when the enterprise has not been told yet;
- *unknown*: (row, policy) whose verdict is unknown — a prompt is due when explain names
  missing tags and they are not the set last asked for.

Missing tags come from :func:`policy_match.core.missing.missing_tags` over the chunk, per
policy, on first need.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import numpy as np

from policy_match.core.missing import missing_tags
from policy_match.data.table import EnterpriseTable
from policy_match.engine import bitset
from policy_match.engine.columns import take_columns

if TYPE_CHECKING:
    from policy_match.core.match import MatchResult
    from policy_match.core.rulebook import Rulebook

CHUNK_ROWS = 8192  # rows matched at once: 1,906 policies × 8,192 rows is 15 MB per mask


def _pairs(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(row starts, policy indices) of a (policies × rows) mask, grouped by row: row j's
    policies are ``policies[starts[j]:starts[j + 1]]``, ascending."""
    rows, policies = np.nonzero(mask.T)
    starts = np.searchsorted(rows, np.arange(mask.shape[1] + 1))
    return starts, policies, rows


class Chunk:
    """Verdicts of the table rows ``rows`` (local index j is ``rows[j]``)."""

    def __init__(self, book: Rulebook, table: EnterpriseTable, as_of: dt.date,
                 rows: np.ndarray, general: np.ndarray, exact_missing: bool = False) -> None:
        self.book = book
        self.exact_missing = exact_missing
        self.rows = rows
        m = rows.size
        ids = table.id_objects()[rows].tolist()
        sub = EnterpriseTable(take_columns(table.columns, rows), ids, [])
        self.result: MatchResult[Rulebook] = book.match(sub, as_of)
        self.active = [pid for pid, tri in self.result.tris.items() if tri is not None]
        self.index = {pid: k for k, pid in enumerate(book.policies)}
        eligible = np.zeros((len(self.active), m), dtype=bool)
        unknown = np.zeros((len(self.active), m), dtype=bool)
        self.ineligible = np.zeros((len(self.active), m), dtype=bool)
        for k, pid in enumerate(self.active):
            tri = self.result.tris[pid]
            assert tri is not None
            eligible[k] = bitset.unpack(tri.t, m)
            self.ineligible[k] = bitset.unpack(tri.f, m)
            unknown[k] = ~(eligible[k] | self.ineligible[k])
        self.active_index = {pid: k for k, pid in enumerate(self.active)}
        is_general = general[[self.index[p] for p in self.active]] if self.active else general[:0]
        self.tell = _pairs(eligible | is_general[:, None])
        self.unknown = _pairs(unknown)
        self._all_missing: dict[str, dict[int, tuple[str, ...]]] | None = None

    def told_candidates(self, j: int) -> list[str]:
        starts, policies, _ = self.tell
        return [self.active[k] for k in policies[starts[j]:starts[j + 1]].tolist()]

    def unknown_policies(self, j: int) -> list[str]:
        starts, policies, _ = self.unknown
        return [self.active[k] for k in policies[starts[j]:starts[j + 1]].tolist()]

    def ineligible_at(self, pid: str, j: int) -> bool:
        return bool(self.ineligible[self.active_index[pid], j])

    def in_force(self, pid: str) -> bool:
        return pid in self.active_index

    def missing(self, pid: str, j: int) -> tuple[str, ...]:
        if self._all_missing is None:  # every policy at once: the rows' walks are shared
            self._all_missing = missing_tags(self.result, exact=self.exact_missing)
        return self._all_missing.get(pid, {}).get(j, ())


def chunk_rows(rows: np.ndarray, size: int = CHUNK_ROWS) -> list[np.ndarray]:
    return [rows[i:i + size] for i in range(0, rows.size, size)]
