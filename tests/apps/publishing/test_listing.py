"""The 清单 gains 事项编码: after the work plan's 14 columns, the policy id of the row."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pytest
from openpyxl import load_workbook

import policy_match as pm
from policy_match.apps.publishing import listing
from policy_match.core.rulebook import Rulebook

RULES = Path(__file__).resolve().parents[3] / "rules"
AS_OF = dt.date(2025, 6, 30)


@pytest.fixture(scope="module")
def book() -> Rulebook:
    return pm.load(RULES)


def test_the_header_is_the_fourteen_then_the_item_code() -> None:
    assert (*listing.COLUMNS, "事项编码") == listing.HEADER
    assert len(listing.COLUMNS) == 14


def test_every_row_can_be_traced_to_its_rule(book: Rulebook, tmp_path: Path) -> None:
    rows = listing.list_rows(book, AS_OF)
    xlsx, csv_path = tmp_path / "清单.xlsx", tmp_path / "清单.csv"
    listing.write_list(book, xlsx, AS_OF)
    listing.write_list(book, csv_path, AS_OF)
    ws = load_workbook(xlsx).worksheets[0]
    assert ws.cell(row=1, column=15).value == "事项编码"
    codes = [ws.cell(row=i, column=15).value for i in range(2, ws.max_row + 1)]
    assert codes == [r.policy_id for r in rows]
    for code, row in zip(codes, rows, strict=True):  # the code names the rule of the row
        assert book.policy(str(code)).name == row["事项名称"]
    with open(csv_path, encoding="utf-8-sig", newline="") as handle:
        read = list(csv.DictReader(handle))
    assert [r["事项编码"] for r in read] == [r.policy_id for r in rows]
    assert listing.read_xlsx(xlsx) == [r.file_dict() for r in rows]


def test_a_row_keeps_its_fourteen_fields(book: Rulebook) -> None:
    row = listing.list_rows(book, AS_OF)[0]
    assert list(row.as_dict()) == list(listing.COLUMNS)
    assert row["事项编码"] == row.policy_id
    assert row.file_dict() == {**row.as_dict(), "事项编码": row.policy_id}
