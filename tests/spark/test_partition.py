"""One partition's work on Arrow batches, without Spark: chunks, verdict rows equal to the
local engine's, error rows for bad values (in Chinese and English), null ids for rows
without a key, and a read-only pass."""

from __future__ import annotations

import datetime as dt

import pyarrow as pa
import pytest

import policy_match as pm
from policy_match.core.loading import load_sources
from policy_match.spark.partition import (
    ERROR_ROW,
    OUTPUT_SCHEMA,
    VERDICT_ROW,
    Job,
    match_partition,
)
from policy_match.spark.shipping import ship

RULES = """\
tag 代码: text key
tag 营业收入: money
tag 成立日期: date
tag 资质: set["高新技术企业", "科技型中小企业"]
policy "大" {
    事项名称: "大企业"
    申请条件: 营业收入 >= 2000万元
}
policy "新" {
    事项名称: "新企业"
    申请条件: 成立日期 >= 2023-01-01 and 资质 has "高新技术企业"
}
policy "旧" {
    事项名称: "过期"
    申请条件: 营业收入 > 0元
    适用时间: 2020-01-01 .. 2020-12-31
}
"""
AS_OF = dt.date(2024, 7, 1)
ALL = tuple(pm.Verdict)


@pytest.fixture(scope="module")
def book() -> pm.Rulebook:
    loaded = load_sources({"p.rule": RULES}).rulebook
    assert loaded is not None
    return loaded


def batch(rows: list[dict[str, object]]) -> pa.RecordBatch:
    names = ["代码", "营业收入", "成立日期", "资质"]
    return pa.RecordBatch.from_pydict(
        {n: pa.array([r.get(n) for r in rows], pa.string()) for n in names})


ROWS = [
    {"代码": "A1", "营业收入": "3000万", "成立日期": "2023-05-01", "资质": "高新技术企业"},
    {"代码": "A2", "营业收入": "100万", "成立日期": "2019-01-01", "资质": "无"},
    {"代码": "A3", "营业收入": "许多", "成立日期": "2024-01-01"},
    {"代码": None, "营业收入": "5000万", "成立日期": "2023-02-01", "资质": "科技型中小企业"},
]


def run(book: pm.Rulebook, batches: list[pa.RecordBatch], verdicts: tuple[pm.Verdict, ...],
        chunk_rows: int = 100_000) -> pa.Table:
    job = Job(ship(book), AS_OF, verdicts, chunk_rows)
    out = list(match_partition(iter(batches), job))
    assert all(b.schema == OUTPUT_SCHEMA for b in out)
    return pa.Table.from_batches(out, schema=OUTPUT_SCHEMA)


def local_rows(book: pm.Rulebook, rows: list[dict[str, object]]) -> list[tuple]:
    table = pm.EnterpriseTable.from_records(rows, book)
    result = book.match(table, as_of=AS_OF)
    keyed = {table.ids[i]: r.get("代码") for i, r in enumerate(rows)}
    return sorted(((keyed[r["enterprise"]], r["policy"], r["verdict"])
                   for r in result.to_records(ALL)), key=repr)


def verdict_rows(out: pa.Table) -> list[tuple]:
    return sorted(((r["enterprise_id"], r["policy_id"], r["verdict"])
                   for r in out.to_pylist() if r["kind"] == VERDICT_ROW), key=repr)


@pytest.mark.parametrize("chunk_rows", [1, 2, 3, 100])
def test_every_pair_is_the_local_engines_however_the_rows_are_chunked(
        book: pm.Rulebook, chunk_rows: int) -> None:
    batches = [batch(ROWS[:1]), batch([]), batch(ROWS[1:3]), batch(ROWS[3:])]
    out = run(book, batches, ALL, chunk_rows)
    assert verdict_rows(out) == local_rows(book, ROWS)
    assert len(verdict_rows(out)) == len(ROWS) * len(book.policies)


def test_only_the_verdicts_asked_for_come_out(book: pm.Rulebook) -> None:
    out = run(book, [batch(ROWS)], (pm.Verdict.ELIGIBLE,))
    got = verdict_rows(out)
    assert got and {v for _, _, v in got} == {"eligible"}
    assert ("A1", "大", "eligible") in got and ("A1", "新", "eligible") in got
    assert not any(pid == "旧" for _, pid, _ in got)  # inactive on AS_OF, not asked for


def test_a_bad_value_is_reported_with_its_enterprise_and_counts_as_missing(
        book: pm.Rulebook) -> None:
    out = run(book, [batch(ROWS)], ALL).to_pylist()
    errors = [r for r in out if r["kind"] == ERROR_ROW]
    assert [(e["enterprise_id"], e["tag"], e["value"], e["problem"]) for e in errors] == [
        ("A3", "营业收入", "许多", errors[0]["problem"]), (None, "代码", "", "key.missing")]
    error = errors[0]
    assert error["problem"] and error["problem_zh"] and error["problem_en"]
    assert error["problem_zh"] != error["problem_en"]
    assert error["policy_id"] is None and error["verdict"] is None
    verdicts = {(r["enterprise_id"], r["policy_id"]): r["verdict"] for r in out
                if r["kind"] == VERDICT_ROW}
    assert verdicts[("A3", "大")] == "unknown"


def test_a_row_without_its_key_has_a_null_enterprise_id(book: pm.Rulebook) -> None:
    out = run(book, [batch(ROWS)], ALL).to_pylist()
    keyless = [r for r in out if r["kind"] == VERDICT_ROW and r["enterprise_id"] is None]
    assert {r["policy_id"]: r["verdict"] for r in keyless} == {
        "大": "eligible", "新": "ineligible", "旧": "inactive"}
    assert not any(str(r["enterprise_id"]).startswith("#") for r in out)


def test_asking_for_no_verdicts_only_reads(book: pm.Rulebook) -> None:
    out = run(book, [batch(ROWS)], ()).to_pylist()
    assert out and all(r["kind"] == ERROR_ROW for r in out)
