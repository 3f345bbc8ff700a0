"""One partition's work, in plain Arrow: batches of enterprise rows in, result rows out.

Spark hands ``mapInArrow`` a partition as an iterator of record batches (10,000 rows each by
default). They are gathered into chunks of up to :attr:`Job.chunk_rows` rows, because the
columnar engine's cost is one pass over the rule graph per chunk plus a vector operation per
node: large chunks make the first negligible. Each chunk is read by the same code that reads
a file (``EnterpriseTable.from_arrow``: every value checked by its tag's type) and matched by
the same engine (``Rulebook.match``), so a partition's verdicts are the local engine's.

Out come rows of one schema (:data:`OUTPUT_DDL`) and two kinds: ``verdict`` rows
(enterprise, policy, verdict) and ``error`` rows, one per value that did not read (the
enterprise, the tag, the value and why, in Chinese and English). A bad value counts as
missing, as it does locally, so its pairs are ``unknown``; the error row says why.

Nothing here imports Spark: the function is tested on Arrow batches directly too.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa

from policy_match.base.message import Lang
from policy_match.base.messages import text
from policy_match.core.rulebook import Rulebook
from policy_match.data.intake import blank_arrow_rows
from policy_match.data.records import FieldError
from policy_match.data.table import EnterpriseTable
from policy_match.dsl.ir import Verdict
from policy_match.dsl.types import Kind
from policy_match.spark.shipping import ShippedBook, compiled

VERDICT_ROW = "verdict"
ERROR_ROW = "error"
OUTPUT_SCHEMA = pa.schema([
    ("kind", pa.string()), ("enterprise_id", pa.string()), ("policy_id", pa.string()),
    ("verdict", pa.string()), ("tag", pa.string()), ("value", pa.string()),
    ("problem", pa.string()), ("problem_zh", pa.string()), ("problem_en", pa.string()),
])
OUTPUT_DDL = ", ".join(f"{f.name} string" for f in OUTPUT_SCHEMA)
VERDICT_COLUMNS = ("enterprise_id", "policy_id", "verdict")
ERROR_COLUMNS = ("enterprise_id", "tag", "value", "problem", "problem_zh", "problem_en")
CHUNK_ROWS = 100_000


@dataclass(frozen=True)
class Job:
    """What every partition of one match needs: the rulebook, the date, what to return."""

    book: ShippedBook
    as_of: dt.date
    verdicts: tuple[Verdict, ...]
    chunk_rows: int = CHUNK_ROWS
    id_column: str | None = None  # a rulebook without a key: the column naming each row


def match_partition(batches: Iterable[pa.RecordBatch], job: Job) -> Iterator[pa.RecordBatch]:
    """The result rows of a partition's batches (the function ``mapInArrow`` runs)."""
    book = compiled(job.book)
    for chunk in _chunks(batches, job.chunk_rows):
        yield from match_chunk(book, chunk, job)


def _chunks(batches: Iterable[pa.RecordBatch], rows: int) -> Iterator[pa.Table]:
    waiting: list[pa.RecordBatch] = []
    held = 0
    for batch in batches:
        if batch.num_rows == 0:
            continue
        waiting.append(batch)
        held += batch.num_rows
        if held >= rows:
            yield pa.Table.from_batches(waiting)
            waiting, held = [], 0
    if waiting:
        yield pa.Table.from_batches(waiting)


def match_chunk(book: Rulebook, chunk: pa.Table, job: Job) -> Iterator[pa.RecordBatch]:
    """Read ``chunk`` as an enterprise table and match it: error rows, then verdict rows."""
    ids = None
    if job.id_column is not None:
        ids = chunk.column(job.id_column)
        chunk = chunk.drop_columns([job.id_column])
    loaded = EnterpriseTable.from_arrow(readable(chunk, book), book, source="<spark>")
    table = _keyed(loaded, book) if ids is None else _named(loaded, chunk, ids)
    if table.errors:
        yield _error_batch(table, table.errors)
    if not job.verdicts:
        return
    result = book.match(table, as_of=job.as_of)
    parts = [(b["enterprise"], b["policy"][0], b["verdict"][0])
             for b in result.batches(job.verdicts)]
    if parts:
        yield _verdict_batch(parts)


def readable(chunk: pa.Table, book: Rulebook) -> pa.Table:
    """``chunk`` as the loader reads it: array columns (sets, ``ARRAY<STRING>``) dictionary-
    encoded (each distinct list read once, as a set); a duration held as a number, the
    SQL schema's days, written as days (``1460天``)."""
    columns = []
    for name, column in zip(chunk.column_names, chunk.columns, strict=True):
        tag = book.schema.tag_for(name)
        if pa.types.is_list(column.type) or pa.types.is_large_list(column.type):
            column = _distinct_lists(column)
        elif (tag is not None and tag.type.kind is Kind.DURATION
              and (pa.types.is_decimal(column.type) or pa.types.is_integer(column.type)
                   or pa.types.is_floating(column.type))):
            column = _days(column)
        columns.append(column)
    return pa.Table.from_arrays(columns, names=chunk.column_names)


def _days(column: pa.ChunkedArray) -> pa.ChunkedArray:
    import pyarrow.compute as pc

    texts = pc.cast(column, pa.string())
    if pa.types.is_decimal(column.type):  # "1460.000000" → "1460", "30.500000" → "30.5"
        texts = pc.replace_substring_regex(texts, pattern=r"\.?0+$", replacement="")
    return pc.binary_join_element_wise(texts, pa.scalar("天"), "")


def _distinct_lists(column: pa.ChunkedArray) -> pa.DictionaryArray:
    import pyarrow.compute as pc

    lists = column.combine_chunks()
    keys = pc.binary_join(lists, _UNIT)  # one string per list (null stays null)
    encoded = pc.dictionary_encode(keys)
    distinct = [k.split(_UNIT) if k else [] for k in encoded.dictionary.to_pylist()]
    return pa.DictionaryArray.from_arrays(encoded.indices,
                                          pa.array(distinct, pa.list_(pa.string())))


_UNIT = "\x1f"  # the ASCII unit separator: no member of a set is written with it


def _keyed(table: EnterpriseTable, book: Rulebook) -> EnterpriseTable:
    """The table with each row named by its key, ``None`` where the key is missing: the
    loader's stand-in ``#n`` names a row of this chunk only, nothing Spark could join on."""
    column = table.columns.columns.get(book.key or "")
    if column is None or bool(column.known.all()):
        return table
    ids: list[Any] = [eid if known else None
                      for eid, known in zip(table.ids, column.known.tolist(), strict=True)]
    return EnterpriseTable(table.columns, ids, table.errors, table.unknown_columns,
                           table.source, table.counts)


def _named(table: EnterpriseTable, chunk: pa.Table, ids: pa.ChunkedArray) -> EnterpriseTable:
    """The table with each row named by the id column (the loader skipped blank rows)."""
    names: list[Any] = ids.cast(pa.string()).to_pylist()
    blank = blank_arrow_rows(chunk)
    if blank is not None:
        names = [name for name, skipped in zip(names, blank.tolist(), strict=True)
                 if not skipped]
    return EnterpriseTable(table.columns, names, table.errors, table.unknown_columns,
                           table.source, table.counts)


def _verdict_batch(parts: list[tuple[Any, Any, Any]]) -> pa.RecordBatch:
    """(enterprise ids, policy, verdict) per part, as one batch of result rows."""
    sizes = np.array([len(ids) for ids, _, _ in parts], dtype=np.int64)
    n = int(sizes.sum())
    enterprises = pa.array(np.concatenate([ids for ids, _, _ in parts]), type=pa.string())
    policy = _repeated([pid for _, pid, _ in parts], sizes)
    verdict = _repeated([v for _, _, v in parts], sizes)
    empty = pa.nulls(n, pa.string())
    return pa.RecordBatch.from_arrays(
        [pa.array(np.full(n, VERDICT_ROW, dtype=object), pa.string()), enterprises, policy,
         verdict, empty, empty, empty, empty, empty], schema=OUTPUT_SCHEMA)


def _repeated(labels: list[str], sizes: np.ndarray) -> pa.Array:
    """``labels[i]`` repeated ``sizes[i]`` times, built from a dictionary (one string each)."""
    distinct = sorted(set(labels))
    index = {label: i for i, label in enumerate(distinct)}
    codes = np.repeat(np.array([index[label] for label in labels], dtype=np.int32), sizes)
    encoded = pa.DictionaryArray.from_arrays(pa.array(codes), pa.array(distinct, pa.string()))
    return encoded.cast(pa.string())


def _error_batch(table: EnterpriseTable, errors: list[FieldError]) -> pa.RecordBatch:
    columns: dict[str, list[Any]] = {name: [] for name in OUTPUT_SCHEMA.names}
    for error in errors:
        row = error.row - 1 if error.row is not None else None
        columns["kind"].append(ERROR_ROW)
        columns["enterprise_id"].append(table.ids[row] if row is not None else None)
        columns["policy_id"].append(None)
        columns["verdict"].append(None)
        columns["tag"].append(error.column)
        columns["value"].append(error.value)
        columns["problem"].append(error.code)
        columns["problem_zh"].append(_problem(error, Lang.ZH))
        columns["problem_en"].append(_problem(error, Lang.EN))
    return pa.RecordBatch.from_pydict(columns, schema=OUTPUT_SCHEMA)


def _problem(error: FieldError, lang: Lang) -> str:
    """Why the value did not read, without the loader's row number (a row of one chunk)."""
    return text(error.code, lang, **dict(error.params)) if error.code else error.reason
