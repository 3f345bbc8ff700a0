"""What departments publish from the policy library: the 惠企政策兑现事项清单 (.xlsx, .csv),
the 一表读懂 pages (HTML, Markdown) and ``policy-match list | sheet | demo``."""

from __future__ import annotations

import base64
import csv
import datetime as dt
import html
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path
from xml.etree import ElementTree

import pytest
from openpyxl import load_workbook

import policy_match as pm
from policy_match.apps.publishing import listing as publish
from policy_match.apps.publishing import sheet
from policy_match.core.loading import load_sources
from policy_match.core.match import MatchResult
from policy_match.core.rulebook import Rulebook
from policy_match.data.table import EnterpriseTable
from policy_match.dsl.ir import Verdict
from policy_match.tools import demo

REPO = Path(__file__).resolve().parents[3]
RULES = REPO / "rules"
SAMPLE = REPO / "data" / "enterprises-2000.csv"
AS_OF = dt.date(2025, 6, 30)

# the work plan's 惠企政策兑现事项清单, column by column
WORK_PLAN_TEXT = ("事项名称、事项依据、事项内容、适用对象、适用时间、申请条件、申请材料、"
                  "申请方式、办结时限、政策分类、公布网址、执行部门、联系人、联系方式")
WORK_PLAN_COLUMNS = WORK_PLAN_TEXT.split("、")


@pytest.fixture(scope="module")
def book() -> Rulebook:
    return pm.load(RULES)


def small_book(cond: str, extra_fields: str = "", defines: str = "") -> Rulebook:
    text = f"""\
tag 营业收入: money
tag 从业人数: count(人)
tag 所在区域: code(region)
tag 所属行业: code(industry)
tag 资质: set["高新技术企业", "科技型中小企业"]
tag 失信被执行人: bool
{defines}
policy "T-1" {{
    事项名称: "测试事项"
    申请条件: {cond}
    {extra_fields}
}}
"""
    result = load_sources({"t.rule": text})
    assert result.rulebook is not None, [d.message for d in result.diagnostics]
    return result.rulebook


# ---- the 14 columns ------------------------------------------------------------------------


def test_fourteen_columns_in_the_work_plan_order() -> None:
    assert len(WORK_PLAN_COLUMNS) == 14
    assert tuple(WORK_PLAN_COLUMNS) == publish.COLUMNS


def test_every_row_has_the_fourteen_cells(book: Rulebook) -> None:
    for row in publish.list_rows(book):
        assert len(row.cells) == 14
        assert list(row.as_dict()) == WORK_PLAN_COLUMNS
        assert all(isinstance(c, str) for c in row.cells)
        policy = book.policies[row.policy_id]
        assert row["事项名称"] == policy.name
        assert row["执行部门"] == (policy.department or "")
        assert row["公布网址"] == (policy.url or "")


# ---- which items, as of a date -----------------------------------------------------------


def test_without_a_date_every_item_is_listed_unmarked(book: Rulebook) -> None:
    rows = publish.list_rows(book)
    assert [r.policy_id for r in rows] == list(book.policies)
    assert not any(publish.NOT_YET in r["适用时间"] for r in rows)


def test_one_row_per_item_not_expired_on_as_of(book: Rulebook) -> None:
    rows = publish.list_rows(book, AS_OF)
    ids = [r.policy_id for r in rows]
    expected = [pid for pid, p in book.policies.items()
                if p.valid_to is None or p.valid_to >= AS_OF]
    assert ids == expected
    assert len(ids) == len(set(ids))
    # the bundled book has items that ended before mid-2025 and items that start later
    expired = [pid for pid, p in book.policies.items()
               if p.valid_to is not None and p.valid_to < AS_OF]
    assert expired and not set(expired) & set(ids)
    pending = {r.policy_id: r for r in rows if r.status == "pending"}
    assert set(pending) == {pid for pid, p in book.policies.items()
                            if p.valid_from is not None and p.valid_from > AS_OF}
    assert pending["WH-FG-2026-001"]["适用时间"] == "2027年1月1日至2029年12月31日（尚未生效）"
    assert all(r["适用时间"].endswith(publish.NOT_YET) for r in pending.values())
    assert all(publish.NOT_YET not in r["适用时间"] for r in rows if r.status == "active")


def test_both_ends_of_the_validity_are_inclusive(book: Rulebook) -> None:
    # WH-KJ-2024-004 runs 2024-01-01 .. 2025-12-31
    def listed(day: dt.date) -> dict[str, publish.ListRow]:
        return {r.policy_id: r for r in publish.list_rows(book, day)}

    assert listed(dt.date(2025, 12, 31))["WH-KJ-2024-004"].status == "active"
    assert "WH-KJ-2024-004" not in listed(dt.date(2026, 1, 1))
    assert listed(dt.date(2024, 1, 1))["WH-KJ-2024-004"].status == "active"
    assert listed(dt.date(2023, 12, 31))["WH-KJ-2024-004"].status == "pending"


# ---- the cells -------------------------------------------------------------------------------


def test_validity_deadline_and_materials(book: Rulebook) -> None:
    rows = {r.policy_id: r for r in publish.list_rows(book)}
    kj = rows["WH-KJ-2024-003"]
    assert kj["适用时间"] == "2024年1月1日至2026年12月31日"
    assert kj["办结时限"] == "20个工作日"
    assert kj["申请材料"] == "申请表；高新技术企业证书"
    assert rows["WH-GX-2024-003"]["适用时间"] == "2022年8月1日起长期有效"
    assert rows["WH-KJ-2024-004"]["办结时限"] == "30个工作日"
    assert rows["WH-SW-2024-001"]["办结时限"] == ""  # not given in the rule: an empty cell
    assert rows["WH-KJ-2024-003"]["政策分类"] == "奖补类"


@pytest.mark.parametrize(("cond", "words"), [
    ("营业收入 >= 2000万", "营业收入2000万元以上"),
    ("营业收入 > 2000万", "营业收入超过2000万元"),
    ("从业人数 <= 300", "从业人数300人以下"),
    ("从业人数 < 20", "从业人数不满20人"),
])
def test_conditions_use_the_statutory_words(cond: str, words: str) -> None:
    row = publish.list_rows(small_book(cond))[0]
    assert row["申请条件"] == words + "。"


def test_bundled_conditions_use_statutory_words_and_no_operators(book: Rulebook) -> None:
    rows = {r.policy_id: r for r in publish.list_rows(book)}
    assert "（三）研发费用50万元以上；" in rows["WH-KJ-2024-004"]["申请条件"]
    assert "超过" in rows["WH-JR-2025-001"]["申请条件"]
    text = "\n".join(r["申请条件"] for r in rows.values())
    for word in ("以上", "以下", "超过"):
        assert word in text
    assert not re.search(r"[<>=≥≤≠]", text)


def test_conditions_are_the_describe_text_with_line_breaks(book: Rulebook) -> None:
    for pid, policy in book.policies.items():
        described = book.describe(pid).split("\n")
        condition_line = next(x for x in described if x.startswith("申请条件："))
        cell = publish.condition_text(book, policy)
        first, *definitions = [x for x in cell.split("\n其中，")]
        assert "申请条件：" + first.replace("\n", "") == condition_line
        for d in definitions:
            assert "其中，" + d in described
        assert publish.condition_text(book, policy, line_breaks=False).startswith(
            condition_line.removeprefix("申请条件："))


def test_top_level_items_one_per_line(book: Rulebook) -> None:
    cell = publish.condition_text(book, book.policy("WH-KJ-2024-003"))
    assert cell.split("\n") == [
        "同时满足下列条件：",
        "（一）资质包含“高新技术企业”；",
        "（二）高企认定类型为首次认定；",
        "（三）高企认定日期距评估日在1年以内；",
        "（四）所在区域属于五华区（530102）；",
        "（五）非失信被执行人。",
    ]


def test_labels_used_by_the_condition_are_explained(book: Rulebook) -> None:
    cell = publish.condition_text(book, book.policy("WH-GX-2024-001"))
    assert "其中，规上工业是指：" in cell
    assert "2000万元以上" in cell


def test_target_is_the_rule_s_own_where_given(book: Rulebook) -> None:
    policy = book.policy("WH-KJ-2024-003")
    assert policy.target
    assert publish.target_text(book, policy) == policy.target


def test_target_is_rendered_from_the_condition_where_absent(book: Rulebook) -> None:
    policy = book.policy("WH-GX-2024-001")
    assert policy.target is None
    assert publish.target_text(book, policy) == "属于规上工业、所在区域属于五华区（530102）的企业"
    small = small_book('所在区域 in ["530102"] and 资质 has "高新技术企业" and 营业收入 >= 100万 '
                       "and not 失信被执行人")
    assert publish.target_text(small, small.policy("T-1")) == (
        "所在区域属于五华区（530102）、资质包含“高新技术企业”的企业")
    only_thresholds = small_book("营业收入 >= 100万")
    assert publish.target_text(only_thresholds, only_thresholds.policy("T-1")) == \
        "符合申请条件的企业"


def test_missing_fields_are_empty_cells() -> None:
    row = publish.list_rows(small_book("营业收入 >= 100万"))[0]
    assert row["事项依据"] == row["申请材料"] == row["办结时限"] == row["公布网址"] == ""
    assert row["适用时间"] == "长期有效"


def test_open_ended_and_bounded_validity() -> None:
    book = small_book("营业收入 >= 100万", "适用时间: 2024-07-01 ..")
    assert publish.validity_text(book.policy("T-1")) == "2024年7月1日起长期有效"
    assert publish.validity_text(book.policy("T-1"), dt.date(2024, 6, 30)).endswith(
        "（尚未生效）")


# ---- files -----------------------------------------------------------------------------------


def test_xlsx_round_trip(book: Rulebook, tmp_path: Path) -> None:
    out = tmp_path / "清单.xlsx"
    rows = publish.list_rows(book, AS_OF)
    assert publish.write_list(book, out, AS_OF) == len(rows)
    # every part of the package is well-formed XML: no repair prompt on opening
    with zipfile.ZipFile(out) as package:
        assert package.testzip() is None
        for name in package.namelist():
            if name.endswith((".xml", ".rels")):
                ElementTree.fromstring(package.read(name))
    assert publish.read_xlsx(out) == [r.file_dict() for r in rows]
    wb = load_workbook(out)
    ws = wb.worksheets[0]
    assert ws.title == "惠企政策兑现事项清单"
    assert [c.value for c in ws[1]] == [*WORK_PLAN_COLUMNS, "事项编码"]
    assert all(c.font.bold for c in ws[1])
    assert ws.freeze_panes == "B2"
    assert ws.max_row == len(rows) + 1
    assert all(ws.cell(row=2, column=i).alignment.wrap_text for i in range(1, 16))
    assert ws.column_dimensions["F"].width > ws.column_dimensions["I"].width  # 申请条件 wide
    # the 申请条件 cell keeps its line breaks
    kj = next(i for i, r in enumerate(rows, start=2) if r.policy_id == "WH-KJ-2024-003")
    assert ws.cell(row=kj, column=6).value.count("\n") == 5


def test_xlsx_opens_in_libreoffice(book: Rulebook, tmp_path: Path) -> None:
    assert shutil.which("soffice"), "scripts/setup.sh installs LibreOffice (libreoffice-calc-nogui)"
    out = tmp_path / "list.xlsx"
    publish.write_list(book, out, AS_OF)
    proc = subprocess.run(
        ["soffice", "--headless", "--norestore", f"-env:UserInstallation=file://{tmp_path}/lo",
         "--convert-to", "csv:Text - txt - csv (StarCalc):44,34,76", str(out),
         "--outdir", str(tmp_path)],
        capture_output=True, text=True, timeout=180)
    converted = tmp_path / "list.csv"
    assert converted.exists(), proc.stdout + proc.stderr
    with open(converted, encoding="utf-8", newline="") as handle:
        read = list(csv.reader(handle))
    assert read[0] == [*WORK_PLAN_COLUMNS, "事项编码"]
    assert read[1:] == [list(r.values) for r in publish.list_rows(book, AS_OF)]


def test_csv_has_a_bom_and_the_same_rows(book: Rulebook, tmp_path: Path) -> None:
    out = tmp_path / "清单.csv"
    publish.write_list(book, out, AS_OF)
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    assert raw.count(b"\xef\xbb\xbf") == 1
    with open(out, encoding="utf-8-sig", newline="") as handle:
        read = list(csv.reader(handle))
    assert read[0] == [*WORK_PLAN_COLUMNS, "事项编码"]
    assert read[1:] == [list(r.values) for r in publish.list_rows(book, AS_OF)]


def test_other_suffixes_are_refused(book: Rulebook, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"\.xlsx or \.csv"):
        publish.write_list(book, tmp_path / "清单.txt")


# ---- 一表读懂 ------------------------------------------------------------------------------


def _qr_matrix_from_svg(svg: str) -> set[tuple[int, int]]:
    # qrcode's SVG path factory: one square "Mx,yHx+1Vy+1Hxz" per dark module
    return {(int(x), int(y)) for x, y in re.findall(r"M(\d+),(\d+)H\d+V\d+H\d+z", svg)}


def test_qr_svg_draws_the_qr_matrix() -> None:
    import qrcode
    from qrcode.constants import ERROR_CORRECT_M

    url = "https://example.gov.cn/policy/WH-KJ-2024-003"
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=4)
    code.add_data(url)
    code.make(fit=True)
    dark = {(x, y) for y, line in enumerate(code.get_matrix()) for x, d in enumerate(line) if d}
    assert _qr_matrix_from_svg(sheet.qr_svg(url)) == dark
    uri = sheet.qr_data_uri(url)
    assert uri.startswith("data:image/svg+xml;base64,")
    assert base64.b64decode(uri.split(",", 1)[1]).decode() == sheet.qr_svg(url)


def test_html_page(book: Rulebook) -> None:
    pid = "WH-KJ-2024-004"
    page = sheet.sheet_html(book, pid, AS_OF)
    policy = book.policy(pid)
    assert page.startswith("<!DOCTYPE html>")
    assert f"<h1>{policy.name}</h1>" in page
    # the QR code of the 公布网址, embedded
    uri = re.search(r'<img src="(data:image/svg\+xml;base64,[A-Za-z0-9+/=]+)"', page)
    assert uri is not None
    assert uri[1] == sheet.qr_data_uri(policy.url or "")
    # the conditions, item by item, as in the 清单
    for line in publish.condition_text(book, policy).split("\n"):
        assert html.escape(line) in page
    assert "研发费用50万元以上" in page
    for material in policy.materials:
        assert html.escape(material) in page
    for text in ("30个工作日", "区科学技术局", "李明", "0871-00000000",
                 "2024年1月1日至2025年12月31日", "最高不超过100万元"):
        assert text in page
    # self-contained: nothing fetched when opened or printed
    assert "<script" not in page and "<link" not in page
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", page)
    assert "@import" not in page and "url(" not in page


def test_html_marks_items_not_yet_in_force(book: Rulebook) -> None:
    page = sheet.sheet_html(book, "WH-FG-2026-001", AS_OF)
    assert '<span class="strong">尚未生效</span>' in page


def test_a_bare_item_still_makes_a_page() -> None:
    small = small_book('所在区域 in ["530102"] and 从业人数 < 20')
    page = sheet.sheet_html(small, "T-1")
    assert "<img" not in page and "data:image" not in page
    assert "所在区域属于五华区（530102），且从业人数不满20人。" in page
    assert "所在区域属于五华区（530102）的企业" in page
    md = sheet.sheet_markdown(small, "T-1")
    assert "data:image" not in md and "## 申请条件" in md


def test_markdown_page(book: Rulebook) -> None:
    pid = "WH-GX-2024-001"
    page = sheet.sheet_markdown(book, pid, AS_OF)
    assert page.startswith("# 规上工业企业稳增长奖励\n")
    assert f"![公布网址二维码]({sheet.qr_data_uri(book.policy(pid).url or '')})" in page
    assert "- （一）属于规上工业；" in page
    assert "其中，规上工业是指：" in page
    assert "## 兑付标准" in page and "50万元" in page
    assert "属于规上工业、所在区域属于五华区（530102）的企业" in page


def test_write_sheets(book: Rulebook, tmp_path: Path) -> None:
    ids = [r.policy_id for r in publish.list_rows(book, AS_OF)]
    written = sheet.write_sheets(book, ids, tmp_path, ("html", "md"), AS_OF)
    names = {p.name for p in written}
    assert {f"{pid}.html" for pid in ids} <= names
    assert {f"{pid}.md" for pid in ids} <= names
    assert {"index.html", "一表读懂-全部.html"} <= names
    combined = (tmp_path / "一表读懂-全部.html").read_text(encoding="utf-8")
    assert combined.count('<article class="sheet">') == len(ids)


# ---- the demo's choices ------------------------------------------------------------------


@pytest.fixture(scope="module")
def sample_match(book: Rulebook) -> MatchResult:
    assert SAMPLE.exists(), f"the bundled sample {SAMPLE} is missing"
    return book.match(EnterpriseTable.load(SAMPLE, book), as_of=AS_OF)


def test_bundled_paths_resolve_in_a_checkout() -> None:
    assert demo.bundled_rules() == RULES
    assert demo.bundled_sample() == SAMPLE


def test_showcase_picks_three_telling_enterprises(book: Rulebook,
                                                  sample_match: MatchResult) -> None:
    picks = demo.pick_showcase(book, sample_match)
    assert [p.kind for p in picks] == ["several", "unknown", "near_miss"]
    assert len({p.row for p in picks}) == 3
    several, unknown, near = picks
    most = max(sum(v is Verdict.ELIGIBLE for v in sample_match.for_enterprise(eid).values())
               for eid in sample_match.table.ids)
    assert several.verdicts[Verdict.ELIGIBLE] == most >= 2
    assert all(e.verdict is Verdict.ELIGIBLE for e in several.explanations)
    assert unknown.explanations and all(e.verdict is Verdict.UNKNOWN and e.missing
                                        for e in unknown.explanations)
    (miss,) = near.explanations
    assert miss.verdict is Verdict.INELIGIBLE and len(miss.gap) == 1
    assert book.policies[miss.policy_id].push == "精准"


def test_department_summary_adds_up(book: Rulebook, sample_match: MatchResult) -> None:
    summary = demo.by_department(book, sample_match)
    counts = sample_match.counts()
    assert sum(d.items for d in summary) == len(book.policies)
    assert sum(d.eligible for d in summary) == sum(c[Verdict.ELIGIBLE] for c in counts.values())
    assert sum(d.unknown for d in summary) == sum(
        c[Verdict.UNKNOWN] for pid, c in counts.items() if book.policies[pid].active_on(AS_OF))


# ---- the command line ----------------------------------------------------------------------


def cli() -> str:
    script = Path(sys.executable).with_name("policy-match")
    assert script.exists(), f"console script missing: {script} (pip install -e .)"
    return str(script)


def run(*args: str, cwd: Path = REPO, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run([cli(), *args], cwd=cwd, capture_output=True, text=True,
                          encoding="utf-8", timeout=timeout)
    assert "Traceback" not in proc.stdout + proc.stderr, proc.stdout + proc.stderr
    return proc


def test_cli_list_xlsx_and_csv(tmp_path: Path) -> None:
    book = pm.load(RULES)
    rows = publish.list_rows(book, AS_OF)
    left_out = len(book.policies) - len(rows)
    for name in ("清单.xlsx", "清单.csv"):
        proc = run("list", "rules/", "--out", str(tmp_path / name), "--as-of", "2025-06-30")
        assert proc.returncode == 0, proc.stderr
        assert f"wrote {len(rows)} item(s) as of 2025-06-30" in proc.stdout
        assert f"{left_out} expired, left out" in proc.stdout
    assert publish.read_xlsx(tmp_path / "清单.xlsx") == [r.file_dict() for r in rows]
    proc = run("list", "rules/", "--out", str(tmp_path / "all.csv"), "--all")
    assert proc.returncode == 0
    assert f"wrote {len(book.policies)} item(s)" in proc.stdout


def test_cli_list_usage_errors(tmp_path: Path) -> None:
    proc = run("list", "rules/", "--out", str(tmp_path / "清单.pdf"))
    assert proc.returncode == 2
    assert ".xlsx or .csv" in proc.stderr
    proc = run("list", "rules/", "--out", str(tmp_path / "no" / "such" / "清单.xlsx"))
    assert proc.returncode == 2
    assert "does not exist" in proc.stderr


def test_cli_sheet(tmp_path: Path) -> None:
    proc = run("sheet", "rules/", "WH-KJ-2024-003", "--out", str(tmp_path / "one"),
               "--format", "both")
    assert proc.returncode == 0, proc.stderr
    assert sorted(p.name for p in (tmp_path / "one").iterdir()) == [
        "WH-KJ-2024-003.html", "WH-KJ-2024-003.md"]
    proc = run("sheet", "rules/", "all", "--out", str(tmp_path / "all"), "--as-of", "2025-06-30")
    assert proc.returncode == 0, proc.stderr
    pages = sorted(p.stem for p in (tmp_path / "all").glob("WH-*.html"))
    assert pages == sorted(r.policy_id for r in publish.list_rows(pm.load(RULES), AS_OF))
    proc = run("sheet", "rules/", "WH-KJ-2024-03", "--out", str(tmp_path / "x"))
    assert proc.returncode == 2
    assert "WH-KJ-2024-003" in proc.stderr  # did you mean


def test_cli_demo_end_to_end_on_the_bundled_sample(tmp_path: Path) -> None:
    assert SAMPLE.exists(), f"the bundled sample {SAMPLE} is missing"
    # no timer here (speed lives in benchmarks/): run()'s timeout is the guard against a hang
    proc = run("demo", "--out", str(tmp_path / "out"), cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    out = proc.stdout
    for heading in ("一、检查规则库", "二、匹配企业库", "三、三家企业", "四、发布"):
        assert heading in out
    assert "ok: 11 file(s)" in out or re.search(r"ok: \d+ file\(s\)", out)
    assert "0 failed" in out
    assert "2,000 家企业" in out
    assert "按执行部门" in out and "区科学技术局" in out
    for title in ("1. 同时符合多项政策", "2. 数据不全，待补充信息", "3. 差一项就符合"):
        assert title in out
    assert "需补充" in out and "差距" in out
    xlsx = tmp_path / "out" / "惠企政策兑现事项清单.xlsx"
    assert publish.read_xlsx(xlsx) == [
        r.file_dict() for r in publish.list_rows(pm.load(RULES), AS_OF)]
    assert (tmp_path / "out" / "惠企政策兑现事项清单.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    assert (tmp_path / "out" / "一表读懂" / "index.html").exists()


def test_cli_demo_with_missing_data_says_so(tmp_path: Path) -> None:
    proc = run("demo", "--data", str(tmp_path / "none.csv"), "--out", str(tmp_path / "o"))
    assert proc.returncode == 2
    assert "--data" in proc.stderr and "does not exist" in proc.stderr


def test_cli_demo_on_other_data(tmp_path: Path) -> None:
    """``--rules``/``--data`` replace the bundled ones; a table from the rules' examples."""
    book = pm.load(RULES)
    records = [dict(ex.given, 统一社会信用代码=None) for p in book.policies.values()
               for ex in p.examples][:40]
    keys = sorted({k for r in records for k in r if k != "统一社会信用代码"})
    data = tmp_path / "examples.csv"
    with open(data, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(keys)
        for r in records:
            writer.writerow([_cell(r.get(k)) for k in keys])
    proc = run("demo", "--rules", "rules/", "--data", str(data), "--as-of", "2024-07-01",
               "--out", str(tmp_path / "o"))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "40 家企业" in proc.stdout


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, frozenset | set | list | tuple):
        return "、".join(sorted(str(v) for v in value)) or "无"
    if isinstance(value, dt.date):
        return value.isoformat()
    from fractions import Fraction

    if isinstance(value, Fraction):
        return str(value.numerator) if value.denominator == 1 else str(float(value))
    return str(value)


def test_cli_demo_without_bundled_data_says_how_to_proceed(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    from policy_match.cli import main

    monkeypatch.setattr(demo, "bundled_sample", lambda: None)
    assert main(["demo", "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert "enterprise sample enterprises-2000.csv is not in this installation" in err
    assert "--data" in err and "policy-match generate" in err
    monkeypatch.setattr(demo, "bundled_rules", lambda: None)
    assert main(["demo"]) == 2
    assert "rulebook rules/ is not in this installation; pass --rules" in capsys.readouterr().err
