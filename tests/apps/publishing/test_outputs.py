"""Payment-grade outputs of publishing: inert cells, unique page names, nothing overwritten."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pytest
from openpyxl import load_workbook

from policy_match.apps.publishing import listing, sheet
from policy_match.cli import main
from policy_match.core.loading import load_sources
from policy_match.core.rulebook import Rulebook

AS_OF = dt.date(2025, 6, 30)
EVIL = '=HYPERLINK("http://evil.example","点击领取补贴")'


def _policy(pid: str, name: str) -> str:
    return f"""
policy "{pid}" {{
    事项名称: "{name}"
    执行部门: "-科技局"
    申请条件: 营业收入 >= 100万
}}
"""


def make_book(policies: list[tuple[str, str]]) -> Rulebook:
    text = "tag 营业收入: money\n" + "".join(_policy(pid, name) for pid, name in policies)
    result = load_sources({"r.rule": text})
    assert result.rulebook is not None, [d.message for d in result.diagnostics]
    return result.rulebook


EVIL_NAME = EVIL.replace('"', "'")  # a rule string cannot hold a bare double quote


@pytest.fixture(scope="module")
def evil_book() -> Rulebook:
    return make_book([("T-1", EVIL_NAME), ("T-2", "+1+1")])


def test_a_formula_looking_name_is_inert_in_the_xlsx(evil_book: Rulebook, tmp_path: Path) -> None:
    out = tmp_path / "清单.xlsx"
    assert listing.write_list(evil_book, out) == 2
    ws = load_workbook(out).worksheets[0]
    cell = ws["A2"]
    assert cell.data_type == "s" and cell.value == "'" + EVIL_NAME
    assert ws["A3"].value == "'+1+1" and ws["A3"].data_type == "s"
    assert ws["L2"].value == "'-科技局"  # 执行部门
    assert not [c.coordinate for row in ws.iter_rows() for c in row if c.data_type == "f"]
    # read back exactly as written in the rules
    assert [r["事项名称"] for r in listing.read_xlsx(out)] == [EVIL_NAME, "+1+1"]


def test_a_formula_looking_name_is_inert_in_the_csv(evil_book: Rulebook, tmp_path: Path) -> None:
    out = tmp_path / "清单.csv"
    listing.write_list(evil_book, out)
    with open(out, encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[1][0] == "'" + EVIL_NAME and rows[2][0] == "'+1+1"
    assert all(not cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)


# ---- 一表读懂: one file per page ----------------------------------------------------------


COLLIDING = [("A/B", "甲"), ("A_B", "乙"), ("index", "丙"), ("a_b", "丁"), ("C", "戊"),
             ("一表读懂-全部", "己")]


def test_colliding_ids_get_distinct_files(tmp_path: Path) -> None:
    book = make_book(COLLIDING)
    ids = [pid for pid, _ in COLLIDING]
    planned = sheet.sheet_paths(ids, tmp_path, ("html", "md"))
    written = sheet.write_sheets(book, ids, tmp_path, ("html", "md"), AS_OF)
    assert written == planned
    on_disk = sorted(p.name for p in tmp_path.iterdir())
    assert len(on_disk) == len(written) == 2 * len(ids) + 2  # every page, index, 全部
    assert len({p.name.casefold() for p in written}) == len(written)  # even ignoring case
    names = sheet.page_names(ids)
    assert names["C"] == "C"  # a safe, unshared id keeps its name
    assert names["A/B"] != names["A_B"] and names["index"] != "index"
    for pid, title in COLLIDING:  # each page holds its own item
        page = (tmp_path / f"{names[pid]}.html").read_text(encoding="utf-8")
        assert f"<h1>{title}</h1>" in page
    index = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert "<h1>惠企政策兑现事项（6项）</h1>" in index
    from urllib.parse import quote

    for pid in ids:
        assert f'href="{quote(names[pid] + ".html")}"' in index


def test_page_names_are_stable() -> None:
    ids = [pid for pid, _ in COLLIDING]
    assert sheet.page_names(ids) == sheet.page_names(list(reversed(ids)))
    assert sheet.page_names(["A/B"])["A/B"] == sheet.page_names(ids)["A/B"]


# ---- the commands never overwrite -------------------------------------------------------


@pytest.fixture()
def rules(tmp_path: Path) -> Path:
    folder = tmp_path / "rules"
    folder.mkdir()
    (folder / "r.rule").write_text("tag 营业收入: money\n" + _policy("T-1", "事项"),
                                   encoding="utf-8")
    return folder


def test_list_refuses_to_replace_a_file(rules: Path, tmp_path: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "清单.csv"
    out.write_text("earlier", encoding="utf-8")
    assert main(["list", str(rules), "--out", str(out), "--all"]) == 2
    err = capsys.readouterr().err
    assert "文件已存在" in err and "--force" in err
    assert out.read_text(encoding="utf-8") == "earlier"
    assert main(["list", str(rules), "--out", str(out), "--all", "--force"]) == 0
    assert "事项" in out.read_text(encoding="utf-8-sig")


def test_list_never_replaces_its_input(rules: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = rules / "r.rule"
    before = source.read_bytes()
    # the rules file itself, named as the output, with --force: still refused
    as_csv = rules / "r.csv"
    as_csv.symlink_to(source)
    assert main(["list", str(source), "--out", str(as_csv), "--force"]) == 2
    assert "输入文件" in capsys.readouterr().err
    assert source.read_bytes() == before


def test_sheet_refuses_before_writing_any_page(rules: Path, tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "pages"
    out.mkdir()
    (out / "T-1.md").write_text("earlier", encoding="utf-8")
    assert main(["sheet", str(rules), "T-1", "--out", str(out), "--format", "both"]) == 2
    assert "--force" in capsys.readouterr().err
    assert sorted(p.name for p in out.iterdir()) == ["T-1.md"]  # the .html was not written
    assert main(["sheet", str(rules), "T-1", "--out", str(out), "--format", "both",
                 "--force"]) == 0
    assert sorted(p.name for p in out.iterdir()) == ["T-1.html", "T-1.md"]
    assert "wrote 2 file(s)" in capsys.readouterr().err
