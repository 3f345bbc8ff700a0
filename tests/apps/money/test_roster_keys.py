"""Payment-grade keys: the 免申即享 roster never pays a row whose 统一社会信用代码 is missing,
invalid or repeated; such rows are on the 待核实 list with the reason, and the fiscal
estimate counts a repeated key once."""

from __future__ import annotations

import csv
import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import openpyxl
import pytest

from policy_match.apps.money.benefits import HELD, Benefits, compute_benefits
from policy_match.apps.money.roster import Roster, build_roster
from policy_match.cli import main
from policy_match.core.loading import load_sources
from policy_match.core.rulebook import Rulebook
from policy_match.data.table import EnterpriseTable
from policy_match.plugins.builtins.uscc import uscc_check_char

AS_OF = dt.date(2024, 7, 1)
RULES = """\
tag 统一社会信用代码: uscc key
tag 企业名称: text
tag 研发: money
policy "M1" {
    事项名称: "定额免申"
    申请条件: 研发 >= 10万
    免申即享: 是
    兑付标准: 1万
}
"""


def code(n: int) -> str:
    body = f"91530102MA{n:07d}"
    return body + uscc_check_char(body)


BAD = code(9)[:17] + ("0" if code(9)[17] != "0" else "1")  # a wrong check character
RECORDS: list[dict[str, Any]] = [
    {"统一社会信用代码": code(1), "企业名称": "甲", "研发": "20万"},  # paid
    {"企业名称": "乙", "研发": "20万"},  # no key
    {"统一社会信用代码": BAD, "企业名称": "丙", "研发": "20万"},  # invalid key
    {"统一社会信用代码": code(4), "企业名称": "丁", "研发": "20万"},  # duplicated …
    {"统一社会信用代码": code(4), "企业名称": "丁二", "研发": "30万"},  # … both held
    {"统一社会信用代码": code(6), "企业名称": "=HYPERLINK(\"http://x\",\"领\")",
     "研发": "20万"},  # paid, a formula-looking name
    {"统一社会信用代码": code(7), "企业名称": "戊", "研发": "1万"},  # not eligible
    {"统一社会信用代码": code(7), "企业名称": "戊二", "研发": "20万"},  # duplicate of a row
]


@pytest.fixture(scope="module")
def book() -> Rulebook:
    result = load_sources({"r.rule": RULES})
    assert result.rulebook is not None, [d.message for d in result.diagnostics]
    return result.rulebook


@pytest.fixture(scope="module")
def benefits(book: Rulebook) -> Benefits:
    table = EnterpriseTable.from_records(RECORDS, book)
    return compute_benefits(book.match(table, as_of=AS_OF))


@pytest.fixture(scope="module")
def roster(benefits: Benefits) -> Roster:
    return build_roster(benefits)


def test_only_valid_unique_keys_are_paid(roster: Roster) -> None:
    assert [e.enterprise for e in roster.entries] == sorted([code(1), code(6)])
    assert roster.total() == Decimal("20000.00")


def test_the_others_are_to_verify_with_the_reason(roster: Roster) -> None:
    reasons = {v.row: v.reason for v in roster.to_verify}
    assert reasons == {
        2: "缺少统一社会信用代码",
        3: "统一社会信用代码无效",
        4: "统一社会信用代码重复（第5行）",
        5: "统一社会信用代码重复（第4行）",
        8: "统一社会信用代码重复（第7行）",
    }
    by_row = {v.row: v for v in roster.to_verify}
    assert by_row[3].enterprise == BAD  # shown as written, so it can be corrected
    assert by_row[2].enterprise == "" and by_row[2].enterprise_name == "乙"
    assert by_row[4].reason_en == "duplicate 统一社会信用代码 (also row 5)"
    assert roster.withheld["M1"].to_verify == 5
    assert roster.total_to_verify() == Decimal("50000.00")


def test_paid_and_to_verify_add_up_to_every_payable_row(roster: Roster,
                                                        benefits: Benefits) -> None:
    payable = (benefits.status["M1"] == HELD) & benefits.known["M1"] & benefits.settled("M1")
    assert len(roster.entries) + len(roster.to_verify) == int(payable.sum()) == 7
    paid = {e.enterprise for e in roster.entries}
    keys = [r.get("统一社会信用代码") for r in RECORDS]
    assert all(keys.count(k) == 1 and k != BAD for k in paid)  # never repeated nor invalid


def test_the_estimate_counts_a_repeated_key_once(benefits: Benefits) -> None:
    row = benefits.estimate("item")[0]
    # held rows: 1, 2, 3, 4, 5, 6, 8; row 5 repeats row 4's key and row 8 row 7's: not counted
    assert row.held == 5
    assert row.estimate == Decimal("50000.00")
    assert benefits.total().estimate == row.estimate
    assert benefits.keys.counted.tolist() == [True] * 4 + [False, True, True, False]
    assert int(np.count_nonzero(benefits.status["M1"] == HELD)) == 7  # resolution untouched


def test_xlsx_has_a_to_verify_sheet_and_inert_names(roster: Roster, tmp_path: Path) -> None:
    out = tmp_path / "roster.xlsx"
    assert roster.write(out) == 2
    workbook = openpyxl.load_workbook(out)
    assert workbook.sheetnames == ["免申即享名单", "待核实"]
    paid = list(workbook["免申即享名单"].iter_rows(min_row=2))
    names = [r[5] for r in paid]
    evil = next(c for c in names if "HYPERLINK" in str(c.value))
    assert evil.data_type == "s" and str(evil.value).startswith("'=")
    assert all(r[6].data_type == "n" for r in paid)  # amounts stay numbers
    verify = list(workbook["待核实"].iter_rows(values_only=True))
    assert verify[0][8] == "核实原因" and len(verify) == 1 + len(roster.to_verify)
    for sheet in workbook.worksheets:
        assert not [c for row in sheet.iter_rows() for c in row if c.data_type == "f"]


def test_csv_writes_the_to_verify_list_beside_the_roster(roster: Roster, tmp_path: Path) -> None:
    out = tmp_path / "roster.csv"
    assert Roster.output_paths(out) == [out, tmp_path / "roster-待核实.csv"]
    roster.write(out)
    with open(out, encoding="utf-8-sig", newline="") as handle:
        paid = list(csv.DictReader(handle))
    assert {r["统一社会信用代码"] for r in paid} == {code(1), code(6)}
    assert any(r["企业名称"].startswith("'=HYPERLINK") for r in paid)
    with open(tmp_path / "roster-待核实.csv", encoding="utf-8-sig", newline="") as handle:
        verify = list(csv.DictReader(handle))
    assert [r["核实原因"] for r in verify][:2] == ["缺少统一社会信用代码", "统一社会信用代码无效"]


def test_roster_command_never_overwrites(book: Rulebook, tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    rules = tmp_path / "r.rule"
    rules.write_text(RULES, encoding="utf-8")
    data = tmp_path / "data.csv"
    with open(data, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, ["统一社会信用代码", "企业名称", "研发"])
        writer.writeheader()
        writer.writerows(RECORDS)
    out = tmp_path / "roster.csv"
    (tmp_path / "roster-待核实.csv").write_text("earlier", encoding="utf-8")
    args = ["roster", str(rules), str(data), "--as-of", AS_OF.isoformat(), "--out", str(out),
            "--quiet", "--allow-errors"]
    assert main(args) == 2
    assert "文件已存在" in capsys.readouterr().err
    assert not out.exists()  # nothing written
    assert main([*args, "--force"]) == 0
    shown = capsys.readouterr()
    assert "待核实 5 家次" in shown.out and "2 roster entries" in shown.err
    assert main(["roster", str(rules), str(data), "--out", str(data), "--force",
                 "--quiet"]) == 2  # .csv roster over the data: refused
    assert "输入文件" in capsys.readouterr().err
    assert main(["benefits", str(rules), str(data), "--out", str(data), "--force",
                 "--quiet"]) == 2
