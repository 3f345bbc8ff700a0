"""The SQL benchmark's quick mode runs: the columnar engine, DuckDB and a real PostgreSQL
agree on every (policy, verdict) count, and it prints its table with ratios."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_quick_sql_benchmark_cross_checks_and_prints_ratios() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "benchmarks.sql", "--quick", "--n", "3000", "--pg-n", "1000",
         "--policies", "40", "--repeat", "1"],
        cwd=ROOT, capture_output=True, text=True, timeout=600)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out[-4000:]
    assert "CROSS-CHECK PASSED" in proc.stdout, out[-4000:]
    assert "| library × items | engine | match (s) | engine / columnar | load (s) |" in proc.stdout
    for row in ("| DuckDB run: 3,000 × ", "| PostgreSQL run: 1,000 × "):
        assert row in proc.stdout, row
    assert "| postgres |" in proc.stdout and "| duckdb |" in proc.stdout
