"""The one clock: today is China's date, not the server's UTC date."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys

import pytest

from policy_match.base import clock


def test_after_midnight_in_china_is_still_yesterday_in_utc() -> None:
    # 00:30 on 6 December in 昆明 is 16:30 on 5 December in UTC
    instant = dt.datetime(2026, 12, 5, 16, 30, tzinfo=dt.UTC)
    assert instant.date() == dt.date(2026, 12, 5)
    assert clock.china_date(instant) == dt.date(2026, 12, 6)


def test_before_midnight_in_china() -> None:
    instant = dt.datetime(2026, 12, 5, 15, 59, 59, tzinfo=dt.UTC)
    assert clock.china_date(instant) == dt.date(2026, 12, 5)


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="naive"):
        clock.china_date(dt.datetime(2026, 12, 5, 16, 30))


def test_resolve_keeps_a_given_date() -> None:
    day = dt.date(2024, 7, 1)
    assert clock.resolve(day) is day
    assert clock.resolve(None) == clock.today()


def test_today_does_not_follow_the_process_time_zone() -> None:
    # The same instant under two TZ settings: one answer, China's.
    code = ("import datetime as dt; from policy_match.base import clock; "
            "print(clock.china_date(dt.datetime.fromtimestamp(0, dt.UTC)), clock.today())")
    answers = {
        zone: subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                             check=True, env={"TZ": zone, "PATH": ""}).stdout.split()
        for zone in ("UTC", "America/Los_Angeles")
    }
    assert answers["UTC"][0] == answers["America/Los_Angeles"][0] == "1970-01-01"
    assert len({a[1] for a in answers.values()}) == 1


def test_the_library_defaults_to_the_clock() -> None:
    import ast
    from pathlib import Path

    src = Path(clock.__file__).resolve().parents[1]
    callers = []
    for path in src.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if (isinstance(node, ast.Attribute) and node.attr == "today"
                    and isinstance(node.value, ast.Attribute) and node.value.attr == "date"):
                callers.append(str(path.relative_to(src)))
    assert callers == []  # nobody asks the server's date.today()
