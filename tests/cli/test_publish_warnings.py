"""``list`` and ``sheet`` warn about items missing 清单 fields (W-INCOMPLETE, as ``lint``
reports it) and publish all the same: real subprocesses, both languages."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from policy_match.analysis import incomplete, lint
from policy_match.core.loading import inspect

COMPLETE = ('    事项依据: "某办法"\n    申请材料: ["申请表"]\n    申请方式: "网上申请"\n'
            '    办结时限: 20个工作日\n    公布网址: "https://example.gov.cn/p"\n'
            '    执行部门: "区科技局"\n    联系人: "张三"\n    联系方式: "0871-1234567"\n')
RULES = ('tag 编号: text key\ntag 营业收入: money\n'
         'policy "FULL" {\n    事项名称: "齐全"\n' + COMPLETE +
         '    申请条件: 营业收入 >= 1\n}\n'
         'policy "BARE" {\n    事项名称: "缺字段"\n    执行部门: "区科技局"\n'
         '    申请条件: 营业收入 >= 1\n}\n')
BARE_FIELDS_ZH = "事项依据、申请材料、申请方式、办结时限、公布网址、联系人、联系方式"


def run(*args: str, lang_env: str = "C.UTF-8") -> subprocess.CompletedProcess[str]:
    script = Path(sys.executable).with_name("policy-match")
    env = {k: v for k, v in os.environ.items() if k not in ("LC_ALL", "LC_MESSAGES", "LANG")}
    proc = subprocess.run([str(script), *args], capture_output=True, text=True,
                          encoding="utf-8", timeout=120, env={**env, "LANG": lang_env})
    assert "Traceback" not in proc.stdout + proc.stderr, proc.stderr
    return proc


def _rules(tmp_path: Path) -> Path:
    path = tmp_path / "items.rule"
    path.write_text(RULES, encoding="utf-8")
    return path


def test_list_warns_about_each_incomplete_item_and_still_writes(tmp_path: Path) -> None:
    rules = _rules(tmp_path)
    out = tmp_path / "清单.csv"
    zh = run("list", str(rules), "--out", str(out), "--as-of", "2025-06-30", "--lang", "zh")
    assert zh.returncode == 0, zh.stderr
    assert out.exists() and f"已写入 2 项（评估日 2025-06-30）到 {out}" in zh.stdout
    assert f"{rules}:15:1: 警告[W-INCOMPLETE]: 事项 BARE 缺少发布清单所需的字段：{BARE_FIELDS_ZH}" \
        in zh.stderr
    assert "FULL" not in zh.stderr  # a complete item is not named
    assert zh.stderr.count("W-INCOMPLETE") == 1
    en = run("list", str(rules), "--out", str(out), "--as-of", "2025-06-30", "--force",
             lang_env="en_US.UTF-8")
    assert en.returncode == 0, en.stderr
    assert "warning[W-INCOMPLETE]: item BARE lacks fields the published list needs: " \
           "basis (事项依据), materials (申请材料)" in en.stderr
    assert "help: fill in these fields" in en.stderr
    assert f"wrote 2 item(s) as of 2025-06-30 to {out}" in en.stdout
    data = json.loads(run("list", str(rules), "--out", str(out), "--force", "--format", "json",
                          "--as-of", "2025-06-30").stdout)
    assert data["rows"] == 2  # the JSON document stays on standard output, alone


def test_sheet_warns_only_about_the_items_it_writes(tmp_path: Path) -> None:
    rules = _rules(tmp_path)
    pages = tmp_path / "pages"
    full = run("sheet", str(rules), "FULL", "--out", str(pages), "--as-of", "2025-06-30")
    assert full.returncode == 0 and "W-INCOMPLETE" not in full.stderr
    bare = run("sheet", str(rules), "BARE", "--out", str(pages), "--as-of", "2025-06-30",
               lang_env="zh_CN.UTF-8")
    assert bare.returncode == 0, bare.stderr
    assert (pages / "BARE.html").exists()
    assert f"警告[W-INCOMPLETE]: 事项 BARE 缺少发布清单所需的字段：{BARE_FIELDS_ZH}" in bare.stderr
    assert "提示: 补全这些字段" in bare.stderr
    assert f"已为 1 个事项写入 1 个文件到 {pages}" in bare.stderr
    assert f"wrote 1 file(s) for 1 item(s) to {pages}" in full.stderr  # C.UTF-8: English


def test_an_out_list_and_sheet_cannot_write_is_refused_in_the_language_asked(
        tmp_path: Path) -> None:
    rules = _rules(tmp_path)
    for lang, suffix, folder, not_folder in [
            ("zh", "：清单只能写成 .xlsx 或 .csv", "：文件夹", "：不是文件夹"),
            ("en", ": the 清单 is written as .xlsx or .csv", ": the folder", ": not a folder")]:
        bad = run("list", str(rules), "--out", str(tmp_path / "x.txt"), "--lang", lang)
        assert bad.returncode == 2 and f"x.txt{suffix}" in bad.stderr
        missing = tmp_path / "nowhere" / "x.csv"
        bad = run("list", str(rules), "--out", str(missing), "--lang", lang)
        assert bad.returncode == 2 and f"{missing}{folder} {missing.parent}" in bad.stderr
        bad = run("sheet", str(rules), "FULL", "--out", str(rules), "--lang", lang)
        assert bad.returncode == 2 and f"items.rule{not_folder}" in bad.stderr


def test_the_warning_is_lints_finding(tmp_path: Path) -> None:
    result = inspect(_rules(tmp_path))
    assert result.rulebook is not None
    linted = [d for d in lint(result) if d.code.value == "W-INCOMPLETE"]
    warned = incomplete(result.rulebook)
    assert [(d.span, d.text("zh"), d.hint_text("en")) for d in warned] == \
        [(d.span, d.text("zh"), d.hint_text("en")) for d in linted]
    assert [d.text("en").split()[1] for d in warned] == ["BARE"]
