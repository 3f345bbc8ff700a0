"""A loaded enterprise table as Arrow in the SQL schema's types, and as a Spark DataFrame.

The types are ``book.sql_schema("spark")``'s: exact decimals (``DECIMAL(38, s)``, s per
kind), dates, booleans, strings (codes in canonical form), arrays of strings for sets; the
key column first. What a department's platform table looks like once its DBA has created it
from the schema; the SQL route needs these types, the ``mapInArrow`` route reads them too.

Numbers are written from the decimal each value was read from (a float's shortest form, or
the exact value the loader kept), never through binary rounding; a value with more digits
after the point than the column keeps is refused by Arrow, not rounded.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa

from policy_match.core.rulebook import Rulebook
from policy_match.data.table import EnterpriseTable
from policy_match.dsl.ir import TagSpec
from policy_match.dsl.types import NUMERIC_KINDS, Kind
from policy_match.engine.columns import (
    BoolColumn,
    CategoryColumn,
    Column,
    DateColumn,
    DurationColumn,
    NumberColumn,
    SetColumn,
)
from policy_match.engine.sql.dialects import NUMERIC_SCALE, PRECISION

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession


def arrow_type(tag: TagSpec) -> pa.DataType:
    """The Arrow type of a tag's column (Spark maps it to the schema's SQL type)."""
    kind = tag.type.kind
    if kind in NUMERIC_KINDS or kind is Kind.DURATION:
        return pa.decimal128(PRECISION, NUMERIC_SCALE[kind])
    if kind is Kind.DATE:
        return pa.date32()
    if kind is Kind.BOOL:
        return pa.bool_()
    if kind is Kind.SET:
        return pa.list_(pa.string())
    return pa.string()


def to_arrow(table: EnterpriseTable, book: Rulebook) -> pa.Table:
    """Every tag of ``book`` as a typed column (the key first); a tag the table lacks is a
    column of nulls, as the database would hold it."""
    ordered = sorted(book.tags.values(), key=lambda t: t.name != book.key)
    arrays = [_array(table.columns.columns.get(tag.name), tag, len(table)) for tag in ordered]
    return pa.Table.from_arrays(arrays, names=[tag.name for tag in ordered])


def to_frame(spark: SparkSession, table: EnterpriseTable, book: Rulebook,
             partitions: int | None = None) -> DataFrame:
    """``to_arrow`` as a Spark DataFrame (in ``partitions`` partitions, when given)."""
    frame = spark.createDataFrame(to_arrow(table, book))
    return frame.repartition(partitions) if partitions else frame


def _array(column: Column | None, tag: TagSpec, n: int) -> pa.Array:
    kind, target = tag.type.kind, arrow_type(tag)
    if column is None:
        return pa.nulls(n, target)
    mask = ~np.asarray(column.known, dtype=bool)
    if isinstance(column, NumberColumn):
        return _decimals(column, target)
    if isinstance(column, DurationColumn):
        return pa.array(column.days, mask=mask).cast(pa.string()).cast(target)
    if isinstance(column, DateColumn):
        return pa.array(column.days.astype(np.int32), pa.int32(), mask=mask).cast(target)
    if isinstance(column, BoolColumn):
        return pa.array(column.values, pa.bool_(), mask=mask)
    if isinstance(column, SetColumn):
        return _sets(column, n)
    if isinstance(column, CategoryColumn):
        labels = pa.array([str(c) for c in column.categories], pa.string())
        codes = pa.array(np.maximum(column.codes, 0), pa.int32(), mask=mask)
        return labels.take(codes) if len(labels) else pa.nulls(n, pa.string())
    if kind is Kind.TEXT or kind in (Kind.ENUM, Kind.CODE):
        return pa.array([_text(column.get(i)) for i in range(n)], pa.string())
    return pa.array([column.get(i) for i in range(n)], target)


def _decimals(column: NumberColumn, target: pa.DataType) -> pa.Array:
    """Through each float's shortest decimal form (the text it was read from)."""
    mask = ~np.asarray(column.known, dtype=bool)
    texts = pa.array(column.values, pa.float64(), mask=mask).cast(pa.string())
    if column.exact_rows:
        values: list[Any] = texts.to_pylist()
        for row, value in column.exact_rows.items():
            values[row] = _decimal_text(value)
        texts = pa.array(values, pa.string())
    return texts.cast(target)


def _decimal_text(value: Any) -> str:
    """An exact value read from decimal text, written back as that text (no rounding: its
    denominator divides a power of ten, and the context holds every digit)."""
    from decimal import Decimal, localcontext
    from fractions import Fraction

    exact = Fraction(value)
    with localcontext() as context:
        context.prec = 2 * PRECISION
        return format(Decimal(exact.numerator) / Decimal(exact.denominator), "f")


def _sets(column: SetColumn, n: int) -> pa.Array:
    members = sorted(column.members)
    rows: list[list[str] | None] = [[] if k else None for k in column.known.tolist()]
    for value in members:
        for i in np.flatnonzero(column.members[value] & column.known).tolist():
            row = rows[i]
            if row is not None:
                row.append(value)
    return pa.array(rows, pa.list_(pa.string()))


def _text(value: Any) -> str | None:
    return None if value is None else str(value)
