"""policy_match's columnar engine against Spark local[2]: mapInArrow (our engine on every
partition) and Spark SQL (``book.to_sql("spark")`` on a temporary view).

    .venv/bin/python -m benchmarks.spark [--n N] [--policies P] [--quick] [--verdicts V]

1. generates N enterprises (``policy_match.tools.generate``, seed 0) and P policies
   (``benchmarks.policies``); writes them as Parquet twice: raw (the generator's columns, as
   a platform table of text and numbers holds them) and typed (``book.sql_schema("spark")``:
   decimals, dates, arrays) — Spark reads both from disk, split into partitions;
2. ours: ``EnterpriseTable.from_arrow`` (read) + ``book.match`` on one core;
   Spark mapInArrow on the raw table; Spark mapInArrow on the typed table; Spark SQL on the
   typed table — each Spark job ends in ``groupBy(policy_id, verdict).count()`` so every
   pair is produced and nothing big is collected;
3. **cross-checks** the pair counts per (policy, verdict) of every engine against ours:
   times count only when they agree (exit status 1 otherwise);
4. prints times, ratios (engine / ours), and throughput in (enterprise, policy) pairs per
   core-second: ours uses 1 core, Spark local[2] uses 2.

``--quick`` is N = 20,000, P = 100 (what ``tests/test_bench_spark.py`` runs).
``--verdicts`` defaults to ``eligible,unknown`` (``to_sql``'s default).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
CORES = 2


def prepare(work: Path, n: int, p: int, seed: int) -> dict[str, Any]:
    import pyarrow.parquet as pq

    from policy_match.core.loading import load_sources
    from policy_match.data.table import EnterpriseTable
    from policy_match.spark.frames import to_arrow
    from policy_match.tools.generate import generate_table

    from .policies import generate_policies, rulebook_text

    t = time.perf_counter()
    raw = generate_table(n, seed)
    sources = {"tags.rule": (ROOT / "rules" / "tags.rule").read_text(encoding="utf-8"),
               "policies.rule": rulebook_text(generate_policies(p, seed))}
    book = load_sources(sources).rulebook
    assert book is not None
    _ = book.dag
    table = EnterpriseTable.from_arrow(raw, book)
    typed = to_arrow(table, book)
    del table
    rows_per_group = max(1, n // 16)  # row groups, so Spark can split the file
    pq.write_table(raw, work / "raw.parquet", row_group_size=rows_per_group)
    pq.write_table(typed, work / "typed.parquet", row_group_size=rows_per_group)
    return {"raw": raw, "book": book, "prepare_s": time.perf_counter() - t,
            "raw_mb": (work / "raw.parquet").stat().st_size / 2**20,
            "typed_mb": (work / "typed.parquet").stat().st_size / 2**20}


def run_ours(spec: dict[str, Any], as_of: dt.date, verdicts: tuple[Any, ...]
             ) -> dict[str, Any]:
    from policy_match.data.table import EnterpriseTable

    book = spec["book"]
    t = time.perf_counter()
    table = EnterpriseTable.from_arrow(spec["raw"], book)
    read_s = time.perf_counter() - t
    t = time.perf_counter()
    result = book.match(table, as_of=as_of)
    match_s = time.perf_counter() - t
    counts: Counter[tuple[str, str]] = Counter()
    for pid, by_verdict in result.counts().items():
        for verdict in verdicts:
            if by_verdict[verdict]:
                counts[(pid, verdict.value)] = by_verdict[verdict]
    return {"read_s": read_s, "match_s": match_s, "total_s": read_s + match_s,
            "counts": counts, "cores": 1}


def run_spark(kind: str, path: Path, spark: Any, spec: dict[str, Any], as_of: dt.date,
              verdicts: tuple[Any, ...]) -> dict[str, Any]:
    from policy_match.spark import match
    from policy_match.spark.sql_route import match_sql

    book = spec["book"]
    frame = spark.read.parquet(str(path))
    route = match_sql if kind == "sql" else match
    t = time.perf_counter()
    grouped = route(book, frame, as_of=as_of, verdicts=verdicts) \
        .groupBy("policy_id", "verdict").count().collect()
    total = time.perf_counter() - t
    counts = Counter({(r.policy_id, r.verdict): r["count"] for r in grouped})
    return {"total_s": total, "counts": counts, "cores": CORES,
            "partitions": frame.rdd.getNumPartitions()}


def warm_up(spark: Any, book: Any, path: Path, as_of: dt.date) -> None:
    """Start the Python workers and compile the rulebook in each (once per process, as on a
    cluster): a fixed cost, kept out of the timed jobs and reported with start-up."""
    from policy_match.spark import match

    frame = spark.read.parquet(str(path)).limit(2 * CORES * 10)
    match(book, frame.repartition(2 * CORES), as_of=as_of).count()


def cross_check(reports: dict[str, dict[str, Any]]) -> list[str]:
    base = reports["ours"]["counts"]
    problems = []
    for name, report in reports.items():
        if report["counts"] != base:
            keys = set(base) | set(report["counts"])
            diff = sorted(k for k in keys if base.get(k) != report["counts"].get(k))
            problems.append(f"{name}: {len(diff)} (policy, verdict) counts differ from ours, "
                            f"first {diff[:3]}: ours {[base.get(k) for k in diff[:3]]}, "
                            f"theirs {[report['counts'].get(k) for k in diff[:3]]}")
    return problems


NAMES = {"ours": "policy_match columnar (1 core)",
         "arrow_raw": "Spark local[2] mapInArrow, raw table",
         "arrow_typed": "Spark local[2] mapInArrow, typed table",
         "sql": "Spark local[2] SQL, typed table"}


def render(n: int, active: int, reports: dict[str, dict[str, Any]], passed: bool,
           problems: list[str], verdicts: str, extra: dict[str, Any]) -> str:
    pairs = n * active
    ours = reports["ours"]["total_s"]
    lines = [f"# Spark benchmark: {n:,} enterprises × {active:,} active policies "
             f"({pairs:,} pairs)", "",
             f"Run {dt.datetime.now().isoformat(timespec='seconds')}, {os.cpu_count()} cores; "
             f"verdicts returned: {verdicts}; {extra['pairs_out']:,} result rows per engine.",
             "", f"Cross-check: **{'PASSED' if passed else 'FAILED'}** — pair counts per "
             f"(policy, verdict) identical across the engines" if passed else
             "Cross-check: **FAILED**", "",
             "| engine | time (s) | engine / ours | pairs per core-second |",
             "|---|---:|---:|---:|"]
    for name, report in reports.items():
        total = report["total_s"]
        per_core = pairs / (total * report["cores"])
        lines.append(f"| {NAMES[name]} | {total:.2f} | {total / ours:.2f}× | "
                     f"{per_core:,.0f} |")
    o = reports["ours"]
    lines += ["", f"Ours: read {o['read_s']:.2f} s (``EnterpriseTable.from_arrow``, every value "
              f"checked) + match {o['match_s']:.2f} s. Spark times are whole jobs: read the "
              f"Parquet file ({extra['raw_mb']:.0f} MB raw, {extra['typed_mb']:.0f} MB typed; "
              f"{extra['partitions']} partitions), match, produce every result row, count "
              f"them per (policy, verdict). Spark session start-up and a "
              f"warm-up job (Python workers started, the rulebook compiled once in each) "
              f"{extra['startup_s']:.1f} s, not counted."]
    loads = ", ".join(f"{NAMES[k].split(',')[-1].strip()} {r['load']:.1f}"
                      for k, r in reports.items())
    lines += ["", f"1-minute load average after each job ({os.cpu_count()} cores; other work "
              f"on the machine inflates every time): {loads}."]
    lines += [f"- {p}" for p in problems[:10]]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.spark", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, help="enterprises (default 1,000,000; quick 20,000)")
    parser.add_argument("--policies", type=int, help="policies (default 2,000; quick 100)")
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--verdicts", default="eligible,unknown")
    parser.add_argument("--no-sql", action="store_true", help="skip the Spark SQL route")
    parser.add_argument("--results", help="also write the table to this Markdown file")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    n = args.n or (20_000 if args.quick else 1_000_000)
    p = args.policies or (100 if args.quick else 2_000)

    from policy_match.dsl.ir import Verdict
    from policy_match.spark.session import local_session

    from .policies import AS_OF

    verdicts = tuple(Verdict(v.strip()) for v in args.verdicts.split(",") if v.strip())
    work = Path(tempfile.mkdtemp(prefix="pm-bench-spark-"))
    try:
        print(f"generating {n:,} enterprises and {p:,} policies in {work} …", flush=True)
        spec = prepare(work, n, p, args.seed)
        t = time.perf_counter()
        spark = local_session(cores=CORES, shuffle_partitions=CORES, app="policy_match-bench",
                              memory="4g")
        partitions = max(2 * CORES, n // 125_000)
        spark.conf.set("spark.sql.files.maxPartitionBytes",
                       str(max(1 << 20, int(spec["raw_mb"] * 2**20 / partitions))))
        warm_up(spark, spec["book"], work / "raw.parquet", AS_OF)
        startup = time.perf_counter() - t
        print("running ours …", flush=True)
        reports = {"ours": run_ours(spec, AS_OF, verdicts)}
        reports["ours"]["load"] = os.getloadavg()[0]
        print(f"  {reports['ours']['total_s']:.2f} s", flush=True)
        jobs = [("arrow_raw", work / "raw.parquet"), ("arrow_typed", work / "typed.parquet")]
        if not args.no_sql:
            jobs.append(("sql", work / "typed.parquet"))
        for name, path in jobs:
            print(f"running {NAMES[name]} …", flush=True)
            reports[name] = run_spark(name, path, spark, spec, AS_OF, verdicts)
            reports[name]["load"] = os.getloadavg()[0]
            print(f"  {reports[name]['total_s']:.2f} s", flush=True)
        spark.stop()
        problems = cross_check(reports)
        passed = not problems
        print(f"cross-check: {'PASSED' if passed else 'FAILED'}", flush=True)
        book = spec["book"]
        active = sum(1 for pol in book.policies.values() if pol.active_on(AS_OF))
        extra = {"pairs_out": sum(reports["ours"]["counts"].values()),
                 "raw_mb": spec["raw_mb"], "typed_mb": spec["typed_mb"],
                 "partitions": reports["arrow_raw"]["partitions"], "startup_s": startup}
        text = render(n, active, reports, passed, problems, args.verdicts, extra)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print()
    print(text)
    if args.results:
        Path(args.results).write_text(text, encoding="utf-8")
    print(f"CROSS-CHECK {'PASSED' if passed else 'FAILED'}")
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
