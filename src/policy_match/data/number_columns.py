"""A numeric column of text cells, read in bulk, exactly as :func:`.records.parse_value` would.

Most cells of a 企业库's money, count, number and ratio columns are plain decimals
(``"934384"``, ``"0.3558"``). Those are recognized by looking at their bytes with numpy (no
regular expression, no Python string per cell) and converted by Arrow's correctly rounded
cast, which gives the same float as the exact parse. Every other cell (``"3000万"``, ``"12%"``,
``"1,000"``, a negative amount, ``"1e5"``, more than 15 characters, a missing word) is
parsed by :func:`.records.parse_value`, once per distinct text: the same value, the same
error, the same exact fraction when a float would not hold it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np

from policy_match.data.arrow_numpy import (
    arrow_indices,
    arrow_mask,
    chunks_of,
    primitive_values,
    string_buffers,
    valid_mask,
)
from policy_match.data.records import is_missing, may_be_negative, parse_value
from policy_match.dsl.ir import TagSpec
from policy_match.dsl.types import Kind
from policy_match.dsl.vocabulary import Vocabulary
from policy_match.engine.columns import NumberColumn, exact

PLAIN_CHARS = 15
"""A plain decimal of at most this many characters has at most 15 significant digits: its
float is exact enough to give back the very decimal it was read from (and it is far from
the magnitude and digit limits), so no exact fraction needs to be kept."""

@dataclass(frozen=True)
class PlainForm:
    """Which plain decimals a tag takes without a word: a sign (``+`` always, ``-`` when
    the tag may be negative), digits, at most one point (none for a count) with a digit
    after it."""

    negative: bool
    point: bool

    @classmethod
    def of(cls, tag: TagSpec) -> PlainForm:
        return cls(negative=may_be_negative(tag), point=tag.type.kind is not Kind.COUNT)


SLICE_ROWS = 1 << 18
"""Cells looked at together: the per-byte tallies of a million-row column would take a few
hundred MB at once, a slice of this many rows a few dozen."""


def plain_cells(column: Any, form: PlainForm) -> np.ndarray:
    """Per row of a string column: a non-null plain decimal of at most :data:`PLAIN_CHARS`
    characters (what :func:`.records._fraction` reads with no unit and no separator)."""
    parts = [_plain_chunk(chunk.slice(start, SLICE_ROWS), form)
             for chunk in chunks_of(column) for start in range(0, len(chunk), SLICE_ROWS)]
    return np.concatenate(parts) if parts else np.zeros(0, dtype=bool)


_POINT_WEIGHT, _WRONG_WEIGHT = 1 << 8, 1 << 16


def _weights(form: PlainForm) -> np.ndarray:
    """What each byte adds to its cell's tally: digits count in the low byte, points in the
    next, anything else above (a sign too: one in front is taken back per cell)."""
    table = np.full(256, _WRONG_WEIGHT, dtype=np.int32)
    table[ord("0"):ord("9") + 1] = 1
    if form.point:
        table[ord(".")] = _POINT_WEIGHT
    return table


def _plain_chunk(chunk: Any, form: PlainForm) -> np.ndarray:
    n = len(chunk)
    if n == 0 or chunk.null_count == n:
        return np.zeros(n, dtype=bool)
    offsets, data = string_buffers(chunk)
    lengths = np.diff(offsets)
    ok = (lengths >= 1) & (lengths <= PLAIN_CHARS)
    if chunk.null_count:
        ok &= valid_mask(chunk)
    body = data[offsets[0]:offsets[-1]]
    if not body.size:
        return ok
    if body.min() >= ord("0") and body.max() <= ord("9"):  # digits only: two quick scans
        return ok
    starts = offsets[:-1] - offsets[0]
    ends = offsets[1:] - offsets[0]
    # int32 sums wrap around, but a cell's difference is exact: ok cells have <= 15 bytes
    tally = np.concatenate((np.zeros(1, np.int32), np.cumsum(_weights(form)[body],
                                                             dtype=np.int32)))
    cell = tally[ends] - tally[starts]
    first = body[np.minimum(starts, body.size - 1)]
    signed = (first == ord("+")) | (first == ord("-")) if form.negative else first == ord("+")
    cell -= signed * np.int32(_WRONG_WEIGHT)  # a sign in front is fine
    ok &= (cell >> 16 == 0) & (cell & 0xFF >= 1) & ((cell >> 8) & 0xFF <= 1)
    ok &= body[np.maximum(ends - 1, 0)] != ord(".")  # "5." is not read as 5
    return ok


Report = Callable[[int, Any, ValueError], None]  # (row, raw value, why)


def parse_number_strings(tag: TagSpec, column: Any, vocabulary: Vocabulary,
                         report: Report) -> NumberColumn:
    """A string column of a numeric tag as a :class:`NumberColumn`: plain cells in bulk, the
    rest by :func:`.records.parse_value` once per distinct text; each rejected cell reported
    (row 0-based) and missing."""
    import pyarrow as pa

    if isinstance(column, pa.ChunkedArray):  # one pass, not one per block of the file
        column = column.combine_chunks()
    plain = plain_cells(column, PlainForm.of(tag))
    values = _plain_values(column, plain)
    others = np.flatnonzero(~plain & valid_mask(column)) if not plain.all() else plain[:0]
    known = plain  # the cells read below are added to it
    exact_rows: dict[int, Fraction] = {}
    if others.size:
        _parse_others(tag, column, others, vocabulary, report,
                      (values, known, exact_rows))
    return NumberColumn(values, known, exact_rows)


def _plain_values(column: Any, plain: np.ndarray) -> np.ndarray:
    """Per row, the float of a plain cell (Arrow's correctly rounded cast: the float the
    exact parse gives), NaN elsewhere. A column of digits alone is cast as integers: quicker,
    and exact up to 15 digits, as every plain cell is."""
    import pyarrow as pa
    import pyarrow.compute as pc

    floats = None
    if _digits_only(column):
        try:
            floats = pc.cast(column, pa.int64())
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):  # more digits than an int64
            floats = None
    if floats is None:
        try:
            floats = pc.cast(column, pa.float64())
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):  # some cell is no number
            floats = pc.cast(_only(column, plain), pa.float64())
    n = len(floats)
    data = floats.buffers()[1] if n and floats.null_count < n else None
    if data is None:
        return np.full(n, np.nan)
    dtype = np.int64 if pa.types.is_integer(floats.type) else np.float64
    read = np.frombuffer(data, dtype=dtype, count=floats.offset + n)[floats.offset:]
    values = np.where(plain, read, np.nan)  # a null's slot holds anything: not plain
    values += 0.0  # "-0" is read as 0, as the exact parse gives
    return values


def _digits_only(column: Any) -> bool:
    """Every byte of a string array's cells is a digit (no sign, no point, no unit)."""
    offsets, data = string_buffers(column)
    body = data[offsets[0]:offsets[-1]]
    return bool(body.size) and bool(body.min() >= ord("0")) and bool(body.max() <= ord("9"))


def _only(column: Any, plain: np.ndarray) -> Any:
    """The column with every cell that is not plain made null (so that it casts)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    nulls = pa.nulls(len(column), type=column.type)
    return pc.if_else(arrow_mask(plain), column, nulls)


def _parse_others(tag: TagSpec, column: Any, rows: np.ndarray, vocabulary: Vocabulary,
                  report: Report,
                  into: tuple[np.ndarray, np.ndarray, dict[int, Fraction]]) -> None:
    """The cells that are not plain decimals, each distinct text parsed once."""
    import pyarrow.compute as pc

    values, known, exact_rows = into
    encoded = pc.dictionary_encode(column.take(arrow_indices(rows)))
    if hasattr(encoded, "combine_chunks"):
        encoded = encoded.combine_chunks()
    codes = primitive_values(encoded.indices, np.int32, -1)
    texts = encoded.dictionary.to_pylist()
    parsed: list[Fraction | None] = []
    problems: dict[int, ValueError] = {}
    for k, text in enumerate(texts):
        try:
            parsed.append(_value(tag, text, vocabulary))
        except ValueError as exc:
            parsed.append(None)
            problems[k] = exc
    for row, code in zip(rows.tolist(), codes.tolist(), strict=True):
        value = parsed[code]
        if value is None:
            if code in problems:
                report(row, texts[code], problems[code])
            continue
        as_float = float(value)
        values[row], known[row] = as_float, True
        if exact(as_float) != value:
            exact_rows[row] = value


def _value(tag: TagSpec, text: str, vocabulary: Vocabulary) -> Fraction | None:
    if is_missing(text):
        return None
    value = parse_value(tag, text, vocabulary)
    return value if isinstance(value, Fraction) else Fraction(value)
