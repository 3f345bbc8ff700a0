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

from policy_match.core.match import MatchResult
from policy_match.core.missing import MissingGroups, missing_groups
from policy_match.core.refresh import tags_read
from policy_match.data.table import EnterpriseTable
from policy_match.engine import bitset
from policy_match.engine.columnar import ColumnarEvaluator
from policy_match.engine.columns import Columns, take_column

if TYPE_CHECKING:
    from policy_match.core.rulebook import Rulebook

CHUNK_ROWS = 16384  # rows matched at once: 2,000 policies × 16,384 rows is 33 MB per mask
# (the missing tags of a chunk cost a fixed part per policy: fewer, larger chunks pay it less)


class Chunk:
    """Verdicts of the table rows ``rows`` (local index j is ``rows[j]``), for the policies
    ``columns`` (indices in rulebook order, ascending; default every policy): column ``c``
    of the masks is policy ``columns[c]``. A plan of a refresh's changes looks only at the
    policies whose verdicts may have moved (``Changes.policies_to_check``)."""

    def __init__(self, book: Rulebook, table: EnterpriseTable, as_of: dt.date,
                 rows: np.ndarray, general: np.ndarray, exact_missing: bool = False,
                 columns: np.ndarray | None = None) -> None:
        self.book = book
        self.exact_missing = exact_missing
        self.rows = rows
        m = rows.size
        self.policies = list(book.policies)
        self.index = {pid: k for k, pid in enumerate(self.policies)}
        self.columns = (np.arange(len(self.policies), dtype=np.int64) if columns is None
                        else np.asarray(columns, dtype=np.int64))
        # per policy of the rulebook: its column (-1: not looked at)
        self.column_of = np.full(len(self.policies), -1, dtype=np.int64)
        self.column_of[self.columns] = np.arange(self.columns.size)
        chosen = [self.policies[p] for p in self.columns.tolist()]
        self.ids = row_ids(table, rows)  # the enterprise id of each local row
        self.result = _match_rows(book, table, as_of, rows, chosen, self.ids)
        self.active = [pid for pid, tri in self.result.tris.items() if tri is not None]
        # per policy of the rulebook: in force today (the others have no verdicts)
        self.in_force = np.array([book.policies[p].active_on(as_of) for p in self.policies],
                                 dtype=bool)
        self.general = general
        # (columns × rows); rows of policies not in force stay False
        self.eligible = np.zeros((self.columns.size, m), dtype=bool)
        self.ineligible = np.zeros((self.columns.size, m), dtype=bool)
        for pid in self.active:
            tri = self.result.tris[pid]
            assert tri is not None
            k = int(self.column_of[self.index[pid]])
            self.eligible[k] = bitset.unpack(tri.t, m)[:m]
            self.ineligible[k] = bitset.unpack(tri.f, m)[:m]
        self._groups: dict[str, MissingGroups] | None = None
        self.answers: list[tuple[str, ...]] = []  # distinct missing-tag tuples of the chunk
        self._answer_ids: dict[tuple[str, ...], int] = {}
        self._missing_ids: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        self._keys: tuple[np.ndarray, np.ndarray] | None = None

    def states(self, local: range) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(tell candidates, ineligible, unknown) of the local rows ``local``, each a
        (rows × columns) mask: a tell candidate is in force and eligible, or 普惠."""
        part = slice(local.start, local.stop)
        eligible, ineligible = self.eligible[:, part].T, self.ineligible[:, part].T
        in_force = self.in_force[self.columns][None, :]
        tell = (eligible | self.general[self.columns][None, :]) & in_force
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

    def missing_pairs(self, local: range, unknown: np.ndarray
                      ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The (batch position, column, missing tags in :attr:`answers`) of every pair of
        the batch ``local`` that ``unknown`` (batch × columns) marks and whose missing tags
        are not empty: one binary search over the chunk's pairs (:meth:`_missing_keys`)."""
        keys, ids = self._missing_keys()
        ks, cs = np.nonzero(unknown)
        answer, = looked_up(keys, cs * self.rows.size + ks + local.start, [ids], -1)
        kept = answer >= 0
        return ks[kept], cs[kept], answer[kept]

    def _missing_keys(self) -> tuple[np.ndarray, np.ndarray]:
        """Every unknown pair of the chunk as a key (column × rows + local row), ascending,
        and its missing tags' index (-1: none): made once a chunk, not per batch."""
        if self._keys is None:
            m = self.rows.size
            parts = [(c * m + rows, ids) for c, (rows, ids) in enumerate(
                self.missing_ids(self.policies[p]) for p in self.columns.tolist())]
            empty = np.zeros(0, dtype=np.int64)
            self._keys = (np.concatenate([k for k, _ in parts] or [empty]).astype(np.int64),
                          np.concatenate([i for _, i in parts] or [empty]).astype(np.int64))
        return self._keys

    def _answer_id(self, answer: tuple[str, ...]) -> int:
        if not answer:
            return -1
        n = self._answer_ids.get(answer)
        if n is None:
            n = self._answer_ids[answer] = len(self.answers)
            self.answers.append(answer)
        return n


def looked_up(keys: np.ndarray, wanted: np.ndarray, values: list[np.ndarray], absent: int
              ) -> list[np.ndarray]:
    """Per ``wanted`` key, each of ``values`` (aligned with the ascending ``keys``) at that
    key, ``absent`` where it is not there: one binary search for all of them."""
    if not keys.size:
        return [np.full(wanted.size, absent, dtype=np.int64) for _ in values]
    at = np.minimum(np.searchsorted(keys, wanted), keys.size - 1)
    found = keys[at] == wanted
    return [np.where(found, v[at], absent) for v in values]


def row_ids(table: EnterpriseTable, rows: np.ndarray) -> list[str]:
    """The ids of the table rows ``rows``, taken from the Arrow ids: a refresh plans a few
    rows of a large table, whose ids would otherwise all become Python objects first."""
    return table.id_array().take(np.asarray(rows, dtype=np.int64)).to_pylist()


def _match_rows(book: Rulebook, table: EnterpriseTable, as_of: dt.date, rows: np.ndarray,
                policies: list[str], ids: list[str]) -> MatchResult[Rulebook]:
    """``policies`` matched on a small table of ``rows`` and of the columns they read (a
    verdict and its missing tags depend only on those)."""
    reads = tags_read(book)
    names = frozenset().union(*(reads[pid] for pid in policies))
    columns = table.columns.columns
    small = Columns(int(rows.size), {name: take_column(columns[name], rows)
                                     for name in columns if name in names})
    sub = EnterpriseTable(small, ids, [])
    evaluator = ColumnarEvaluator(book.dag, book.vocabulary, small, as_of)
    return MatchResult(book, sub, as_of, evaluator, policies)


def chunk_rows(rows: np.ndarray, size: int = CHUNK_ROWS) -> list[np.ndarray]:
    return [rows[i:i + size] for i in range(0, rows.size, size)]
