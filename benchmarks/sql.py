"""The SQL backend's side of ``benchmarks.backends``: load a table into DuckDB or
PostgreSQL, compile the rulebook to one counting query, run it and read its counts.

The measured job is the same as the columnar engine's: every pair decided, the pairs with
the chosen verdicts produced and counted per (policy, verdict) — ``SELECT policy_id,
verdict, count(*) FROM (<book.to_sql(verdicts)>) GROUP BY 1, 2`` in the database (the rows
stream into the count, nothing is materialized), ``Rulebook.match(...).counts()`` in memory.
Loading into the database is timed apart (it is done once, not per match).

    python -m benchmarks.sql [--quick] [--n N] [--pg-n N] ...

is ``python -m benchmarks.backends --engines duckdb,postgres ...`` (the columnar baseline
is always run); the whole comparison is ``python -m benchmarks.backends``.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any

from policy_match.core.rulebook import Rulebook
from policy_match.data.table import EnterpriseTable
from policy_match.dsl.ir import Verdict

from .policies import AS_OF

Counts = dict[tuple[str, str], int]
EVERY_VERDICT = tuple(Verdict)


def timed(fn: Callable[[], Any]) -> tuple[Any, float]:
    start = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - start


def columnar_counts(book: Rulebook, table: EnterpriseTable,
                    verdicts: Sequence[Verdict] = EVERY_VERDICT) -> Counts:
    """The columnar engine's job: ``match`` (every verdict of every pair), then the pairs
    per (policy, verdict) for the verdicts the other engines return."""
    out: Counts = {}
    for pid, by_verdict in book.match(table, as_of=AS_OF).counts().items():
        for verdict in verdicts:
            if by_verdict[verdict]:
                out[(pid, verdict.value)] = by_verdict[verdict]
    return out


def count_query(book: Rulebook, dialect: str,
                verdicts: Sequence[Verdict] = EVERY_VERDICT) -> str:
    from sqlglot import exp

    from policy_match.engine.sql import api
    from policy_match.engine.sql.dialects import dialect as dialect_of

    inner: Any = api.query_expression(book, dialect, "enterprises", AS_OF, tuple(verdicts))
    counted = exp.select("policy_id", "verdict", exp.Count(this=exp.Star())).from_(
        inner.subquery("m")).group_by("policy_id", "verdict")
    return counted.sql(dialect=dialect_of(dialect).sqlglot)


def sql_counts(url: str, query: str) -> Counts:
    from policy_match.data.database import run_query

    return {(pid, verdict): int(count) for pid, verdict, count in run_query(url, query)}


def differences(got: Counts, want: Counts) -> list[tuple[str, str]]:
    """The (policy, verdict) keys whose counts differ, sorted."""
    return sorted(k for k in set(got) | set(want) if got.get(k) != want.get(k))


def run_database(book: Rulebook, table: EnterpriseTable, dialect: str, url: str,
                 verdicts: Sequence[Verdict], repeat: int) -> dict[str, Any]:
    """Load ``table`` into the database at ``url`` (timed apart), then the counting query:
    the first run's counts are returned for the cross-check, the best run's time."""
    _, load_s = timed(lambda: table.to_database(url, if_exists="replace"))
    query, compile_s = timed(lambda: count_query(book, dialect, verdicts))
    counts, first = timed(lambda: sql_counts(url, query))
    best = min([first] + [timed(lambda: sql_counts(url, query))[1]
                          for _ in range(repeat - 1)])
    return {"counts": counts, "match_s": best, "load_s": load_s, "compile_s": compile_s}


def main(argv: list[str] | None = None) -> int:
    from .backends import main as backends

    return backends(["--engines", "duckdb,postgres", *(argv or [])],
                    prog="python -m benchmarks.sql")


if __name__ == "__main__":
    import sys

    sys.exit(main(sys.argv[1:]))
