"""The enterprise library (企业库) as a table: loaded column by column, never row by row.

Each column is parsed by its tag's type (:mod:`.parse_columns`): each *distinct* raw value
(a date, an industry code, ``"2000万"``) once, however many rows share it; the plain
decimals of numeric columns in bulk. Each raw column is freed once parsed.
Nothing is dropped without a word: a value that does not parse (or is out of its tag's
domain) is kept in :attr:`EnterpriseTable.errors` with row, line, column, value and
reason, and the field is missing; a row the reader could not read, a header that names no
tag and a repeated header are errors too; blank rows are skipped and counted
(:attr:`EnterpriseTable.counts` adds up to the rows in the file).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from policy_match.data.arrow_ids import ArrowIds, Ids
from policy_match.data.arrow_numpy import arrow_mask, primitive_values
from policy_match.data.id_index import IdIndex
from policy_match.data.intake import (
    LoadCounts,
    blank_arrow_rows,
    blank_records,
    place,
    repeated_column,
    second_for_tag,
    unknown_column,
)
from policy_match.data.io import csv_format, jsonl, parquet, xlsx
from policy_match.data.io.formats import read_raw
from policy_match.data.io.raw import RawTable
from policy_match.data.memory import release_freed_memory
from policy_match.data.parse_columns import ColumnJob, parse_in_order
from policy_match.data.raw_columns import ArrowRaw, ListRaw, Raw
from policy_match.data.records import FieldError, ValueProblem
from policy_match.data.rows import RowAccess
from policy_match.data.schema import SchemaSource, TagSchema, schema_of
from policy_match.data.table_database import TableDatabase
from policy_match.engine.columns import CategoryColumn, Column, Columns, TextColumn

if TYPE_CHECKING:
    import pyarrow as pa


Progress = Callable[[int, int], None]  # (done, total): a plain callable, no display here
RELEASE_ROWS = 50_000
"""From this many rows on, freed memory is handed back after each column parsed (a few ms
each): the raw file and the parsed table do not add up in resident memory."""


class EnterpriseTable(TableDatabase, RowAccess):
    """Parsed enterprise records, column-wise, with every rejected value reported."""

    def __init__(self, columns: Columns, ids: Ids, errors: list[FieldError],
                 unknown_columns: Sequence[str] = (), source: str = "",
                 counts: LoadCounts | None = None) -> None:
        self.columns = columns
        self.ids = ids
        self.errors = errors
        self.unknown_columns = tuple(unknown_columns)
        self.source = source
        self.counts = counts or _counts(columns.n, errors)
        self.fallback: str | None = None  # why a reader left its fast path (None: it did not)
        self._index: IdIndex | None = None

    def __len__(self) -> int:
        return self.columns.n

    def __repr__(self) -> str:
        return (f"<EnterpriseTable {len(self)} rows, {len(self.columns.columns)} columns, "
                f"{len(self.errors)} errors>")

    def row(self, i: int) -> dict[str, Any]:
        """Row ``i`` (0-based) as parsed values."""
        return self.columns.row(i)

    def index_of(self, enterprise_id: str) -> int:
        """The row of an enterprise id (the first, if the id is duplicated)."""
        if self._index is None:
            self._index = IdIndex(self.ids)
        row = self._index.find(enterprise_id)
        if row is None:
            raise KeyError(f"no enterprise {enterprise_id!r} in this table")
        return row

    # ---- constructors ------------------------------------------------------------------

    @classmethod
    def from_records(cls, records: Iterable[Mapping[str, Any]], schema: SchemaSource,
                     source: str = "<records>") -> EnterpriseTable:
        """Records as given, one row each (a record with every value missing too)."""
        return cls.from_raw(RawTable(records=list(records), skip_blank=False), schema, source)

    @classmethod
    def _from_list(cls, rows: list[Mapping[str, Any]], schema: TagSchema, source: str,
                   header: Sequence[str] | None) -> EnterpriseTable:
        names: dict[str, None] = {}
        for r in rows:
            names.update(dict.fromkeys(r))
        order = [*(header or ()), *(k for k in names if k not in set(header or ()))]
        raw: list[tuple[str, Raw]] = [
            (name, ListRaw([r.get(name) for r in rows])) for name in order]
        return cls._build(schema, len(rows), raw, source, order)

    @classmethod
    def from_jsonl(cls, path: str | Path, schema: SchemaSource) -> EnterpriseTable:
        return cls.from_raw(jsonl.read(Path(path)), schema, source=str(path))

    @classmethod
    def from_arrow(cls, data: pa.Table, schema: SchemaSource, source: str = "<arrow>"
                   ) -> EnterpriseTable:
        return cls.from_raw(RawTable(arrow=data), schema, source)

    @classmethod
    def from_csv(cls, path: str | Path, schema: SchemaSource) -> EnterpriseTable:
        return cls.from_raw(csv_format.read(Path(path)), schema, source=str(path))

    @classmethod
    def from_parquet(cls, path: str | Path, schema: SchemaSource) -> EnterpriseTable:
        return cls.from_raw(parquet.read(Path(path)), schema, source=str(path))

    @classmethod
    def from_xlsx(cls, path: str | Path, schema: SchemaSource, sheet: str | None = None
                  ) -> EnterpriseTable:
        return cls.from_raw(xlsx.read(Path(path), sheet), schema, source=str(path))

    @classmethod
    def load(cls, path: str | Path, schema: SchemaSource,
             progress: Progress | None = None) -> EnterpriseTable:
        """By extension: .csv, .jsonl/.ndjson, .xlsx, .parquet."""
        return cls.from_raw(read_raw(path), schema, source=str(path), progress=progress)

    @classmethod
    def from_raw(cls, raw: RawTable, schema: SchemaSource, source: str,
                 progress: Progress | None = None) -> EnterpriseTable:
        """Parse what a reader handed over: blank rows skipped, every error placed in the
        file, the reader's own row errors among them."""
        blank: np.ndarray | None
        if raw.records is not None:
            blank = blank_records(raw.records) if raw.skip_blank else None
            rows = raw.records if blank is None else [
                r for r, b in zip(raw.records, blank.tolist(), strict=True) if not b]
            n_raw = len(raw.records)
            table = cls._from_list(rows, schema_of(schema), source, raw.header)
        else:
            data = raw.take_arrow()
            release_freed_memory()  # the reader's own buffers, freed but still held
            n_raw = data.num_rows
            blank = blank_arrow_rows(data)
            if blank is not None:
                data = data.filter(arrow_mask(~blank))
            raw.arrow = data
            del data
            table = cls._from_arrow_taken(raw, schema_of(schema), source, progress)
            release_freed_memory()
        skipped = raw.skipped + (int(blank.sum()) if blank is not None else 0)
        errors = [*raw.errors, *table.errors]
        positions = None
        if any(e.row is not None for e in errors) and (raw.positions is not None
                                                        or raw.records is None):
            positions = raw.row_positions(n_raw)
            positions = positions if blank is None else positions[~blank]
        table.errors = place(errors, positions, raw.unit, raw.header_at)
        table.counts = _counts(len(table), table.errors, skipped, raw.rejected)
        table.fallback = raw.fallback
        return table

    @classmethod
    def _from_arrow_taken(cls, raw: RawTable, schema: TagSchema, source: str,
                          progress: Progress | None = None) -> EnterpriseTable:
        """Takes the only reference to the Arrow table, so each of its columns is freed as
        soon as it is parsed: peak memory is one raw column, not the whole file."""
        data = raw.take_arrow()
        n = data.num_rows
        columns: list[tuple[str, Raw]] = [
            (name, ArrowRaw(data.column(i))) for i, name in enumerate(data.column_names)]
        del data
        return cls._build(schema, n, columns, source, raw.header, progress)

    # ---- column-wise parsing -----------------------------------------------------------

    @classmethod
    def _build(cls, schema: TagSchema, n: int, raw: list[tuple[str, Raw]], source: str,
               header: Sequence[str] | None = None, progress: Progress | None = None
               ) -> EnterpriseTable:
        total = len(raw)
        # the errors of each column, in the file's order whichever thread parsed it
        errors_of: list[list[FieldError]] = [[] for _ in range(total)]
        unknown: list[str] = []
        columns: dict[str, Column] = {}
        jobs = _column_jobs(schema, raw, errors_of, unknown)
        for parsed in parse_in_order(jobs, n, schema.vocabulary):
            columns[parsed.tag.name] = parsed.column
            errors_of[parsed.index].extend(parsed.errors)
            if progress is not None:  # cells parsed so far, of every cell
                progress((parsed.index + 1) * n, total * n)
            del parsed
            if n >= RELEASE_ROWS:  # the raw column just parsed gone, not only freed
                release_freed_memory()
        if progress is not None:
            progress(total * n, total * n)
        errors = [e for column_errors in errors_of for e in column_errors]
        ids = _ids(schema.key, columns, n, errors)
        errors.sort(key=lambda e: (e.row or 0, e.column))
        return cls(Columns(n, columns), ids, errors, unknown, source)._with_schema(schema)


def _column_jobs(schema: TagSchema, raw: list[tuple[str, Raw]],
                 errors_of: list[list[FieldError]], unknown: list[str]
                 ) -> Iterator[ColumnJob]:
    """The columns to parse, in the file's order; a repeated header, a header that names no
    tag and a second header for a tag are errors of their column instead. Takes the raw
    columns out of ``raw`` one by one, so that each is freed once parsed (peak memory)."""
    seen: dict[str, int] = {}
    parsed: set[str] = set()
    raw.reverse()
    for index in range(len(raw)):
        name = raw[-1][0]
        first = seen.setdefault(name, index)
        tag = schema.tag_for(name)
        if first == index and tag is not None and tag.name not in parsed:
            parsed.add(tag.name)
            yield ColumnJob(index, tag, raw.pop()[1])  # no reference to it kept here
            continue
        if first != index:
            errors_of[index].append(repeated_column(name, first, index))
        elif tag is None:
            if name.strip() or not raw[-1][1].empty():
                unknown.append(name)
                errors_of[index].append(unknown_column(name, schema))
        else:
            errors_of[index].append(second_for_tag(name, tag.name))
        raw.pop()


def _counts(n: int, errors: Sequence[FieldError], skipped: int = 0, rejected: int = 0
            ) -> LoadCounts:
    on_rows = sum(1 for e in errors if e.row is not None)
    on_columns = sum(1 for e in errors if e.row is None and e.code is not None
                     and e.code.startswith("column."))
    return LoadCounts(loaded=n, skipped=skipped, rejected_rows=rejected,
                      rejected_values=on_rows, rejected_columns=on_columns)


def _ids(key: str | None, columns: Mapping[str, Column], n: int,
         errors: list[FieldError]) -> Ids:
    """Each row's enterprise id: its key, or ``#row`` where the key is missing (reported,
    unless its value was rejected: one message per bad value); a key seen before is
    reported as a duplicate (lookups find its first row)."""
    column = columns.get(key) if key else None
    if key is None or not isinstance(column, CategoryColumn | TextColumn):
        return [f"#{i + 1}" for i in range(n)]
    ids: Ids
    if isinstance(column, TextColumn):  # the keys stay Arrow: no Python string per row
        keys, all_codes = _text_keys(column)
        missing = np.flatnonzero(all_codes < 0).tolist()
        ids = ArrowIds(keys, {i: f"#{i + 1}" for i in missing})
    else:
        all_codes = column.codes
        if len(column.categories) == n and np.array_equal(all_codes, np.arange(n)):
            return list(column.categories)  # one distinct key per row, in row order
        labels = np.array([*column.categories, ""], dtype=object)
        listed: list[str] = labels[all_codes].tolist()
        del labels
        missing = np.flatnonzero(all_codes < 0).tolist()
        for i in missing:
            listed[i] = f"#{i + 1}"
        ids = listed
    rejected = {e.row for e in errors if e.column == key}
    for i in missing:
        if i + 1 not in rejected:
            errors.append(FieldError.of(key, "", ValueProblem("key.missing", key=key,
                                                              id=f"#{i + 1}"), row=i + 1))
    present = np.flatnonzero(all_codes >= 0)
    order = present[np.argsort(all_codes[present], kind="stable")]
    codes = all_codes[order]
    repeat = np.flatnonzero(codes[1:] == codes[:-1]) + 1
    if repeat.size:
        first_of = {}
        starts = np.concatenate(([0], np.flatnonzero(codes[1:] != codes[:-1]) + 1))
        for start in starts.tolist():
            first_of[int(codes[start])] = int(order[start])
        for j in repeat.tolist():
            row = int(order[j])
            problem = ValueProblem("key.duplicate", first=first_of[int(codes[j])] + 1)
            errors.append(FieldError.of(key, ids[row], problem, row=row + 1))
    return ids


def _text_keys(column: TextColumn) -> tuple[Any, np.ndarray]:
    """A text key column's keys (trimmed, as :meth:`TextColumn.categories` reads them) and
    a code per row (-1 where missing), equal codes for equal keys."""
    import pyarrow.compute as pc

    array = _plain_array(column.array)
    trimmed = pc.utf8_trim_whitespace(array)
    keys = array if trimmed.equals(array) else trimmed  # the column's own array if it may
    del array, trimmed
    encoded = pc.dictionary_encode(keys)
    codes = primitive_values(encoded.indices, np.int32, -1)
    codes[~column.known] = -1
    return keys, codes


def _plain_array(array: Any) -> Any:
    """One Arrow string array of a text column's values (its dictionary decoded)."""
    import pyarrow as pa

    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks()
    if pa.types.is_dictionary(array.type):
        array = array.dictionary_decode()
    return array

