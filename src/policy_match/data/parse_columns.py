"""One raw column parsed by its tag's type into the column the engine reads.

Each *distinct* raw value is parsed once, however many rows share it (a date, an industry
code, ``"是"``); a numeric tag's text column is read in bulk (:mod:`.number_columns`); free
text stays an Arrow array, and so does a plug-in's text column whose every cell its bulk
check takes as written (a clean USCC key column: no Python string per enterprise). A value
that does not parse is reported with its row and the field is missing.

Columns are parsed concurrently, one task per column on a few threads
(:func:`parse_in_order`): Arrow's kernels and numpy's loops release the GIL, so two columns'
bulk work overlaps; results come back in column order, so columns and errors are the same
as a parse one column after the other.
"""

from __future__ import annotations

import operator
import os
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import numpy as np

from policy_match.data.arrow_numpy import valid_mask
from policy_match.data.number_columns import parse_number_strings
from policy_match.data.raw_columns import ArrowRaw, Raw
from policy_match.data.records import (
    MAX_CELL_BYTES,
    MAX_MAGNITUDE,
    FieldError,
    ValueProblem,
    is_missing,
    may_be_negative,
    parse_value,
)
from policy_match.dsl.ir import TagSpec
from policy_match.dsl.types import Kind
from policy_match.dsl.vocabulary import TagTypeSpec, Vocabulary
from policy_match.engine.columns import (
    BoolColumn,
    CategoryColumn,
    Column,
    DateColumn,
    DurationColumn,
    NumberColumn,
    ObjectColumn,
    SetColumn,
    TextColumn,
    day_number,
    exact,
)

NUMERIC_KINDS = (Kind.MONEY, Kind.COUNT, Kind.NUMBER, Kind.RATIO)
PARSE_MANY_BATCH = 1 << 16
"""A plug-in's ``parse_many`` is handed this many values at a time: its temporary arrays
(a million keys as fixed-width text, say) stay small."""


MAX_THREADS = 8
"""More threads than this would only hold more raw columns in memory at once."""


@dataclass(frozen=True)
class ColumnJob:
    """One raw column to parse: its place among the file's columns, its tag, its cells."""

    index: int
    tag: TagSpec
    raw: Raw


@dataclass(frozen=True)
class ParsedColumn:
    index: int
    tag: TagSpec
    column: Column
    errors: list[FieldError]


def parse_threads() -> int:
    """Threads for parsing: one per core (the machine's, not more than :data:`MAX_THREADS`)."""
    return max(1, min(MAX_THREADS, os.cpu_count() or 1))


def parse_in_order(jobs: Iterable[ColumnJob], n: int, vocabulary: Vocabulary,
                   threads: int | None = None) -> Iterator[ParsedColumn]:
    """Each job parsed (:func:`parse_column`), on ``threads`` threads, yielded in the jobs'
    order. At most ``threads`` jobs are taken at a time (the one to yield among them): a
    raw column is dropped once parsed, so peak memory stays a few raw columns, not the
    file."""
    threads = parse_threads() if threads is None else threads
    if threads <= 1:
        for job in jobs:
            yield _run(job, n, vocabulary)
        return
    pending: deque[Future[ParsedColumn]] = deque()
    with ThreadPoolExecutor(threads, thread_name_prefix="policy-match-parse") as pool:
        try:
            for job in jobs:
                pending.append(pool.submit(_run, job, n, vocabulary))
                del job  # the task holds the raw column; it goes when the task is done
                if len(pending) >= threads:
                    yield pending.popleft().result()
            while pending:
                yield pending.popleft().result()
        finally:  # a failed task or a caller that stops early: run nothing more
            for future in pending:
                future.cancel()


def _run(job: ColumnJob, n: int, vocabulary: Vocabulary) -> ParsedColumn:
    errors: list[FieldError] = []
    column = parse_column(job.tag, job.raw, n, vocabulary, errors)
    return ParsedColumn(job.index, job.tag, column, errors)


def parse_column(tag: TagSpec, raw: Raw, n: int, vocabulary: Vocabulary,
                 errors: list[FieldError]) -> Column:
    """``raw`` read as ``tag``'s values; every rejected cell appended to ``errors``."""
    kind = tag.type.kind
    for i, start in raw.drop_oversized():
        errors.append(FieldError.of(tag.name, start + "…", ValueProblem(
            "value.cell_too_large", limit=f"{MAX_CELL_BYTES:,}"), row=i + 1))
    if kind in NUMERIC_KINDS and isinstance(raw, ArrowRaw) and raw.is_text():
        def report(row: int, value: Any, problem: ValueError) -> None:
            errors.append(FieldError.of(tag.name, value, problem, row=row + 1))

        return parse_number_strings(tag, raw.take(), vocabulary, report)
    if kind in NUMERIC_KINDS and kind is not Kind.COUNT:
        fast = raw.as_float()
        if fast is not None:
            return _fast_numbers(tag, raw, fast, vocabulary, errors)
    spec = vocabulary.tag_types.get(tag.type.name or "")
    plain_text = kind is Kind.TEXT and (spec is None or spec.parse is None)
    if plain_text and isinstance(raw, ArrowRaw):
        return raw.as_text()
    if kind is Kind.TEXT and spec is not None and spec.parse_many is not None \
            and isinstance(raw, ArrowRaw) and raw.is_text():
        as_written = _taken_as_written(spec, raw)
        if as_written is not None:
            return as_written
    codes, uniques = raw.encode()
    quick = _quick(spec, uniques)
    bad: dict[int, ValueError] = {}
    if None not in quick:  # the plug-in's bulk parse took every value (a clean key column)
        return _typed_column(tag, codes, uniques, quick, codes >= 0, n)
    parsed: list[Any] = []
    for k, value in enumerate(uniques):
        if quick[k] is not None:
            parsed.append(quick[k])
        elif is_missing(value):
            parsed.append(None)
        elif plain_text:
            parsed.append(str(value).strip())
        else:
            try:
                parsed.append(parse_value(tag, value, vocabulary))
            except ValueError as exc:
                parsed.append(None)
                bad[k] = exc
    if bad:
        rejected = np.zeros(len(uniques) + 1, dtype=bool)
        rejected[list(bad)] = True
        for i in np.flatnonzero(rejected[codes]).tolist():
            k = int(codes[i])
            errors.append(FieldError.of(tag.name, uniques[k], bad[k], row=i + 1))
    present = np.array([v is not None for v in parsed] + [False], dtype=bool)
    known = present[codes]  # code -1 picks the trailing False
    return _typed_column(tag, codes, uniques, parsed, known, n)


def _taken_as_written(spec: TagTypeSpec, raw: ArrowRaw) -> TextColumn | None:
    """A plug-in's text column (a USCC key column) whose every cell its bulk parse takes as
    written, with no space around: the Arrow array itself, no Python string kept per row.
    ``None`` when some cell is not (a missing word, a value to normalize or to reject):
    the column is then parsed value by value."""
    assert spec.parse_many is not None
    array = raw.joined()
    for start in range(0, len(array), PARSE_MANY_BATCH):
        present = [t for t in array.slice(start, PARSE_MANY_BATCH).to_pylist() if t is not None]
        if not all(map(operator.is_, map(str.strip, present), present)):
            return None
        taken = spec.parse_many(present)
        if len(taken) != len(present) or not all(map(operator.is_, taken, present)):
            return None
    return TextColumn(raw.take(), valid_mask(array))


def _quick(spec: TagTypeSpec | None, uniques: list[Any]) -> list[Any]:
    """A plug-in's bulk parse of the distinct values (``None`` where it has no answer)."""
    if spec is None or spec.parse_many is None:
        return [None] * len(uniques)
    quick: list[Any] = []
    for start in range(0, len(uniques), PARSE_MANY_BATCH):
        batch = uniques[start:start + PARSE_MANY_BATCH]
        quick.extend(spec.parse_many([v if isinstance(v, str) else "" for v in batch]))
    return quick


def _fast_numbers(tag: TagSpec, raw: Raw, fast: tuple[np.ndarray, np.ndarray],
                  vocabulary: Vocabulary, errors: list[FieldError]) -> NumberColumn:
    """A plainly numeric column as floats; the rare cells with more digits than a float
    keeps are parsed exactly, and cells outside the tag's domain (negative money, ``inf``,
    beyond :data:`MAX_MAGNITUDE`) are found with two reductions and rejected."""
    values, known = fast
    exact_rows: dict[int, Any] = {}
    rejected: dict[int, ValueError] = {}
    for i in raw.long_decimals().tolist():
        try:
            exact_rows[i] = parse_value(tag, raw.at(i), vocabulary)
        except ValueError as exc:
            rejected[i] = exc
    if known.any():
        with np.errstate(invalid="ignore"):
            low, high = float(np.nanmin(values)), float(np.nanmax(values))
        floor = -MAX_MAGNITUDE if may_be_negative(tag) else 0.0
        if low < floor or high >= MAX_MAGNITUDE or low <= -MAX_MAGNITUDE:
            outside = known & ((values >= MAX_MAGNITUDE) | (values <= -MAX_MAGNITUDE)
                               | (values < floor))
            reasons: dict[Any, ValueError | None] = {}
            for i in np.flatnonzero(outside).tolist():
                if i in exact_rows or i in rejected:
                    continue
                cell = raw.at(i)
                if cell not in reasons:
                    reasons[cell] = _problem(tag, cell, vocabulary)
                problem = reasons[cell]
                if problem is not None:
                    rejected[i] = problem
    if rejected:
        values, known = np.array(values, dtype=float), np.array(known, dtype=bool)
        rows = np.fromiter(rejected, dtype=np.int64, count=len(rejected))
        values[rows], known[rows] = np.nan, False
        for i, why in sorted(rejected.items()):
            errors.append(FieldError.of(tag.name, raw.at(i), why, row=i + 1))
    return NumberColumn(values, known, exact_rows)


def _problem(tag: TagSpec, cell: Any, vocabulary: Vocabulary) -> ValueError | None:
    try:
        parse_value(tag, cell, vocabulary)
    except ValueError as exc:
        return exc
    return None


def _typed_column(tag: TagSpec, codes: np.ndarray, uniques: list[Any], parsed: list[Any],
                  known: np.ndarray, n: int) -> Column:
    """The column of ``parsed`` (the value of each of ``uniques``) at ``codes``."""
    kind = tag.type.kind
    if kind in NUMERIC_KINDS:
        lut = np.array([float(v) if v is not None else np.nan for v in parsed] + [np.nan])
        inexact = [k for k, v in enumerate(parsed) if v is not None and exact(float(v)) != v]
        rows: Sequence[int] = np.flatnonzero(np.isin(codes, inexact)).tolist() if inexact else []
        return NumberColumn(lut[codes], known, {int(i): parsed[codes[i]] for i in rows})
    if kind is Kind.DATE:
        lut = np.array([day_number(v) if v is not None else 0 for v in parsed] + [0],
                       dtype=np.int64)
        return DateColumn(lut[codes], known)
    if kind is Kind.BOOL:
        lut = np.array([bool(v) for v in parsed] + [False], dtype=bool)
        return BoolColumn(lut[codes], known)
    if kind is Kind.SET:
        values = sorted({m for v in parsed if v is not None for m in v})
        members = {}
        for value in values:
            lut = np.array([v is not None and value in v for v in parsed] + [False], dtype=bool)
            members[value] = lut[codes]
        return SetColumn(members, known, n)
    if kind in (Kind.ENUM, Kind.CODE, Kind.TEXT):
        if None not in parsed and all(map(operator.is_, parsed, uniques)):
            # every value present and as written (a clean key column): the codes as they are
            return CategoryColumn(codes, tuple(parsed), known)
        if all(v is None or v is u for v, u in zip(parsed, uniques, strict=True)):
            # every value as written (a million keys): distinct already, in first-seen order
            present = np.array([v is not None for v in parsed], dtype=bool)
            lut = np.append(np.where(present, np.cumsum(present) - 1, -1), -1).astype(np.int32)
            return CategoryColumn(lut[codes], tuple(v for v in parsed if v is not None), known)
        # distinct parsed values in first-seen order ("3911" and "C3911" are one code)
        position: dict[Any, int] = {}
        lut_list = [position.setdefault(v, len(position)) if v is not None else -1
                    for v in parsed]
        lut = np.array([*lut_list, -1], dtype=np.int32)
        return CategoryColumn(lut[codes], tuple(position), known)
    objects = [parsed[c] if c >= 0 else None for c in codes]
    if kind is Kind.DURATION:
        lut = np.array([float(v.approx_days()) if v is not None else np.nan for v in parsed]
                       + [np.nan])
        return DurationColumn(lut[codes], objects, known)
    return ObjectColumn(objects, known)


