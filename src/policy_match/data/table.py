"""The enterprise library (企业库) as a table: loaded column by column, never row by row.

Every column is dictionary-encoded first, so each *distinct* raw value (a date, an
industry code, ``"2000万"``) is parsed once by its tag's type, however many rows share it;
plain numeric columns skip even that. Nothing is dropped without a word: a value that does
not parse (or is out of its tag's domain) is kept in :attr:`EnterpriseTable.errors` with
row, line, column, value and reason, and the field is missing; a row the reader could not
read, a header that names no tag and a repeated header are errors too; blank rows are
skipped and counted (:attr:`EnterpriseTable.counts` adds up to the rows in the file).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

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
from policy_match.data.records import (
    MAX_CELL_BYTES,
    MAX_MAGNITUDE,
    MISSING_TEXT,
    FieldError,
    ValueProblem,
    is_missing,
    may_be_negative,
    parse_value,
)
from policy_match.data.rows import RowAccess
from policy_match.data.schema import SchemaSource, TagSchema, schema_of
from policy_match.data.table_database import TableDatabase
from policy_match.dsl.ir import TagSpec
from policy_match.dsl.types import Kind
from policy_match.dsl.vocabulary import Vocabulary
from policy_match.engine.columns import (
    BoolColumn,
    CategoryColumn,
    Column,
    Columns,
    DateColumn,
    DurationColumn,
    NumberColumn,
    ObjectColumn,
    SetColumn,
    TextColumn,
    day_number,
    exact,
)

if TYPE_CHECKING:
    import pyarrow as pa


Progress = Callable[[int, int], None]  # (done, total): a plain callable, no display here
_NUMERIC_KINDS = (Kind.MONEY, Kind.COUNT, Kind.NUMBER, Kind.RATIO)


class EnterpriseTable(TableDatabase, RowAccess):
    """Parsed enterprise records, column-wise, with every rejected value reported."""

    def __init__(self, columns: Columns, ids: list[str], errors: list[FieldError],
                 unknown_columns: Sequence[str] = (), source: str = "",
                 counts: LoadCounts | None = None) -> None:
        self.columns = columns
        self.ids = ids
        self.errors = errors
        self.unknown_columns = tuple(unknown_columns)
        self.source = source
        self.counts = counts or _counts(columns.n, errors)
        self.fallback: str | None = None  # why a reader left its fast path (None: it did not)
        self._index: dict[str, int] | None = None

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
            index: dict[str, int] = {}
            for i, eid in enumerate(self.ids):
                index.setdefault(eid, i)
            self._index = index
        try:
            return self._index[enterprise_id]
        except KeyError:
            raise KeyError(f"no enterprise {enterprise_id!r} in this table") from None

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
        raw: list[tuple[str, _Raw]] = [
            (name, _encode_list([r.get(name) for r in rows])) for name in order]
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
            n_raw = data.num_rows
            blank = blank_arrow_rows(data)
            if blank is not None:
                import pyarrow as pa

                data = data.filter(pa.array(~blank))
            raw.arrow = data
            del data
            table = cls._from_arrow_taken(raw, schema_of(schema), source, progress)
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
        columns: list[tuple[str, _Raw]] = [
            (name, _ArrowRaw(data.column(i))) for i, name in enumerate(data.column_names)]
        del data
        return cls._build(schema, n, columns, source, raw.header, progress)

    # ---- column-wise parsing -----------------------------------------------------------

    @classmethod
    def _build(cls, schema: TagSchema, n: int, raw: list[tuple[str, _Raw]], source: str,
               header: Sequence[str] | None = None, progress: Progress | None = None
               ) -> EnterpriseTable:
        errors: list[FieldError] = []
        columns: dict[str, Column] = {}
        unknown: list[str] = []
        seen: dict[str, int] = {}
        raw.reverse()  # popped from the end, each raw column freed once parsed (peak memory)
        for index in range(len(raw)):
            name, column_raw = raw.pop()
            first = seen.setdefault(name, index)
            tag = schema.tag_for(name)
            if first != index:
                errors.append(repeated_column(name, first, index))
            elif tag is None:
                if name.strip() or not column_raw.empty():
                    unknown.append(name)
                    errors.append(unknown_column(name, schema))
            elif tag.name in columns:
                errors.append(second_for_tag(name, tag.name))
            else:
                columns[tag.name] = _parse_column(tag, column_raw, n, schema.vocabulary,
                                                  errors)
            if progress is not None:  # cells parsed so far, of every cell
                progress((index + 1) * n, len(raw) * n + (index + 1) * n)
        ids = _ids(schema.key, columns, n, errors)
        errors.sort(key=lambda e: (e.row or 0, e.column))
        return cls(Columns(n, columns), ids, errors, unknown, source)._with_schema(schema)


def _counts(n: int, errors: Sequence[FieldError], skipped: int = 0, rejected: int = 0
            ) -> LoadCounts:
    on_rows = sum(1 for e in errors if e.row is not None)
    on_columns = sum(1 for e in errors if e.row is None and e.code is not None
                     and e.code.startswith("column."))
    return LoadCounts(loaded=n, skipped=skipped, rejected_rows=rejected,
                      rejected_values=on_rows, rejected_columns=on_columns)


def _ids(key: str | None, columns: Mapping[str, Column], n: int,
         errors: list[FieldError]) -> list[str]:
    """Each row's enterprise id: its key, or ``#row`` where the key is missing (reported,
    unless its value was rejected: one message per bad value); a key seen before is
    reported as a duplicate (lookups find its first row)."""
    column = columns.get(key) if key else None
    fallback = [f"#{i + 1}" for i in range(n)]
    if isinstance(column, TextColumn):
        column = column.categories()
    if key is None or not isinstance(column, CategoryColumn):
        return fallback
    labels = np.array([*column.categories, ""], dtype=object)
    ids = labels[column.codes].tolist()
    rejected = {e.row for e in errors if e.column == key}
    for i in np.flatnonzero(column.codes < 0).tolist():
        ids[i] = fallback[i]
        if i + 1 not in rejected:
            errors.append(FieldError.of(key, "", ValueProblem("key.missing", key=key,
                                                              id=fallback[i]), row=i + 1))
    present = np.flatnonzero(column.codes >= 0)
    order = present[np.argsort(column.codes[present], kind="stable")]
    codes = column.codes[order]
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


# ---- raw columns, dictionary-encoded ------------------------------------------------------


class _Raw:
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
        """Values and known-mask when the column is plainly numeric, else ``None``."""
        return None


class _ListRaw(_Raw):
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


def _encode_list(values: list[Any]) -> _ListRaw:
    return _ListRaw(values)


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


class _ArrowRaw(_Raw):
    def __init__(self, column: Any) -> None:
        self.column = column

    def encode(self) -> tuple[np.ndarray, list[Any]]:
        import pyarrow as pa
        import pyarrow.compute as pc

        array = self.column.combine_chunks() if isinstance(self.column, pa.ChunkedArray) \
            else self.column
        encoded = array if pa.types.is_dictionary(array.type) else pc.dictionary_encode(array)
        codes = encoded.indices.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int32)
        return codes, encoded.dictionary.to_pylist()

    def long_decimals(self) -> np.ndarray:
        import pyarrow as pa
        import pyarrow.compute as pc

        if not (pa.types.is_string(self.column.type) or pa.types.is_large_string(
                self.column.type)):
            return np.empty(0, dtype=np.int64)
        digits = pc.utf8_length(pc.replace_substring_regex(
            pc.replace_substring_regex(self.column, pattern=r"^[^1-9]*", replacement=""),
            pattern=r"[^0-9]", replacement=""))
        mask = pc.fill_null(pc.greater(digits, 15), False)
        return np.flatnonzero(np.asarray(mask.to_numpy(zero_copy_only=False), dtype=bool))

    def at(self, i: int) -> Any:
        return self.column[i].as_py()

    def empty(self) -> bool:
        return bool(self.column.null_count == len(self.column))

    def drop_oversized(self) -> list[tuple[int, str]]:
        """Only chunks bigger than the limit can hold such a cell: a clean CSV's columns
        (read in blocks of 1 MB) are never looked at."""
        import pyarrow as pa
        import pyarrow.compute as pc

        column = self.column
        if not (pa.types.is_string(column.type) or pa.types.is_large_string(column.type)
                or pa.types.is_binary(column.type)):
            return []
        chunks = column.chunks if isinstance(column, pa.ChunkedArray) else [column]
        if all(chunk.nbytes <= MAX_CELL_BYTES for chunk in chunks):
            return []
        big = pc.fill_null(pc.greater(pc.binary_length(column), MAX_CELL_BYTES), False)
        rows = np.flatnonzero(np.asarray(big.to_numpy(zero_copy_only=False), dtype=bool))
        if not rows.size:
            return []
        shown = [(int(i), str(column[int(i)].as_py())[:80]) for i in rows]
        self.column = pc.if_else(big, pa.scalar(None, column.type), column)
        return shown

    def as_text(self) -> TextColumn:
        """Free text stays an Arrow array; missing is null or one of the missing words."""
        import pyarrow as pa
        import pyarrow.compute as pc

        array = self.column.combine_chunks() if isinstance(self.column, pa.ChunkedArray) \
            else self.column
        array = pc.cast(array, pa.string())
        words = pc.utf8_lower(pc.utf8_trim_whitespace(array))
        missing = pc.is_in(words, value_set=pa.array(sorted(MISSING_TEXT)))
        known = pc.and_(pc.is_valid(array), pc.invert(missing.fill_null(True)))
        return TextColumn(array, known.to_numpy(zero_copy_only=False).astype(bool))

    def as_float(self) -> tuple[np.ndarray, np.ndarray] | None:
        import pyarrow as pa
        import pyarrow.compute as pc

        array = self.column
        if not (pa.types.is_integer(array.type) or pa.types.is_floating(array.type)):
            if not pa.types.is_string(array.type) and not pa.types.is_large_string(array.type):
                return None
            try:
                array = pc.cast(array, pa.float64())
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
                return None
        data = pc.cast(array, pa.float64()).to_numpy(zero_copy_only=False)
        data = np.asarray(data, dtype=float)
        return data, ~np.isnan(data)


# ---- parsing one column ------------------------------------------------------------------


def _parse_column(tag: TagSpec, raw: _Raw, n: int, vocabulary: Vocabulary,
                  errors: list[FieldError]) -> Column:
    kind = tag.type.kind
    for i, start in raw.drop_oversized():
        errors.append(FieldError.of(tag.name, start + "…", ValueProblem(
            "value.cell_too_large", limit=f"{MAX_CELL_BYTES:,}"), row=i + 1))
    if kind in _NUMERIC_KINDS and kind is not Kind.COUNT:
        fast = raw.as_float()
        if fast is not None:
            return _fast_numbers(tag, raw, fast, vocabulary, errors)
    spec = vocabulary.tag_types.get(tag.type.name or "")
    plain_text = kind is Kind.TEXT and (spec is None or spec.parse is None)
    if plain_text and isinstance(raw, _ArrowRaw):
        return raw.as_text()
    codes, uniques = raw.encode()
    quick: list[Any] = [None] * len(uniques)
    if spec is not None and spec.parse_many is not None:
        quick = spec.parse_many([v if isinstance(v, str) else "" for v in uniques])
    parsed: list[Any] = []
    bad: dict[int, ValueError] = {}
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
    for k, problem in bad.items():
        for i in np.flatnonzero(codes == k).tolist():
            errors.append(FieldError.of(tag.name, uniques[k], problem, row=i + 1))
    present = np.array([v is not None for v in parsed] + [False], dtype=bool)
    known = present[codes]  # code -1 picks the trailing False
    return _typed_column(tag, codes, parsed, known, n)


def _fast_numbers(tag: TagSpec, raw: _Raw, fast: tuple[np.ndarray, np.ndarray],
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


def _typed_column(tag: TagSpec, codes: np.ndarray, parsed: list[Any], known: np.ndarray,
                  n: int) -> Column:
    kind = tag.type.kind
    if kind in _NUMERIC_KINDS:
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


