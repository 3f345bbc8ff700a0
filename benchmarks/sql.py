"""Our columnar engine vs our SQL backend, side by side in one run.

    python -m benchmarks.sql            1,000,000 enterprises × ~1,900 active items on
                                        DuckDB; PostgreSQL on 100,000 of them
    python -m benchmarks.sql --quick    20,000 × ~95 on DuckDB, PostgreSQL on 5,000

The same generated library (``policy_match.tools.generate``) and policies
(``benchmarks.policies``, the generator ``benchmarks.run`` uses) go to every engine. The
measured job is the same everywhere: every pair's verdict, counted per (policy, verdict) —
``Rulebook.match(...).counts()`` in memory, and ``SELECT policy_id, verdict, count(*)
FROM (<book.to_sql(all verdicts)>) GROUP BY 1, 2`` in the database (the rows stream into the
count, nothing is materialized). Counts are cross-checked before any time is reported.
Loading into the database is timed apart (it is done once, not per match). PostgreSQL runs
on a throw-away server started here (``tests/fixtures/postgres.py``).
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from policy_match.core.rulebook import Rulebook
from policy_match.data.table import EnterpriseTable

from .policies import AS_OF, generate_policies, rulebook_text

ROOT = Path(__file__).resolve().parents[1]
Counts = dict[tuple[str, str], int]


def build_book(work: Path, policies: int, seed: int) -> Rulebook:
    import policy_match as pm

    rules = work / "rules"
    rules.mkdir(exist_ok=True)
    shutil.copy(ROOT / "rules" / "tags.rule", rules / "tags.rule")
    text = rulebook_text(generate_policies(policies, seed))
    (rules / "policies.rule").write_text(text, encoding="utf-8")
    return pm.load(rules)


def library(book: Rulebook, n: int, seed: int) -> EnterpriseTable:
    from policy_match.tools.generate import generate_table

    return EnterpriseTable.from_arrow(generate_table(n, seed), book)


def timed(fn: Callable[[], Any]) -> tuple[Any, float]:
    start = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - start


def columnar_counts(book: Rulebook, table: EnterpriseTable) -> Counts:
    out: Counts = {}
    for pid, by_verdict in book.match(table, as_of=AS_OF).counts().items():
        for verdict, count in by_verdict.items():
            if count:
                out[(pid, verdict.value)] = count
    return out


def count_query(book: Rulebook, dialect: str) -> str:
    from sqlglot import exp

    from policy_match.dsl.ir import Verdict
    from policy_match.engine.sql import api
    from policy_match.engine.sql.dialects import dialect as dialect_of

    inner = api.query_expression(book, dialect, "enterprises", AS_OF, tuple(Verdict))
    counted = exp.select("policy_id", "verdict", exp.Count(this=exp.Star())).from_(
        inner.subquery("m")).group_by("policy_id", "verdict")
    return counted.sql(dialect=dialect_of(dialect).sqlglot)


def sql_counts(url: str, query: str) -> Counts:
    from policy_match.data.database import run_query

    return {(pid, verdict): int(count) for pid, verdict, count in run_query(url, query)}


def check(name: str, got: Counts, want: Counts) -> None:
    if got != want:
        wrong = sorted(k for k in set(got) | set(want) if got.get(k) != want.get(k))[:10]
        raise SystemExit(f"CROSS-CHECK FAILED: {name} disagrees with the columnar engine "
                         f"on {wrong}")


def run_size(book: Rulebook, n: int, seed: int, urls: dict[str, str],
             repeat: int) -> dict[str, float]:
    """One library size on each engine: load times, then the best of ``repeat`` matches."""
    table, gen_s = timed(lambda: library(book, n, seed))
    print(f"  generated and parsed {n:,} enterprises in {gen_s:.1f} s", flush=True)
    want, _ = timed(lambda: columnar_counts(book, table))
    times = {"columnar": min(timed(lambda: columnar_counts(book, table))[1]
                             for _ in range(repeat))}
    for dialect, url in urls.items():
        _, load_s = timed(lambda url=url: table.to_database(url, if_exists="replace"))
        query, compile_s = timed(lambda d=dialect: count_query(book, d))
        got, first = timed(lambda url=url, q=query: sql_counts(url, q))
        check(dialect, got, want)
        best = min([first] + [timed(lambda url=url, q=query: sql_counts(url, q))[1]
                              for _ in range(repeat - 1)])
        times[dialect] = best
        times[f"{dialect} load"] = load_s
        times[f"{dialect} compile"] = compile_s
        print(f"  {dialect}: loaded in {load_s:.1f} s, compiled in {compile_s:.2f} s, "
              f"matched in {best:.2f} s (counts identical)", flush=True)
    return times


def render(rows: list[tuple[str, int, int, dict[str, float]]]) -> str:
    lines = ["| library × items | engine | match (s) | engine / columnar | load (s) |",
             "|---|---|---|---|---|"]
    for title, n, items, times in rows:
        base = times["columnar"]
        for engine in ("columnar", "duckdb", "postgres"):
            if engine not in times:
                continue
            load = times.get(f"{engine} load")
            lines.append(f"| {title}: {n:,} × {items:,} | {engine} | {times[engine]:.3f} | "
                         f"{times[engine] / base:.2f}× | "
                         f"{'' if load is None else f'{load:.1f}'} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.sql", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="small sizes (what CI runs)")
    parser.add_argument("--n", type=int, help="enterprises (default 1,000,000; quick 20,000)")
    parser.add_argument("--pg-n", type=int,
                        help="enterprises on PostgreSQL (default 100,000; quick 5,000)")
    parser.add_argument("--policies", type=int, help="items (default 2,000; quick 100)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--repeat", type=int, default=None, help="runs per engine, best taken")
    args = parser.parse_args(argv)
    n = args.n or (20_000 if args.quick else 1_000_000)
    pg_n = args.pg_n or (5_000 if args.quick else 100_000)
    p = args.policies or (100 if args.quick else 2_000)
    repeat = args.repeat or (2 if args.quick else 1)
    sys.path.insert(0, str(ROOT / "tests" / "fixtures"))
    from postgres import postgres_server

    work = Path(tempfile.mkdtemp(prefix="pm-bench-sql-"))
    try:
        book = build_book(work, p, args.seed)
        items = sum(1 for q in book.policies.values() if q.active_on(AS_OF))
        print(f"{len(book.policies):,} items, {items:,} active on {AS_OF}", flush=True)
        duck = f"duckdb:///{work / 'library.duckdb'}"
        rows = []
        print(f"DuckDB, {n:,} enterprises …", flush=True)
        rows.append(("DuckDB run", n, items, run_size(book, n, args.seed, {"duckdb": duck},
                                                      repeat)))
        with postgres_server() as pg:
            print(f"PostgreSQL, {pg_n:,} enterprises …", flush=True)
            rows.append(("PostgreSQL run", pg_n, items, run_size(
                book, pg_n, args.seed + 1, {"duckdb": duck, "postgres": pg}, repeat)))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print()
    print(render(rows))
    print()
    print("CROSS-CHECK PASSED: every (policy, verdict) count identical in every engine")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
