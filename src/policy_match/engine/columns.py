"""How an enterprise table lies in memory for the columnar backend.

Each tag is one column with a known-mask (missing values are unknown, never zero):
numbers as ``float64``, dates as ``int32`` day numbers, enums/codes/texts dictionary-encoded
(an ``int32`` code per row into a list of distinct values), bools as ``bool``, sets as one
row mask per member value (so ``has any`` is an OR of masks).

Memory: a column with no missing value shares one read-only all-true known-mask with every
other such column of its length (most columns of a clean table), instead of a byte per row
each; nothing writes into a column's known-mask (a read-only one would refuse).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from functools import lru_cache
from typing import Any

import numpy as np

EPOCH = dt.date(1970, 1, 1)


def day_number(day: dt.date) -> int:
    return (day - EPOCH).days


def from_day_number(n: int) -> dt.date:
    return EPOCH + dt.timedelta(days=int(n))


_INT32 = np.iinfo(np.int32)


@lru_cache(maxsize=8)  # a few table lengths at a time; an evicted mask lives on in its columns
def all_true(n: int) -> np.ndarray:
    """The read-only all-true mask of ``n`` rows, one per length."""
    mask = np.ones(n, dtype=bool)
    mask.flags.writeable = False
    return mask


def shared_known(known: np.ndarray) -> np.ndarray:
    """``known``, or the shared :func:`all_true` mask when every row is known."""
    if (isinstance(known, np.ndarray) and known.dtype == np.bool_ and known.ndim == 1
            and known.all()):
        return all_true(known.shape[0])
    return known


def narrow_days(days: np.ndarray) -> np.ndarray:
    """Day numbers as ``int32`` (every ``datetime.date`` fits: years 1–9999 are days
    −719,162 … 2,932,896), half the memory of ``int64``. Arithmetic on them (a date plus a
    duration, a difference) must widen first; comparisons need not."""
    days = np.asarray(days)
    if days.dtype == np.int32 or days.dtype.kind not in "iu":
        return days
    if days.size and (int(days.min()) < _INT32.min or int(days.max()) > _INT32.max):
        return days  # not day numbers of dates: left as given rather than wrapped
    return days.astype(np.int32)


class _SharesKnown:
    """Columns' common ``__post_init__``: an all-true known-mask becomes the shared one."""

    known: np.ndarray

    def __post_init__(self) -> None:
        object.__setattr__(self, "known", shared_known(self.known))


def exact(x: float) -> Fraction:
    """The decimal a float was read from (shortest round-trip form), as an exact fraction."""
    return Fraction(Decimal(repr(float(x))))


@dataclass(frozen=True)
class NumberColumn(_SharesKnown):
    values: np.ndarray  # float64, NaN where missing
    known: np.ndarray
    # rows whose decimal has more digits than a float keeps (rare): their exact values;
    # comparisons on those rows are decided by the exact evaluator
    exact_rows: dict[int, Fraction] = field(default_factory=dict)

    def get(self, i: int) -> Fraction | None:
        if not self.known[i]:
            return None
        found = self.exact_rows.get(i)
        return found if found is not None else exact(self.values[i])


@dataclass(frozen=True)
class DateColumn(_SharesKnown):
    days: np.ndarray  # int32 days since 1970-01-01 (see narrow_days)
    known: np.ndarray

    def __post_init__(self) -> None:
        super().__post_init__()
        object.__setattr__(self, "days", narrow_days(self.days))

    def get(self, i: int) -> dt.date | None:
        return from_day_number(self.days[i]) if self.known[i] else None


@dataclass(frozen=True)
class CategoryColumn(_SharesKnown):
    """Enum, code or text values: ``codes[i]`` indexes ``categories``; -1 is missing."""

    codes: np.ndarray  # int32
    categories: tuple[str, ...]
    known: np.ndarray

    def get(self, i: int) -> str | None:
        c = self.codes[i]
        return self.categories[c] if c >= 0 else None

    def lookup(self, test: Any) -> np.ndarray:
        """Row mask of values for which ``test(value)`` holds (each distinct value tested once)."""
        lut = np.fromiter((bool(test(c)) for c in self.categories), dtype=bool,
                          count=len(self.categories))
        if not lut.size:
            return np.zeros(self.codes.shape[0], dtype=bool)
        return lut[np.maximum(self.codes, 0)] & self.known


@dataclass(frozen=True)
class BoolColumn(_SharesKnown):
    values: np.ndarray
    known: np.ndarray

    def get(self, i: int) -> bool | None:
        return bool(self.values[i]) if self.known[i] else None


@dataclass(frozen=True)
class SetColumn(_SharesKnown):
    """One row mask per member value; a known row without a value's mask lacks it."""

    members: dict[str, np.ndarray]
    known: np.ndarray
    n: int = 0

    def mask(self, value: str) -> np.ndarray:
        found = self.members.get(value)
        return found if found is not None else np.zeros(self.n, dtype=bool)

    def get(self, i: int) -> frozenset[str] | None:
        if not self.known[i]:
            return None
        return frozenset(v for v, m in self.members.items() if m[i])


@dataclass(frozen=True)
class DurationColumn(_SharesKnown):
    """Durations: their approximate length in days for comparison (what the scalar
    semantics compare across units), and the values themselves for row look-ups."""

    days: np.ndarray  # float64
    values: list[Any]
    known: np.ndarray

    def get(self, i: int) -> Any:
        return self.values[i] if self.known[i] else None


class TextColumn:
    """Free text kept as it was read (an Arrow string array, or a dictionary array when a
    few texts repeat), for the columns no rule tests in bulk — 企业名称, 经营范围 — so a
    million names are not turned into Python objects. A rule that does test it gets
    :meth:`categories` once, dictionary-encoded."""

    def __init__(self, array: Any, known: np.ndarray) -> None:
        self.array = array
        self.known = shared_known(known)
        self._encoded: CategoryColumn | None = None

    def get(self, i: int) -> str | None:
        return str(self.array[i].as_py()).strip() if self.known[i] else None

    def categories(self) -> CategoryColumn:
        if self._encoded is None:
            import pyarrow as pa
            import pyarrow.compute as pc

            array = self.array
            if isinstance(array, pa.ChunkedArray):
                array = array.combine_chunks()
            if pa.types.is_dictionary(array.type):  # trim the few texts, not every row
                encoded = pc.dictionary_encode(pc.utf8_trim_whitespace(array.dictionary))
                codes = np.append(_indices(encoded.indices), -1)[_indices(array.indices)]
            else:
                encoded = pc.dictionary_encode(pc.utf8_trim_whitespace(array))
                codes = _indices(encoded.indices)
            codes = np.where(self.known, codes, -1).astype(np.int32)
            self._encoded = CategoryColumn(codes, tuple(encoded.dictionary.to_pylist()),
                                           self.known)
        return self._encoded


def _indices(indices: Any) -> np.ndarray:
    """Dictionary indices (int32) as numpy, -1 where null, read from Arrow's buffers
    (pyarrow's own ``to_numpy`` and ``fill_null`` import pandas)."""
    n = len(indices)
    validity, data = indices.buffers()[:2]
    if data is None or n == 0:
        return np.full(n, -1, dtype=np.int32)
    values = np.frombuffer(data, dtype=np.int32, count=indices.offset + n)[indices.offset:]
    if not indices.null_count:
        return values.copy()
    packed = np.frombuffer(validity, dtype=np.uint8)
    valid = np.unpackbits(packed, bitorder="little", count=indices.offset + n)[indices.offset:]
    return np.where(valid.astype(bool), values, np.int32(-1))


@dataclass(frozen=True)
class ObjectColumn(_SharesKnown):
    """Anything else (durations, plug-in values): kept as Python objects."""

    values: list[Any]
    known: np.ndarray

    def get(self, i: int) -> Any:
        return self.values[i] if self.known[i] else None


Column = (NumberColumn | DateColumn | CategoryColumn | BoolColumn | SetColumn | DurationColumn
          | TextColumn | ObjectColumn)


@dataclass(frozen=True)
class Columns:
    """The table as the backend reads it: n rows, a column per tag that has any data."""

    n: int
    columns: dict[str, Column] = field(default_factory=dict)

    def row_view(self, i: int) -> RowView:
        """Row ``i`` as a mapping that converts a value only when it is read (a rule reads
        a few of a row's many columns)."""
        return RowView(self, i)

    def row(self, i: int) -> dict[str, Any]:
        """One row as parsed values (for the scalar fall-back and point checks)."""
        out: dict[str, Any] = {}
        for name, column in self.columns.items():
            value = column.get(i)
            if value is not None:
                out[name] = value
        return out


class RowView(Mapping[str, Any]):
    """One row of :class:`Columns`, read lazily: the same keys and values as
    :meth:`Columns.row` (a missing value is no key), each converted on first read."""

    def __init__(self, columns: Columns, i: int) -> None:
        self._columns = columns.columns
        self._i = i
        self._seen: dict[str, Any] = {}

    def __getitem__(self, name: str) -> Any:
        if name in self._seen:
            value = self._seen[name]
        else:
            column = self._columns.get(name)
            value = self._seen[name] = None if column is None else column.get(self._i)
        if value is None:
            raise KeyError(name)
        return value

    def get(self, name: str, default: Any = None) -> Any:
        try:
            return self[name]
        except KeyError:
            return default

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and self.get(name) is not None

    def __iter__(self) -> Iterator[str]:
        return (name for name in self._columns if name in self)

    def __len__(self) -> int:
        return sum(1 for _ in self)


# ---- a subset of rows ------------------------------------------------------------------------


def take_column(column: Column, rows: np.ndarray) -> Column:
    """``column`` at ``rows`` (0-based, any order), as a column of ``len(rows)`` rows."""
    known = column.known[rows]
    if isinstance(column, NumberColumn):
        exact_rows = ({j: column.exact_rows[int(i)] for j, i in enumerate(rows.tolist())
                       if int(i) in column.exact_rows} if column.exact_rows else {})
        return NumberColumn(column.values[rows], known, exact_rows)
    if isinstance(column, DateColumn):
        return DateColumn(column.days[rows], known)
    if isinstance(column, CategoryColumn):
        return _take_categories(column, rows, known)
    if isinstance(column, BoolColumn):
        return BoolColumn(column.values[rows], known)
    if isinstance(column, SetColumn):
        return SetColumn({v: m[rows] for v, m in column.members.items()}, known, rows.size)
    if isinstance(column, DurationColumn):
        return DurationColumn(column.days[rows], [column.values[i] for i in rows.tolist()],
                              known)
    if isinstance(column, TextColumn):
        import pyarrow as pa

        return TextColumn(column.array.take(pa.array(rows, type=pa.int64())), known)
    return ObjectColumn([column.values[i] for i in rows.tolist()], known)


def _take_categories(column: CategoryColumn, rows: np.ndarray, known: np.ndarray
                     ) -> CategoryColumn:
    """Only the categories the rows use: the backend's work per distinct value (a
    hierarchy walk, a lookup) then scales with the rows taken, not the whole table."""
    codes = column.codes[rows]
    used, inverse = np.unique(codes, return_inverse=True)
    present = used >= 0
    shift = int((~present).sum())  # -1 sorts first: it stays -1
    new_codes = (inverse.reshape(codes.shape) - shift).astype(np.int32)
    return CategoryColumn(new_codes, tuple(column.categories[c] for c in used[present].tolist()),
                          known)


def take_columns(columns: Columns, rows: np.ndarray) -> Columns:
    """The table at ``rows``: what the columnar backend needs to evaluate just those rows."""
    rows = np.asarray(rows, dtype=np.int64)
    return Columns(int(rows.size), {name: take_column(c, rows)
                                    for name, c in columns.columns.items()})
