"""Calendar arithmetic in SQL, the same calendar as ``engine/semantics.py``.

``date ± 3年`` adds 36 calendar months (a month's end clamps, 01-31 + 1个月 = 02-29 in a leap
year, in DuckDB, PostgreSQL and Spark alike); fractional years and months, weeks and days
become a whole number of days, rounded in Python exactly as the scalar evaluator rounds;
``± 20个工作日`` (Monday to Friday) adds, per weekday of the start, the offset the scalar
evaluator's own loop gives for that weekday.
"""

from __future__ import annotations

import datetime as dt

from sqlglot import exp

from policy_match.dsl.values import Duration
from policy_match.engine.semantics import add_working_days, shift
from policy_match.engine.sql.dialects import Dialect
from policy_match.engine.sql.values import date_literal, integer

_MONDAY = dt.date(1970, 1, 5)  # weekday 0


def as_date(e: exp.Expr) -> exp.Expr:
    """Date plus interval is a timestamp in some dialects: back to a date."""
    return exp.Cast(this=e, to=exp.DataType.build("DATE"))


def add_days(day: exp.Expr, days: exp.Expr | int) -> exp.Expr:
    amount = integer(days) if isinstance(days, int) else days
    return as_date(exp.DateAdd(this=day, expression=amount, unit=exp.var("DAY")))


def add_months(day: exp.Expr, months: int) -> exp.Expr:
    return as_date(exp.DateAdd(this=day, expression=integer(months), unit=exp.var("MONTH")))


def weekday(dialect: Dialect, day: exp.Expr) -> exp.Expr:
    """0 for Monday … 6 for Sunday: whole days since a Monday, modulo 7 (kept non-negative)."""
    days = dialect.days(date_literal(_MONDAY), day)
    seven = integer(7)
    inner = exp.Mod(this=exp.Paren(this=days), expression=seven)
    return exp.Mod(this=exp.Paren(this=exp.Add(this=inner, expression=seven)), expression=seven)


def _working_offsets(count: int) -> list[int]:
    """Days added by ``count`` working days, for a start on each weekday Monday … Sunday."""
    starts = [_MONDAY + dt.timedelta(days=i) for i in range(7)]
    return [(add_working_days(s, count) - s).days for s in starts]


def add_working(dialect: Dialect, day: exp.Expr, count: int) -> exp.Expr:
    offsets = _working_offsets(count)
    if len(set(offsets)) == 1:
        return add_days(day, offsets[0])
    ifs = [exp.If(this=exp.EQ(this=weekday(dialect, day), expression=integer(i)),
                  true=integer(off)) for i, off in enumerate(offsets[:-1])]
    pick = exp.Case(ifs=ifs, default=integer(offsets[-1]))
    return add_days(day, pick)


def shift_sql(dialect: Dialect, day: exp.Expr, duration: Duration,
              sign: int) -> exp.Expr:
    """``day + sign·duration`` on the calendar (``semantics.shift``), ``day`` an SQL date."""
    amount = duration.amount * sign
    unit = duration.unit
    if unit in ("年", "个月"):
        months = amount * (12 if unit == "年" else 1)
        if months.denominator == 1:
            return add_months(day, int(months))
    if unit == "个工作日" and amount.denominator == 1:
        return add_working(dialect, day, int(amount))
    return add_days(day, _days_of(duration, sign))


def _days_of(duration: Duration, sign: int) -> int:
    """The whole days ``shift`` adds for a duration that is not whole months or working
    days: read off ``shift`` itself on a fixed day, so the rounding is the same."""
    origin = dt.date(2000, 1, 1)
    return (shift(origin, duration, sign) - origin).days
