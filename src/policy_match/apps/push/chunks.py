"""Where a run of enterprises stands, for planning: verdicts and missing tags, one chunk of
rows at a time, so memory holds one chunk's verdicts, never the whole table's.

A chunk is matched on its own (a small table of just its rows, through the columnar backend:
a verdict depends only on the row, the condition and the date, so these are the verdicts of
the result being planned). From it, a batch of rows takes
three (rows × policies) masks (:meth:`Chunk.states`):

- *tell candidates*: the policy is in force and 普惠, or its verdict is eligible — a message
  is due when the enterprise has not been told yet;
- *ineligible*: a standing 精准 item is withdrawn;
- *unknown*: a prompt is due when explain names missing tags and they are not the set last
  asked for.

Missing tags come from :func:`policy_match.core.missing.missing_groups` over the chunk, as
arrays per policy, on first need.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import numpy as np

from policy_match.core.missing import MissingGroups, missing_groups
from policy_match.data.table import EnterpriseTable
from policy_match.engine import bitset
from policy_match.engine.columns import take_columns

if TYPE_CHECKING:
    from policy_match.core.match import MatchResult
    from policy_match.core.rulebook import Rulebook

CHUNK_ROWS = 16384  # rows matched at once: 2,000 policies × 16,384 rows is 33 MB per mask
# (the missing tags of a chunk cost a fixed part per policy: fewer, larger chunks pay it less)


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
        self.policies = list(book.policies)
        self.index = {pid: k for k, pid in enumerate(self.policies)}
        self.active = [pid for pid, tri in self.result.tris.items() if tri is not None]
        # per policy of the rulebook: in force today (the others have no verdicts)
        self.in_force = np.zeros(len(self.policies), dtype=bool)
        self.in_force[[self.index[p] for p in self.active]] = True
        self.general = general
        # (policies × rows), rulebook order; rows of policies not in force stay False
        self.eligible = np.zeros((len(self.policies), m), dtype=bool)
        self.ineligible = np.zeros((len(self.policies), m), dtype=bool)
        for pid in self.active:
            tri = self.result.tris[pid]
            assert tri is not None
            k = self.index[pid]
            self.eligible[k] = bitset.unpack(tri.t, m)[:m]
            self.ineligible[k] = bitset.unpack(tri.f, m)[:m]
        self._groups: dict[str, MissingGroups] | None = None
        self.answers: list[tuple[str, ...]] = []  # distinct missing-tag tuples of the chunk
        self._answer_ids: dict[tuple[str, ...], int] = {}
        self._missing_ids: dict[str, tuple[np.ndarray, np.ndarray]] = {}

    def states(self, local: range) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(tell candidates, ineligible, unknown) of the local rows ``local``, each a
        (rows × policies) mask: a tell candidate is in force and eligible, or 普惠."""
        part = slice(local.start, local.stop)
        eligible, ineligible = self.eligible[:, part].T, self.ineligible[:, part].T
        in_force = self.in_force[None, :]
        tell = (eligible | self.general[None, :]) & in_force
        unknown = in_force & ~(eligible | ineligible)
        return tell, ineligible, unknown

    def missing(self, pid: str, j: int) -> tuple[str, ...]:
        """The missing tags of local row ``j`` for ``pid`` (() where none)."""
        rows, ids = self.missing_ids(pid)
        at = int(np.searchsorted(rows, j))
        found = at < rows.size and rows[at] == j and ids[at] >= 0
        return self.answers[ids[at]] if found else ()

    def missing_ids(self, pid: str) -> tuple[np.ndarray, np.ndarray]:
        """(the unknown local rows of ``pid``, ascending; per row, the index of its missing
        tags in :attr:`answers`, -1 where none are missing): equal tuples share an index
        across the chunk's policies, so they are compared once."""
        known = self._missing_ids.get(pid)
        if known is not None:
            return known
        if self._groups is None:  # every policy at once: the rows' walks are shared
            self._groups = missing_groups(self.result, exact=self.exact_missing)
        groups = self._groups.get(pid)
        if groups is None:
            empty = np.zeros(0, dtype=np.int64)
            known = self._missing_ids[pid] = (empty, empty)
            return known
        ids = np.array([self._answer_id(a) for a in groups.answers], dtype=np.int64)
        known = self._missing_ids[pid] = (groups.rows, ids[groups.group])
        return known

    def _answer_id(self, answer: tuple[str, ...]) -> int:
        if not answer:
            return -1
        n = self._answer_ids.get(answer)
        if n is None:
            n = self._answer_ids[answer] = len(self.answers)
            self.answers.append(answer)
        return n


def chunk_rows(rows: np.ndarray, size: int = CHUNK_ROWS) -> list[np.ndarray]:
    return [rows[i:i + size] for i in range(0, rows.size, size)]
