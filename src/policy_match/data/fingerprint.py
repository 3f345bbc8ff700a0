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


def _column_bits(column: Column) -> np.ndarray:
    """One ``uint64`` per row standing for the row's value (not yet mixed)."""
    if isinstance(column, NumberColumn):
        bits = (column.values + 0.0).view(np.uint64).copy()  # -0.0 as 0.0
        for row, value in column.exact_rows.items():
            bits[row] ^= np.uint64(hash(value) & 0xFFFFFFFFFFFFFFFF)
        return bits
    if isinstance(column, DateColumn):
        return column.days.astype(np.int64).view(np.uint64)
    if isinstance(column, DurationColumn):
        return column.days.astype(np.float64).view(np.uint64)
    if isinstance(column, BoolColumn):
        return column.values.astype(np.uint64) + np.uint64(1)
    if isinstance(column, CategoryColumn):
        return _codes_hash(column.codes, column.categories)
    if isinstance(column, SetColumn):
        bits = np.zeros(column.known.shape[0], dtype=np.uint64)
        members = list(column.members)
        for member, code in zip(members, string_hashes(members), strict=True):
            bits += column.members[member].astype(np.uint64) * code
        return bits
    if isinstance(column, TextColumn):
        import pyarrow.compute as pc

        encoded = pc.dictionary_encode(column.array)
        codes = encoded.indices.fill_null(-1).to_numpy(zero_copy_only=False)
        return _codes_hash(codes, encoded.dictionary)
    return string_hashes([repr(v) for v in column.values])


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
