"""Bulk matching results: every policy against every enterprise of a table.

A :class:`MatchResult` holds one packed three-valued bitset pair per policy; lists of
enterprises, per-enterprise views and exports are computed from them only when asked.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, TypeVar

import numpy as np

from policy_match.core.compiled import CompiledBook
from policy_match.data.io import csv_format, jsonl, parquet
from policy_match.data.io.formats import write_batches
from policy_match.data.io.raw import Batch
from policy_match.data.table import EnterpriseTable
from policy_match.dsl.ir import Verdict
from policy_match.engine import bitset
from policy_match.engine.bitset import Tri
from policy_match.engine.columnar import ColumnarEvaluator

if TYPE_CHECKING:
    import pyarrow as pa

    from policy_match.core.refresh import Changes

BookT = TypeVar("BookT", bound=CompiledBook)

DEFAULT_EXPORT = (Verdict.ELIGIBLE, Verdict.UNKNOWN)
EXPORT_HEADER = ("enterprise", "policy", "verdict")
EXPORT_FORMATS = ("csv", "jsonl", "parquet")


_UNDECIDED: Any = object()


class MatchResult(Generic[BookT]):
    """Every policy of ``book`` against every enterprise of ``table`` on ``as_of``."""

    def __init__(self, book: BookT, table: EnterpriseTable, as_of: dt.date,
                 evaluator: ColumnarEvaluator, policy_ids: Iterable[str],
                 progress: Callable[[int, int], None] | None = None,
                 known: Mapping[str, Tri | None] | None = None) -> None:
        """``known``: verdicts already decided on this table and date (a reused result's),
        taken as they are."""
        self.book = book
        self.table = table
        self.as_of = as_of
        self.evaluator = evaluator  # kept: its atom bitsets serve policies added later
        tris: dict[str, Tri | None] = {}  # None: inactive on as_of
        ids = list(policy_ids)
        known = known or {}
        step = max(1, len(ids) // 100)
        conditions = book.dag.conditions if ids else {}
        done_after = evaluator.transient_after(
            [None if pid in known else conditions.get(pid) for pid in ids])
        for done, pid in enumerate(ids, 1):
            found = known.get(pid, _UNDECIDED)
            tris[pid] = self._evaluate(pid) if found is _UNDECIDED else found
            evaluator.forget(done_after[done - 1])
            if progress is not None and (done % step == 0 or done == len(ids)):
                progress(done, len(ids))
        self.tris: Mapping[str, Tri | None] = tris
        self.changes: Changes | None = None  # set by a refresh (``match(previous=...)``)

    @classmethod
    def assembled(cls, book: BookT, table: EnterpriseTable, as_of: dt.date,
                  evaluator: ColumnarEvaluator, tris: Mapping[str, Tri | None],
                  changes: Changes | None = None) -> MatchResult[BookT]:
        """A result from verdicts already decided (a refresh's, :mod:`.refresh`)."""
        result = cls(book, table, as_of, evaluator, ())
        result.tris = tris
        result.changes = changes
        return result

    def _evaluate(self, pid: str) -> Tri | None:
        policy = self.book.policies[pid]
        if not policy.active_on(self.as_of):
            return None
        return self.evaluator.truth(self.book.dag.conditions[pid])

    @property
    def policy_ids(self) -> list[str]:
        return list(self.tris)

    def __repr__(self) -> str:
        return f"<MatchResult {len(self.table)} enterprises × {len(self.tris)} policies>"

    # ---- one pair, one policy, one enterprise -------------------------------------------

    def _verdict_at(self, pid: str, row: int) -> Verdict:
        tri = self.tris[pid]
        if tri is None:
            return Verdict.INACTIVE
        word, bit = divmod(row, bitset.WORD)
        mask = np.uint64(1) << np.uint64(bit)
        if tri.t[word] & mask:
            return Verdict.ELIGIBLE
        if tri.f[word] & mask:
            return Verdict.INELIGIBLE
        return Verdict.UNKNOWN

    def verdict(self, enterprise_id: str, policy_id: str) -> Verdict:
        if policy_id not in self.tris:
            raise KeyError(f"no policy {policy_id!r} in this result")
        return self._verdict_at(policy_id, self.table.index_of(enterprise_id))

    def _rows(self, policy_id: str, which: Verdict) -> np.ndarray:
        tri = self.tris[policy_id]
        n = len(self.table)
        if tri is None:
            return np.arange(n) if which is Verdict.INACTIVE else np.empty(0, dtype=np.int64)
        bits = {Verdict.ELIGIBLE: tri.t, Verdict.INELIGIBLE: tri.f,
                Verdict.UNKNOWN: tri.unknown(self.evaluator.valid)}.get(which)
        return np.empty(0, dtype=np.int64) if bits is None else bitset.rows(bits, n)

    def rows(self, policy_id: str, which: Verdict = Verdict.ELIGIBLE) -> np.ndarray:
        """The table rows (0-based, ``int64``, ascending) with verdict ``which``."""
        if policy_id not in self.tris:
            raise KeyError(f"no policy {policy_id!r} in this result")
        return self._rows(policy_id, which)

    def ids(self, policy_id: str, which: Verdict = Verdict.ELIGIBLE) -> pa.Array:
        """The enterprise ids with verdict ``which``, in table order, as an Arrow array:
        dictionary-encoded over the table's id column (its indices are the rows), so no id
        is copied; ``.cast(pa.string())`` gives plain strings, ``.to_pylist()`` a list."""
        import pyarrow as pa

        rows = pa.array(self.rows(policy_id, which).astype(np.int32, copy=False))
        return pa.DictionaryArray.from_arrays(rows, self.table.id_array())

    def eligible_ids(self, policy_id: str) -> pa.Array:
        return self.ids(policy_id, Verdict.ELIGIBLE)

    def unknown_ids(self, policy_id: str) -> pa.Array:
        return self.ids(policy_id, Verdict.UNKNOWN)

    def ineligible_ids(self, policy_id: str) -> pa.Array:
        return self.ids(policy_id, Verdict.INELIGIBLE)

    def _id_list(self, policy_id: str, which: Verdict) -> list[str]:
        found: list[str] = self.table.id_objects()[self._rows(policy_id, which)].tolist()
        return found

    def eligible(self, policy_id: str) -> list[str]:
        return self._id_list(policy_id, Verdict.ELIGIBLE)

    def unknown(self, policy_id: str) -> list[str]:
        return self._id_list(policy_id, Verdict.UNKNOWN)

    def ineligible(self, policy_id: str) -> list[str]:
        return self._id_list(policy_id, Verdict.INELIGIBLE)

    def for_enterprise(self, enterprise_id: str) -> dict[str, Verdict]:
        row = self.table.index_of(enterprise_id)
        return {pid: self._verdict_at(pid, row) for pid in self.tris}

    def counts(self) -> dict[str, dict[Verdict, int]]:
        """Per policy: how many enterprises get each verdict (they add up to the table)."""
        n = len(self.table)
        out: dict[str, dict[Verdict, int]] = {}
        for pid, tri in self.tris.items():
            if tri is None:
                out[pid] = {Verdict.ELIGIBLE: 0, Verdict.INELIGIBLE: 0, Verdict.UNKNOWN: 0,
                            Verdict.INACTIVE: n}
                continue
            t, f = bitset.count(tri.t), bitset.count(tri.f)
            out[pid] = {Verdict.ELIGIBLE: t, Verdict.INELIGIBLE: f,
                        Verdict.UNKNOWN: n - t - f, Verdict.INACTIVE: 0}
        return out

    # ---- export -------------------------------------------------------------------------

    def to_records(self, verdicts: Iterable[Verdict] = DEFAULT_EXPORT) -> Iterator[dict[str, Any]]:
        """(enterprise, policy, verdict) rows for the verdicts asked for, policy by policy."""
        wanted = tuple(verdicts)
        for pid in self.tris:
            for which in wanted:
                for i in self._rows(pid, which):
                    yield {"enterprise": self.table.ids[i], "policy": pid,
                           "verdict": which.value}

    def batches(self, verdicts: Iterable[Verdict] = DEFAULT_EXPORT) -> Iterator[Batch]:
        """The same rows as column batches, one per (policy, verdict): what writers take."""
        ids = self.table.id_objects()
        wanted = tuple(verdicts)
        for pid in self.tris:
            for which in wanted:
                rows = self._rows(pid, which)
                if rows.size:
                    yield {"enterprise": ids[rows], "policy": [pid] * rows.size,
                           "verdict": [which.value] * rows.size}

    def write(self, path: str | Path, verdicts: Iterable[Verdict] = DEFAULT_EXPORT) -> int:
        """The rows to ``path``: .csv, .jsonl or .parquet by its suffix; returns the count."""
        return write_batches(path, EXPORT_HEADER, self.batches(verdicts),
                             allowed=EXPORT_FORMATS)

    def to_csv(self, path: str | Path, verdicts: Iterable[Verdict] = DEFAULT_EXPORT) -> int:
        return csv_format.write(Path(path), EXPORT_HEADER, self.batches(verdicts))

    def to_jsonl(self, path: str | Path, verdicts: Iterable[Verdict] = DEFAULT_EXPORT) -> int:
        return jsonl.write(Path(path), EXPORT_HEADER, self.batches(verdicts))

    def to_parquet(self, path: str | Path, verdicts: Iterable[Verdict] = DEFAULT_EXPORT) -> int:
        return parquet.write(Path(path), EXPORT_HEADER, self.batches(verdicts))
