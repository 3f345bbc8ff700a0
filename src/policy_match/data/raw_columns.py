"""Raw columns as a reader handed them over, before any tag type is applied.

A column of an Arrow table (CSV, Parquet) or of a list of records (JSONL, XLSX, the Python
API). Either is dictionary-encoded for parsing (each distinct value parsed once); an Arrow
string column of a numeric tag is read in bulk instead (:mod:`.number_columns`), and free
text stays an Arrow array. Arrow's data reaches numpy through its buffers
(:mod:`.arrow_numpy`), so a load never imports pandas.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from policy_match.data.arrow_numpy import (
    arrow_strings,
    bool_values,
    primitive_values,
    valid_mask,
)
from policy_match.data.records import MAX_CELL_BYTES, MISSING_TEXT, is_missing
from policy_match.engine.columns import TextColumn

DICTIONARY_SHARE = 4
"""Free text is kept dictionary-encoded when fewer than one in ``DICTIONARY_SHARE`` of its
first rows are distinct (经营范围: a few hundred texts over a million rows)."""


class Raw:
    """A raw column: ``encode()`` gives codes per row (-1 = null) and the distinct values."""

    def encode(self) -> tuple[np.ndarray, list[Any]]:
        raise NotImplementedError

    def empty(self) -> bool:
        """Every cell missing."""
        raise NotImplementedError

    def drop_oversized(self) -> list[tuple[int, str]]:
        """Cells over :data:`MAX_CELL_BYTES`, each (row, start of its text), made null."""
        return []

    def long_decimals(self) -> np.ndarray:
        """Rows written with more significant digits than a float keeps (exact parse)."""
        return np.empty(0, dtype=np.int64)

    def at(self, i: int) -> Any:
        raise NotImplementedError

    def as_float(self) -> tuple[np.ndarray, np.ndarray] | None:
        """Values and known-mask when the column is typed numeric, else ``None``."""
        return None


class ListRaw(Raw):
    def __init__(self, values: list[Any]) -> None:
        self.values = values

    def encode(self) -> tuple[np.ndarray, list[Any]]:
        seen: dict[Any, int] = {}
        uniques: list[Any] = []
        codes = np.empty(len(self.values), dtype=np.int32)
        for i, v in enumerate(self.values):
            key = _hashable(v)
            c = seen.get(key)
            if c is None:
                c = seen[key] = len(uniques)
                uniques.append(v)
            codes[i] = c
        return codes, uniques

    def long_decimals(self) -> np.ndarray:
        return np.array([i for i, v in enumerate(self.values)
                         if type(v) is int and abs(v) > 2**53], dtype=np.int64)

    def empty(self) -> bool:
        return all(is_missing(v) for v in self.values)

    def drop_oversized(self) -> list[tuple[int, str]]:
        found = [i for i, v in enumerate(self.values) if type(v) is str
                 and len(v) > MAX_CELL_BYTES // 4 and len(v.encode()) > MAX_CELL_BYTES]
        shown = [(i, self.values[i][:80]) for i in found]
        for i in found:
            self.values[i] = None
        return shown

    def at(self, i: int) -> Any:
        return self.values[i]

    def as_float(self) -> tuple[np.ndarray, np.ndarray] | None:
        if all(type(v) in (int, float) or v is None for v in self.values):
            data = np.array([np.nan if v is None else v for v in self.values], dtype=float)
            return data, ~np.isnan(data)
        return None


def _hashable(v: Any) -> Any:
    if isinstance(v, list | set | frozenset | tuple):
        return ("__seq__", tuple(sorted(map(str, v))))
    if isinstance(v, float) and v != v:
        return ("__nan__",)
    try:
        hash(v)
    except TypeError:
        return ("__repr__", repr(v))
    return (type(v).__name__, v)


class ArrowRaw(Raw):
    def __init__(self, column: Any) -> None:
        self.column = column

    def joined(self) -> Any:
        """The cells as one Arrow array (the chunks joined, once: kept in their place)."""
        import pyarrow as pa

        if isinstance(self.column, pa.ChunkedArray):
            self.column = self.column.combine_chunks()
        return self.column

    def take(self) -> Any:
        """The cells, handed over: this raw column no longer holds them (so that they go
        as soon as the parse drops them)."""
        column, self.column = self.column, None
        return column

    def is_text(self) -> bool:
        import pyarrow as pa

        kind = self.column.type
        return bool(pa.types.is_string(kind) or pa.types.is_large_string(kind))

    def encode(self) -> tuple[np.ndarray, list[Any]]:
        import pyarrow as pa
        import pyarrow.compute as pc

        column, self.column = self.column, None  # encoded once: the raw cells go with it
        if isinstance(column, pa.ChunkedArray) and not pa.types.is_dictionary(column.type):
            # one hash table over the chunks, no joined copy of the column: every chunk
            # comes back holding the dictionary of the whole column
            encoded = pc.dictionary_encode(column)
            del column
            if encoded.num_chunks == 0:
                return np.full(len(encoded), -1, dtype=np.int32), []
            codes = primitive_values(pa.chunked_array(
                [chunk.indices for chunk in encoded.chunks], pa.int32()), np.int32, -1)
            return codes, encoded.chunk(encoded.num_chunks - 1).dictionary.to_pylist()
        array = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
        del column
        encoded = array if pa.types.is_dictionary(array.type) else pc.dictionary_encode(array)
        del array
        codes = primitive_values(encoded.indices, np.int32, -1)
        return codes, encoded.dictionary.to_pylist()

    def at(self, i: int) -> Any:
        return self.column[i].as_py()

    def empty(self) -> bool:
        return bool(self.column.null_count == len(self.column))

    def drop_oversized(self) -> list[tuple[int, str]]:
        """Only chunks bigger than the limit can hold such a cell: a clean CSV's columns
        (read in blocks of 1 MB) are never looked at."""
        import pyarrow as pa
        import pyarrow.compute as pc

        from policy_match.data.arrow_numpy import arrow_mask, chunks_of

        column = self.column
        if not (pa.types.is_string(column.type) or pa.types.is_large_string(column.type)
                or pa.types.is_binary(column.type)):
            return []
        if all(chunk.nbytes <= MAX_CELL_BYTES for chunk in chunks_of(column)):
            return []
        lengths = pc.cast(pc.binary_length(column), pa.int64())
        big = primitive_values(lengths, np.int64, 0) > MAX_CELL_BYTES
        rows = np.flatnonzero(big)
        if not rows.size:
            return []
        shown = [(int(i), str(column[int(i)].as_py())[:80]) for i in rows]
        if isinstance(column, pa.ChunkedArray):
            column = column.combine_chunks()
        self.column = pc.if_else(arrow_mask(big), pa.nulls(len(column), column.type), column)
        return shown

    def as_text(self) -> TextColumn:
        """Free text stays an Arrow array (dictionary-encoded when few distinct texts make
        it up); missing is null or one of the missing words."""
        import pyarrow as pa
        import pyarrow.compute as pc

        array = self.column.combine_chunks() if isinstance(self.column, pa.ChunkedArray) \
            else self.column
        self.column = None
        if not pa.types.is_string(array.type):
            array = pc.cast(array, pa.string())
        if _repeats(array):  # the missing words looked for among the few distinct texts
            encoded = pc.dictionary_encode(array)
            del array
            missing = np.append(_missing_words(encoded.dictionary), True)
            return TextColumn(encoded, ~missing[primitive_values(encoded.indices, np.int32, -1)])
        return TextColumn(array, valid_mask(array) & ~_missing_words(array))

    def as_float(self) -> tuple[np.ndarray, np.ndarray] | None:
        import pyarrow as pa
        import pyarrow.compute as pc

        array = self.column
        if not (pa.types.is_integer(array.type) or pa.types.is_floating(array.type)):
            return None
        data = primitive_values(pc.cast(array, pa.float64()), np.float64, np.nan)
        return data, ~np.isnan(data)


def _repeats(array: Any) -> bool:
    """Whether a few distinct texts make up most of ``array`` (judged on its start)."""
    import pyarrow.compute as pc

    sample = 4096
    if len(array) < 4 * sample:
        return False
    return bool(pc.count_distinct(array.slice(0, sample)).as_py() * DICTIONARY_SHARE < sample)


def _missing_words(array: Any) -> np.ndarray:
    """Per text: one of the words that mean missing (null: not a word)."""
    import pyarrow.compute as pc

    words = pc.utf8_lower(pc.utf8_trim_whitespace(array))
    return bool_values(pc.is_in(words, value_set=arrow_strings(sorted(MISSING_TEXT))))
