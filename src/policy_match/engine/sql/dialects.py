"""What differs between the SQL dialects we compile to: one small rule each.

Everything else is sqlglot's job (quoting, literals, ``CASE``, ``CAST``): the compiler builds
one expression tree and sqlglot writes it for the dialect. A rule lives here only where the
dialects truly disagree — the exact numeric type, arrays of texts, set tests, whole days
between two dates, and how one row of verdicts becomes one row per policy.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sqlglot import exp

from policy_match.base.messages import CatalogueError
from policy_match.dsl.types import Kind

NUMERIC_SCALE: dict[Kind, int] = {
    Kind.MONEY: 4, Kind.COUNT: 4, Kind.NUMBER: 8, Kind.RATIO: 10, Kind.DURATION: 6,
}
"""Digits after the point of a ``DECIMAL(38, s)`` column (DuckDB, Spark: 38 digits at most).
Money to 0.0001 元, ratios to 10⁻¹⁰; a value with more digits is refused when loaded, never
rounded. PostgreSQL's ``NUMERIC`` has no such limit and is used unbounded."""
PRECISION = 38


def _strings(values: Sequence[str]) -> list[exp.Expr]:
    return [exp.Literal.string(v) for v in values]


def _array(values: Sequence[str]) -> exp.Expr:
    return exp.Array(expressions=_strings(values))


def _func(name: str, *args: exp.Expr) -> exp.Expr:
    return exp.Anonymous(this=name, expressions=list(args))


# ---- set tests: NULL (an unknown set) in, NULL out, in every dialect ----------------------

def _duckdb_has(column: exp.Expr, values: Sequence[str], every: bool) -> exp.Expr:
    return _func("LIST_HAS_ALL" if every else "LIST_HAS_ANY", column, _array(values))


def _postgres_has(column: exp.Expr, values: Sequence[str], every: bool) -> exp.Expr:
    array = exp.Cast(this=_array(values), to=exp.DataType.build("TEXT[]", dialect="postgres"))
    if every:
        return exp.ArrayContainsAll(this=column, expression=array)
    return exp.ArrayOverlaps(this=column, expression=array)


def _spark_has(column: exp.Expr, values: Sequence[str], every: bool) -> exp.Expr:
    tests = [_func("ARRAY_CONTAINS", column, exp.Literal.string(v)) for v in values]
    out = tests[0]
    for test in tests[1:]:
        out = exp.And(this=out, expression=test) if every else exp.Or(this=out, expression=test)
    return exp.Paren(this=out)


# ---- whole days from one date to another --------------------------------------------------

def _duckdb_days(start: exp.Expr, end: exp.Expr) -> exp.Expr:
    return _func("DATE_DIFF", exp.Literal.string("day"), start, end)


def _postgres_days(start: exp.Expr, end: exp.Expr) -> exp.Expr:
    return exp.Paren(this=exp.Sub(this=end, expression=start))  # date - date: an integer


def _spark_days(start: exp.Expr, end: exp.Expr) -> exp.Expr:
    return _func("DATEDIFF", end, start)


# ---- one row of verdicts → a row per (enterprise, policy) ------------------------------------

def _unnest_rows(key: exp.Expr, ids: Sequence[str],
                 verdicts: Sequence[exp.Expr]) -> list[exp.Expr]:
    """DuckDB and PostgreSQL: two UNNESTs in one SELECT list run side by side (zipped)."""
    return [
        exp.alias_(key, "enterprise_id"),
        exp.alias_(exp.Unnest(expressions=[_array(ids)]), "policy_id"),
        exp.alias_(exp.Unnest(expressions=[exp.Array(expressions=list(verdicts))]), "verdict"),
    ]


def _inline_rows(key: exp.Expr, ids: Sequence[str],
                 verdicts: Sequence[exp.Expr]) -> list[exp.Expr]:
    """Spark: ``INLINE(ARRAY(STRUCT(id AS policy_id, v AS verdict), …))``, one generator."""
    structs = [exp.Struct(expressions=[exp.alias_(exp.Literal.string(i), "policy_id"),
                                       exp.alias_(v, "verdict")])
               for i, v in zip(ids, verdicts, strict=True)]
    return [exp.alias_(key, "enterprise_id"),
            _func("INLINE", exp.Array(expressions=structs))]


Has = Callable[[exp.Expr, Sequence[str], bool], exp.Expr]
Days = Callable[[exp.Expr, exp.Expr], exp.Expr]
Rows = Callable[[exp.Expr, Sequence[str], Sequence[exp.Expr]], list[exp.Expr]]


@dataclass(frozen=True)
class Dialect:
    name: str  # what users write: duckdb | postgres | spark
    sqlglot: str  # sqlglot's name of the dialect
    bounded_numeric: bool  # DECIMAL(38, s) (True) or unbounded NUMERIC (False)
    text_type: str
    text_array_type: str
    comments: str  # "inline" (COMMENT in the column definition) | "statement" | "none"
    has: Has
    days: Days
    rows: Rows

    def numeric_type(self, kind: Kind) -> exp.DataType:
        if not self.bounded_numeric:
            return exp.DataType.build("NUMERIC", dialect=self.sqlglot)
        return exp.DataType.build(f"DECIMAL({PRECISION}, {NUMERIC_SCALE[kind]})")

    def type_of(self, text: str) -> exp.DataType:
        return exp.DataType.build(text, dialect=self.sqlglot)


DIALECTS: dict[str, Dialect] = {
    "duckdb": Dialect("duckdb", "duckdb", True, "VARCHAR", "VARCHAR[]", "statement",
                      _duckdb_has, _duckdb_days, _unnest_rows),
    "postgres": Dialect("postgres", "postgres", False, "TEXT", "TEXT[]", "statement",
                        _postgres_has, _postgres_days, _unnest_rows),
    "spark": Dialect("spark", "spark", True, "STRING", "ARRAY<STRING>", "inline",
                     _spark_has, _spark_days, _inline_rows),
}
ALIASES = {"postgresql": "postgres", "pg": "postgres"}


class UnknownDialect(CatalogueError):
    """A dialect none of ``DIALECTS`` (nor an alias of one)."""


def dialect(name: str) -> Dialect:
    key = ALIASES.get(name.lower(), name.lower())
    found = DIALECTS.get(key)
    if found is None:
        raise UnknownDialect("sql.unknown_dialect", name=name, known=", ".join(DIALECTS))
    return found
