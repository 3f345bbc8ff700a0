"""Every backend in one run, against one columnar baseline per data size (issue 13): our
columnar engine vs our SQL on DuckDB vs Spark local[2] (mapInArrow and SQL) vs PostgreSQL.

    .venv/bin/python -m benchmarks.backends [--quick] [--n N] [--pg-n N] [--policies P]
        [--work DIR] [--results FILE] [--engines E,...] [--verdicts V,...] [--repeat R]

Defaults: N = 1,000,000 enterprises × P = 2,000 generated items (1,906 in force on the
reference date) for the columnar engine, DuckDB and Spark; PostgreSQL on the first
100,000 of those rows (``--pg-n``), with its own columnar baseline on the same rows.
``--quick``: N = 20,000, 5,000 on PostgreSQL, P = 100 (``tests/test_bench_backends.py``
runs a smaller one still).

1. data as ``benchmarks.run`` makes it (``policy_match.tools.generate``, seed 0, as CSV;
   ``benchmarks.policies`` as ``rules/``) in ``--work``, reused when its ``spec.json`` has
   the same N, P and seed; the CSV is read once;
2. per data size, the columnar baseline: ``EnterpriseTable.from_arrow`` (parse and check
   every value: "load", timed apart), then ``book.match(...).counts()`` on one core ("match",
   best of ``--repeat``);
3. each engine on the same rows: DuckDB and PostgreSQL load the table (``to_database``,
   timed apart) and run one counting query compiled from the rulebook (``benchmarks.sql``);
   Spark runs whole jobs on Parquet files written from the same rows (``benchmarks.spark``;
   reading is inside its time; start-up and a warm-up job are not);
4. **cross-checks** every engine's pair counts per (item, verdict) against the columnar
   engine's on the same rows before any time is reported: exit status 1 on a mismatch;
5. prints one table — engine, rows × items, load and match seconds, match / columnar (same
   size), (enterprise, item) pairs decided per core-second — and writes it as Markdown with
   ``--results``.

The job everywhere: every pair decided, the pairs whose verdict is in ``--verdicts``
(default ``eligible,unknown``, what ``to_sql`` returns) produced and counted per (item,
verdict).
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import importlib
import json
import os
import shutil
import sys
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from policy_match.dsl.ir import Verdict

from .policies import AS_OF
from .spark import CORES as SPARK_CORES
from .spark import ROUTES as SPARK_ROUTES
from .sql import Counts, columnar_counts, differences, run_database, timed

ENGINES = ("duckdb", "postgres", *SPARK_ROUTES)
DEFAULT_ENGINES = ("duckdb", *SPARK_ROUTES, "postgres")
NAMES = {"columnar": "policy_match columnar (1 core)",
         "duckdb": "our SQL on DuckDB",
         "postgres": "our SQL on PostgreSQL (1 backend process)",
         "spark-arrow-raw": "Spark local[2] mapInArrow, raw table",
         "spark-arrow": "Spark local[2] mapInArrow, typed table",
         "spark-sql": "Spark local[2] SQL, typed table"}


@dataclass(frozen=True)
class Plan:
    n: int
    pg_n: int
    policies: int
    seed: int
    repeat: int
    verdicts: tuple[Verdict, ...]
    engines: tuple[str, ...]
    work: Path
    keep_work: bool

    def size_of(self, engine: str) -> int:
        return self.pg_n if engine == "postgres" else self.n

    @property
    def sizes(self) -> tuple[int, ...]:
        return tuple(sorted({self.n} | {self.size_of(e) for e in self.engines}, reverse=True))


@dataclass(frozen=True)
class Row:
    """One engine's measurement on ``n`` rows; ``load_s`` is ``None`` where loading is
    inside the match time (Spark reads its Parquet file in the job)."""

    engine: str
    n: int
    items: int
    match_s: float
    cores: int
    load_s: float | None
    load_average: float

    @property
    def pairs_per_core_s(self) -> float:
        return self.n * self.items / (self.match_s * self.cores)


# ---- data --------------------------------------------------------------------------------------


def ensure_data(work: Path, n: int, policies: int, seed: int) -> dict[str, Any]:
    """``benchmarks.run``'s CSV and rules in ``work``: reused when its ``spec.json`` says they
    are N rows and P policies from ``seed``, generated otherwise."""
    spec_path = work / "spec.json"
    if spec_path.exists():
        spec: dict[str, Any] = json.loads(spec_path.read_text(encoding="utf-8"))
        if (spec["n"], spec["policies"], spec.get("seed", 0)) == (n, policies, seed) \
                and Path(spec["csv"]).exists() and Path(spec["rules"]).is_dir():
            print(f"reusing {spec['csv']} and {spec['rules']}", flush=True)
            return spec
    from .run import prepare

    print(f"generating {n:,} enterprises and {policies:,} policies in {work} …", flush=True)
    spec = prepare(work, n, policies, seed, 1, 200)
    spec.pop("table")
    return spec


def read_csv(path: Path) -> Any:
    """The CSV as the Arrow table our reader makes of it (text and numbers, unchecked)."""
    from policy_match.data.io import csv_format

    return csv_format.read(path).take_arrow()


# ---- the engines -------------------------------------------------------------------------------


def columnar(book: Any, table: Any, plan: Plan, items: int, load_s: float
             ) -> tuple[Row, Counts]:
    counts, first = timed(lambda: columnar_counts(book, table, plan.verdicts))
    best = min([first] + [timed(lambda: columnar_counts(book, table, plan.verdicts))[1]
                          for _ in range(plan.repeat - 1)])
    return Row("columnar", len(table), items, best, 1, load_s, os.getloadavg()[0]), counts


def database(engine: str, url: str, book: Any, table: Any, plan: Plan, items: int
             ) -> tuple[Row, Counts]:
    report = run_database(book, table, engine, url, plan.verdicts, plan.repeat)
    cores = (os.cpu_count() or 1) if engine == "duckdb" else 1  # DuckDB: a thread a core
    return (Row(engine, len(table), items, report["match_s"], cores, report["load_s"],
                os.getloadavg()[0]), report["counts"])


def spark_jobs(raw: Any, table: Any, book: Any, plan: Plan, items: int,
               notes: dict[str, Any]) -> Iterator[tuple[Row, Counts]]:
    """The Spark routes asked for, one after the other, in one warmed-up local[2]
    session."""
    from .spark import run_spark, start_session, write_parquet

    paths = write_parquet(plan.work, raw, table, book)
    notes["parquet_mb"] = {k: p.stat().st_size / 2**20 for k, p in paths.items()}
    spark, notes["spark_startup_s"] = start_session(book, paths["raw"], len(table), AS_OF)
    print(f"  (Spark started and warmed up in {notes['spark_startup_s']:.1f} s)", flush=True)
    try:
        for route in (r for r in SPARK_ROUTES if r in plan.engines):
            path = paths["raw" if route == "spark-arrow-raw" else "typed"]
            report = run_spark(route, path, spark, book, AS_OF, plan.verdicts)
            notes["partitions"] = report["partitions"]
            yield (Row(route, len(table), items, report["match_s"], SPARK_CORES, None,
                       os.getloadavg()[0]), report["counts"])
    finally:
        spark.stop()


def cross_check(engine: str, n: int, got: Counts, want: Counts) -> None:
    """Exit (status 1) unless ``engine``'s counts are the columnar engine's."""
    wrong = differences(got, want)
    if wrong:
        print(f"CROSS-CHECK FAILED: {NAMES[engine]} on {n:,} rows disagrees with the columnar "
              f"engine on {len(wrong)} (item, verdict) counts, first "
              f"{[(k, got.get(k), want.get(k)) for k in wrong[:3]]} (engine, columnar)",
              flush=True)
        raise SystemExit(1)


def engines_at(size: int, raw: Any, table: Any, book: Any, plan: Plan, items: int,
               notes: dict[str, Any]) -> Iterator[tuple[Row, Counts]]:
    """Yield (row, counts) for every engine asked for at this data size, one at a time."""
    engines = [e for e in plan.engines if plan.size_of(e) == size]
    if "duckdb" in engines:
        print(f"  {NAMES['duckdb']} …", flush=True)
        path = plan.work / "backends.duckdb"
        yield database("duckdb", f"duckdb:///{path}", book, table, plan, items)
        path.unlink(missing_ok=True)
    if any(e in SPARK_ROUTES for e in engines):
        print("  Spark local[2]: Parquet files, session start-up and warm-up …", flush=True)
        yield from spark_jobs(raw, table, book, plan, items, notes)
    if "postgres" in engines:
        sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "fixtures"))
        postgres_server = importlib.import_module("postgres").postgres_server  # the tests'

        print(f"  {NAMES['postgres']} (a throw-away server) …", flush=True)
        with postgres_server() as url:
            yield database("postgres", url, book, table, plan, items)


def measure(plan: Plan, raw_all: Any, book: Any, items: int, notes: dict[str, Any]
            ) -> list[Row]:
    """Per data size: the columnar baseline, then every engine at that size, each
    cross-checked against the baseline before its time is printed."""
    from policy_match.data.table import EnterpriseTable

    rows = []
    for size in plan.sizes:
        raw = raw_all if size == raw_all.num_rows else raw_all.slice(0, size)
        print(f"{size:,} rows × {items:,} items: columnar …", flush=True)
        table, load_s = timed(functools.partial(EnterpriseTable.from_arrow, raw, book))
        base, want = columnar(book, table, plan, items, load_s)
        notes.setdefault("result_rows", {})[size] = sum(want.values())
        print(f"  load {load_s:.2f} s, match {base.match_s:.2f} s", flush=True)
        rows.append(base)
        for row, got in engines_at(size, raw, table, book, plan, items, notes):
            cross_check(row.engine, size, got, want)
            load = "" if row.load_s is None else f"load {row.load_s:.2f} s, "
            print(f"    {NAMES[row.engine]}: {load}match {row.match_s:.2f} s "
                  f"(counts identical)", flush=True)
            rows.append(row)
    return rows


# ---- report ------------------------------------------------------------------------------------


def render(rows: list[Row], plan: Plan, notes: dict[str, Any]) -> str:
    base = {r.n: r for r in rows if r.engine == "columnar"}
    lines = [f"# Backends side by side: {plan.n:,} enterprises × {rows[0].items:,} items "
             f"in force ({plan.policies:,} generated)", "",
             f"Run {notes['started']} UTC: `{notes['command']}` — {os.cpu_count()} cores; "
             f"1-minute load average {notes['load_before']:.1f} at the start, "
             f"{os.getloadavg()[0]:.1f} at the end (other work on the machine slows every "
             f"engine, ours included).", "",
             "Cross-check: **PASSED** — every engine's pair counts per (item, verdict) "
             "identical to the columnar engine's on the same rows.", "",
             "| engine | rows × items | load (s) | match (s) | match / columnar | "
             "pairs per core-second |", "|---|---|---:|---:|---:|---:|"]
    for r in rows:
        load = "in match" if r.load_s is None else f"{r.load_s:.2f}"
        lines.append(f"| {NAMES[r.engine]} | {r.n:,} × {r.items:,} | {load} | "
                     f"{r.match_s:.2f} | {r.match_s / base[r.n].match_s:,.1f}× | "
                     f"{r.pairs_per_core_s:,.0f} |")
    return "\n".join([*lines, "", *footnotes(rows, base, plan, notes)]) + "\n"


def footnotes(rows: list[Row], base: dict[int, Row], plan: Plan, notes: dict[str, Any]
              ) -> list[str]:
    verdicts = ",".join(v.value for v in plan.verdicts)
    out = [f"- The job: every (enterprise, item) pair decided; the pairs whose verdict is "
           f"{verdicts} produced and counted per (item, verdict) — "
           + ", ".join(f"{n:,} result rows on {size:,} enterprises"
                       for size, n in notes["result_rows"].items()) + ".",
           f"- Columnar: load is `EnterpriseTable.from_arrow` (parse and check every value) "
           f"of the CSV as read ({notes['read_csv_s']:.1f} s for {plan.n:,} rows, once); "
           f"match is `book.match(...).counts()`, best of {plan.repeat}, on one core.",
           "- DuckDB and PostgreSQL: load is `to_database`; match is one query compiled from "
           "the rulebook (`to_sql` inside a `GROUP BY policy_id, verdict`), best of "
           f"{plan.repeat}. DuckDB's per-core figure divides by its {os.cpu_count()} threads, "
           "PostgreSQL's by its one backend process."]
    spark = [r for r in rows if r.engine in SPARK_ROUTES]
    if spark:
        whole = base[plan.n].load_s or 0.0
        whole += base[plan.n].match_s
        mb = notes["parquet_mb"]
        out.append(f"- Spark: whole jobs on 2 cores — read the Parquet file ({mb['raw']:.0f} MB "
                   f"raw, {mb['typed']:.0f} MB typed, {notes['partitions']} partition(s)), "
                   f"match, produce every result row, count them. Start-up and a warm-up job "
                   f"(Python workers started, the rulebook compiled once in each) "
                   f"{notes['spark_startup_s']:.1f} s, not counted. Against the columnar "
                   f"load + match ({whole:.2f} s): "
                   + ", ".join(f"{NAMES[r.engine]} {r.match_s / whole:,.1f}×" for r in spark)
                   + ".")
    out.append("- 1-minute load average after each engine: "
               + ", ".join(f"{r.engine} on {r.n:,} {r.load_average:.1f}" for r in rows) + ".")
    return out


# ---- command line ------------------------------------------------------------------------------


def make_plan(args: argparse.Namespace) -> Plan:
    n = args.n or (20_000 if args.quick else 1_000_000)
    engines = tuple(e.strip() for e in args.engines.split(",") if e.strip())
    unknown = sorted(set(engines) - set(ENGINES))
    if unknown:
        raise SystemExit(f"unknown engines {unknown}; choose from {', '.join(ENGINES)}")
    work = Path(args.work) if args.work else Path(tempfile.mkdtemp(prefix="pm-backends-"))
    work.mkdir(parents=True, exist_ok=True)
    return Plan(n=n, pg_n=min(n, args.pg_n or (5_000 if args.quick else 100_000)),
                policies=args.policies or (100 if args.quick else 2_000), seed=args.seed,
                repeat=args.repeat or (2 if args.quick else 1),
                verdicts=tuple(Verdict(v.strip()) for v in args.verdicts.split(",")
                               if v.strip()),
                engines=engines, work=work, keep_work=bool(args.work))


def parser(prog: str) -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog=prog, description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--quick", action="store_true", help="small sizes (what CI runs)")
    p.add_argument("--n", type=int, help="enterprises (default 1,000,000; quick 20,000)")
    p.add_argument("--pg-n", type=int,
                   help="the first rows PostgreSQL gets (default 100,000; quick 5,000)")
    p.add_argument("--policies", type=int, help="generated items (default 2,000; quick 100)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--repeat", type=int, help="matches per engine, best taken "
                   "(default 1; quick 2)")
    p.add_argument("--verdicts", default="eligible,unknown",
                   help="the verdicts every engine returns (default: to_sql's)")
    p.add_argument("--engines", default=",".join(DEFAULT_ENGINES),
                   help=f"beside the columnar baseline (default {','.join(DEFAULT_ENGINES)})")
    p.add_argument("--work", help="keep the generated data here, and reuse it next time")
    p.add_argument("--results", help="also write the table to this Markdown file")
    return p


def main(argv: Sequence[str] | None = None, prog: str = "python -m benchmarks.backends"
         ) -> int:
    import policy_match as pm

    argv = list(sys.argv[1:] if argv is None else argv)
    args = parser(prog).parse_args(argv)
    plan = make_plan(args)
    notes: dict[str, Any] = {
        "started": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M"),
        "command": " ".join([prog, *argv]), "load_before": os.getloadavg()[0]}
    try:
        spec = ensure_data(plan.work, plan.n, plan.policies, plan.seed)
        book = pm.load(spec["rules"])
        items = sum(1 for q in book.policies.values() if q.active_on(AS_OF))
        raw, notes["read_csv_s"] = timed(lambda: read_csv(Path(spec["csv"])))
        rows = measure(plan, raw, book, items, notes)
    finally:
        if not plan.keep_work:
            shutil.rmtree(plan.work, ignore_errors=True)
    text = render(rows, plan, notes)
    print()
    print(text)
    if args.results:
        Path(args.results).write_text(text, encoding="utf-8")
    print("CROSS-CHECK PASSED: every engine's (item, verdict) counts identical to the "
          "columnar engine's")
    return 0


if __name__ == "__main__":
    sys.exit(main())
