"""Spark's side of ``benchmarks.backends``: our rules on Spark local[2], through
mapInArrow (our engine on every partition) and through Spark SQL (``book.to_sql("spark")``
on a temporary view).

The table goes to Parquet twice: raw (the library's columns, as a platform table of text and
numbers holds them) and typed (``book.sql_schema("spark")``: decimals, dates, arrays); Spark
reads either from disk, split into partitions. Each job ends in ``groupBy(policy_id,
verdict).count()``, so every result row is produced and nothing big is collected; its time
is the whole job (read the Parquet file, match, count).

    python -m benchmarks.spark [--quick] [--n N] [--policies P] [--no-sql] ...

is ``python -m benchmarks.backends --engines spark-arrow-raw,spark-arrow,spark-sql ...``
(the columnar baseline is always run); the whole comparison is
``python -m benchmarks.backends``.
"""

from __future__ import annotations

import datetime as dt
import sys
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

CORES = 2
ROUTES = ("spark-arrow-raw", "spark-arrow", "spark-sql")


def write_parquet(work: Path, raw: Any, table: Any, book: Any) -> dict[str, Path]:
    """``raw.parquet`` (the columns as read) and ``typed.parquet`` (``to_arrow``: the
    Spark schema the rulebook declares), in row groups so that Spark can split them."""
    import pyarrow.parquet as pq

    from policy_match.spark.frames import to_arrow

    rows_per_group = max(1, raw.num_rows // 16)
    paths = {"raw": work / "spark-raw.parquet", "typed": work / "spark-typed.parquet"}
    pq.write_table(raw, paths["raw"], row_group_size=rows_per_group)
    pq.write_table(to_arrow(table, book), paths["typed"], row_group_size=rows_per_group)
    return paths


def start_session(book: Any, raw_path: Path, n: int, as_of: dt.date) -> tuple[Any, float]:
    """A local[2] session whose Parquet reads split into about one partition per 125,000
    rows, warmed up; returns it and the seconds that took (start-up is not counted)."""
    from policy_match.spark.session import local_session

    t = time.perf_counter()
    spark = local_session(cores=CORES, shuffle_partitions=CORES, app="policy_match-bench",
                          memory="4g")
    partitions = max(2 * CORES, n // 125_000)
    spark.conf.set("spark.sql.files.maxPartitionBytes",
                   str(max(1 << 20, raw_path.stat().st_size // partitions)))
    warm_up(spark, book, raw_path, as_of)
    return spark, time.perf_counter() - t


def warm_up(spark: Any, book: Any, path: Path, as_of: dt.date) -> None:
    """Start the Python workers and compile the rulebook in each (once per process, as on a
    cluster): a fixed cost, kept out of the timed jobs and reported with start-up."""
    from policy_match.spark import match

    frame = spark.read.parquet(str(path)).limit(2 * CORES * 10)
    match(book, frame.repartition(2 * CORES), as_of=as_of).count()


def run_spark(route: str, path: Path, spark: Any, book: Any, as_of: dt.date,
              verdicts: Sequence[Any]) -> dict[str, Any]:
    """One whole Spark job on ``path`` by ``route`` (``spark-sql`` or a mapInArrow one)."""
    from policy_match.spark import match
    from policy_match.spark.sql_route import match_sql

    frame = spark.read.parquet(str(path))
    matcher = match_sql if route == "spark-sql" else match
    t = time.perf_counter()
    grouped = matcher(book, frame, as_of=as_of, verdicts=tuple(verdicts)) \
        .groupBy("policy_id", "verdict").count().collect()
    total = time.perf_counter() - t
    counts = Counter({(r.policy_id, r.verdict): r["count"] for r in grouped})
    return {"match_s": total, "counts": dict(counts),
            "partitions": frame.rdd.getNumPartitions()}


def main(argv: list[str] | None = None) -> int:
    from .backends import main as backends

    args = list(argv or [])
    routes = [r for r in ROUTES if not (r == "spark-sql" and "--no-sql" in args)]
    return backends(["--engines", ",".join(routes), *(a for a in args if a != "--no-sql")],
                    prog="python -m benchmarks.spark")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
