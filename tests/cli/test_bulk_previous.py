"""``policy-match match RULES DATA --previous OLD_DATA``: the refresh path on the command
line prints the same pairs as a full match and says what changed (zh and en)."""

from __future__ import annotations

from pathlib import Path

import pytest

from policy_match.cli import main

RULES = """\
tag 代码: text key
tag 收入: money
policy "A" {
    事项名称: "甲"
    申请条件: 收入 >= 100万
}
"""


def write(path: Path, rows: list[tuple[str, int | None]]) -> Path:
    lines = ["代码,收入"] + [f"{k},{'' if v is None else v}" for k, v in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_match_with_previous_prints_the_full_match_and_the_changes(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "a.rule").write_text(RULES, encoding="utf-8")
    old = write(tmp_path / "old.csv", [("E1", 2_000_000), ("E2", 10), ("E3", None)])
    new = write(tmp_path / "new.csv", [("E1", 2_000_000), ("E2", 3_000_000), ("E4", 5)])
    args = [str(tmp_path / "rules"), str(new), "--format", "csv", "--as-of", "2025-06-30"]
    assert main(["match", *args]) == 0
    full = capsys.readouterr().out
    assert main(["match", *args, "--previous", str(old), "--lang", "zh"]) == 0
    shown = capsys.readouterr()
    assert shown.out == full and "E2,A,eligible" in full
    assert "企业新增 1、删除 1、变更 1 家（重算 2 家）" in shown.err
    assert "enterprise(s) added" not in shown.err  # in the language asked, not both
    assert main(["match", *args, "--previous", str(old), "--lang", "en"]) == 0
    shown = capsys.readouterr()
    assert "1 enterprise(s) added, 1 removed, 1 changed (2 evaluated again)" in shown.err
    assert "企业新增" not in shown.err
