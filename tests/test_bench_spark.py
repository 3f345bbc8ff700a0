"""The Spark benchmark's quick mode runs: our columnar engine, Spark mapInArrow (raw and
typed tables) and Spark SQL agree on every (policy, verdict) pair count, and it prints its
table with ratios and per-core throughput."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_quick_spark_benchmark_cross_checks_and_prints_ratios(tmp_path: Path) -> None:
    results = tmp_path / "spark.md"
    proc = subprocess.run(
        [sys.executable, "-m", "benchmarks.spark", "--quick", "--n", "3000", "--policies", "30",
         "--results", str(results)],
        cwd=ROOT, capture_output=True, text=True, timeout=600)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out[-4000:]
    assert "CROSS-CHECK PASSED" in proc.stdout, out[-4000:]
    assert "| engine | time (s) | engine / ours | pairs per core-second |" in proc.stdout
    for row in ("| policy_match columnar (1 core) |", "| Spark local[2] mapInArrow, raw table |",
                "| Spark local[2] mapInArrow, typed table |",
                "| Spark local[2] SQL, typed table |"):
        assert row in proc.stdout, row
    assert results.read_text(encoding="utf-8").startswith("# Spark benchmark: 3,000 enterprises")
