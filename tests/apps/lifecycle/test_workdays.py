"""Working days with China's statutory holidays and 调休 (``policy_match.apps.lifecycle.workdays``).

The holiday arrangements used below are the State Council's, as recorded by the
``chinesecalendar`` package (checked against it in ``test_the_arrangement_is_the_packages``):
2024 Spring Festival: off 2024-02-10 .. 2024-02-17, worked Sunday 2024-02-04 and Sunday
2024-02-18 (Friday 2024-02-09, 除夕, is an ordinary working day); National Day 2023: off
2023-09-29 .. 2023-10-06, worked Saturday 2023-10-07 and Sunday 2023-10-08; Mid-Autumn
2024: worked Saturday 2024-09-14.
"""

from __future__ import annotations

import datetime as dt

import chinese_calendar
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from policy_match.apps.lifecycle.workdays import (
    COVERED_YEARS,
    add_working_days,
    covers,
    is_workday,
    working_days_between,
)

D = dt.date


def brute(start: dt.date, end: dt.date) -> int:
    """Working days d with start < d <= end, one day at a time."""
    n, day = 0, start
    while day < end:
        day += dt.timedelta(days=1)
        n += is_workday(day)
    return n


def test_the_arrangement_is_the_packages() -> None:
    for day, worked in [(D(2024, 2, 4), True), (D(2024, 2, 9), True), (D(2024, 2, 10), False),
                        (D(2024, 2, 12), False), (D(2024, 2, 16), False),
                        (D(2024, 2, 17), False), (D(2024, 2, 18), True),
                        (D(2023, 10, 2), False), (D(2023, 10, 6), False),
                        (D(2023, 10, 7), True), (D(2023, 10, 8), True),
                        (D(2024, 9, 14), True), (D(2024, 9, 16), False)]:
        assert chinese_calendar.is_workday(day) is worked, day
        assert is_workday(day) is worked, day


def test_agrees_with_the_package_on_every_covered_day() -> None:
    first, last = COVERED_YEARS
    day = D(first, 1, 1)
    while day.year <= last:
        assert is_workday(day) == chinese_calendar.is_workday(day), day
        day += dt.timedelta(days=1)


# ---- across the 2024 Spring Festival ---------------------------------------------------


def test_counting_across_the_spring_festival() -> None:
    # after Fri 02-02: Sun 02-04 (调休), Mon..Fri 02-05..02-09, Sun 02-18 (调休), Mon 02-19
    assert working_days_between(D(2024, 2, 2), D(2024, 2, 19)).days == 8
    # the eight holiday days count nothing
    assert working_days_between(D(2024, 2, 9), D(2024, 2, 17)).days == 0
    # the adjusted Sunday counts, and the start day never does
    assert working_days_between(D(2024, 2, 17), D(2024, 2, 18)).days == 1
    assert working_days_between(D(2024, 2, 18), D(2024, 2, 18)).days == 0


def test_ten_working_days_across_the_spring_festival() -> None:
    # published Fri 2024-02-02: live by Wed 2024-02-21, not by the plain-week Fri 02-16
    due = add_working_days(D(2024, 2, 2), 10)
    assert due.date == D(2024, 2, 21) and due.exact
    assert working_days_between(D(2024, 2, 2), due.date).days == 10
    # the adjusted Sunday is a day a deadline can fall on
    assert add_working_days(D(2024, 2, 17), 1).date == D(2024, 2, 18)
    assert add_working_days(D(2024, 2, 9), 1).date == D(2024, 2, 18)


# ---- adjusted working weekend days -----------------------------------------------------


def test_the_national_day_2023_weekend_was_worked() -> None:
    # Fri 2023-09-29 .. Fri 10-06 off; Sat 10-07 and Sun 10-08 worked
    assert working_days_between(D(2023, 9, 28), D(2023, 10, 6)).days == 0
    assert working_days_between(D(2023, 9, 28), D(2023, 10, 8)).days == 2
    assert add_working_days(D(2023, 9, 28), 1).date == D(2023, 10, 7)
    assert add_working_days(D(2023, 9, 28), 3).date == D(2023, 10, 9)


def test_an_adjusted_saturday() -> None:
    # Sat 2024-09-14 worked for the Mid-Autumn holiday (Sun 09-15 .. Tue 09-17 off)
    assert working_days_between(D(2024, 9, 13), D(2024, 9, 14)).days == 1
    assert working_days_between(D(2024, 9, 13), D(2024, 9, 18)).days == 2
    assert add_working_days(D(2024, 9, 13), 2).date == D(2024, 9, 18)


# ---- the definition ------------------------------------------------------------------


def test_start_excluded_end_included() -> None:
    assert working_days_between(D(2024, 3, 1), D(2024, 3, 4)).days == 1  # Fri → Mon
    assert working_days_between(D(2024, 3, 4), D(2024, 3, 5)).days == 1
    assert working_days_between(D(2024, 3, 2), D(2024, 3, 3)).days == 0  # Sat → Sun


def test_reversed_range_is_negative() -> None:
    assert working_days_between(D(2024, 2, 19), D(2024, 2, 2)).days == -8


def test_add_zero_and_backwards() -> None:
    assert add_working_days(D(2024, 2, 17), 0).date == D(2024, 2, 17)
    assert add_working_days(D(2024, 2, 19), -1).date == D(2024, 2, 18)
    assert add_working_days(D(2024, 2, 18), -1).date == D(2024, 2, 9)


@settings(max_examples=300, deadline=None)
@given(st.dates(D(2000, 1, 1), D(2030, 12, 31)), st.integers(0, 400),
       st.integers(-250, 250))
def test_counting_and_adding_agree(start: dt.date, span: int, n: int) -> None:
    end = start + dt.timedelta(days=span)
    assert working_days_between(start, end).days == brute(start, end)
    assert working_days_between(end, start).days == -brute(start, end)
    reached = add_working_days(start, n).date
    if n > 0:
        assert is_workday(reached)
        assert working_days_between(start, reached).days == n
        assert brute(start, reached - dt.timedelta(days=1)) == n - 1  # the first such day
    elif n < 0:
        assert is_workday(reached)
        assert brute(reached - dt.timedelta(days=1), start - dt.timedelta(days=1)) == -n


# ---- years the package does not know ----------------------------------------------------


def test_uncovered_years_fall_back_to_monday_to_friday() -> None:
    last = COVERED_YEARS[1]
    later = last + 1
    assert not covers(D(later, 1, 1)) and covers(D(last, 12, 31))
    # 1 January is a statutory holiday every year, but unknown years only skip weekends
    new_year = next(D(later, 1, d) for d in range(1, 8) if D(later, 1, d).weekday() < 5)
    assert is_workday(new_year)
    result = working_days_between(D(later, 3, 1), D(later, 3, 31))
    assert result.days == sum(D(later, 3, d).weekday() < 5 for d in range(2, 32))
    assert result.assumed_years == (later,) and not result.exact
    reached = add_working_days(D(last, 12, 20), 15)
    assert reached.assumed_years == (later,)


def test_a_covered_range_is_exact() -> None:
    result = working_days_between(D(2024, 1, 1), D(2024, 12, 31))
    assert result.exact and result.assumed_years == ()
    assert add_working_days(D(2024, 1, 1), 10).exact


@pytest.mark.parametrize("start,end", [(D(1990, 1, 1), D(1990, 12, 31)),
                                       (D(2090, 5, 1), D(2091, 5, 1))])
def test_far_years_never_crash(start: dt.date, end: dt.date) -> None:
    result = working_days_between(start, end)
    assert result.days == brute(start, end)
    assert set(result.assumed_years) == set(range(start.year, end.year + 1))
    assert add_working_days(start, 1000).date > start
