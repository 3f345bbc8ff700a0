"""``policy-match lint`` as a real subprocess: text and JSON output, exit codes, --lang."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from policy_match.base.messages import text

REPO = Path(__file__).resolve().parents[2]
PLANTED = "tests/rulebooks/planted"


def run(*args: str, cwd: Path = REPO) -> subprocess.CompletedProcess[str]:
    script = Path(sys.executable).with_name("policy-match")
    proc = subprocess.run([str(script), "lint", *args, "--as-of", "2025-06-01"], cwd=cwd,
                          capture_output=True, text=True, encoding="utf-8", timeout=120)
    assert "Traceback" not in proc.stdout + proc.stderr, proc.stdout + proc.stderr
    return proc


def test_bundled_rules_are_clean() -> None:
    proc = run("rules/", "--lang", "en")
    assert proc.returncode == 0, proc.stdout
    assert proc.stdout.strip() == text("diag.summary", "en", errors=0, warnings=0)


def test_planted_findings_as_text_in_chinese() -> None:
    proc = run(PLANTED, "--lang", "zh")
    assert proc.returncode == 1
    out = proc.stdout
    assert "planted.rule:4:11: 警告[W-UNSAT]: 事项 PL-UNSAT 的申请条件永远无法满足" in out
    assert "   4 |     申请条件: 营业收入 >= 5000万 且 营业收入 < 100万" in out
    assert "提示: " in out and "例如这家企业: 从业人数 = 5，营业收入增长率 = 30%" in out
    assert out.rstrip().endswith(text("diag.summary", "zh", errors=0, warnings=10))


def test_planted_findings_as_text_in_english() -> None:
    proc = run(PLANTED, "--lang", "en")
    assert proc.returncode == 1
    assert "warning[W-TIERS]: tier 2 overlaps tier 1 at 30%" in proc.stdout
    assert "for example this enterprise: " in proc.stdout
    assert "lacks fields the published list needs: url (公布网址), contact (联系人)" \
        in proc.stdout
    assert proc.stdout.rstrip().endswith(text("diag.summary", "en", errors=0, warnings=10))


def test_planted_findings_as_json() -> None:
    proc = run(PLANTED, "--format", "json", "--lang", "en")
    assert proc.returncode == 1
    data = json.loads(proc.stdout)
    assert data["ok"] is False and data["loaded"] is True and data["findings"] == 10
    items = data["diagnostics"]
    assert [i["line"] for i in items] == sorted(i["line"] for i in items)
    assert {i["code"] for i in items} == {"W-UNSAT", "W-ALWAYS", "W-REDUNDANT",
                                          "W-UNREACHABLE", "W-TIERS", "W-SAME", "W-GROUP",
                                          "W-INCOMPLETE"}
    tiers = [i for i in items if i["code"] == "W-TIERS"]
    assert {"营业收入增长率": "30%", "从业人数": "5"} in [i["witness"] for i in tiers]
    assert all(i["severity"] == "warning" and i["hint"] for i in items)


def test_json_in_chinese() -> None:
    data = json.loads(run(PLANTED, "--format", "json", "--lang", "zh").stdout)
    first = data["diagnostics"][0]
    assert first["code"] == "W-UNSAT" and "永远无法满足" in first["message"]


def test_a_rulebook_with_errors_shows_the_errors(tmp_path: Path) -> None:
    (tmp_path / "a.rule").write_text("tag 营业收入: money\ndefine x = 营业收入 >= 300人\n",
                                     encoding="utf-8")
    proc = run(str(tmp_path), "--lang", "en")
    assert proc.returncode == 1
    assert "error[E-" in proc.stdout and "W-" not in proc.stdout
    data = json.loads(run(str(tmp_path), "--format", "json").stdout)
    assert data["loaded"] is False and data["errors"] >= 1


def test_clean_rulebook_json(tmp_path: Path) -> None:
    proc = run("rules/", "--format", "json")
    assert proc.returncode == 0
    assert json.loads(proc.stdout) == {"ok": True, "loaded": True, "findings": 0,
                                       "diagnostics": []}


def test_a_missing_path_is_a_usage_error() -> None:
    proc = run("no/such/folder")
    assert proc.returncode == 2


def test_one_file_linted_alone_hints_at_the_folder(tmp_path: Path, folder_of_two: Path) -> None:
    one = folder_of_two
    zh = run(str(one), "--lang", "zh")
    assert zh.returncode == 1
    assert "错误[E-NAME]: 未定义的名称 营业收入" in zh.stdout
    assert f"提示: 营业收入 在同一文件夹的 {tmp_path / 'tags.rule'} 中声明" in zh.stdout
    assert f"policy-match check {tmp_path}" in zh.stdout
    en = run(str(one), "--lang", "en")
    assert "check the whole folder" in en.stdout
    data = json.loads(run(str(one), "--format", "json", "--lang", "en").stdout)
    assert data["ok"] is False and data["loaded"] is False and data["lang"] == "en"
    (d,) = data["diagnostics"]
    assert d["code"] == "E-NAME"
    assert d["hint"] == text("hint.check_folder", "en", name="营业收入",
                             file=str(tmp_path / "tags.rule"), folder=str(tmp_path))
