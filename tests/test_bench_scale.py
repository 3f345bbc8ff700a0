"""The scale benchmark (benchmarks/scale.py) in quick mode, smaller still: it runs every job,
cross-checks before any time counts, and prints one row per goal with its peer and ratio.

Needs the ``bench`` extra (polars, psutil); this test installs nothing. Timings are not
asserted (goals are measured at full size, see docs/scale-local.md)."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_quick_scale_benchmark_cross_checks_and_prints_every_goal(tmp_path: Path) -> None:
    missing = [m for m in ("polars", "psutil") if importlib.util.find_spec(m) is None]
    if missing:
        pytest.fail(f"the benchmark needs {', '.join(missing)}: install the bench extra",
                    pytrace=False)
    results = tmp_path / "scale.md"
    proc = subprocess.run(
        [sys.executable, "-m", "benchmarks.scale", "--quick", "--n", "4000", "--policies", "60",
         "--work", str(tmp_path / "work"), "--results", str(results)],
        cwd=ROOT, capture_output=True, text=True, timeout=600)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out[-4000:]
    assert "CROSS-CHECK PASSED" in proc.stdout, out[-4000:]
    text = results.read_text(encoding="utf-8")
    assert text.startswith("# Scale benchmark: 4,000 enterprises × 60 policies")
    for row in ("| roster, 4,000 rows", "| roster job peak RSS", "| push plan of a daily refresh",
                "| push job peak RSS", "| refresh after 1% of 4,000 rows",
                "| eligible ids of every policy", "| CSV load, 4,000 rows",
                "| peak RSS of the bulk job", "| point lookup, 1 × 60"):
        assert row in text, row
    assert "× match" in text and "× Polars" in text and "of a full match" in text
    load = next(line for line in text.splitlines() if line.startswith("| CSV load"))
    assert "Polars, every tag cast" in load  # the load's peer casts every tag, as ours does
