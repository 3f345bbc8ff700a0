"""Loading in bulk gives exactly what the per-value parser gives: for every cell the same
value (the same float, the same exact fraction), the same error (row, column, value,
reason in both languages), the same counts; Arrow-read and record-read tables agree."""

from __future__ import annotations

import csv
import subprocess
import sys
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import policy_match as pm
from policy_match.core.loading import load_sources
from policy_match.data.arrow_numpy import (
    arrow_indices,
    arrow_mask,
    arrow_strings,
    bool_values,
    primitive_values,
    valid_mask,
)
from policy_match.data.number_columns import PlainForm, plain_cells
from policy_match.data.records import FieldError, is_missing, parse_value
from policy_match.engine.columns import NumberColumn, TextColumn

RULES = """tag 编号: text key
tag 收入: money
tag 亏损: money signed
tag 人数: count
tag 得分: number
tag 占比: ratio
tag 日期: date
tag 是否: bool
tag 规模: enum["大型", "中型", "小型"]
tag 资质: set["甲", "乙"]
tag 名称: text
"""
VALUED = ["收入", "亏损", "人数", "得分", "占比", "日期", "是否", "规模", "资质", "名称"]

TRICKY = [
    "0", "7", "007", "12.5", ".5", "+.5", "+5", "-5", "-0", "-0.0", "5.", "1.2.3", "+", "-",
    "1e5", "1E-3", "inf", "-inf", "nan", "NaN", " 12 ", "1,000", "1,000.5", "3000万",
    "1.5亿元", "2000元", "12%", "3‰", "5个", "5人", "１２３", "12.50", "0.1", "0.30000000000000004",
    "123456789012345", "1234567890123456", "12345678901234567890", "0.1234567890123456789",
    "1" + "0" * 18, "9" * 31, "2021-03-01", "2021/3/1", "2021年3月1日", "20210301", "2021-02-30",
    "是", "否", "true", "有", "大型", "微型", "甲", "甲、乙", "丙", "无", "[]", "未知", "不详",
    "N/A", "—", "abc", "  ", "1 000", "٣",
]
cells = st.one_of(
    st.sampled_from(TRICKY),
    st.decimals(allow_nan=False, allow_infinity=False).map(str),
    st.integers(-10**20, 10**20).map(str),
    st.floats(allow_nan=False, allow_infinity=False, width=64).map(repr),
    st.text(alphabet="0123456789.+-万%, ", min_size=0, max_size=17),
    st.none(),
)


@pytest.fixture(scope="module")
def book() -> pm.Rulebook:
    loaded = load_sources({"t.rule": RULES}).rulebook
    assert loaded is not None
    return loaded


def _per_value(book: pm.Rulebook, rows: list[dict[str, Any]]
               ) -> tuple[list[dict[str, Any]], set[tuple[Any, ...]]]:
    """Each cell by :func:`parse_value` alone: the values and the errors expected."""
    values: list[dict[str, Any]] = []
    errors: set[tuple[Any, ...]] = set()
    tags = book.schema.tags
    for i, row in enumerate(rows):
        out: dict[str, Any] = {"编号": row["编号"]}
        for name in VALUED:
            raw = row[name]
            if raw is None or is_missing(raw):
                continue
            try:
                value = parse_value(tags[name], raw, book.vocabulary)
            except ValueError as exc:
                e = FieldError.of(name, raw, exc, row=i + 1)
                errors.add(_error_key(e))
                continue
            out[name] = value.strip() if isinstance(value, str) else value
        values.append(out)
    return values, errors


def _error_key(e: FieldError) -> tuple[Any, ...]:
    """What an error says, wherever it is placed (a reader adds the line or record)."""
    plain = e.model_copy(update={"line": None})
    return (e.row, e.column, e.value, e.code, e.params, e.reason, plain.text("zh"),
            plain.text("en"))


def _check(book: pm.Rulebook, rows: list[dict[str, Any]]) -> None:
    expected, errors = _per_value(book, rows)
    names = ["编号", *VALUED]
    arrow = pa.table({n: pa.array([r[n] for r in rows], type=pa.string()) for n in names})
    tables = {"arrow": pm.EnterpriseTable.from_arrow(arrow, book),
              "records": pm.EnterpriseTable.from_records(rows, book)}
    for how, table in tables.items():
        assert len(table) == len(rows), how
        got = [table.row(i) for i in range(len(table))]
        assert got == expected, how
        assert {_error_key(e) for e in table.errors} == errors, how
        assert len(table.errors) == len(errors) == table.counts.rejected_values, how
        for name in ("收入", "亏损", "人数", "得分", "占比"):
            column = table.columns.columns[name]
            assert isinstance(column, NumberColumn)
            want = np.array([float(r[name]) if name in r else np.nan for r in expected])
            # the very same floats: no -0.0, no value one ulp off
            assert column.values.tobytes() == want.tobytes(), (how, name)
            assert column.known.tolist() == [name in r for r in expected], (how, name)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.fixed_dictionaries({n: cells for n in VALUED}), min_size=1, max_size=30))
def test_bulk_parsing_equals_the_per_value_parser(book: pm.Rulebook,
                                                  rows: list[dict[str, Any]]) -> None:
    _check(book, [{"编号": f"E{i}", **r} for i, r in enumerate(rows)])


def test_every_tricky_cell_in_every_column(book: pm.Rulebook) -> None:
    rows = [{"编号": f"E{i}", **dict.fromkeys(VALUED, cell)} for i, cell in enumerate(TRICKY)]
    _check(book, rows)
    table = pm.EnterpriseTable.from_records(rows, book)
    income = table.columns.columns["收入"]
    assert isinstance(income, NumberColumn)
    at = TRICKY.index("0.1234567890123456789")  # kept exactly, not as a float
    assert income.get(at) == Fraction(1234567890123456789, 10**19) != income.values[at]
    assert {e.value for e in table.errors if e.column == "收入"} >= {
        "-5", "1e5", "5.", "inf", "12345678901234567890"}


def test_plain_cells_are_the_plain_decimals_only() -> None:
    texts = ["0", "12.5", ".5", "+.5", "-5", "5.", "1.2", "1.2.3", "+", "", "1e5", " 1",
             "1234567890123456", "123456789012345", "+-1", "-.5"]
    unsigned = plain_cells(arrow_strings(texts), PlainForm(negative=False, point=True))
    assert [t for t, ok in zip(texts, unsigned.tolist(), strict=True) if ok] == [
        "0", "12.5", ".5", "+.5", "1.2", "123456789012345"]
    signed = plain_cells(arrow_strings(texts), PlainForm(negative=True, point=True))
    assert [t for t, ok in zip(texts, signed.tolist(), strict=True) if ok] == [
        "0", "12.5", ".5", "+.5", "-5", "1.2", "123456789012345", "-.5"]
    counts = plain_cells(arrow_strings(texts), PlainForm(negative=False, point=False))
    assert [t for t, ok in zip(texts, counts.tolist(), strict=True) if ok] == [
        "0", "123456789012345"]


def test_plain_cells_of_a_sliced_chunked_column_with_nulls() -> None:
    column = pa.chunked_array([pa.array(["x", "1", None, "2.5"]), pa.array([None, "3"])])
    assert plain_cells(column.slice(1), PlainForm(False, True)).tolist() == [
        True, False, True, False, True]


def test_arrow_buffers_to_numpy_and_back() -> None:
    column = pa.chunked_array([pa.array([1.5, None, 3.0]), pa.array([None, 5.0])]).slice(1)
    values = primitive_values(column, np.float64, np.nan)
    assert np.array_equal(values, [np.nan, 3.0, np.nan, 5.0], equal_nan=True)
    values[0] = 1.0  # writable, not a view of Arrow's buffer
    assert valid_mask(column).tolist() == [False, True, False, True]
    flags = pa.array([True, None, False, True]).slice(1)
    assert bool_values(flags).tolist() == [False, False, True]
    mask = np.array([True, False, True] * 5)
    assert arrow_mask(mask).to_pylist() == mask.tolist()
    assert arrow_indices(np.array([3, 1])).to_pylist() == [3, 1]
    assert arrow_strings(["甲", "", "bc"]).to_pylist() == ["甲", "", "bc"]
    with pytest.raises(TypeError):
        primitive_values(pa.array([1, 2], type=pa.int32()), np.int64, 0)


def test_repetitive_text_is_kept_dictionary_encoded(book: pm.Rulebook) -> None:
    n = 20_000
    scopes = ["批发零售", "软件开发", " 未知 ", None]
    rows = {"编号": [f"E{i}" for i in range(n)], "名称": [scopes[i % 4] for i in range(n)]}
    table = pm.EnterpriseTable.from_arrow(pa.table(rows), book)
    column = table.columns.columns["名称"]
    assert isinstance(column, TextColumn)
    assert pa.types.is_dictionary(column.array.type)
    assert [table.row(i).get("名称") for i in range(4)] == ["批发零售", "软件开发", None, None]
    categories = column.categories()
    plain = TextColumn(pa.array(rows["名称"]), column.known).categories()
    assert categories.categories == plain.categories
    assert categories.codes.tolist() == plain.codes.tolist()
    assert categories.codes[:5].tolist() == [0, 1, -1, -1, 0]


def test_csv_reads_the_tricky_cells_as_the_per_value_parser(book: pm.Rulebook,
                                                             tmp_path: Path) -> None:
    rows = [{"编号": f"E{i}", **dict.fromkeys(VALUED, cell)} for i, cell in enumerate(TRICKY)]
    expected, errors = _per_value(book, rows)
    path = tmp_path / "t.csv"
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, ["编号", *VALUED])
        writer.writeheader()
        writer.writerows(rows)
    table = pm.EnterpriseTable.from_csv(path, book)
    assert [table.row(i) for i in range(len(table))] == expected
    assert {_error_key(e) for e in table.errors} == errors
    assert {e.line for e in table.errors} <= set(range(2, len(rows) + 2))


def test_loading_a_csv_does_not_import_pandas(tmp_path: Path) -> None:
    (tmp_path / "t.rule").write_text(RULES, encoding="utf-8")
    (tmp_path / "t.csv").write_text("编号,收入,名称\nE1,3000万,甲\nE2,12,\n", encoding="utf-8")
    script = ("import sys, policy_match as pm\n"
              f"book = pm.load({str(tmp_path / 't.rule')!r})\n"
              f"table = pm.EnterpriseTable.from_csv({str(tmp_path / 't.csv')!r}, book)\n"
              "assert len(table) == 2 and not table.errors, table.errors\n"
              "print('pandas' in sys.modules)\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          check=True)
    assert done.stdout.strip() == "False"
