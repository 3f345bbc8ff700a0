"""EnterpriseTable readers: every format to the same values, headers by tag name or label,
Chinese spreadsheets' encodings, and nothing dropped silently."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest

import policy_match as pm
from policy_match.core.loading import load_sources

RULES = ('tag 代码: uscc key "统一社会信用代码"\ntag 营业收入: money "上年度营业收入"\n'
         'tag 成立日期: date\ntag 资质: set["高新技术企业", "科技型中小企业"]\n'
         'tag 失信: bool\n')
ROWS = [
    {"代码": "91350100M000100Y43", "营业收入": "2000万", "成立日期": "2021/3/1",
     "资质": "高新技术企业、科技型中小企业", "失信": "否"},
    {"代码": "91110000600037341L", "营业收入": "1.5亿元", "成立日期": "2021年3月2日",
     "资质": "", "失信": "是"},
]


@pytest.fixture(scope="module")
def book() -> pm.Rulebook:
    loaded = load_sources({"t.rule": RULES}).rulebook
    assert loaded is not None
    return loaded


def rows_of(table: pm.EnterpriseTable) -> list[dict]:
    return [table.row(i) for i in range(len(table))]


def test_xlsx_csv_jsonl_and_records_read_the_same(book: pm.Rulebook, tmp_path: Path) -> None:
    expected = rows_of(pm.EnterpriseTable.from_records(ROWS, book))
    assert expected[0]["营业收入"] == 20_000_000 and expected[1]["失信"] is True
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(list(ROWS[0]))
    for row in ROWS:
        ws.append(list(row.values()))
    wb.save(tmp_path / "t.xlsx")
    (tmp_path / "t.csv").write_text(
        ",".join(ROWS[0]) + "\n" + "\n".join(",".join(r.values()) for r in ROWS) + "\n",
        encoding="utf-8")
    (tmp_path / "t.jsonl").write_text(
        "\n".join(json.dumps(r, ensure_ascii=False) for r in ROWS), encoding="utf-8")
    for name in ("t.xlsx", "t.csv", "t.jsonl"):
        table = pm.EnterpriseTable.load(tmp_path / name, book)
        assert table.errors == [], name
        assert rows_of(table) == expected, name
        assert table.ids == ["91350100M000100Y43", "91110000600037341L"]


def test_headers_may_be_tag_labels_and_gbk_csv_is_read(book: pm.Rulebook,
                                                        tmp_path: Path) -> None:
    text = "统一社会信用代码,上年度营业收入,备注\n91350100M000100Y43,3000万,老客户\n"
    (tmp_path / "gbk.csv").write_bytes(text.encode("gb18030"))
    table = pm.EnterpriseTable.from_csv(tmp_path / "gbk.csv", book)
    assert table.row(0)["营业收入"] == 30_000_000
    assert table.unknown_columns == ("备注",)


def test_a_bad_jsonl_line_is_a_rejected_row_and_the_rest_loads(book: pm.Rulebook,
                                                                tmp_path: Path) -> None:
    lines = [json.dumps(ROWS[0], ensure_ascii=False), "{not json", "", json.dumps(ROWS[1])]
    (tmp_path / "t.jsonl").write_text("\n".join(lines), encoding="utf-8")
    table = pm.EnterpriseTable.from_jsonl(tmp_path / "t.jsonl", book)
    assert len(table) == 2
    [error] = table.errors
    assert (error.row, error.line, error.column) == (None, 2, "(line)")
    assert str(error).startswith("line 2, (line) = '{not json': not one JSON object")
    assert table.counts.rejected_rows == 1 and table.counts.in_file == 3


def test_an_unknown_format_is_a_clear_error(book: pm.Rulebook, tmp_path: Path) -> None:
    (tmp_path / "t.txt").write_text("x", encoding="utf-8")
    with pytest.raises(ValueError, match="unknown table format"):
        pm.EnterpriseTable.load(tmp_path / "t.txt", book)


def test_free_text_from_a_file_stays_arrow_until_a_rule_tests_it(tmp_path: Path) -> None:
    from policy_match.engine.columns import TextColumn

    loaded = load_sources({"t.rule": 'tag 名称: text\ntag 收入: money\n'
                           'policy "A" { name: "a"  eligible: 名称 == "甲公司" }\n'}).rulebook
    assert loaded is not None
    (tmp_path / "t.csv").write_text("名称,收入\n甲公司,1\n 乙公司 ,2\n未知,3\n,4\n",
                                    encoding="utf-8")
    table = pm.EnterpriseTable.from_csv(tmp_path / "t.csv", loaded)
    assert isinstance(table.columns.columns["名称"], TextColumn)
    assert [table.row(i).get("名称") for i in range(4)] == ["甲公司", "乙公司", None, None]
    result = loaded.match(table, as_of=None)
    assert [result.verdict(i, "A").value for i in table.ids] == [
        "eligible", "ineligible", "unknown", "unknown"]


def test_a_csv_decimal_longer_than_a_float_is_kept_exact(tmp_path: Path) -> None:
    loaded = load_sources({"t.rule": 'tag 增长率: ratio\n'
                           'policy "R" { name: "r"  eligible: 增长率 >= 10% }\n'}).rulebook
    assert loaded is not None
    (tmp_path / "t.csv").write_text("增长率\n0.09999999999999999999\n0.1\n", encoding="utf-8")
    table = pm.EnterpriseTable.from_csv(tmp_path / "t.csv", loaded)
    result = loaded.match(table, as_of=None)
    assert [result.verdict(i, "R").value for i in table.ids] == ["ineligible", "eligible"]
    assert [loaded.evaluate(table.row(i), "R").value for i in range(2)] == [
        "ineligible", "eligible"]
