"""Columns parsed on a few threads give exactly what a parse one column after the other
gives: the same columns, the same errors in the same order, progress in column order; no
more than a few raw columns are taken ahead (peak memory)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import pyarrow as pa
import pytest

import policy_match as pm
import policy_match.data.parse_columns as parse_columns
from policy_match.core.loading import load_sources
from policy_match.data.io.raw import RawTable
from policy_match.data.parse_columns import ColumnJob, parse_in_order
from policy_match.data.raw_columns import ListRaw
from policy_match.plugins.builtins.uscc import uscc_check_char

RULES = """tag 编号: text key
tag 代码: uscc
tag 收入: money
tag 人数: count
tag 日期: date
tag 是否: bool
tag 规模: enum["大型", "中型", "小型"]
tag 资质: set["甲", "乙"]
tag 名称: text
"""
CELLS = ["12", "3000万", "-5", "1e5", "2021-03-01", "2021-02-30", "是", "也许", "大型", "微型",
         "甲、乙", "丙", "", None, "abc", "1234567890123456789.5"]


@pytest.fixture(scope="module")
def book() -> pm.Rulebook:
    loaded = load_sources({"t.rule": RULES}).rulebook
    assert loaded is not None
    return loaded


def _uscc(i: int) -> str:
    body = f"91110000{i:09d}"
    return body + uscc_check_char(body)


def _arrow_table(n: int) -> pa.Table:
    names = ["编号", "代码", "收入", "人数", "日期", "是否", "规模", "资质", "名称"]
    columns = {name: [CELLS[(i * 7 + k) % len(CELLS)] for i in range(n)]
               for k, name in enumerate(names)}
    columns["编号"] = [f"E{i % (n - 3)}" for i in range(n)]  # three duplicate keys
    columns["代码"] = [_uscc(i) if i % 7 else "91110000X" for i in range(n)]
    arrays = [pa.array(columns[name], type=pa.string()) for name in names]
    # a header that names no tag, a repeated header, a second header for a tag
    arrays += [pa.array(["x"] * n), pa.array(["1"] * n), pa.array(["2"] * n)]
    return pa.Table.from_arrays(arrays, names=[*names, "备注", "收入", "人数"])


def _load(book: pm.Rulebook, data: pa.Table, threads: int,
          monkeypatch: pytest.MonkeyPatch) -> tuple[pm.EnterpriseTable, list[tuple[int, int]]]:
    monkeypatch.setattr(parse_columns, "parse_threads", lambda: threads)
    seen: list[tuple[int, int]] = []
    table = pm.EnterpriseTable.from_raw(
        RawTable(arrow=data), book, "<t>", progress=lambda done, total: seen.append((done, total)))
    return table, seen


def test_threads_give_the_same_table_and_errors_in_the_same_order(
        book: pm.Rulebook, monkeypatch: pytest.MonkeyPatch) -> None:
    n = 3000
    one, progress_one = _load(book, _arrow_table(n), 1, monkeypatch)
    four, progress_four = _load(book, _arrow_table(n), 4, monkeypatch)
    assert len(one.errors) > 100  # rejected values, key problems and column problems
    assert {e.code for e in one.errors} >= {"column.duplicate", "column.unknown",
                                            "key.duplicate.record", "value.not_date"}
    assert [e.model_dump() for e in four.errors] == [e.model_dump() for e in one.errors]
    assert four.ids == one.ids and four.unknown_columns == one.unknown_columns == ("备注",)
    assert list(four.columns.columns) == list(one.columns.columns)
    assert [four.row(i) for i in range(n)] == [one.row(i) for i in range(n)]
    assert four.counts == one.counts
    assert progress_four == progress_one
    assert [d for d, _ in progress_four] == sorted(d for d, _ in progress_four)
    assert progress_four[-1] == (12 * n, 12 * n)


def test_a_clean_uscc_column_is_taken_by_the_bulk_check(book: pm.Rulebook,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    codes = [_uscc(i) for i in range(50)]
    data = pa.table({"编号": [f"E{i}" for i in range(50)], "代码": codes})
    table, _ = _load(book, data, 2, monkeypatch)
    assert not table.errors
    assert [table.row(i)["代码"] for i in range(50)] == codes
    bad = pa.table({"编号": ["E0", "E1"], "代码": [codes[0], codes[1][:-1] + "Y"]})
    table, _ = _load(book, bad, 2, monkeypatch)
    assert [(e.row, e.column) for e in table.errors] == [(2, "代码")]
    assert "代码" not in table.row(1) and table.row(0)["代码"] == codes[0]


def test_results_come_in_job_order_with_few_jobs_taken_ahead(
        book: pm.Rulebook, monkeypatch: pytest.MonkeyPatch) -> None:
    tag = book.schema.tags["收入"]
    taken: list[int] = []
    slow = threading.Event()

    def jobs() -> Iterator[ColumnJob]:
        for i in range(12):
            taken.append(i)
            yield ColumnJob(i, tag, ListRaw([str(i), "x"] if i else [None, "y"]))

    original = parse_columns.parse_column

    def first_is_slow(*args: Any) -> Any:
        if args[1].values[0] is None and not slow.is_set():
            slow.set()
            time.sleep(0.2)  # the first column finishes last
        return original(*args)

    monkeypatch.setattr(parse_columns, "parse_column", first_is_slow)
    results = parse_in_order(jobs(), 2, book.vocabulary, threads=3)
    first = next(results)
    assert first.index == 0 and len(taken) == 3  # no more jobs taken than threads
    rest = list(results)
    assert [r.index for r in [first, *rest]] == list(range(12))
    assert [[e.row for e in r.errors] for r in [first, *rest]] == [[2]] * 12
    assert [r.column.get(0) for r in rest] == list(range(1, 12))


def test_a_failing_column_stops_the_parse(book: pm.Rulebook,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: Any) -> Any:
        raise RuntimeError("broken plug-in")

    monkeypatch.setattr(parse_columns, "parse_column", broken)
    tag = book.schema.tags["收入"]
    jobs = (ColumnJob(i, tag, ListRaw(["1"])) for i in range(5))
    with pytest.raises(RuntimeError, match="broken plug-in"):
        list(parse_in_order(jobs, 1, book.vocabulary, threads=2))
