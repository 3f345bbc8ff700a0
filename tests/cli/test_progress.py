"""Progress on long commands (cli/progress.py): on a terminal, each step shows what is done
of the total, the percentage, the rate and the time left; piped, nothing at all."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
from pathlib import Path

import pytest

from policy_match.cli.progress import Progress

RULES = """\
tag 代码: text key
tag 收入: money
tag 成立日期: date
policy "A" {
    事项名称: "甲"
    申请条件: 收入 >= 100万
}
policy "B" {
    事项名称: "乙"
    申请条件: 成立日期 <= 评估日 - 3年 and 收入 >= 10万
}
"""


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("progress")
    (root / "rules").mkdir()
    (root / "rules" / "a.rule").write_text(RULES, encoding="utf-8")
    lines = ["代码,收入,成立日期"] + [f"E{i},{i * 1000},20{10 + i % 14}-01-01"
                                   for i in range(3000)]
    (root / "data.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return root / "rules", root / "data.csv"


def command(rules: Path, data: Path) -> list[str]:
    return [sys.executable, "-m", "policy_match.cli", "match", str(rules), str(data),
            "--format", "csv", "--as-of", "2025-06-30"]


def on_a_terminal(args: list[str]) -> tuple[int, str]:
    """Run with standard error on a pseudo-terminal; what the terminal received."""
    master, slave = pty.openpty()
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=slave,
                            env={**os.environ, "COLUMNS": "160"})
    os.close(slave)
    out = b""
    while True:
        ready, _, _ = select.select([master], [], [], 60)
        if not ready:
            break
        try:
            chunk = os.read(master, 65536)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        out += chunk
    os.close(master)
    return proc.wait(), out.decode("utf-8", "replace")


def test_a_terminal_sees_counts_percentage_rate_and_time_left(files: tuple[Path, Path]
                                                              ) -> None:
    code, shown = on_a_terminal(command(*files))
    assert code == 0
    assert "读取" in shown and "匹配 3,000 家企业 × 2 项政策" in shown
    assert "2/2" in shown and "100%" in shown  # done of the total, percentage
    assert "项/s" in shown or "格/s" in shown  # a rate
    assert "剩余" in shown  # time left


def test_piped_output_shows_no_progress(files: tuple[Path, Path]) -> None:
    proc = subprocess.run(command(*files), capture_output=True, text=True, check=True)
    assert "剩余" not in proc.stderr and "%" not in proc.stderr
    assert "\x1b[" not in proc.stderr  # no terminal control at all
    assert proc.stdout.startswith("enterprise,policy,verdict")


def test_the_library_callback_is_a_no_op_when_quiet() -> None:
    with Progress(enabled=False) as progress:
        track = progress.track("x")
        track(1, 2)  # nothing to show, nothing raised
        progress.step("y", total=3)
