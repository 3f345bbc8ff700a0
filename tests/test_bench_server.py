"""The portal benchmark in quick mode: it starts both servers, cross-checks the verdicts,
fires its bounded load and prints its table (the figures themselves are not asserted)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_quick_server_benchmark_cross_checks_and_prints_its_table(tmp_path: Path) -> None:
    results = tmp_path / "server.md"
    proc = subprocess.run(
        [sys.executable, "-m", "benchmarks.server", "--quick", "--workers", "1",
         "--concurrency", "16", "--results", str(results)],
        cwd=ROOT, capture_output=True, text=True, timeout=600)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out[-4000:]
    assert "CROSS-CHECK PASSED" in proc.stdout
    for row in ("| bare FastAPI echo (peer) |", "| POST /api/check |",
                "| POST /api/check explain=true |", "- without explanations:",
                "- with explanations:"):
        assert row in proc.stdout, row
    assert results.read_text(encoding="utf-8").startswith("# Portal benchmark")
