"""Working days (工作日) in China: statutory holidays and adjusted working days (调休).

A day is a working day when the State Council's holiday arrangement says people work on it:
Monday–Friday unless it is a statutory holiday, plus the weekend days moved to working days
(调休, e.g. Sunday 2024-02-04 and Sunday 2024-02-18 around the 2024 Spring Festival). The
arrangement comes from the ``chinesecalendar`` package, which knows a fixed range of years
(:data:`COVERED_YEARS`). Outside it a plain Monday–Friday week is assumed; every result says
which years were counted that way (``assumed_years``) instead of raising.

Counting follows the statutory rule for periods (《民法典》第二百零一条: the day a period
starts is not counted): :func:`working_days_between` counts the working days *after* ``start``
up to and *including* ``end``. So "上线 within 10 working days of 发布" reads

    working_days_between(published, online).days <= 10
    # equivalently: online <= add_working_days(published, 10).date

and an item published on Friday 2024-02-02 is due by Wednesday 2024-02-21: the adjusted
Sunday 2024-02-04 and Sunday 2024-02-18 count, the Spring Festival holiday 2024-02-10 ..
2024-02-17 does not.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_right
from dataclasses import dataclass

from chinese_calendar import holidays as _HOLIDAYS
from chinese_calendar import workdays as _WORKDAYS

__all__ = [
    "COVERED_YEARS",
    "WorkdayCount",
    "WorkdayDate",
    "add_working_days",
    "covers",
    "is_workday",
    "working_days_between",
]

#: The years whose holiday arrangement is known (inclusive range), from ``chinesecalendar``.
COVERED_YEARS: tuple[int, int] = (min(_HOLIDAYS).year, max(_HOLIDAYS).year)

# Weekdays that are holidays (they remove a working day) and weekend days that are worked
# (they add one), sorted for range counting.
_LOST = sorted(d for d in _HOLIDAYS if d.weekday() < 5 and d not in _WORKDAYS)
_GAINED = sorted(d for d in _WORKDAYS if d.weekday() >= 5)


def covers(day: dt.date) -> bool:
    """Whether the holiday arrangement of ``day``'s year is known."""
    return COVERED_YEARS[0] <= day.year <= COVERED_YEARS[1]


def is_workday(day: dt.date) -> bool:
    """Whether people work on ``day`` (Monday–Friday for years :func:`covers` rejects)."""
    if isinstance(day, dt.datetime):
        day = day.date()
    if covers(day):
        if day in _WORKDAYS:
            return True
        return day.weekday() < 5 and day not in _HOLIDAYS
    return day.weekday() < 5


@dataclass(frozen=True)
class WorkdayCount:
    """A number of working days; ``assumed_years`` were counted Monday–Friday (no holiday
    arrangement known for them), so the count may be off by their holidays."""

    days: int
    assumed_years: tuple[int, ...] = ()

    @property
    def exact(self) -> bool:
        return not self.assumed_years

    def __int__(self) -> int:
        return self.days


@dataclass(frozen=True)
class WorkdayDate:
    """A date reached by counting working days; see :class:`WorkdayCount`."""

    date: dt.date
    assumed_years: tuple[int, ...] = ()

    @property
    def exact(self) -> bool:
        return not self.assumed_years


def _weekdays_through(day: dt.date) -> int:
    """Monday–Friday days from 0001-01-01 (a Monday) through ``day`` inclusive."""
    n = day.toordinal()  # 0001-01-01 has ordinal 1
    weeks, rest = divmod(n, 7)
    return weeks * 5 + min(rest, 5)


def _assumed(low: dt.date, high: dt.date) -> tuple[int, ...]:
    """The years of [low, high] outside :data:`COVERED_YEARS`."""
    first, last = COVERED_YEARS
    return tuple(y for y in range(low.year, high.year + 1) if not first <= y <= last)


def _count(after: dt.date, through: dt.date) -> int:
    """Working days d with after < d <= through (after <= through)."""
    plain = _weekdays_through(through) - _weekdays_through(after)
    lost = bisect_right(_LOST, through) - bisect_right(_LOST, after)
    gained = bisect_right(_GAINED, through) - bisect_right(_GAINED, after)
    return plain - lost + gained


def working_days_between(start: dt.date, end: dt.date) -> WorkdayCount:
    """The working days after ``start`` up to and including ``end``.

    ``start`` itself never counts (the period starts the next day); ``end`` counts when it
    is a working day. ``end`` before ``start`` gives the negative of the reverse count, and
    ``start == end`` gives 0. Examples: Friday to the next Monday is 1; Friday 2024-02-02 to
    Monday 2024-02-19 is 8 (the adjusted Sundays 2024-02-04 and 2024-02-18 count, the Spring
    Festival holiday does not).
    """
    if isinstance(start, dt.datetime):
        start = start.date()
    if isinstance(end, dt.datetime):
        end = end.date()
    if end < start:
        back = working_days_between(end, start)
        return WorkdayCount(-back.days, back.assumed_years)
    if end == start:
        return WorkdayCount(0)
    return WorkdayCount(_count(start, end), _assumed(start + dt.timedelta(days=1), end))


def add_working_days(day: dt.date, n: int) -> WorkdayDate:
    """The ``n``-th working day after ``day``; for negative ``n`` the ``-n``-th working day
    before it; ``day`` itself for ``n == 0``.

    For ``n >= 1`` the result is a working day and
    ``working_days_between(day, result).days == n``: the last day on which something due
    "within n working days of ``day``" is still on time. For ``n <= -1`` the result is a
    working day with ``-n`` working days in [result, day).
    """
    if isinstance(day, dt.datetime):
        day = day.date()
    if n == 0:
        return WorkdayDate(day)
    step = dt.timedelta(days=1 if n > 0 else -1)
    # Jump close in whole weeks first (never past the target: each week holds at most
    # 7 working days), then walk day by day.
    current = day
    remaining = abs(n)
    while remaining > 14:
        weeks = remaining // 7
        probe = current + step * (weeks * 7)
        # the days walked over: (current, probe] forwards, [probe, current) backwards
        got = (_count(current, probe) if n > 0
               else _count(probe - dt.timedelta(days=1), current - dt.timedelta(days=1)))
        if got >= remaining:
            break
        current, remaining = probe, remaining - got
    while remaining:
        current += step
        if is_workday(current):
            remaining -= 1
    low, high = sorted((day + step, current))  # the days counted: ``day`` itself is not
    return WorkdayDate(current, _assumed(low, high))
