"""``python -m benchmarks.backends --quick``: the columnar engine, our SQL on DuckDB and on a
real PostgreSQL, and Spark local[2] (mapInArrow and SQL) agree on every (item, verdict)
count, and one table compares them with one columnar baseline per data size."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks import backends, spark, sql  # noqa: E402

ROW = re.compile(r"^\| (?P<engine>[^|]+) \| (?P<n>[\d,]+) × (?P<items>[\d,]+) \| "
                 r"(?P<load>[^|]+) \| (?P<match>[\d.]+) \| (?P<ratio>[\d.,]+)× \| "
                 r"(?P<per_core>[\d,]+) \|$", re.MULTILINE)


def test_quick_run_cross_checks_every_backend_and_prints_one_table(tmp_path: Path) -> None:
    results = tmp_path / "backends.md"
    proc = subprocess.run(
        [sys.executable, "-m", "benchmarks.backends", "--quick", "--n", "3000", "--pg-n",
         "1000", "--policies", "15", "--work", str(tmp_path / "work"), "--results",
         str(results)],
        cwd=ROOT, capture_output=True, text=True, timeout=300)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out[-4000:]
    assert "CROSS-CHECK PASSED" in proc.stdout, out[-4000:]
    rows = [m.groupdict() for m in ROW.finditer(results.read_text(encoding="utf-8"))]
    engines = [(r["engine"], r["n"]) for r in rows]
    assert engines == [
        (backends.NAMES["columnar"], "3,000"), (backends.NAMES["duckdb"], "3,000"),
        (backends.NAMES["spark-arrow-raw"], "3,000"), (backends.NAMES["spark-arrow"], "3,000"),
        (backends.NAMES["spark-sql"], "3,000"),
        (backends.NAMES["columnar"], "1,000"), (backends.NAMES["postgres"], "1,000")]
    assert len({r["items"] for r in rows}) == 1 and 0 < int(rows[0]["items"]) <= 15
    assert [r["ratio"] for r in rows if r["engine"] == backends.NAMES["columnar"]] \
        == ["1.0", "1.0"]
    assert all(int(r["per_core"].replace(",", "")) > 0 for r in rows)
    assert [r["load"].strip() for r in rows if "Spark" in r["engine"]] == ["in match"] * 3
    assert rows[0]["engine"] in proc.stdout  # the table is printed too
    assert (tmp_path / "work" / "spec.json").exists()  # the data is kept for reuse


def test_a_disagreeing_engine_stops_the_run_with_status_1(
        capsys: pytest.CaptureFixture[str]) -> None:
    want = {("p1", "eligible"): 10, ("p2", "unknown"): 3}
    backends.cross_check("duckdb", 100, dict(want), want)  # agreeing: no exit
    with pytest.raises(SystemExit) as exited:
        backends.cross_check("duckdb", 100, {("p1", "eligible"): 9, ("p2", "unknown"): 3},
                             want)
    assert exited.value.code == 1
    assert "CROSS-CHECK FAILED" in capsys.readouterr().out


def test_data_in_the_work_folder_is_reused_when_it_fits(tmp_path: Path) -> None:
    spec = backends.ensure_data(tmp_path, 50, 5, 0)
    csv = Path(spec["csv"])
    written = csv.stat().st_mtime_ns
    assert backends.ensure_data(tmp_path, 50, 5, 0)["csv"] == str(csv)
    assert csv.stat().st_mtime_ns == written
    assert backends.ensure_data(tmp_path, 60, 5, 0)["n"] == 60  # another size: generated


@pytest.mark.parametrize(("module", "argv", "engines"), [
    (sql, ["--quick"], "duckdb,postgres"),
    (spark, ["--quick", "--no-sql"], "spark-arrow-raw,spark-arrow"),
    (spark, ["--quick"], "spark-arrow-raw,spark-arrow,spark-sql")])
def test_the_older_commands_run_a_subset_of_the_backends(
        monkeypatch: pytest.MonkeyPatch, module: Any, argv: list[str], engines: str) -> None:
    seen: list[list[str]] = []
    monkeypatch.setattr(backends, "main", lambda args, prog: seen.append(args) or 0)
    assert module.main(argv) == 0
    assert seen == [["--engines", engines, "--quick"]]
