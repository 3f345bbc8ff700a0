"""Formula injection (OWASP): no text cell written by a CSV or XLSX writer is ever a formula."""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from policy_match.data.io import csv_format, xlsx
from policy_match.data.io.cells import inert, inert_column, revert
from policy_match.data.io.raw import batches_of
from policy_match.data.io.workbook import Sheet, write_workbook

DANGEROUS = ["=HYPERLINK(\"http://x\",\"点击\")", "+1+1", "-1+1", "@SUM(A1)", "\tx", "\rx"]
HARMLESS = ["甲公司", "a=b", "1-2", "", "'plain"]


@pytest.mark.parametrize("text", DANGEROUS)
def test_a_text_that_starts_a_formula_gets_an_apostrophe(text: str) -> None:
    assert inert(text) == "'" + text
    assert revert(inert(text)) == text


@pytest.mark.parametrize("text", HARMLESS)
def test_other_texts_are_left_alone(text: str) -> None:
    assert inert(text) == text
    assert revert(text) == text


@pytest.mark.parametrize("value", [-1, -2.5, Decimal("-100.00"), 0, None, True])
def test_numbers_stay_numbers(value: object) -> None:
    assert inert(value) is value


@pytest.mark.parametrize("text", ["'=1", "''=1", "'-1"])
def test_apostrophes_before_a_trigger_round_trip(text: str) -> None:
    assert inert(text) == "'" + text
    assert revert(inert(text)) == text


def test_a_column_without_triggers_is_not_copied() -> None:
    column = ["E1", "E2"]
    assert inert_column(column) is column
    assert inert_column(["E1", "=1"]) == ["E1", "'=1"]


ROWS = [["=HYPERLINK(\"http://evil\",\"领取\")", -5, "-1+1", Decimal("-12.30")],
        ["甲公司", 3, "@x", Decimal("1.00")]]
HEADER = ["企业名称", "n", "备注", "金额"]


def test_csv_cells_are_inert(tmp_path: Path) -> None:
    out = tmp_path / "t.csv"
    assert csv_format.write(out, HEADER, batches_of(HEADER, ROWS)) == 2
    with open(out, encoding="utf-8", newline="") as handle:
        read = list(csv.reader(handle))
    assert read[1] == ["'=HYPERLINK(\"http://evil\",\"领取\")", "-5", "'-1+1", "-12.30"]
    assert read[2] == ["甲公司", "3", "'@x", "1.00"]


def test_xlsx_cells_are_strings_never_formulas(tmp_path: Path) -> None:
    out = tmp_path / "t.xlsx"
    assert xlsx.write(out, HEADER, batches_of(HEADER, ROWS)) == 2
    sheet = openpyxl.load_workbook(out).active
    assert sheet is not None
    name, number, note, amount = sheet[2]
    assert name.data_type == "s" and name.value == "'" + str(ROWS[0][0])
    assert note.data_type == "s" and note.value == "'-1+1"
    assert number.data_type == "n" and number.value == -5
    assert amount.data_type == "n" and amount.value == pytest.approx(-12.3)
    formulas = [c.coordinate for row in sheet.iter_rows() for c in row if c.data_type == "f"]
    assert formulas == []


def test_a_workbook_of_several_sheets(tmp_path: Path) -> None:
    out = tmp_path / "w.xlsx"
    counts = write_workbook(out, [
        Sheet("一", ("a",), [["=1"], ["x\x01y"]], (20,), {}, "A2"),
        Sheet("二", ("b", "c"), [[1, Decimal("2.50")]], (), {1: "#,##0.00"}),
    ])
    assert counts == [2, 1]
    book = openpyxl.load_workbook(out)
    first, second = book["一"], book["二"]
    assert [c.value for c in first["A"]] == ["a", "'=1", "xy"]  # control character dropped
    assert first.freeze_panes == "A2"
    assert second["B2"].number_format == "#,##0.00" and second["B2"].value == 2.5
    assert second["A1"].font.bold
