"""What operators mean on known values: one definition for every backend.

Numbers are ``Fraction`` (exact: a computed share equal to its threshold compares equal),
dates ``datetime.date``, durations :class:`~policy_match.dsl.values.Duration`. Unknown
values never reach these functions; the evaluators handle them (Kleene).
"""

from __future__ import annotations

import calendar
import datetime as dt
import operator
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from policy_match.dsl.values import Duration

COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge,
    "==": operator.eq, "!=": operator.ne,
}

NEGATED_OP = {"<": ">=", "<=": ">", ">": "<=", ">=": "<", "==": "!=", "!=": "=="}
MIRRORED_OP = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "==": "==", "!=": "!="}


@dataclass(frozen=True)
class Elapsed:
    """``date - date``: kept as its two ends, so comparing it with ``3年`` is a calendar
    question (``start + 3年 <= end``) and agrees with ``start <= today - 3年``."""

    start: dt.date
    end: dt.date

    @property
    def days(self) -> int:
        return (self.end - self.start).days

    def __str__(self) -> str:
        return f"{self.days}天"


def _elapsed_vs(op: str, elapsed: Elapsed, duration: Duration) -> bool:
    """``elapsed op duration`` on the calendar: elapsed >= D ⇔ end >= start + D."""
    reached = shift(elapsed.start, duration, 1)
    return COMPARE[op](elapsed.end, reached)


def compare(op: str, left: Any, right: Any) -> bool:
    if type(left) is Fraction and type(right) is Fraction:
        # the common case, without Fraction's own comparison (it asks numbers.Rational, an
        # abstract class, first): denominators are positive, so the cross products compare
        # as the fractions do
        return COMPARE[op](left.numerator * right.denominator,
                            left.denominator * right.numerator)
    if isinstance(left, Elapsed) and isinstance(right, Duration):
        return _elapsed_vs(op, left, right)
    if isinstance(left, Duration) and isinstance(right, Elapsed):
        return _elapsed_vs(MIRRORED_OP[op], right, left)
    if isinstance(left, Elapsed):
        left = Duration(Fraction(left.days), "天")
    if isinstance(right, Elapsed):
        right = Duration(Fraction(right.days), "天")
    if isinstance(left, Duration) and isinstance(right, Duration):
        if left.unit != right.unit:
            left, right = left.approx_days(), right.approx_days()
        else:
            left, right = left.amount, right.amount
    return COMPARE[op](left, right)


def add_months(day: dt.date, months: int) -> dt.date:
    """Calendar months; the day is clamped to the month's end (01-31 + 1个月 = 02-28/29)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(day.day, last))


def add_working_days(day: dt.date, count: int) -> dt.date:
    """Monday to Friday; statutory holidays are not known here (a plain week)."""
    step = 1 if count >= 0 else -1
    remaining = abs(count)
    while remaining:
        day += dt.timedelta(days=step)
        if day.weekday() < 5:
            remaining -= 1
    return day


def shift(day: dt.date, duration: Duration, sign: int) -> dt.date:
    amount = duration.amount * sign
    unit = duration.unit
    if unit in ("年", "个月"):
        months = amount * (12 if unit == "年" else 1)
        if months.denominator == 1:
            return add_months(day, int(months))
        return day + dt.timedelta(days=round(float(duration.approx_days() * sign)))
    if unit == "个工作日" and amount.denominator == 1:
        return add_working_days(day, int(amount))
    days = amount * (7 if unit == "周" else 1) if unit != "个工作日" else amount * Fraction(7, 5)
    return day + dt.timedelta(days=round(float(days)))


def arith(op: str, left: Any, right: Any) -> Any:
    """``left op right``; ``None`` (unknown) for a division by zero, or a date beyond the
    calendar (year 1 to 9999)."""
    try:
        return _arith(op, left, right)
    except (OverflowError, ValueError):
        return None


def _arith(op: str, left: Any, right: Any) -> Any:
    if isinstance(left, dt.date):
        if isinstance(right, Duration):
            return shift(left, right, 1 if op == "+" else -1)
        return Elapsed(right, left)
    if isinstance(left, Elapsed):
        left = Duration(Fraction(left.days), "天")
    if isinstance(right, Elapsed):
        right = Duration(Fraction(right.days), "天")
    if isinstance(right, dt.date):
        return shift(right, left, 1)
    if isinstance(left, Duration) and isinstance(right, Duration):
        if left.unit != right.unit:
            left, right = Duration(left.approx_days(), "天"), Duration(right.approx_days(), "天")
        amount = left.amount + right.amount if op == "+" else left.amount - right.amount
        return Duration(amount, left.unit)
    if isinstance(left, Duration):
        return Duration(left.amount * right if op == "*" else left.amount / right, left.unit) \
            if op in "*/" and right != 0 else None
    if op == "+":
        return left + right
    if op == "-":
        return left - right
    if op == "*":
        return left * right
    if right == 0:
        return None
    return Fraction(left) / Fraction(right)


def negate(value: Any) -> Any:
    if isinstance(value, Elapsed):
        return Duration(Fraction(-value.days), "天")
    if isinstance(value, Duration):
        return Duration(-value.amount, value.unit)
    return -value
