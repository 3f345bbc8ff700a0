"""Strict intake ("nothing lost"): every bad table gives a per-row (or per-column) report at
its place in the file, the good rows load, and rows in the file = loaded + skipped +
rejected."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

import policy_match as pm
from policy_match.core.loading import load_sources
from policy_match.data.io import csv_lines
from policy_match.data.records import MAX_CELL_BYTES

RULES = ('tag 代码: uscc key "统一社会信用代码"\ntag 营业收入: money\ntag 得分: number\n'
         'tag 人数: count\ntag 备注: text\n'
         'define 加权 = 得分 * 2 + 营业收入 / 1万\n'
         'policy "A" { name: "a"  eligible: 营业收入 >= 1 and 得分 >= 1 and 加权 >= 0 }\n')
HEADER = "代码,营业收入,得分,人数"
GOOD = ["91350100M000100Y43", "91110000600037341L", "91440300MA5FXXXX0U"]


@pytest.fixture(scope="module")
def book() -> pm.Rulebook:
    loaded = load_sources({"t.rule": RULES}).rulebook
    assert loaded is not None
    return loaded


def write(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def adds_up(table: pm.EnterpriseTable, in_file: int) -> None:
    c = table.counts
    assert c.in_file == in_file == c.loaded + c.skipped + c.rejected_rows
    assert c.loaded == len(table)


def test_a_misspelled_header_is_an_error_offering_the_tag(book: pm.Rulebook,
                                                          tmp_path: Path) -> None:
    path = write(tmp_path, "t.csv", "代码,营业收人\n91350100M000100Y43,2000万\n")
    table = pm.EnterpriseTable.load(path, book)
    [error] = table.errors
    assert (error.column, error.line, error.row) == ("营业收人", 1, None)
    assert "did you mean 营业收入?" in str(error)
    assert "是否应为 营业收入？" in error.text("zh")
    assert table.unknown_columns == ("营业收人",) and table.counts.rejected_columns == 1
    adds_up(table, 1)


def test_a_repeated_header_is_an_error_not_a_traceback(book: pm.Rulebook,
                                                       tmp_path: Path) -> None:
    path = write(tmp_path, "t.csv", "代码,营业收入,营业收入\n91350100M000100Y43,1,2\n")
    table = pm.EnterpriseTable.load(path, book)
    [error] = table.errors
    assert error.code == "column.duplicate" and "columns 2 and 3" in str(error)
    assert table.row(0)["营业收入"] == 1  # the first column is read


@pytest.mark.parametrize(("cells", "column", "code"), [
    ("-5,3", "营业收入", "value.negative_money"),
    ("5,inf", "得分", "value.not_finite"),
    ("5,-Infinity", "得分", "value.not_finite"),
    ("5,1e400", "得分", "value.not_number"),
    ("9" * 310 + ",3", "营业收入", "value.too_many_digits"),
    ("1" + "0" * 18 + ",3", "营业收入", "value.too_large"),
    ("5," + "9" * 19, "得分", "value.too_large"),
])
def test_values_outside_their_domain_are_rejected_on_the_fast_path_too(
        book: pm.Rulebook, tmp_path: Path, cells: str, column: str, code: str) -> None:
    path = write(tmp_path, "t.csv", f"代码,营业收入,得分\n{GOOD[0]},{cells}\n{GOOD[1]},5,3\n")
    table = pm.EnterpriseTable.load(path, book)
    [error] = table.errors
    assert (error.column, error.code, error.line, error.row) == (column, code, 2, 1)
    assert table.row(0).get(column) is None and table.row(1)["营业收入"] == 5
    result = book.match(table, as_of=None)  # no arithmetic on inf or huge values
    assert result.verdict(GOOD[1], "A").value == "eligible"
    assert result.verdict(GOOD[0], "A").value == "unknown"


def test_negative_numbers_stay_allowed(book: pm.Rulebook, tmp_path: Path) -> None:
    path = write(tmp_path, "t.csv", f"代码,营业收入,得分\n{GOOD[0]},5,-3.5\n")
    table = pm.EnterpriseTable.load(path, book)
    assert table.errors == [] and table.row(0)["得分"] == -3.5


def test_ragged_rows_bad_bytes_and_blank_rows_are_reported_by_line(
        book: pm.Rulebook, tmp_path: Path) -> None:
    body = ("代码,备注,得分,人数\n"
            f"{GOOD[0]},x,2\n"                       # line 2: too few cells
            ",,,\n"                                  # line 3: blank, skipped
            f"{GOOD[1]},x,2,3,4\n"                   # line 4: too many
            f'{GOOD[2]},"a\nb",1,1\n'                # lines 5-6: a quoted line break
            f"{GOOD[1]},x,2,3\n").encode()           # line 7
    bad = body.replace(b'"a\nb"', b'"a\nb\xff\xfe"')  # invalid UTF-8 on line 5
    path = tmp_path / "t.csv"
    path.write_bytes(bad)
    table = pm.EnterpriseTable.load(path, book)
    assert [(e.line, e.code) for e in table.errors] == [
        (2, "row.ragged"), (4, "row.ragged"), (5, "row.bad_bytes")]
    assert all(e.row is None for e in table.errors)
    assert "3 cell(s) where the header has 4" in str(table.errors[0])
    assert table.ids == [GOOD[1]]
    assert table.counts.skipped == 1 and table.counts.rejected_rows == 3
    adds_up(table, 5)
    assert table.fallback is not None  # the bad bytes took the slow path
    path.write_bytes(body)  # without the bad bytes: the fast path, same lines
    clean = pm.EnterpriseTable.load(path, book)
    assert [e.line for e in clean.errors] == [2, 4] and clean.fallback is None
    assert clean.ids == [GOOD[2], GOOD[1]]
    adds_up(clean, 5)


def test_value_errors_name_the_file_line_after_multiline_cells_and_blank_rows(
        book: pm.Rulebook, tmp_path: Path) -> None:
    path = write(tmp_path, "t.csv", f'代码,备注,营业收入\n{GOOD[0]},"a\r\nb",1\r\n'
                                    f",,\n{GOOD[1]},x,很多\n")
    table = pm.EnterpriseTable.load(path, book)
    [error] = table.errors
    assert (error.row, error.line, error.column) == (2, 5, "营业收入")
    assert str(error).startswith("line 5, 营业收入 = '很多': not a number")
    assert error.text("zh").startswith("第 5 行，营业收入 = '很多'：不是数字")
    adds_up(table, 3)


def test_a_cell_over_a_megabyte_is_a_rejected_value(book: pm.Rulebook, tmp_path: Path) -> None:
    huge = "9" * (MAX_CELL_BYTES + 10)
    path = write(tmp_path, "t.csv", f"代码,营业收入\n{GOOD[0]},{huge}\n{GOOD[1]},5\n")
    table = pm.EnterpriseTable.load(path, book)
    [error] = table.errors
    assert (error.code, error.line) == ("value.cell_too_large", 2)
    assert len(error.value) < 100
    assert table.ids == GOOD[:2] and table.row(1)["营业收入"] == 5


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "gb18030", "utf-8-sig"])
def test_utf16_and_chinese_encodings_are_read(book: pm.Rulebook, tmp_path: Path,
                                              encoding: str) -> None:
    text = f"{HEADER}\n{GOOD[0]},2000万,3,5\n{GOOD[1]},1亿,4,6\n"
    raw = text.encode(encoding)
    if encoding == "utf-16-be":
        raw = b"\xfe\xff" + raw
    (tmp_path / "t.csv").write_bytes(raw)
    table = pm.EnterpriseTable.load(tmp_path / "t.csv", book)
    assert table.errors == [] and table.ids == GOOD[:2]
    assert table.row(1)["营业收入"] == 100_000_000


def test_a_bad_uscc_is_one_message(book: pm.Rulebook, tmp_path: Path) -> None:
    changed = GOOD[0][:8] + "N" + GOOD[0][9:]
    path = write(tmp_path, "t.csv", f"代码,营业收入\n{changed},1\n,2\n")
    table = pm.EnterpriseTable.load(path, book)
    assert [(e.line, e.column) for e in table.errors] == [(2, "代码"), (3, "代码")]
    assert "check character" in table.errors[0].reason
    assert table.errors[1].code == "key.missing"
    assert table.ids == ["#1", "#2"]


def test_a_duplicate_key_names_the_first_line(book: pm.Rulebook, tmp_path: Path) -> None:
    path = write(tmp_path, "t.csv", f"代码,营业收入\n{GOOD[0]},1\n,\n{GOOD[0]},2\n")
    table = pm.EnterpriseTable.load(path, book)
    [error] = table.errors
    assert error.line == 4 and "duplicate key: also line 2" in str(error)
    assert "与第 2 行相同" in error.text("zh")


def test_xlsx_errors_name_the_sheet_row_and_blank_rows_are_counted(
        book: pm.Rulebook, tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["代码", "营业收入", "营业收入"])
    ws.append([GOOD[0], "1", "x"])
    ws.append([None, None, None])
    ws.append([GOOD[1], "很多", None])
    wb.save(tmp_path / "t.xlsx")
    table = pm.EnterpriseTable.load(tmp_path / "t.xlsx", book)
    assert [(e.unit, e.line, e.code) for e in table.errors] == [
        ("sheet_row", 1, "column.duplicate"), ("sheet_row", 4, "value.not_number")]
    assert str(table.errors[1]).startswith("sheet row 4, ")
    assert table.errors[1].text("zh").startswith("工作表第 4 行，")
    adds_up(table, 3)


def test_parquet_rows_are_records(book: pm.Rulebook, tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    pq.write_table(pa.table({"代码": [GOOD[0], None, GOOD[1]], "营业收入": ["1", None, "-2"]}),
                   tmp_path / "t.parquet")
    table = pm.EnterpriseTable.load(tmp_path / "t.parquet", book)
    [error] = table.errors
    assert (error.unit, error.line, error.row) == ("record", 3, 2)
    adds_up(table, 3)


def test_a_clean_100k_row_csv_takes_the_fast_path(book: pm.Rulebook, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    def no_scan(data: bytes) -> csv_lines.Records:
        raise AssertionError("a clean file is never scanned line by line")

    monkeypatch.setattr(csv_lines, "scan", no_scan)
    n = 100_000
    rows = "\n".join(f"91350100M{i:08d},{i}万,{i % 7},{i % 300}" for i in range(n))
    path = write(tmp_path, "t.csv", f"代码,营业收入,得分,人数\n{rows}\n")
    table = pm.EnterpriseTable.load(path, load_sources({"t.rule": RULES.replace(
        "uscc key", "text key")}).rulebook)
    assert table.fallback is None and table.errors == []
    adds_up(table, n)
    assert table.row(n - 1)["营业收入"] == (n - 1) * 10_000
