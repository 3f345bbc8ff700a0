"""Enterprise tables in a database: DuckDB (a file) or PostgreSQL (a server).

``duckdb:///path/to/library.duckdb`` (``duckdb:///:memory:`` for a throw-away one) or
``postgresql://user@host:port/dbname`` (psycopg 3). A table is written in the schema of
``engine/sql/schema.py`` — codes in canonical form, sets as arrays, numbers as exact
decimals (a value a ``DECIMAL(38, s)`` column cannot hold exactly is refused, never
rounded) — and a query runs where the data is. Statements are sqlglot expressions and
values travel as parameters or Arrow/COPY data: no value is ever spliced into SQL text.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any, Literal

import numpy as np
from sqlglot import exp

from policy_match.base.messages import CatalogueError
from policy_match.data.schema import SchemaSource, TagSchema, schema_of
from policy_match.dsl.types import NUMERIC_KINDS, Kind
from policy_match.engine.columns import (
    BoolColumn,
    CategoryColumn,
    Column,
    DateColumn,
    DurationColumn,
    NumberColumn,
    SetColumn,
    TextColumn,
    from_day_number,
)
from policy_match.engine.sql import schema as sql_schema
from policy_match.engine.sql.dialects import DIALECTS, NUMERIC_SCALE, PRECISION, Dialect
from policy_match.engine.sql.query import DEFAULT_KEY, table_ref
from policy_match.engine.sql.values import decimal_text


class DatabaseError(CatalogueError):
    """A database request that cannot be done as asked; ``str()`` is the English text."""


@dataclass(frozen=True)
class Database:
    kind: Literal["duckdb", "postgres"]
    target: str  # a file path, ":memory:", or a PostgreSQL conninfo URL

    @property
    def dialect(self) -> Dialect:
        return DIALECTS[self.kind]


def parse_url(url: str) -> Database:
    if url.startswith("duckdb://"):  # as SQLAlchemy: duckdb:///relative, duckdb:////absolute
        path = url[len("duckdb://"):]
        path = path[1:] if path.startswith("/") else path
        return Database("duckdb", path or ":memory:")
    if url.startswith(("postgresql://", "postgres://")):
        return Database("postgres", url)
    raise DatabaseError("sql.bad_url", url=url)


class Connection:
    """One open connection, the same few calls for both engines."""

    def __init__(self, db: Database, raw: Any) -> None:
        self.db = db
        self.raw = raw

    def sql(self, statement: exp.Expr) -> str:
        return statement.sql(dialect=self.db.dialect.sqlglot)

    def execute(self, statement: exp.Expr | str,
                params: Sequence[Any] | None = None) -> list[tuple[Any, ...]]:
        query = statement if isinstance(statement, str) else self.sql(statement)
        if self.db.kind == "duckdb":
            result = self.raw.execute(query, params) if params else self.raw.execute(query)
            return list(result.fetchall()) if result.description else []
        with self.raw.cursor() as cursor:
            cursor.execute(query, params)
            return list(cursor.fetchall()) if cursor.description else []

    def columns_of(self, statement: exp.Expr | str) -> list[str]:
        query = statement if isinstance(statement, str) else self.sql(statement)
        if self.db.kind == "duckdb":
            return [d[0] for d in self.raw.execute(query).description]
        with self.raw.cursor() as cursor:
            cursor.execute(query)
            return [d.name for d in cursor.description]


@contextmanager
def connect(url: str | Database) -> Iterator[Connection]:
    db = parse_url(url) if isinstance(url, str) else url
    if db.kind == "duckdb":
        import duckdb

        raw = duckdb.connect(db.target)
        try:
            yield Connection(db, raw)
        finally:
            raw.close()
        return
    import psycopg

    with psycopg.connect(db.target, autocommit=True) as conn:
        yield Connection(db, conn)


def table_exists(conn: Connection, table: str) -> bool:
    ref = table_ref(table)
    test: exp.Expr = exp.EQ(this=exp.column("table_name"), expression=exp.Placeholder())
    params: list[Any] = [ref.name]
    if ref.args.get("db"):
        test = exp.And(this=test, expression=exp.EQ(this=exp.column("table_schema"),
                                                    expression=exp.Placeholder()))
        params.append(ref.args["db"].name)
    query = exp.select(exp.Count(this=exp.Star())).from_(
        exp.Table(this=exp.to_identifier("tables"), db=exp.to_identifier("information_schema"))
    ).where(test)
    return bool(conn.execute(query, params)[0][0])


def prepare_table(conn: Connection, table: str, if_exists: str,
                  create: Sequence[exp.Expr]) -> None:
    """Create ``table`` (``create``: its statements) unless it exists and is kept."""
    if if_exists not in ("fail", "replace", "append"):
        raise DatabaseError("sql.bad_if_exists", value=if_exists)
    if table_exists(conn, table):
        if if_exists == "fail":
            raise DatabaseError("sql.table_exists", table=table)
        if if_exists == "append":
            return
        conn.execute(exp.Drop(tables=[table_ref(table)], kind="TABLE"))
    for statement in create:
        conn.execute(statement)


# ---- a parsed table as plain Python values, column by column -----------------------------

def _exact_decimal(value: Fraction, scale: int | None) -> Decimal | None:
    """``value`` as a Decimal when the column holds it exactly (``scale`` None: any)."""
    written = decimal_text(value)
    if written is None:
        return None
    number = Decimal(("-" if value < 0 else "") + written)
    if scale is None:
        return number
    quantum = Decimal(1).scaleb(-scale)
    held = number.quantize(quantum)
    if held != number or len(held.as_tuple().digits) > PRECISION:
        return None
    return number


def _numbers(column: NumberColumn | DurationColumn, scale: int | None, name: str,
             type_text: str) -> list[Decimal | None]:
    data = column.values if isinstance(column, NumberColumn) else column.days
    exact = column.exact_rows if isinstance(column, NumberColumn) else {}
    out: list[Decimal | None] = []
    for i, (known, x) in enumerate(zip(column.known.tolist(), data.tolist(), strict=True)):
        if not known:
            out.append(None)
            continue
        value = exact.get(i)
        fraction = value if value is not None else Fraction(Decimal(repr(float(x))))
        if isinstance(column, DurationColumn):
            fraction = column.values[i].approx_days()
        number = _exact_decimal(fraction, scale)
        if number is None:
            raise DatabaseError("sql.inexact_value", row=i + 1, column=name,
                                value=str(fraction), type=type_text)
        out.append(number)
    return out


def _texts(column: Column, n: int) -> list[str | None]:
    if isinstance(column, TextColumn):
        column = column.categories()
    if isinstance(column, CategoryColumn):
        labels = np.array([*column.categories, None], dtype=object)
        return labels[column.codes].tolist()  # type: ignore[no-any-return,unused-ignore]
    return [None if v is None else str(v) for v in (column.get(i) for i in range(n))]


def _sets(column: SetColumn, n: int) -> list[list[str] | None]:
    out: list[list[str] | None] = [[] if k else None for k in column.known.tolist()]
    for value in sorted(column.members):
        for i in np.flatnonzero(column.members[value] & column.known).tolist():
            out[i].append(value)  # type: ignore[union-attr]
    return out


def column_values(column: Column | None, kind: Kind, n: int, scale: int | None, name: str,
                  type_text: str) -> list[Any]:
    """The column's values as Python values the database drivers take (None: unknown)."""
    if column is None:
        return [None] * n
    if kind in NUMERIC_KINDS or kind is Kind.DURATION:
        assert isinstance(column, NumberColumn | DurationColumn)
        return _numbers(column, scale, name, type_text)
    if kind is Kind.DATE:
        assert isinstance(column, DateColumn)
        return [from_day_number(d) if k else None
                for d, k in zip(column.days.tolist(), column.known.tolist(), strict=True)]
    if kind is Kind.BOOL:
        assert isinstance(column, BoolColumn)
        return [bool(v) if k else None
                for v, k in zip(column.values.tolist(), column.known.tolist(), strict=True)]
    if kind is Kind.SET:
        assert isinstance(column, SetColumn)
        return _sets(column, n)
    return _texts(column, n)


def table_columns(table: Any, schema: TagSchema, dialect: Dialect) -> dict[str, list[Any]]:
    """Every column of the database table, in its order, with the values to write."""
    n = len(table)
    out: dict[str, list[Any]] = {}
    for col in sql_schema.columns(dialect, schema.tags, schema.key):
        if col.tag is None or col.tag.key:
            out[col.name] = list(table.ids)
            continue
        kind = col.tag.type.kind
        scale = NUMERIC_SCALE.get(kind) if dialect.bounded_numeric else None
        out[col.name] = column_values(table.columns.columns.get(col.name), kind, n, scale,
                                      col.name, col.type.sql(dialect=dialect.sqlglot))
    return out


# ---- writing ------------------------------------------------------------------------------

def _arrow_type(col: sql_schema.Column, pa: Any) -> Any:
    kind = col.tag.type.kind if col.tag is not None else Kind.TEXT
    if kind in NUMERIC_KINDS or kind is Kind.DURATION:
        return pa.decimal128(PRECISION, NUMERIC_SCALE[kind])
    return {Kind.DATE: pa.date32(), Kind.BOOL: pa.bool_(),
            Kind.SET: pa.list_(pa.string())}.get(kind, pa.string())


def _arrow_numbers(column: NumberColumn, scale: int, pa: Any) -> Any:
    """Floats → their shortest decimal text → DECIMAL(38, s): exact, or Arrow refuses
    ("would cause data loss"); the rows whose decimal has more digits than a float keeps
    are set from their exact values."""
    floats = pa.array(column.values, mask=~column.known)
    out = floats.cast(pa.string()).cast(pa.decimal128(PRECISION, scale))
    if not column.exact_rows:
        return out
    values = out.to_pylist()
    for i, value in column.exact_rows.items():
        values[i] = _exact_decimal(value, scale)
    return pa.array(values, type=pa.decimal128(PRECISION, scale))


def _arrow_column(col: sql_schema.Column, column: Column | None, n: int, pa: Any) -> Any:
    """One column as Arrow, without a Python object per value where the type allows."""
    kind = col.tag.type.kind if col.tag is not None else Kind.TEXT
    kind_type = _arrow_type(col, pa)
    if column is None:
        return pa.nulls(n, type=kind_type)
    if isinstance(column, NumberColumn) and kind in NUMERIC_SCALE:
        return _arrow_numbers(column, NUMERIC_SCALE[kind], pa)
    if isinstance(column, DateColumn):
        return pa.array(column.days.astype("int32"), mask=~column.known).cast(pa.date32())
    if isinstance(column, BoolColumn):
        return pa.array(column.values, mask=~column.known)
    if isinstance(column, TextColumn | CategoryColumn):
        cat = column.categories() if isinstance(column, TextColumn) else column
        indices = pa.array(column_codes(cat), mask=cat.codes < 0)
        dictionary = pa.array(list(cat.categories), type=pa.string())
        return pa.DictionaryArray.from_arrays(indices, dictionary).cast(pa.string())
    return None  # the slow, exact path: Python values


def column_codes(column: CategoryColumn) -> Any:
    return np.maximum(column.codes, 0).astype("int32")


def _write_duckdb(conn: Connection, table_obj: Any, table: str, dialect: Dialect,
                  schema: TagSchema) -> None:
    import pyarrow as pa

    n = len(table_obj)
    arrays, names = [], []
    for col in sql_schema.columns(dialect, schema.tags, schema.key):
        names.append(col.name)
        if col.tag is None or col.tag.key:
            arrays.append(pa.array(table_obj.ids, type=pa.string()))
            continue
        column = table_obj.columns.columns.get(col.name)
        try:
            fast = _arrow_column(col, column, n, pa)
        except pa.ArrowInvalid:
            fast = None  # a value the column cannot hold: the slow path names it
        if fast is None:
            kind = col.tag.type.kind
            values = column_values(column, kind, n, NUMERIC_SCALE.get(kind), col.name,
                                   col.type.sql(dialect=dialect.sqlglot))
            fast = pa.array(values, type=_arrow_type(col, pa))
        arrays.append(fast)
    data = pa.table(arrays, names=names)
    conn.raw.register("__pm_load", data)
    try:
        insert = exp.insert(exp.select("*").from_("__pm_load"), table_ref(table))
        conn.execute(insert)
    finally:
        conn.raw.unregister("__pm_load")


def _write_postgres(conn: Connection, table: str, values: dict[str, list[Any]]) -> None:
    from psycopg import sql

    ref = table_ref(table)
    parts = [p.name for p in (ref.args.get("db"), ref.this) if p is not None]
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(*parts), sql.SQL(", ").join(sql.Identifier(c) for c in values))
    rows = zip(*values.values(), strict=True)
    with conn.raw.cursor() as cursor, cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row(row)


def write_table(table: Any, url: str, name: str = "enterprises", if_exists: str = "fail",
                schema: SchemaSource | None = None) -> int:
    """Write a parsed :class:`EnterpriseTable` to ``url``; the number of rows written."""
    tags = schema_of(schema) if schema is not None else getattr(table, "tag_schema", None)
    if tags is None:
        raise TypeError("to_database needs the table's schema (pass schema=book)")
    db = parse_url(url)
    if db.kind == "duckdb":
        import duckdb

        with connect(db) as conn:  # one transaction: a refused value leaves nothing behind
            conn.raw.begin()
            try:
                prepare_table(conn, name, if_exists,
                              sql_schema.create_table(db.dialect, tags.tags, tags.key, name))
                _write_duckdb(conn, table, name, db.dialect, tags)
            except (DatabaseError, duckdb.Error):
                conn.raw.rollback()
                raise
            conn.raw.commit()
        return len(table)
    values = table_columns(table, tags, db.dialect)  # refused values fail before any write
    with connect(db) as conn:
        prepare_table(conn, name, if_exists,
                      sql_schema.create_table(db.dialect, tags.tags, tags.key, name))
        _write_postgres(conn, name, values)
    return len(table)


# ---- reading back -------------------------------------------------------------------------

def run_query(url: str, query: str) -> list[tuple[Any, ...]]:
    with connect(url) as conn:
        return conn.execute(query)


def read_enterprise(url: str, table: str, schema: SchemaSource,
                    enterprise_id: str) -> dict[str, Any]:
    """One enterprise's row as a raw record (column → value, missing values left out), ready
    for ``Rulebook.explain``: the scalar evaluator then decides, exactly as for a file."""
    tags = schema_of(schema)
    key = tags.key or DEFAULT_KEY
    select = exp.select("*").from_(table_ref(table)).where(
        exp.EQ(this=exp.column(key, quoted=True), expression=exp.Placeholder()))
    with connect(url) as conn:
        names = conn.columns_of(exp.select("*").from_(table_ref(table)).where(exp.false()))
        rows = conn.execute(select, [enterprise_id])
    if not rows:
        raise DatabaseError("sql.no_enterprise", table=table, enterprise=enterprise_id)
    record: dict[str, Any] = {}
    for name, value in zip(names, rows[0], strict=True):
        tag = tags.tags.get(name)
        if value is not None and tag is not None:
            record[name] = as_record_value(value, tag.type.kind)
    return record


def as_record_value(value: Any, kind: Kind) -> Any:
    """A database value as the record readers take it (durations are stored in days)."""
    if kind is Kind.DURATION and isinstance(value, Decimal):
        return f"{value.normalize():f}天"
    if isinstance(value, dt.datetime):
        return value.date()
    return value


def create_table_as(url: str, name: str, query: exp.Expr) -> int:
    """``CREATE TABLE name AS query`` (an existing ``name`` replaced); the rows it holds."""
    create = exp.Create(this=table_ref(name), kind="TABLE", expression=query)
    with connect(url) as conn:
        prepare_table(conn, name, "replace", [create])
        count = exp.select(exp.Count(this=exp.Star())).from_(table_ref(name))
        return int(conn.execute(count)[0][0])
