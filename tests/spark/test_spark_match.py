"""Spark gives the local engine's verdicts, pair by pair.

Differential (hypothesis): random rulebooks of every construct (tests/engine/oracle.py) with
a key tag added, and a batch of random enterprises each (missing values, and money and
ratios a hair either side of the rules' thresholds: oracle's ``EDGES_BOUNDED``, or
``EDGES_LONG`` with 30 significant digits, the values of the SQL differential tests). With
bounded values, as a typed DataFrame (the SQL schema's types) in several partitions:
Spark's ``mapInArrow`` route, Spark SQL (``book.to_sql("spark")`` on a temporary view), the
local columnar engine and the scalar evaluator must give every (enterprise, policy) pair the
same verdict, all four verdicts asked for. Long values fit no ``DECIMAL(38, s)`` column: as
a DataFrame of text, read by the ``mapInArrow`` route as the local engine reads the same
text. Spark is slow to start a job, so each example is one rulebook over many enterprises,
and there are few examples (``PM_SPARK_EXAMPLES``, default 9)."""

from __future__ import annotations

import datetime as dt
import os
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from oracle import AS_OF_DATES, EDGES_BOUNDED, EDGES_LONG, edged_records, rulebooks

import policy_match as pm
from policy_match.base import clock
from policy_match.core.loading import load_sources
from policy_match.engine.sql.query import UnknownVerdict
from policy_match.spark import bad_values, match, run
from policy_match.spark.frames import to_frame
from policy_match.spark.sql_route import match_sql

KEY = "tag 企业编号: text key\n"
ALL = tuple(pm.Verdict)
EXAMPLES = int(os.environ.get("PM_SPARK_EXAMPLES", "9"))
SETTINGS = settings(max_examples=EXAMPLES, deadline=None, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
Pairs = set[tuple[Any, str, str]]


def load(text: str) -> pm.Rulebook:
    result = load_sources({"g.rule": text})
    assert result.rulebook is not None, [d.message for d in result.diagnostics if d.is_error]
    return result.rulebook


def local_pairs(book: pm.Rulebook, table: pm.EnterpriseTable, as_of: dt.date) -> Pairs:
    result = book.match(table, as_of=as_of)
    return {(r["enterprise"], r["policy"], r["verdict"]) for r in result.to_records(ALL)}


def scalar_pairs(book: pm.Rulebook, raws: list[dict[str, Any]], as_of: dt.date) -> Pairs:
    return {(raw["企业编号"], pid, book.evaluate(raw, pid, as_of=as_of).value)
            for raw in raws for pid in book.policies}


def collected(frame: Any) -> Pairs:
    return {(r.enterprise_id, r.policy_id, r.verdict) for r in frame.collect()}


def as_text(value: Any) -> str | None:
    """A raw value as a text column holds it (a set's members joined by ``;``)."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ";".join(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)  # int, float, Fraction (whole numbers here)


def text_frame(spark: Any, book: pm.Rulebook, raws: list[dict[str, Any]]) -> Any:
    names = list(book.tags)
    rows = [tuple(raw.get(name) for name in names) for raw in raws]
    return spark.createDataFrame(rows, ", ".join(f"`{n}` string" for n in names))


@SETTINGS
@given(data=st.data())
def test_spark_both_routes_local_columnar_and_scalar_agree_on_every_pair(
        spark: Any, data: st.DataObject) -> None:
    generated = data.draw(rulebooks(), label="rulebook")
    book = load(KEY + generated.text)
    as_of = data.draw(st.sampled_from(AS_OF_DATES), label="as_of")
    long = data.draw(st.booleans(), label="long decimals")
    edges = EDGES_LONG if long else EDGES_BOUNDED
    drawn = data.draw(st.lists(edged_records(as_of, edges), min_size=40, max_size=60),
                      label="records")
    raws = [{**raw, "企业编号": f"E{i:03d}"} for i, raw in enumerate(drawn)]
    table = pm.EnterpriseTable.from_records(raws, book)
    assert table.errors == []
    want = local_pairs(book, table, as_of)
    assert want == scalar_pairs(book, raws, as_of)
    assert len(want) == len(raws) * len(book.policies)
    if long:  # no DECIMAL(38, s) column holds 30 digits: a text column, the mapInArrow route
        texts = [{tag: as_text(value) for tag, value in raw.items()} for raw in raws]
        as_read = pm.EnterpriseTable.from_records(texts, book)
        assert as_read.errors == []
        frame = text_frame(spark, book, texts)
        assert collected(match(book, frame, as_of=as_of, verdicts=ALL)) == local_pairs(
            book, as_read, as_of)
        return
    frame = to_frame(spark, table, book, partitions=3)
    assert collected(match(book, frame, as_of=as_of, verdicts=ALL)) == want
    assert collected(match_sql(book, frame, as_of=as_of, verdicts=ALL)) == want


ROWS = [  # as a 企业库 table holds them: text, not yet typed
    {"代码": "A1", "营业收入": "3000万", "成立日期": "2023-05-01", "备注": "老客户"},
    {"代码": "A2", "营业收入": "很多", "成立日期": "2019-01-01", "备注": None},
    {"代码": "A3", "营业收入": "100万", "成立日期": "去年", "备注": None},
]
RULES = """\
tag 代码: text key
tag 营业收入: money
tag 成立日期: date
tag 从业人数: count
tag 备注: text
policy "大" {
    事项名称: "大企业"
    申请条件: 营业收入 >= 2000万元
}
policy "新" {
    事项名称: "新企业"
    申请条件: 成立日期 >= 2023-01-01 and 从业人数 >= 10人
}
"""
AS_OF = dt.date(2024, 7, 1)


@pytest.fixture(scope="module")
def small() -> pm.Rulebook:
    return load(RULES)


@pytest.fixture(scope="module")
def raw_frame(spark: Any) -> Any:
    return spark.createDataFrame(
        ROWS, "`代码` string, `营业收入` string, `成立日期` string, `备注` string")


def test_a_raw_text_table_is_read_as_a_file_is_and_its_bad_values_come_back(
        spark: Any, small: pm.Rulebook, raw_frame: Any) -> None:
    found = run(small, raw_frame, as_of=AS_OF, verdicts=ALL)
    want = local_pairs(small, pm.EnterpriseTable.from_records(ROWS, small), AS_OF)
    assert collected(found.verdicts) == want
    assert ("A2", "大", "unknown") in want and ("A1", "大", "eligible") in want
    errors = sorted(found.errors.collect(), key=lambda r: r.enterprise_id)
    assert [(e.enterprise_id, e.tag, e.value) for e in errors] == [
        ("A2", "营业收入", "很多"), ("A3", "成立日期", "去年")]
    assert all(e.problem and e.problem_zh and e.problem_en for e in errors)
    assert sorted(tuple(r) for r in bad_values(small, raw_frame).collect()) == sorted(
        tuple(r) for r in errors)


def test_only_the_key_and_the_tags_the_conditions_read_travel(
        small: pm.Rulebook, raw_frame: Any) -> None:
    found = run(small, raw_frame, as_of=AS_OF)
    assert found.columns == ("代码", "成立日期", "营业收入")  # 备注 is read by no condition
    assert found.absent == ("从业人数",)  # read, but the table has no such column
    assert set(found.verdicts.columns) == {"enterprise_id", "policy_id", "verdict"}


def test_the_default_is_eligible_and_unknown_and_today_is_chinas(
        small: pm.Rulebook, raw_frame: Any) -> None:
    found = run(small, raw_frame)
    assert found.as_of == clock.today()
    verdicts = {r.verdict for r in found.verdicts.collect()}
    assert verdicts <= {"eligible", "unknown"} and "eligible" in verdicts


def test_an_unknown_verdict_is_refused_by_both_routes_before_spark_runs(
        small: pm.Rulebook, raw_frame: Any) -> None:
    for route in (match, match_sql):
        with pytest.raises(UnknownVerdict) as refused:
            route(small, raw_frame, as_of=AS_OF, verdicts=("eligible", "nope"))
        assert "“nope”" in refused.value.text("zh") and "'nope'" in str(refused.value)


def test_without_its_key_column_the_frame_is_refused(spark: Any, small: pm.Rulebook) -> None:
    frame = spark.createDataFrame([("3000万",)], "`营业收入` string")
    with pytest.raises(ValueError, match="代码"):
        match(small, frame, as_of=AS_OF)


def test_a_rulebook_without_a_key_names_rows_by_enterprise_id(spark: Any) -> None:
    book = load(RULES.replace("tag 代码: text key\n", ""))
    rows = [("E1", "3000万", "2023-05-01"), ("E2", "10万", None)]
    frame = spark.createDataFrame(
        rows, "enterprise_id string, `营业收入` string, `成立日期` string")
    got = collected(match(book, frame, as_of=AS_OF, verdicts=ALL))
    assert ("E1", "大", "eligible") in got and ("E2", "大", "ineligible") in got
    assert ("E2", "新", "unknown") in got and len(got) == 4


CASE_RULES = """\
tag 代码: text key
tag 营业收入: money
tag 企业规模: enum["大型", "中型", "小型"]
policy "规模" {
    事项名称: "按规模"
    申请条件: case { 企业规模 in ["大型"]: 营业收入 >= 1亿元; else: 营业收入 >= 100万元 }
}
"""


def test_spark_sql_reads_a_case_whose_test_is_a_list_membership(spark: Any) -> None:
    """Spark's parser refuses ``x IN ('a') IS NULL``: the unknown test of a ``case`` is
    written ``(x IN ('a')) IS NULL`` (CI found this with a random rulebook)."""
    book = load(CASE_RULES)
    raws = [{"代码": "A", "营业收入": "2亿", "企业规模": "大型"},
            {"代码": "B", "营业收入": "200万", "企业规模": "大型"},
            {"代码": "C", "营业收入": "200万", "企业规模": "小型"},
            {"代码": "D", "营业收入": "200万", "企业规模": None}]
    table = pm.EnterpriseTable.from_records(raws, book)
    want = local_pairs(book, table, AS_OF)
    assert want == {("A", "规模", "eligible"), ("B", "规模", "ineligible"),
                    ("C", "规模", "eligible"), ("D", "规模", "unknown")}
    frame = to_frame(spark, table, book, partitions=2)
    assert collected(match_sql(book, frame, as_of=AS_OF, verdicts=ALL)) == want


def test_an_unknown_number_does_not_set_the_scale_of_the_case_it_is_in(spark: Any) -> None:
    """A ``CASE`` with a ``DECIMAL(38, 0)`` NULL branch took scale 0 in Spark, which then
    compared ``0.1`` as ``0`` (CI's random rulebooks found it): an unknown number is a bare
    NULL where numbers are bounded decimals."""
    book = load(CASE_RULES.replace(
        'case { 企业规模 in ["大型"]: 营业收入 >= 1亿元; else: 营业收入 >= 100万元 }',
        '0.1 != case { 企业规模 in ["大型"]: 营业收入 / 0; else: min(营业收入, 1) }'))
    raws = [{"代码": "A", "营业收入": "0", "企业规模": "小型"},
            {"代码": "B", "营业收入": "0.1", "企业规模": "小型"},
            {"代码": "C", "营业收入": "5", "企业规模": "大型"}]
    table = pm.EnterpriseTable.from_records(raws, book)
    want = local_pairs(book, table, AS_OF)
    assert want == {("A", "规模", "eligible"), ("B", "规模", "ineligible"),
                    ("C", "规模", "unknown")}
    frame = to_frame(spark, table, book, partitions=2)
    assert collected(match_sql(book, frame, as_of=AS_OF, verdicts=ALL)) == want
