"""Exact arithmetic on fractions of SQL decimals: ``n / d`` with ``d`` > 0 (``None`` for 1).

``a / b`` is ``(a.n · b.d) / (a.d · |b.n|)`` with the sign moved to the numerator, and a
zero divisor makes the denominator ``NULL`` (unknown, as the scalar evaluator's division
by zero); a comparison multiplies across (``n1·d2 op n2·d1``, both denominators positive).
So only ``+``, ``-`` and ``*`` of decimals run in the database: exact in PostgreSQL's
``NUMERIC``; within 38 digits in ``DECIMAL(38, s)`` (DuckDB and PostgreSQL raise an
overflow error past that, never round).
"""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction
from typing import Any

from sqlglot import exp

from policy_match.engine.sql.values import Num, grouped, is_number, null, number

COMPARE: dict[str, Callable[..., exp.Expr]] = {
    "<": exp.LT, "<=": exp.LTE, ">": exp.GT, ">=": exp.GTE, "==": exp.EQ, "!=": exp.NEQ,
}


def literal_value(e: exp.Expr) -> Fraction | None:
    """The number a constant written by :func:`values.number` stands for, else ``None``."""
    sign = 1
    while isinstance(e, exp.Paren | exp.Neg):
        sign = -sign if isinstance(e, exp.Neg) else sign
        e = e.this
    if isinstance(e, exp.Cast):
        e = e.this
    if isinstance(e, exp.Literal) and not e.is_string:
        return sign * Fraction(e.this)
    return None


def times(a: exp.Expr | None, b: exp.Expr | None) -> exp.Expr | None:
    """``a · b``; ``None`` stands for 1. Two constants multiply here, in Python: in SQL
    they would be integers, and 2000万 × 300 overflows a 32-bit integer."""
    if a is None:
        return b
    if b is None:
        return a
    x, y = literal_value(a), literal_value(b)
    if x is not None and y is not None:
        product = number(x * y)
        if product.d is None:
            return product.n
    return exp.Mul(this=grouped(a), expression=grouped(b))


def _one(e: exp.Expr | None) -> exp.Expr:
    return e if e is not None else exp.Literal.number(1)


def constant(value: Any) -> Num:
    if not is_number(value):
        raise TypeError(f"not a number: {value!r}")
    return number(value)


def add(a: Num, b: Num, op: str) -> Num:
    make = exp.Add if op == "+" else exp.Sub
    if a.d is None and b.d is None:
        return Num(make(this=grouped(a.n), expression=grouped(b.n)))
    n = make(this=grouped(_one(times(a.n, b.d))), expression=grouped(_one(times(b.n, a.d))))
    return Num(n, times(a.d, b.d))


def multiply(a: Num, b: Num) -> Num:
    return Num(_one(times(a.n, b.n)), times(a.d, b.d))


def divide(a: Num, b: Num) -> Num:
    """``a / b``: unknown where ``b`` is zero (its denominator becomes NULL)."""
    top = _one(times(a.n, b.d))
    n = exp.Case(ifs=[exp.If(this=exp.LT(this=grouped(b.n), expression=exp.Literal.number(0)),
                             true=exp.Neg(this=grouped(top)))], default=top)
    magnitude = exp.Abs(this=exp.Nullif(this=b.n, expression=exp.Literal.number(0)))
    return Num(n, times(a.d, magnitude))


def divide_by_constant(a: Num, value: Any, unknown: exp.Expr) -> Num:
    """``a / c`` for a constant ``c``: a multiplication by ``1/c`` (``unknown`` if ``c`` is
    0)."""
    if value is None or (is_number(value) and value == 0):
        return Num(unknown)
    c = Fraction(value)
    inverse = number(Fraction(c.denominator, abs(c.numerator)))
    out = multiply(a, inverse)
    return neg(out) if c < 0 else out


def neg(a: Num) -> Num:
    return Num(exp.Neg(this=grouped(a.n)), a.d)


def absolute(a: Num) -> Num:
    return Num(exp.Abs(this=a.n), a.d)


def compare(op: str, a: Num, b: Num) -> exp.Expr:
    left = _one(times(a.n, b.d))
    right = _one(times(b.n, a.d))
    return COMPARE[op](this=grouped(left), expression=grouped(right))


def pick(a: Num, b: Num, keep: str) -> Num:
    """``a`` where ``a keep b`` (``<=`` for min, ``>=`` for max), else ``b``; unknown when
    either is."""
    test = compare(keep, a, b)
    unknown = exp.Is(this=grouped(test), expression=null())

    def choose(x: exp.Expr, y: exp.Expr) -> exp.Expr:
        return exp.Case(ifs=[exp.If(this=unknown, true=null()), exp.If(this=test, true=x)],
                        default=y)

    n = choose(a.n, b.n)
    if a.d is None and b.d is None:
        return Num(n)
    return Num(n, choose(_one(a.d), _one(b.d)))
