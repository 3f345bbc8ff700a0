"""Tag types → column types: the ``CREATE TABLE`` a department hands to its DBA.

One column per tag, named as the tag; the key tag first (or ``enterprise_id`` when the
rulebook declares none). Labels become column comments where the dialect has them (inline
in Spark, ``COMMENT ON COLUMN`` in DuckDB and PostgreSQL).

=========================  =================================  ======================
tag type                   DuckDB / Spark                     PostgreSQL
=========================  =================================  ======================
money, count, number,      ``DECIMAL(38, s)`` (s per kind,    ``NUMERIC`` (exact,
ratio                      ``dialects.NUMERIC_SCALE``)         unbounded)
duration                   the same, in days                   ``NUMERIC``, in days
date                       ``DATE``                           ``DATE``
bool                       ``BOOLEAN``                        ``BOOLEAN``
text, enum, code           ``VARCHAR`` / ``STRING``           ``TEXT``
set                        ``VARCHAR[]`` / ``ARRAY<STRING>``  ``TEXT[]``
=========================  =================================  ======================
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sqlglot import exp

from policy_match.dsl import ir
from policy_match.dsl.types import NUMERIC_KINDS, Kind, Type
from policy_match.engine.sql.compile import SqlUnsupported
from policy_match.engine.sql.dialects import Dialect
from policy_match.engine.sql.query import DEFAULT_KEY, table_ref


def column_type(dialect: Dialect, name: str, type_: Type) -> exp.DataType:
    kind = type_.kind
    if kind in NUMERIC_KINDS or kind is Kind.DURATION:
        return dialect.numeric_type(kind)
    if kind is Kind.DATE:
        return exp.DataType.build("DATE")
    if kind is Kind.BOOL:
        return exp.DataType.build("BOOLEAN")
    if kind in (Kind.TEXT, Kind.ENUM, Kind.CODE):
        return dialect.type_of(dialect.text_type)
    if kind is Kind.SET:
        return dialect.type_of(dialect.text_array_type)
    raise SqlUnsupported("sql.unsupported_type", tag=name, type=type_.describe())


@dataclass(frozen=True)
class Column:
    name: str
    type: exp.DataType
    comment: str | None
    tag: ir.TagSpec | None  # None: the id column of a rulebook without a key tag


def columns(dialect: Dialect, tags: Mapping[str, ir.TagSpec], key: str | None) -> list[Column]:
    """The table's columns, the key first."""
    out: list[Column] = []
    if key is None:
        out.append(Column(DEFAULT_KEY, dialect.type_of(dialect.text_type), None, None))
    ordered = sorted(tags.values(), key=lambda t: t.name != key)
    for tag in ordered:
        out.append(Column(tag.name, column_type(dialect, tag.name, tag.type), tag.label, tag))
    return out


def create_table(dialect: Dialect, tags: Mapping[str, ir.TagSpec], key: str | None,
                 table: str) -> list[exp.Expr]:
    """``CREATE TABLE`` (and ``COMMENT ON COLUMN`` statements where comments are separate)."""
    target = table_ref(table)
    defs: list[exp.Expr] = []
    comments: list[exp.Expr] = []
    for column in columns(dialect, tags, key):
        constraints = []
        if column.tag is None or column.tag.key:  # NOT NULL before COMMENT (Spark's order)
            constraints.append(exp.ColumnConstraint(kind=exp.NotNullColumnConstraint()))
        if column.comment and dialect.comments == "inline":
            constraints.append(exp.ColumnConstraint(
                kind=exp.CommentColumnConstraint(this=exp.Literal.string(column.comment))))
        defs.append(exp.ColumnDef(this=exp.to_identifier(column.name, quoted=True),
                                  kind=column.type, constraints=constraints))
        if column.comment and dialect.comments == "statement":
            comments.append(exp.Comment(
                this=exp.column(column.name, table=target.name, db=target.args.get("db"),
                                quoted=True),
                kind="COLUMN", expression=exp.Literal.string(column.comment)))
    create = exp.Create(this=exp.Schema(this=target, expressions=defs), kind="TABLE")
    return [create, *comments]


def schema_sql(dialect: Dialect, tags: Mapping[str, ir.TagSpec], key: str | None,
               table: str) -> str:
    statements = create_table(dialect, tags, key, table)
    return ";\n".join(s.sql(dialect=dialect.sqlglot, pretty=True) for s in statements) + ";\n"
