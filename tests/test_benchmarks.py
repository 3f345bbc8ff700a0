"""The benchmark's quick mode: it runs, the three bulk engines agree, and it prints its table.

Needs the ``bench`` extra (polars, duckdb, rule-engine, psutil); this test installs nothing.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BENCH_MODULES = ("polars", "duckdb", "rule_engine", "psutil")


def test_quick_benchmark_cross_checks_and_prints_its_table(tmp_path: Path) -> None:
    missing = [m for m in BENCH_MODULES if importlib.util.find_spec(m) is None]
    if missing:
        pytest.fail(f"the benchmark needs {', '.join(missing)}: install the bench extra "
                    f"(.venv/bin/pip install -e '.[bench]')", pytrace=False)
    results = tmp_path / "results.md"
    proc = subprocess.run(
        [sys.executable, "-m", "benchmarks.run", "--quick", "--results", str(results)],
        cwd=ROOT, capture_output=True, text=True, timeout=600)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out[-4000:]
    assert "CROSS-CHECK PASSED" in proc.stdout, out[-4000:]
    assert "Cross-check: **PASSED**" in proc.stdout
    assert "| measure | policy_match | Polars | DuckDB | rule-engine | peer / ours |" in \
        proc.stdout
    for row in ("| bulk match, 20,000 ×", "| one new policy", "| point lookup",
                "| CSV load, 20,000 rows", "| peak RSS"):
        assert row in proc.stdout, row
    assert results.read_text(encoding="utf-8").startswith("# Benchmark: 20,000 enterprises")
