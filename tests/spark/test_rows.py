"""``policy_match.spark.read_enterprise``: one row of a Spark DataFrame as the record
``book.explain`` takes, as ``data.database.read_enterprise`` reads a database's row."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from oracle import load

import policy_match as pm
from policy_match.spark import read_enterprise
from policy_match.spark.frames import to_frame

RULES = """\
tag 代码: text key "统一代码"
tag 营业收入: money
tag 经营期限: duration
tag 成立日期: date
tag 资质: set["高新技术企业", "专精特新"]
tag 失信: bool
policy "P" {
    事项名称: "p"
    申请条件: 营业收入 >= 100万元 and 经营期限 >= 3年 and 资质 has "高新技术企业" and not 失信
}
"""
ROWS = [{"代码": "A", "营业收入": "200万", "经营期限": "4年", "成立日期": "2020-01-01",
         "资质": ["高新技术企业"], "失信": False},
        {"代码": "B", "营业收入": "50万", "经营期限": None, "成立日期": None,
         "资质": None, "失信": None}]
DAY = dt.date(2024, 7, 1)


@pytest.fixture(scope="module")
def book() -> pm.Rulebook:
    return load(RULES)


@pytest.fixture(scope="module")
def typed(spark: Any, book: pm.Rulebook) -> Any:
    return to_frame(spark, pm.EnterpriseTable.from_records(ROWS, book), book).cache()


def test_a_typed_row_is_the_record_explain_takes(typed: Any, book: pm.Rulebook) -> None:
    record = read_enterprise(typed, book, "A")
    assert record == {"代码": "A", "营业收入": Decimal("2000000.0000"),
                      "经营期限": "1460天",  # 4年, stored in days (docs/sql.md)
                      "成立日期": dt.date(2020, 1, 1), "资质": ["高新技术企业"], "失信": False}
    assert book.explain(record, "P", as_of=DAY).verdict is pm.Verdict.ELIGIBLE
    assert book.explain(ROWS[0], "P", as_of=DAY).verdict is pm.Verdict.ELIGIBLE


def test_missing_values_are_left_out(typed: Any, book: pm.Rulebook) -> None:
    record = read_enterprise(typed, book, "B")
    assert record == {"代码": "B", "营业收入": Decimal("500000.0000")}
    assert book.explain(record, "P", as_of=DAY).verdict is pm.Verdict.INELIGIBLE


def test_a_raw_row_named_by_labels_reads_as_its_text(spark: Any, book: pm.Rulebook) -> None:
    frame = spark.createDataFrame([("A", "200万", "4年")],
                                  "`统一代码` string, `营业收入` string, `经营期限` string")
    assert read_enterprise(frame, book, "A") == {"代码": "A", "营业收入": "200万",
                                                 "经营期限": "4年"}


def test_an_unknown_enterprise_or_a_frame_without_ids_is_refused(
        spark: Any, typed: Any, book: pm.Rulebook) -> None:
    with pytest.raises(ValueError, match="no enterprise Z in the DataFrame's column '代码'"):
        read_enterprise(typed, book, "Z")
    with pytest.raises(ValueError, match="代码"):
        read_enterprise(spark.createDataFrame([("200万",)], "`营业收入` string"), book, "A")
