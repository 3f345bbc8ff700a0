"""Spark SQL decides decimal products exactly, whatever the caller's session said.

By default Spark rounds a decimal product that needs more than 38 digits
(``spark.sql.decimalOperations.allowPrecisionLoss=true``): ``增长率 × 收入`` with
0.0000000001 × 0.0001 became 0, and ``> 0元`` false, where the local engine says true.
``match_sql`` plans its query with the rounding off and gives the caller's setting back; the
DataFrame stays exact when it runs afterwards (classic Spark 4 records the setting in the
plan)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from oracle import load

import policy_match as pm
from policy_match.spark import match, match_sql
from policy_match.spark.frames import to_frame
from policy_match.spark.sql_route import plans_keep_the_setting

PRECISION_LOSS = "spark.sql.decimalOperations.allowPrecisionLoss"
RULES = """\
tag 代码: text key
tag 增长率: ratio
tag 收入: money
policy "P" {
    事项名称: "一次乘积"
    申请条件: 增长率 * 收入 > 0元
}
"""
ROWS = [{"代码": "A", "增长率": "0.0000000001", "收入": "0.0001"},
        {"代码": "B", "增长率": "0.5", "收入": "1000"},
        {"代码": "C", "增长率": "0", "收入": "1000"}]
DAY = dt.date(2024, 7, 1)
ALL = tuple(pm.Verdict)
Pairs = set[tuple[str, str, str]]


@pytest.fixture(scope="module")
def book() -> pm.Rulebook:
    return load(RULES)


@pytest.fixture(scope="module")
def table(book: pm.Rulebook) -> pm.EnterpriseTable:
    return pm.EnterpriseTable.from_records(ROWS, book)


@pytest.fixture(scope="module")
def local(book: pm.Rulebook, table: pm.EnterpriseTable) -> Pairs:
    found = {(r["enterprise"], r["policy"], r["verdict"])
             for r in book.match(table, as_of=DAY).to_records(ALL)}
    assert ("A", "P", "eligible") in found
    assert ("C", "P", "ineligible") in found
    return found


@pytest.fixture()
def default_session(spark: Any) -> Iterator[Any]:
    """A session of the shared Spark with Spark's own setting (precision loss allowed)."""
    session = spark.newSession()
    session.conf.unset(PRECISION_LOSS)
    assert session.conf.get(PRECISION_LOSS) == "true"
    yield session


def collected(frame: Any) -> Pairs:
    return {(r.enterprise_id, r.policy_id, r.verdict) for r in frame.collect()}


def test_the_local_session_keeps_decimal_products_exact(spark: Any) -> None:
    assert spark.sparkContext.getConf().get(PRECISION_LOSS) == "false"


def test_match_sql_on_a_default_session_is_exact_and_gives_the_setting_back(
        default_session: Any, book: pm.Rulebook, table: pm.EnterpriseTable,
        local: Pairs) -> None:
    frame = to_frame(default_session, table, book, partitions=1)
    rounded = default_session.sql("SELECT CAST(0.0000000001 AS DECIMAL(38, 10)) * "
                                  "CAST(0.0001 AS DECIMAL(38, 4)) > 0 AS positive")
    assert rounded.collect()[0].positive is False  # what Spark's default does
    assert plans_keep_the_setting(default_session)  # classic Spark 4: restored at once
    planned = match_sql(book, frame, as_of=DAY, verdicts=ALL)
    assert default_session.conf.get(PRECISION_LOSS, None) is None  # unset again, as it was
    assert default_session.conf.get(PRECISION_LOSS) == "true"
    assert collected(planned) == local  # run after the restore: still exact
    assert collected(planned.where("verdict = 'eligible'")) == {
        pair for pair in local if pair[2] == "eligible"}
    assert collected(match(book, frame, as_of=DAY, verdicts=ALL)) == local


def test_an_explicit_setting_of_the_caller_is_given_back(
        default_session: Any, book: pm.Rulebook, table: pm.EnterpriseTable,
        local: Pairs) -> None:
    default_session.conf.set(PRECISION_LOSS, "true")
    planned = match_sql(book, to_frame(default_session, table, book), as_of=DAY, verdicts=ALL)
    assert default_session.conf.get(PRECISION_LOSS, None) == "true"
    assert collected(planned) == local


def test_a_product_of_scale_above_18_compared_with_an_integer_constant(
        spark: Any) -> None:
    book = load(RULES.replace("增长率 * 收入 > 0元", "增长率 * 增长率 * 收入 > 0元"))
    table = pm.EnterpriseTable.from_records(ROWS[:1], book)
    assert book.match(table, as_of=DAY).verdict("A", "P").value == "eligible"
    frame = to_frame(spark, table, book)
    assert collected(match_sql(book, frame, as_of=DAY, verdicts=ALL)) == {
        ("A", "P", "eligible")}
