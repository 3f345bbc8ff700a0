"""What a value node compiles to: an SQL expression and how to read it.

* :class:`Num` — an exact number as a fraction ``n / d`` of two SQL decimals (``d`` > 0, or
  ``None`` for 1). Division never runs in SQL (``DECIMAL / DECIMAL`` rounds, or turns into a
  float in DuckDB): ``a / b`` becomes ``a·1 / b`` and a comparison multiplies across.
* :class:`Plain` — a date, text, bool or set column or expression, used as it is.
* :class:`Span` — ``date - date`` kept as its two ends, so comparing it with ``3年`` is a
  calendar question, as in ``engine/semantics.py``.
* :class:`Lit` — a value known when compiling (a constant, ``today``): folded in Python with
  the same functions the scalar evaluator uses.

``NULL`` is unknown everywhere.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from sqlglot import exp

from policy_match.dsl.values import Duration, decimal_scale
from policy_match.engine.semantics import Elapsed

_SELF_DELIMITED = (exp.Column, exp.Literal, exp.Paren, exp.Null, exp.Boolean, exp.Cast)


def grouped(e: exp.Expr) -> exp.Expr:
    """``e`` in parentheses unless it is one token or already bracketed: an operand of
    ``IS NULL``, ``NOT`` or a comparison binds as written in every dialect (Spark reads
    ``x IN ('a') IS NULL`` as a syntax error)."""
    return e if isinstance(e, _SELF_DELIMITED) else exp.Paren(this=e)


@dataclass(frozen=True)
class Num:
    n: exp.Expr
    d: exp.Expr | None = None


@dataclass(frozen=True)
class Plain:
    kind: str  # date | text | bool | set
    expr: exp.Expr


@dataclass(frozen=True)
class Span:
    start: exp.Expr
    end: exp.Expr


@dataclass(frozen=True)
class Lit:
    value: Any  # Fraction | int | date | Duration | Elapsed | str | bool | None


SqlValue = Num | Plain | Span | Lit

_INT64 = 2**63


def null() -> exp.Expr:
    return exp.Null()


def typed_null(type_text: str) -> exp.Expr:
    """A NULL of a known type (a bare NULL column is ``text`` to PostgreSQL)."""
    return exp.Cast(this=exp.Null(), to=exp.DataType.build(type_text))


def null_number(bounded: bool) -> exp.Expr:
    """An unknown number. Where numbers are ``DECIMAL(38, s)`` it is a bare NULL: a typed
    ``DECIMAL(38, 0)`` would set the scale of a ``CASE`` it is a branch of, and Spark then
    rounds ``0.1`` to ``0`` to compare with it; unbounded ``NUMERIC`` has no scale to set."""
    return null() if bounded else typed_null("NUMERIC")


def integer(value: int) -> exp.Expr:
    """An integer literal; beyond 64 bits a DECIMAL(38, 0), never a float."""
    if abs(value) >= _INT64:
        return exp.Cast(this=exp.Literal.number(abs(value)),
                        to=exp.DataType.build("DECIMAL(38, 0)")) if value > 0 else \
            exp.Paren(this=exp.Neg(this=integer(-value)))
    literal = exp.Literal.number(abs(value))
    return literal if value >= 0 else exp.Paren(this=exp.Neg(this=literal))


def decimal_text(value: Fraction) -> str | None:
    """``value`` written as a decimal, or ``None`` when it is not one (1/3)."""
    scale = decimal_scale(value)
    if scale is None:
        return None
    digits = str(abs(value.numerator) * 10**scale // value.denominator).rjust(scale + 1, "0")
    text = digits if scale == 0 else f"{digits[:-scale]}.{digits[-scale:]}"
    return text


def number(value: Fraction | int) -> Num:
    """A constant number, exactly: a decimal literal, or a fraction of two integers."""
    value = Fraction(value)
    if value.denominator == 1:
        return Num(integer(value.numerator))
    text = decimal_text(value)
    if text is not None and len(text) <= 39:
        literal: exp.Expr = exp.Literal.number(text)
        return Num(literal if value > 0 else exp.Paren(this=exp.Neg(this=literal)))
    return Num(integer(value.numerator), integer(value.denominator))


def date_literal(day: dt.date) -> exp.Expr:
    return exp.Cast(this=exp.Literal.string(day.isoformat()), to=exp.DataType.build("DATE"))


def is_number(value: Any) -> bool:
    return isinstance(value, Fraction | int) and not isinstance(value, bool)


def literal_days(value: Any) -> Fraction | None:
    """A constant duration (or elapsed time) as days, the way durations compare."""
    if isinstance(value, Duration):
        return value.approx_days()
    if isinstance(value, Elapsed):
        return Fraction(value.days)
    return None
