"""The enterprise library (企业库) as a table: loaded column by column, never row by row.

Every column is dictionary-encoded first, so each *distinct* raw value (a date, an
industry code, ``"2000万"``) is parsed once by its tag's type, however many rows share it;
plain numeric columns skip even that. Values that do not parse are kept in
:attr:`EnterpriseTable.errors` with row, column, value and reason, and the field is
missing: rows in always equal rows loaded.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from policy_match.data.io import csv_format, jsonl, parquet, xlsx
from policy_match.data.io.formats import read_raw
from policy_match.data.io.raw import RawTable
from policy_match.data.records import MISSING_TEXT, FieldError, is_missing, parse_value
from policy_match.data.schema import SchemaSource, TagSchema, schema_of
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


_NUMERIC_KINDS = (Kind.MONEY, Kind.COUNT, Kind.NUMBER, Kind.RATIO)


class EnterpriseTable:
    """Parsed enterprise records, column-wise, with every rejected value reported."""

    def __init__(self, columns: Columns, ids: list[str], errors: list[FieldError],
                 unknown_columns: Sequence[str] = (), source: str = "") -> None:
        self.columns = columns
        self.ids = ids
        self.errors = errors
        self.unknown_columns = tuple(unknown_columns)
        self.source = source
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
        rows = list(records)
        names: dict[str, None] = {}
        for r in rows:
            names.update(dict.fromkeys(r))
        raw = {name: [r.get(name) for r in rows] for name in names}
        encoded = {k: _encode_list(v) for k, v in raw.items()}
        return cls._build(schema_of(schema), len(rows), encoded, source)

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
    def load(cls, path: str | Path, schema: SchemaSource) -> EnterpriseTable:
        """By extension: .csv, .jsonl/.ndjson, .xlsx, .parquet."""
        return cls.from_raw(read_raw(path), schema, source=str(path))

    @classmethod
    def from_raw(cls, raw: RawTable, schema: SchemaSource, source: str) -> EnterpriseTable:
        """Parse what a reader handed over; the reader's own row errors come first."""
        if raw.records is not None:
            table = cls.from_records(raw.records, schema, source)
        else:
            table = cls._from_arrow_taken(raw, schema_of(schema), source)
        table.errors[:0] = raw.errors
        return table

    @classmethod
    def _from_arrow_taken(cls, raw: RawTable, schema: TagSchema, source: str
                          ) -> EnterpriseTable:
        """Takes the only reference to the Arrow table, so each of its columns is freed as
        soon as it is parsed: peak memory is one raw column, not the whole file."""
        data = raw.take_arrow()
        n = data.num_rows
        columns = {name: _ArrowRaw(data.column(name)) for name in data.column_names}
        del data
        return cls._build(schema, n, columns, source)

    # ---- column-wise parsing -----------------------------------------------------------

    @classmethod
    def _build(cls, schema: TagSchema, n: int, raw: Mapping[str, _Raw], source: str
               ) -> EnterpriseTable:
        errors: list[FieldError] = []
        columns: dict[str, Column] = {}
        unknown: list[str] = []
        raw = dict(raw)
        while raw:
            # popped, so each raw column can be freed once it is parsed (peak memory)
            name, column_raw = _pop_first(raw)
            tag = schema.tag_for(name)
            if tag is None:
                unknown.append(name)
                continue
            if tag.name in columns:
                errors.append(FieldError(column=name, value="", reason=(
                    f"a second column for tag {tag.name}; ignored")))
                continue
            columns[tag.name] = _parse_column(tag, column_raw, n, schema.vocabulary, errors)
        ids = _ids(schema.key, columns, n, errors)
        errors.sort(key=lambda e: (e.row or 0, e.column))
        return cls(Columns(n, columns), ids, errors, unknown, source)


def _pop_first(raw: dict[str, _Raw]) -> tuple[str, _Raw]:
    name = next(iter(raw))
    return name, raw.pop(name)


def _ids(key: str | None, columns: Mapping[str, Column], n: int,
         errors: list[FieldError]) -> list[str]:
    """Each row's enterprise id: its key, or ``#row`` where the key is missing (reported);
    a key seen before is reported as a duplicate (lookups find its first row)."""
    column = columns.get(key) if key else None
    fallback = [f"#{i + 1}" for i in range(n)]
    if isinstance(column, TextColumn):
        column = column.categories()
    if key is None or not isinstance(column, CategoryColumn):
        return fallback
    labels = np.array([*column.categories, ""], dtype=object)
    ids = labels[column.codes].tolist()
    for i in np.flatnonzero(column.codes < 0).tolist():
        ids[i] = fallback[i]
        errors.append(FieldError(row=i + 1, column=key, value="",
                                 reason=f"row has no {key}; identified as #{i + 1}"))
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
            errors.append(FieldError(row=row + 1, column=key, value=ids[row], reason=(
                f"duplicate key: also row {first_of[int(codes[j])] + 1}")))
    return ids


# ---- raw columns, dictionary-encoded ------------------------------------------------------


class _Raw:
    """A raw column: ``encode()`` gives codes per row (-1 = null) and the distinct values."""

    def encode(self) -> tuple[np.ndarray, list[Any]]:
        raise NotImplementedError

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
    if kind in _NUMERIC_KINDS and kind is not Kind.COUNT:
        fast = raw.as_float()
        if fast is not None:
            values, known = fast
            long = raw.long_decimals()
            return NumberColumn(values, known, {
                int(i): parse_value(tag, raw.at(int(i)), vocabulary) for i in long})
    spec = vocabulary.tag_types.get(tag.type.name or "")
    plain_text = kind is Kind.TEXT and (spec is None or spec.parse is None)
    if plain_text and isinstance(raw, _ArrowRaw):
        return raw.as_text()
    codes, uniques = raw.encode()
    quick: list[Any] = [None] * len(uniques)
    if spec is not None and spec.parse_many is not None:
        quick = spec.parse_many([v if isinstance(v, str) else "" for v in uniques])
    parsed: list[Any] = []
    bad: dict[int, str] = {}
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
                bad[k] = str(exc)
    for k, reason in bad.items():
        shown = str(uniques[k])
        for i in np.flatnonzero(codes == k):
            errors.append(FieldError(row=int(i) + 1, column=tag.name, value=shown, reason=reason))
    present = np.array([v is not None for v in parsed] + [False], dtype=bool)
    known = present[codes]  # code -1 picks the trailing False
    return _typed_column(tag, codes, parsed, known, n)


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


