"""What a reader hands over: the file's columns, untyped, and the lines it could not read."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from policy_match.data.records import FieldError, Unit

if TYPE_CHECKING:
    import pyarrow as pa

Batch = Mapping[str, Sequence[Any]]
"""Columns of equal length, keyed by header: what writers consume."""

BATCH_ROWS = 8192


@dataclass
class RawTable:
    """Either an Arrow table (CSV, Parquet) or a list of records (JSONL, XLSX).

    The Arrow table is handed over by :meth:`take_arrow`, which drops this object's
    reference, so the table's columns can be freed one by one as they are parsed.

    Where rows are in the file: row ``i`` (0-based) is at ``first + i`` counted in ``unit``,
    unless ``positions`` says otherwise (a function, so that a clean file never pays for
    finding them). ``errors`` holds the rows the reader could not read (``rejected`` of
    them, each with ``row=None``); ``skipped`` counts blank rows it left out itself;
    ``header`` is the header as written (repeats included) and ``fallback`` why the fast
    path was not taken (``None``: it was)."""

    arrow: pa.Table | None = None
    records: list[Mapping[str, Any]] | None = None
    errors: list[FieldError] = field(default_factory=list)
    unit: Unit = "record"
    first: int = 1
    header_at: int | None = None
    positions: Callable[[], np.ndarray] | None = None
    header: list[str] | None = None
    skipped: int = 0
    rejected: int = 0
    fallback: str | None = None
    skip_blank: bool = True  # a file's blank rows are skipped; records given in code are not

    def row_positions(self, n: int) -> np.ndarray:
        """The file position of each of the ``n`` rows handed over."""
        if self.positions is not None:
            return self.positions()
        return np.arange(self.first, self.first + n, dtype=np.int64)

    def take_arrow(self) -> pa.Table:
        data, self.arrow = self.arrow, None
        if data is None:
            raise ValueError("this raw table holds records, not an Arrow table")
        return data


def batches_of(header: Sequence[str], rows: Iterable[Sequence[Any]],
               size: int = BATCH_ROWS) -> Iterator[Batch]:
    """Rows regrouped as column batches of at most ``size`` rows."""
    chunk: list[Sequence[Any]] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == size:
            yield _columns(header, chunk)
            chunk = []
    if chunk:
        yield _columns(header, chunk)


def _columns(header: Sequence[str], rows: list[Sequence[Any]]) -> Batch:
    return {name: [row[i] for row in rows] for i, name in enumerate(header)}


def rows_of(header: Sequence[str], batches: Iterable[Batch]) -> Iterator[tuple[Any, ...]]:
    """Column batches back as rows, in header order."""
    for batch in batches:
        yield from zip(*(batch[name] for name in header), strict=True)
