"""The verdicts ``to_sql`` is asked for (engine/sql/query.py): each of ``pm.Verdict``'s,
as a value or a member; anything else is refused with the catalogue's message in Chinese
and English, before any SQL is written."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlcheck import load

import policy_match as pm
from policy_match.engine.sql.query import UnknownVerdict, wanted_verdicts

BOOK = load('tag 营业收入: money\npolicy "P" { name: "p"  eligible: 营业收入 >= 1 }\n')
DAY = dt.date(2024, 7, 1)


def test_verdicts_are_taken_as_values_or_members_once_each_in_order() -> None:
    assert wanted_verdicts(["unknown", pm.Verdict.ELIGIBLE, "unknown"]) == (
        pm.Verdict.UNKNOWN, pm.Verdict.ELIGIBLE)
    assert "'inactive'" in BOOK.to_sql(as_of=DAY, verdicts=("inactive",))


def test_an_unknown_verdict_is_refused_in_chinese_and_english() -> None:
    with pytest.raises(UnknownVerdict) as refused:
        BOOK.to_sql("spark", as_of=DAY, verdicts=("eligible", "nope"))
    err = refused.value
    assert isinstance(err, ValueError)  # what code that only knows ValueError catches
    assert str(err) == err.text("en") == (
        "unknown verdict 'nope' (known: eligible, ineligible, unknown, inactive)")
    assert err.text("zh") == "不认识的结论“nope”（可用：eligible, ineligible, unknown, inactive）"
