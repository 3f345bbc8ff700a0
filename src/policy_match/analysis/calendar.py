"""How far ``day ± duration`` moves a day, in days, over every day of the calendar.

Days and weeks move a day by a fixed number of days (linear: exact in z3). Months and years
move it by a number that depends on the day (``01-31 + 1个月`` is ``02-28``), working days by
one that depends on the weekday: for those the analysis knows only the least and the most
(computed here exactly, from the engine's own ``shift``), which is sound for every claim
that holds for all enterprises.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

from policy_match.dsl.values import Duration
from policy_match.engine.semantics import shift

_CYCLE_START = 2000  # the Gregorian calendar repeats every 400 years


def _month_samples() -> list[dt.date]:
    """One day per (year, month) for days 1..28 (they all move alike), plus 29, 30, 31."""
    out = []
    for year in range(_CYCLE_START, _CYCLE_START + 400):
        for month in range(1, 13):
            for day in (1, 29, 30, 31):
                try:
                    out.append(dt.date(year, month, day))
                except ValueError:
                    continue
    return out


def _samples(duration: Duration) -> list[dt.date]:
    amount = duration.amount
    if duration.unit in ("年", "个月"):
        months = amount * (12 if duration.unit == "年" else 1)
        if months.denominator == 1:
            return _month_samples()
    if duration.unit == "个工作日" and amount.denominator == 1:
        start = dt.date(_CYCLE_START, 1, 3)
        return [start + dt.timedelta(days=i) for i in range(7)]
    return [dt.date(_CYCLE_START, 1, 1)]  # a fixed number of days, whatever the day


@lru_cache(maxsize=256)
def shift_days(duration: Duration, sign: int) -> tuple[int, int]:
    """The least and the most days ``shift(day, duration, sign)`` moves a day (equal when
    the move is the same for every day)."""
    moves = {(shift(day, duration, sign) - day).days for day in _samples(duration)}
    return min(moves), max(moves)
