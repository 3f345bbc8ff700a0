"""免申即享 rosters (roster.py) and the money commands (cli/money.py).

The roster holds no enterprise whose verdict is unknown, each row's amount equals
``book.benefit`` for that record (to the cent), its facts are the true atoms of the
explanation, and roster ids are stable.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections.abc import Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest

import policy_match as pm
from policy_match.apps.money.benefits import compute_benefits, money
from policy_match.apps.money.roster import Roster, build_roster, roster_id
from policy_match.cli import main
from policy_match.core.loading import load_sources
from policy_match.core.rulebook import Rulebook
from policy_match.data.table import EnterpriseTable
from policy_match.dsl.ir import Verdict
from policy_match.tools.generate import REFERENCE_DATE, generate, write

REPO = Path(__file__).resolve().parents[3]
AS_OF = dt.date(2024, 7, 1)

RULES = """\
tag 代码: text key
tag 企业名称: text
tag 研发: money
tag 资质: set["甲", "乙", "丙"]
tag 失信: bool
policy "M1" {
    事项名称: "定额免申"
    执行部门: "科技局"
    申请条件: 资质 has "甲" and not 失信
    互斥组: "G"
    免申即享: 是
    兑付标准: 20万
}
policy "M2" {
    事项名称: "比例免申"
    申请条件: 研发 >= 10万 or 资质 has "乙"
    免申即享: 是
    兑付标准: min(研发 * 10%, 30万)
}
policy "N1" {
    事项名称: "需申请"
    申请条件: 资质 has "丙"
    互斥组: "G"
    兑付标准: 50万
}
"""
RECORDS: list[dict[str, Any]] = [
    {"代码": "E1", "企业名称": "甲公司", "资质": ["甲"], "失信": "否", "研发": "1234567.85"},
    {"代码": "E2", "资质": ["甲"], "研发": "5万"},  # 失信 missing: M1 unknown
    {"代码": "E3", "资质": ["甲", "丙"], "失信": "否"},  # N1 (50万) displaces M1
    {"代码": "E4", "资质": ["乙"], "失信": "否"},  # M2 eligible, 研发 missing: amount unknown
    {"代码": "E5", "失信": "否", "研发": "20万"},  # 资质 missing: M1 unknown; M2 2万
    {"代码": "E6", "资质": ["甲"], "失信": "否", "研发": "8.345"},
]


def load(text: str) -> Rulebook:
    result = load_sources({"r.rule": text})
    assert result.rulebook is not None, [d.message for d in result.diagnostics]
    return result.rulebook


def make_roster(book: Rulebook, records: Sequence[Mapping[str, Any]],
                as_of: dt.date = AS_OF) -> Roster:
    table = EnterpriseTable.from_records(records, book)
    return build_roster(compute_benefits(book.match(table, as_of=as_of)))


@pytest.fixture(scope="module")
def book() -> Rulebook:
    return load(RULES)


@pytest.fixture(scope="module")
def small(book: Rulebook) -> Roster:
    return make_roster(book, RECORDS)


def test_who_is_on_the_roster(small: Roster) -> None:
    entries = {(e.policy_id, e.enterprise): e for e in small.entries}
    assert set(entries) == {("M1", "E1"), ("M2", "E1"), ("M2", "E5"), ("M1", "E6")}
    assert entries[("M1", "E1")].amount == Decimal("200000.00")
    assert entries[("M1", "E1")].enterprise_name == "甲公司"
    assert entries[("M2", "E1")].amount == Decimal("123456.79")  # 123456.785, half up
    assert entries[("M2", "E5")].amount == Decimal("20000.00")
    withheld = small.withheld
    assert withheld["M1"].unknown == 2  # E2 (失信), E5 (资质)
    assert withheld["M1"].displaced == 1  # E3: N1 is higher
    assert withheld["M2"].amount_unknown == 1  # E4
    assert "N1" not in withheld  # not 免申即享


def test_roster_rows_rest_on_known_facts(book: Rulebook, small: Roster) -> None:
    by_id = {r["代码"]: r for r in RECORDS}
    for entry in small.entries:
        record = by_id[entry.enterprise]
        assert book.evaluate(record, entry.policy_id, as_of=AS_OF) is Verdict.ELIGIBLE
        exact = book.benefit(record, entry.policy_id, as_of=AS_OF)
        assert isinstance(exact, Decimal)
        assert entry.amount == money(exact)
        assert entry.facts and all(not f.startswith(("✓", "✗", "?")) for f in entry.facts)
    m1 = next(e for e in small.entries if (e.policy_id, e.enterprise) == ("M1", "E1"))
    assert any(f.startswith("资质") for f in m1.facts)
    assert any(f.startswith("失信") for f in m1.facts)
    m2 = next(e for e in small.entries if (e.policy_id, e.enterprise) == ("M2", "E1"))
    assert m2.facts == ("研发 123.4568万元，达到10万元以上",)
    assert m2.amount_basis == ("研发 1,234,567.85元",)  # exact: the amount is computed from it


def test_roster_ids_are_stable_and_distinct(book: Rulebook, small: Roster) -> None:
    again = make_roster(book, RECORDS)
    assert [e.roster_id for e in again.entries] == [e.roster_id for e in small.entries]
    assert len({e.roster_id for e in small.entries}) == len(small.entries)
    entry = small.entries[0]
    assert entry.roster_id == roster_id(entry.policy_id, entry.enterprise, entry.as_of,
                                        entry.amount)
    assert roster_id("M1", "E1", AS_OF, Decimal("200000")) == \
        roster_id("M1", "E1", AS_OF, Decimal("200000.00"))
    assert roster_id("M1", "E1", AS_OF, Decimal("200000.01")) != \
        roster_id("M1", "E1", AS_OF, Decimal("200000.00"))
    assert roster_id("M1", "E1", dt.date(2024, 7, 2), Decimal("200000")) != \
        roster_id("M1", "E1", AS_OF, Decimal("200000"))


def test_an_undecided_competitor_keeps_an_enterprise_off_the_roster(book: Rulebook) -> None:
    # M1 is eligible with a known amount, but N1 (same 互斥组, 50万) is unknown: 资质 lacks
    # 丙 and 研发 is missing. Were N1 eligible it would displace M1, so M1 is not paid yet.
    text = RULES.replace('申请条件: 资质 has "丙"', '申请条件: 资质 has "丙" or 研发 >= 100万')
    roster = make_roster(load(text), [{"代码": "X", "资质": ["甲"], "失信": "否"}])
    assert [e.policy_id for e in roster.entries] == []
    assert roster.withheld["M1"].unsettled == 1


def test_policy_filter(book: Rulebook) -> None:
    table = EnterpriseTable.from_records(RECORDS, book)
    benefits = compute_benefits(book.match(table, as_of=AS_OF))
    only = build_roster(benefits, ["M2"])
    assert {e.policy_id for e in only.entries} == {"M2"}
    with pytest.raises(ValueError, match="not 免申即享"):
        build_roster(benefits, ["N1"])


def test_csv_and_xlsx_exports(small: Roster, tmp_path: Path) -> None:
    path = tmp_path / "roster.csv"
    assert small.to_csv(path) == len(small.entries)
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM for Excel
    with open(path, encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == len(small.entries)
    assert rows[0]["名单编号"] == small.entries[0].roster_id
    assert "代码" in rows[0]  # the key tag names the enterprise column
    assert [Decimal(r["兑付金额（元）"]) for r in rows] == [e.amount for e in small.entries]
    xlsx = tmp_path / "roster.xlsx"
    assert small.write(xlsx) == len(small.entries)
    sheet = openpyxl.load_workbook(xlsx).active
    values = list(sheet.iter_rows(values_only=True))
    assert values[0][0] == "名单编号" and len(values) == len(small.entries) + 1
    assert [Decimal(str(v[6])) for v in values[1:]] == [e.amount for e in small.entries]
    with pytest.raises(ValueError):
        small.write(tmp_path / "roster.txt")


# ---- the bundled rulebook --------------------------------------------------------------------


@pytest.fixture(scope="module")
def bundled() -> tuple[Rulebook, list[dict[str, Any]], Roster]:
    book = pm.load(REPO / "rules")
    records = generate(1200, seed=5)
    return book, records, make_roster(book, records, as_of=REFERENCE_DATE)


def test_bundled_roster(bundled: tuple[Rulebook, list[dict[str, Any]], Roster]) -> None:
    book, records, roster = bundled
    assert len(roster) > 0
    key = book.key
    assert key is not None
    by_id = {str(r.get(key)): r for r in records}
    no_application = {pid for pid, p in book.policies.items() if p.no_application}
    for entry in roster.entries:
        assert entry.policy_id in no_application
        record = by_id[entry.enterprise]
        # never an unknown verdict, and the amount is book.benefit for that record
        assert book.evaluate(record, entry.policy_id, as_of=REFERENCE_DATE) is Verdict.ELIGIBLE
        assert entry.amount == book.benefit(record, entry.policy_id, as_of=REFERENCE_DATE)
        assert entry.facts
    unknown = {(pid, eid) for pid in no_application for eid, rec in by_id.items()
               if book.policies[pid].active_on(REFERENCE_DATE)
               and book.evaluate(rec, pid, as_of=REFERENCE_DATE) is Verdict.UNKNOWN}
    assert unknown  # the data leave some undecided …
    assert not unknown & {(e.policy_id, e.enterprise) for e in roster.entries}  # … unpaid


# ---- the command line -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def data_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("money") / "enterprises.csv"
    write(generate(600, seed=8), path)
    return path


def test_cli_benefits(data_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "estimate.csv"
    details = tmp_path / "details.jsonl"
    code = main(["benefits", str(REPO / "rules"), str(data_file), "--as-of", "2025-06-30",
                 "--by", "department", "--out", str(out), "--details", str(details),
                 "--quiet"])
    assert code == 0
    shown = capsys.readouterr().out
    assert "财政测算" in shown and "合计" in shown
    with open(out, encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0][0] == "键" and rows[-1][0] == "total"
    first = json.loads(details.read_text(encoding="utf-8").splitlines()[0])
    assert {"enterprise", "policy", "verdict", "status", "amount"} <= set(first)
    code = main(["benefits", str(REPO / "rules"), str(data_file), "--as-of", "2025-06-30",
                 "--format", "json", "--quiet"])
    assert code == 0
    data = json.loads(capsys.readouterr().out)
    assert data["by"] == "item" and data["rows"]
    assert Decimal(data["total"]["estimate"]) == sum(Decimal(r["estimate"])
                                                     for r in data["rows"])


def test_cli_roster(data_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "roster.xlsx"
    code = main(["roster", str(REPO / "rules"), str(data_file), "--as-of", "2025-06-30",
                 "--out", str(out), "--quiet"])
    assert code == 0
    assert "合计" in capsys.readouterr().out
    assert openpyxl.load_workbook(out).active.max_row > 1
    book = pm.load(REPO / "rules")
    not_free = next(pid for pid, p in book.policies.items() if not p.no_application)
    code = main(["roster", str(REPO / "rules"), str(data_file), "--out",
                 str(tmp_path / "r.csv"), "--policy", not_free, "--quiet"])
    assert code == 2
    code = main(["roster", str(REPO / "rules"), str(data_file), "--out",
                 str(tmp_path / "r.txt"), "--quiet"])
    assert code == 2
