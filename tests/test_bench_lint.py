"""The lint benchmark in quick mode: it cross-checks the findings and prints its table (the
figures themselves are not asserted)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_quick_lint_benchmark_cross_checks_and_prints_its_table() -> None:
    proc = subprocess.run([sys.executable, "-m", "benchmarks.lint", "--quick"], cwd=ROOT,
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, (proc.stdout + proc.stderr)[-4000:]
    assert "CROSS-CHECK PASSED" in proc.stdout
    for row in ("| rules/ |", "| planted |", "goal: lint of rules/"):
        assert row in proc.stdout, row
