"""The daily refresh on Spark equals a full match: only new and changed rows are matched
again, enterprises that left drop out; when the date moves and a rule reads the date, it is
a full match."""

from __future__ import annotations

import datetime as dt
from typing import Any

import policy_match as pm
from policy_match.core.loading import load_sources
from policy_match.spark import match
from policy_match.spark.incremental import changed_rows, rematch

RULES = """\
tag 代码: text key
tag 营业收入: money
tag 成立日期: date
tag 备注: text
policy "大" {
    事项名称: "大企业"
    申请条件: 营业收入 >= 2000万元
}
policy "新" {
    事项名称: "新企业"
    申请条件: 成立日期 >= 2023-01-01
}
"""
SCHEMA = "`代码` string, `营业收入` string, `成立日期` string, `备注` string"
YESTERDAY = [("A1", "3000万", "2023-05-01", "x"), ("A2", "100万", "2019-01-01", None),
             ("A3", None, "2024-01-01", None), ("A4", "5000万", None, None)]
TODAY = [("A1", "3000万", "2023-05-01", "备注改了"),  # a column no rule reads: not re-matched
         ("A2", "2100万", "2019-01-01", None),  # changed
         ("A4", "5000万", None, None),  # unchanged; A3 left
         ("A5", "10万", "2023-03-01", None)]  # new
DAY = dt.date(2024, 7, 1)
ALL = tuple(pm.Verdict)


def book_of(text: str) -> pm.Rulebook:
    loaded = load_sources({"r.rule": text}).rulebook
    assert loaded is not None
    return loaded


def pairs(frame: Any) -> set[tuple[str, str, str]]:
    return {tuple(r) for r in frame.collect()}


def test_a_refresh_matches_only_what_changed_and_equals_a_full_match(spark: Any) -> None:
    book = book_of(RULES)
    yesterday = spark.createDataFrame(YESTERDAY, SCHEMA)
    today = spark.createDataFrame(TODAY, SCHEMA)
    assert sorted(r["代码"] for r in changed_rows(book, today, yesterday, DAY).collect()) \
        == ["A2", "A5"]
    previous = match(book, yesterday, as_of=DAY, verdicts=ALL)
    found = rematch(book, today, yesterday, previous, previous_as_of=DAY, as_of=DAY,
                    verdicts=ALL)
    assert not found.full
    assert pairs(found.rows) == pairs(match(book, today, as_of=DAY, verdicts=ALL))
    assert ("A2", "大", "eligible") in pairs(found.rows)
    assert not any(eid == "A3" for eid, _, _ in pairs(found.rows))


def test_when_the_date_moves_and_a_rule_reads_it_the_refresh_is_a_full_match(
        spark: Any) -> None:
    book = book_of(RULES.replace("成立日期 >= 2023-01-01", "成立日期 >= today - 1年"))
    yesterday = spark.createDataFrame(YESTERDAY, SCHEMA)
    today = spark.createDataFrame(TODAY, SCHEMA)
    day = dt.date(2024, 5, 2)  # A1 (2023-05-01) turns more than a year old on this day
    previous = match(book, yesterday, as_of=day - dt.timedelta(days=1), verdicts=ALL)
    found = rematch(book, today, yesterday, previous, previous_as_of=day - dt.timedelta(days=1),
                    as_of=day, verdicts=ALL)
    assert found.full and found.changed is None
    assert pairs(found.rows) == pairs(match(book, today, as_of=day, verdicts=ALL))
    assert ("A1", "新", "ineligible") in pairs(found.rows)
