"""The one clock: "today" is the date in China, whatever the server's time zone.

Servers run on UTC; at 00:30 in 昆明 it is still yesterday in UTC, and an item would be
shown as valid a day too long. Every ``as_of=None`` in the library goes through
:func:`resolve`.

China has kept one offset, UTC+8, with no daylight saving since 1991, so a fixed offset is
exact and needs no time-zone database on the machine.
"""

from __future__ import annotations

import datetime as dt

CHINA = dt.timezone(dt.timedelta(hours=8), "Asia/Shanghai")


def china_date(instant: dt.datetime) -> dt.date:
    """The calendar date in China at ``instant`` (an aware datetime)."""
    if instant.tzinfo is None:
        raise ValueError("a naive datetime has no place on the clock; give it a tzinfo")
    return instant.astimezone(CHINA).date()


def now() -> dt.datetime:
    """This instant, in China's time."""
    return dt.datetime.now(CHINA)


def today() -> dt.date:
    """Today's date in China (Asia/Shanghai)."""
    return china_date(dt.datetime.now(dt.UTC))


def resolve(as_of: dt.date | None) -> dt.date:
    """The evaluation date: ``as_of`` when given, else today in China."""
    return as_of if as_of is not None else today()
