"""A fingerprint per row of a parsed table: one ``uint64`` that changes when any of the row's
parsed values changes (what a daily refresh compares, row by row, to find the rows to
evaluate again).

Computed column by column in numpy, never row by row: each column gives a ``uint64`` per
row (a number's bits, a date's day number, a category's or text's string hash looked up by
its code, a set's members summed), mixed with the column's name (splitmix64) and summed over
the columns. A missing value adds nothing (so it differs from every value, and a column
left out of a file equals one with every value missing).

Strings hash with Python's ``hash`` (salted per process): fingerprints are compared within
one process — both tables are loaded in it — and never stored.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from policy_match.engine.columns import (
    BoolColumn,
    CategoryColumn,
    Column,
    Columns,
    DateColumn,
    DurationColumn,
    NumberColumn,
    SetColumn,
    TextColumn,
)

_MISSING = np.uint64(0x5BD1E9955BD1E995)


def _mix(x: np.ndarray) -> np.ndarray:
    """splitmix64's finalizer: every input bit moves about half the output bits."""
    x = x ^ (x >> np.uint64(30))
    x = x * np.uint64(0xBF58476D1CE4E5B9)
    x = x ^ (x >> np.uint64(27))
    x = x * np.uint64(0x94D049BB133111EB)
    return x ^ (x >> np.uint64(31))


def string_hashes(values: Any) -> np.ndarray:
    """A ``uint64`` per string (Python's ``hash``: salted per process — fingerprints are
    compared within one process, never stored)."""
    if not isinstance(values, list | tuple):
        values = values.to_pylist()
    return np.fromiter(map(hash, values), dtype=np.int64, count=len(values)).view(np.uint64)


def _codes_hash(codes: np.ndarray, categories: Any) -> np.ndarray:
    lut = np.append(string_hashes(categories), _MISSING)
    return lut[np.where(codes >= 0, codes, len(categories))]


def _column_bits(column: Column, rows: np.ndarray | None = None) -> np.ndarray:
    """One ``uint64`` per row (of ``rows`` when given, else of every row) standing for the
    row's value (not yet mixed)."""
    at: Any = slice(None) if rows is None else rows
    if isinstance(column, NumberColumn):
        bits = (column.values[at] + 0.0).view(np.uint64).copy()  # -0.0 as 0.0
        for k, value in _exact_at(column.exact_rows, rows):
            bits[k] ^= np.uint64(hash(value) & 0xFFFFFFFFFFFFFFFF)
        return bits
    if isinstance(column, DateColumn):
        return column.days[at].astype(np.int64).view(np.uint64)
    if isinstance(column, DurationColumn):
        return column.days[at].astype(np.float64).view(np.uint64)
    if isinstance(column, BoolColumn):
        return column.values[at].astype(np.uint64) + np.uint64(1)
    if isinstance(column, CategoryColumn):
        return _codes_hash(column.codes[at], column.categories)
    if isinstance(column, SetColumn):
        bits = np.zeros(column.known[at].shape[0], dtype=np.uint64)
        members = list(column.members)
        for member, code in zip(members, string_hashes(members), strict=True):
            bits += column.members[member][at].astype(np.uint64) * code
        return bits
    if isinstance(column, TextColumn):
        import pyarrow as pa
        import pyarrow.compute as pc

        array = column.array if rows is None else column.array.take(pa.array(rows))
        encoded = pc.dictionary_encode(array)
        codes = encoded.indices.fill_null(-1).to_numpy(zero_copy_only=False)
        return _codes_hash(codes, encoded.dictionary)
    values = column.values if rows is None else [column.values[i] for i in rows.tolist()]
    return string_hashes([repr(v) for v in values])


def _exact_at(exact_rows: dict[int, Any], rows: np.ndarray | None) -> list[tuple[int, Any]]:
    """(place in ``rows``, exact value) of the rows holding an exact number."""
    if not exact_rows:
        return []
    if rows is None:
        return list(exact_rows.items())
    hits = np.flatnonzero(np.isin(rows, np.fromiter(exact_rows, dtype=np.int64)))
    return [(k, exact_rows[int(rows[k])]) for k in hits.tolist()]


def _same_categories(new: CategoryColumn, new_rows: np.ndarray, old: CategoryColumn,
                     old_rows: np.ndarray) -> bool:
    """Whether the known values at the rows are the same texts: codes compared directly
    when the columns share their categories, else through a translation of the old
    categories (when they are few), else text by text (an id-like column)."""
    codes, codes_before = new.codes[new_rows], old.codes[old_rows]
    known = codes >= 0
    if not np.array_equal(known, codes_before >= 0):
        return False
    codes, codes_before = codes[known], codes_before[known]
    if new.categories is old.categories:
        return bool(np.array_equal(codes, codes_before))
    if not codes.size:
        return True
    if len(new.categories) + len(old.categories) <= 4 * codes.size + 1024:
        index = {c: i for i, c in enumerate(new.categories)}
        moved = np.array([index.get(c, -2) for c in old.categories], dtype=np.int64)
        return bool(np.array_equal(codes, moved[codes_before]))
    cats, cats_before = new.categories, old.categories
    return all(cats[a] == cats_before[b]
               for a, b in zip(codes.tolist(), codes_before.tolist(), strict=True))


def _same_at(new: Column | None, new_rows: np.ndarray, old: Column | None,
             old_rows: np.ndarray) -> bool:
    """Whether a column holds the same parsed values at ``new_rows`` (new table) as at
    ``old_rows`` (old table), pairwise; an absent column holds no value. May say "not the
    same" of equal values (then rows are evaluated again: harmless), never the reverse."""
    if new is old and np.array_equal(new_rows, old_rows):  # one column, the same rows
        return True
    if new is None or old is None:
        present = new if new is not None else old
        rows = new_rows if new is not None else old_rows
        return present is None or not np.asarray(present.known[rows], dtype=bool).any()
    known = np.asarray(new.known[new_rows], dtype=bool)
    if not np.array_equal(known, np.asarray(old.known[old_rows], dtype=bool)):
        return False
    if type(new) is not type(old):
        return False
    if isinstance(new, CategoryColumn) and isinstance(old, CategoryColumn):
        return _same_categories(new, new_rows, old, old_rows)
    if isinstance(new, TextColumn) and isinstance(old, TextColumn):
        import pyarrow as pa

        return bool(new.array.take(pa.array(new_rows[known])).equals(
            old.array.take(pa.array(old_rows[known]))))
    return bool(np.array_equal(_column_bits(new, new_rows)[known],
                               _column_bits(old, old_rows)[known]))


def row_fingerprints(columns: Columns) -> np.ndarray:
    """A ``uint64`` per row: equal rows (same parsed values in the same columns) give
    equal fingerprints; a changed value changes it (up to a 2⁻⁶⁴ chance)."""
    total = np.zeros(columns.n, dtype=np.uint64)
    names = list(columns.columns)
    for name, salt in zip(names, string_hashes(names), strict=True):
        column = columns.columns[name]
        known = np.asarray(column.known, dtype=bool)
        # a missing value adds nothing: a column left out and a column all missing agree
        total += np.where(known, _mix(_column_bits(column) ^ salt), np.uint64(0))
    return total


def changed_columns(new: Columns, new_rows: np.ndarray, old: Columns,
                    old_rows: np.ndarray) -> frozenset[str]:
    """The columns where row ``new_rows[k]`` of ``new`` and row ``old_rows[k]`` of ``old``
    differ for some ``k`` (a column absent counts as every value missing). Costs the rows
    compared, not the tables: what a daily refresh asks of the rows that changed."""
    if not new_rows.size:
        return frozenset()
    return frozenset(name for name in new.columns.keys() | old.columns.keys()
                     if not _same_at(new.columns.get(name), new_rows, old.columns.get(name),
                                     old_rows))
