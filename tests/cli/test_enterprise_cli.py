"""`policy-match explain / profile / describe / test` as a user runs them (real subprocesses)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
RULES = ROOT / "rules"
RECORD = ROOT / "examples" / "enterprise.json"
CLI = shutil.which("policy-match", path=str(Path(sys.executable).parent)) or "policy-match"


def locale_env(lang: str) -> dict[str, str]:
    """The environment with the locale ``lang`` (``--lang`` defaults to the locale's)."""
    env = {k: v for k, v in os.environ.items() if k not in ("LC_ALL", "LC_MESSAGES", "LANG")}
    return {**env, "LANG": lang}


def run(*args: str, locale: str = "zh_CN.UTF-8") -> subprocess.CompletedProcess[str]:
    """The command under a Chinese locale unless told otherwise (the officials' own)."""
    return subprocess.run([CLI, *args], capture_output=True, text=True, cwd=ROOT, timeout=120,
                          env=locale_env(locale))


def test_explain_prints_a_readable_chinese_answer() -> None:
    done = run("explain", str(RULES), "--record", str(RECORD), "--as-of", "2024-07-01")
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "Traceback" not in out + done.stderr
    assert "：符合" in out  # at least one item fits this enterprise
    assert "✓ 营业收入 3.2亿元，达到2,000万元以上" in out
    assert "兑付标准：" in out
    # eligible items come first, then unknown ones with what is missing
    first_unknown = out.find("：待补充信息")
    assert 0 < out.find("：符合") < first_unknown
    assert "需补充：" in out[first_unknown:]


def test_explain_json_is_valid_and_mirrors_the_text() -> None:
    done = run("explain", str(RULES), "--record", str(RECORD), "--as-of", "2024-07-01",
               "--policy", "WH-GX-2024-001", "--format", "json")
    assert done.returncode == 0, done.stderr
    (answer,) = json.loads(done.stdout)
    assert answer["policy_id"] == "WH-GX-2024-001"
    assert answer["verdict"] == "eligible"
    assert answer["benefit"] == "30万元"
    assert answer["tree"]["outcome"] == "true"
    atoms = []

    def collect(node: dict) -> None:
        if node.get("atom"):
            atoms.append(node["atom"])
        for child in node.get("children", []):
            collect(child)

    collect(answer["tree"])
    assert any(a["subject"] == "营业收入" and a["observed"] == "3.2亿元" for a in atoms)


def test_explain_in_english() -> None:
    done = run("explain", str(RULES), "--record", str(RECORD), "--as-of", "2024-07-01",
               "--policy", "WH-GX-2024-001", "--lang", "en")
    assert done.returncode == 0
    assert ": eligible" in done.stdout and "all of" in done.stdout


def test_explain_unknown_policy_is_a_usage_error_with_a_hint() -> None:
    done = run("explain", str(RULES), "--record", str(RECORD), "--policy", "WH-GX-2024-01")
    assert done.returncode == 2
    assert "did you mean" in done.stderr
    assert "Traceback" not in done.stderr


def test_explain_bad_record_file_is_a_usage_error(tmp_path: Path) -> None:
    bad = tmp_path / "r.json"
    bad.write_text("[1, 2]", encoding="utf-8")
    done = run("explain", str(RULES), "--record", str(bad))
    assert done.returncode == 2
    assert "JSON object" in done.stderr


def test_profile_lists_every_define() -> None:
    done = run("profile", str(RULES), "--record", str(RECORD), "--format", "json")
    assert done.returncode == 0, done.stderr
    labels = json.loads(done.stdout)
    assert labels["规上工业"] is True
    assert labels["研发投入占比"] == "0.05"
    assert labels["企业规模划型"] == "小型"  # 120 people: below the 中型 bound of 300


def test_describe_uses_statutory_words() -> None:
    done = run("describe", str(RULES), "WH-SW-2024-001")
    assert done.returncode == 0
    assert "300万元以下" in done.stdout and "300人以下" in done.stdout


def test_test_runs_every_example_and_fails_with_locations(tmp_path: Path) -> None:
    done = run("test", str(RULES), "--lang", "en")
    assert done.returncode == 0, done.stdout
    assert done.stdout.strip().endswith("0 failed")
    broken = tmp_path / "rules"
    shutil.copytree(RULES, broken)
    target = next(p for p in sorted(broken.glob("*.rule")) if "预期 符合" in p.read_text("utf-8"))
    text = target.read_text("utf-8")
    target.write_text(text.replace("预期 符合", "预期 不符合", 1), encoding="utf-8")
    done = run("test", str(broken), "--lang", "zh")
    assert done.returncode == 1
    line = next(ln for ln in done.stdout.splitlines() if "未通过" in ln)
    path, lineno, col = line.split(":")[:3]
    assert Path(path).name == target.name and int(lineno) > 0 and int(col) > 0
    assert "预期 不符合" in done.stdout
    assert "1 个失败" in done.stdout


@pytest.mark.parametrize("command", ["explain", "profile"])
def test_record_values_that_do_not_parse_are_reported_not_dropped(command: str,
                                                                  tmp_path: Path) -> None:
    record = json.loads(RECORD.read_text("utf-8"))
    record["营业收入"] = "约三亿"
    path = tmp_path / "r.json"
    path.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
    args = ["--as-of", "2024-07-01"]
    done = run(command, str(RULES), "--record", str(path), *args)
    assert done.returncode == 0, done.stderr
    said = done.stdout + done.stderr
    assert "营业收入 = '约三亿'" in said
