"""One engine's bulk job, run in a process of its own so that its peak RSS is its own.

``python -m benchmarks.engines ENGINE WORKDIR`` reads ``WORKDIR/spec.json`` (written by
``benchmarks.run``), loads the enterprise CSV, matches every policy active on the evaluation
date, adds one new policy, and writes ``WORKDIR/ENGINE.json``: timings, the verdict counts
per policy, the verdicts of the sampled rows (for the cross-check) and the peak RSS.

ENGINE is ``ours`` (policy_match), ``polars`` or ``duckdb`` (``polars_every_tag``: only a
load, every tag's column cast as policy_match's load reads it: the load's peer in
``benchmarks.scale``, since policy_match validates every value). Every engine
materializes a three-valued verdict vector per policy (policy_match: a pair of packed
bitsets; Polars: a nullable Boolean column per policy, all in one ``select``; DuckDB: one
query per policy, its nullable BOOLEAN result fetched as Arrow); counting and sampling
happen after the clock stops.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import resource
import sys
import time
from pathlib import Path
from typing import Any

from policy_match.plugins.builtins.industry import SECTIONS

from .policies import BOOLS, DATES, NUMERIC, SETS, USED, generate_policies, new_policy

KEY = "统一社会信用代码"


def peak_rss_mb() -> float:
    """This process's peak RSS. Linux: VmHWM, which starts afresh at exec (``ru_maxrss``
    would carry over the high-water mark of the parent that forked us); else ru_maxrss."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss / 2**20 if sys.platform == "darwin" else rss / 1024


def _clock() -> float:
    return time.perf_counter()


def _cpu() -> float:
    """CPU seconds of this process, all threads (robust against other load on the machine)."""
    return time.process_time()


# ---- policy_match ---------------------------------------------------------------------------


def run_ours(spec: dict[str, Any]) -> dict[str, Any]:
    import policy_match as pm
    from policy_match.data.table import EnterpriseTable
    from policy_match.dsl.ir import Verdict

    as_of = dt.date.fromisoformat(spec["as_of"])
    t = _clock()
    book = pm.load(spec["rules"])
    _ = book.dag  # normalize to the predicate DAG (a one-off compile step)
    compile_s = _clock() - t

    t, c = _clock(), _cpu()
    table = EnterpriseTable.from_csv(spec["csv"], book)
    load_s, load_cpu = _clock() - t, _cpu() - c

    times, cpus = [], []
    result = None
    for _ in range(spec["repeat"]):
        result = None
        t, c = _clock(), _cpu()
        result = book.match(table, as_of=as_of)
        times.append(_clock() - t)
        cpus.append(_cpu() - c)
    assert result is not None

    counts: dict[str, list[int] | None] = {}
    for pid, c in result.counts().items():
        counts[pid] = None if c[Verdict.INACTIVE] else [
            c[Verdict.ELIGIBLE], c[Verdict.INELIGIBLE], c[Verdict.UNKNOWN]]
    letter = {Verdict.ELIGIBLE: "T", Verdict.INELIGIBLE: "F", Verdict.UNKNOWN: "U",
              Verdict.INACTIVE: "-"}
    sample_rows = spec["sample"]
    per_row = [result.for_enterprise(table.ids[i]) for i in sample_rows]
    sample = {pid: "".join(letter[row[pid]] for row in per_row)
              for pid, c in counts.items() if c is not None}
    sample_ids = [table.ids[i] for i in sample_rows]

    extra = new_policy()
    t = _clock()
    book2 = book.with_policies(extra.rule_text(), "<bench-new>.rule")
    with_s = _clock() - t
    # book2.match(reuse=...) builds book2's DAG first (a cached property: every policy is
    # normalized again, interned onto book's nodes), then evaluates what is new. Timed apart.
    t = _clock()
    _ = book2.dag
    new_dag_s = _clock() - t
    t = _clock()
    result2 = book2.match(table, as_of=as_of, reuse=result)
    new_eval_s = _clock() - t
    new_s = new_dag_s + new_eval_s
    c2 = result2.counts()[extra.pid]
    new = {"counts": [c2[Verdict.ELIGIBLE], c2[Verdict.INELIGIBLE], c2[Verdict.UNKNOWN]],
           "sample": "".join(letter[result2.for_enterprise(i)[extra.pid]] for i in sample_ids)}
    return {"load_s": load_s, "load_errors": len(table.errors), "compile_s": compile_s,
            "load_cpu_s": load_cpu, "bulk_cpu_s": cpus, "bulk_s": times,
            "new_ms": new_s * 1000, "with_policies_ms": with_s * 1000,
            "new_dag_ms": new_dag_s * 1000, "new_eval_ms": new_eval_s * 1000,
            "counts": counts, "sample": sample, "sample_ids": sample_ids, "new": new,
            "threads": 1, "rows": len(table)}


# ---- Polars ---------------------------------------------------------------------------------

_DIVISION_LETTER = {f"{d:02d}": letter for letter, (_, lo, hi) in SECTIONS.items()
                    for d in range(lo, hi + 1)}


def load_polars(path: str) -> Any:
    """The CSV as a Polars DataFrame typed for the expressions (canonical industry codes,
    Date, Boolean, List[String] for 资质, Float64 for numbers)."""
    import polars as pl

    columns = [KEY, *USED]
    lf = pl.scan_csv(path, infer_schema=False,
                     schema_overrides={c: pl.Float64 for c in NUMERIC}).select(columns)
    industry = pl.col("所属行业").str.strip_chars()
    canonical = (pl.when(industry.str.contains(r"^[0-9]"))
                 .then(pl.concat_str([industry.str.slice(0, 2).replace_strict(
                     _DIVISION_LETTER, default=None, return_dtype=pl.String), industry]))
                 .otherwise(industry.str.to_uppercase()))
    casts = [canonical.alias("所属行业")]
    casts += [pl.col(c).str.to_date("%Y-%m-%d") for c in DATES]
    casts += [pl.col(c).replace_strict({"是": True, "否": False}, default=None,
                                       return_dtype=pl.Boolean) for c in BOOLS]
    casts += [pl.when(pl.col(c) == "无").then(pl.lit([], dtype=pl.List(pl.String)))
              .otherwise(pl.col(c).str.split("、")).alias(c) for c in SETS]
    return lf.with_columns(casts).collect()


def load_polars_every_tag(path: str, kinds: dict[str, Any]) -> Any:
    """The CSV as Polars reads it when it does what policy_match's load does: every tag's
    column cast by its type (numbers Float64, dates Date, bools, sets split), not only the
    columns the policies use. The peer of our load, not part of the bulk job."""
    import polars as pl

    from policy_match.dsl.types import Kind

    numeric = {n for n, k in kinds.items()
               if k in (Kind.MONEY, Kind.COUNT, Kind.NUMBER, Kind.RATIO)}
    lf = pl.scan_csv(path, infer_schema=False,
                     schema_overrides={n: pl.Float64 for n in numeric})
    casts = []
    for n, k in kinds.items():
        if k is Kind.DATE:
            casts.append(pl.col(n).str.to_date("%Y-%m-%d"))
        elif k is Kind.BOOL:
            casts.append(pl.col(n).replace_strict({"是": True, "否": False}, default=None,
                                                  return_dtype=pl.Boolean))
        elif k is Kind.SET:
            casts.append(pl.when(pl.col(n) == "无").then(pl.lit([], dtype=pl.List(pl.String)))
                         .otherwise(pl.col(n).str.split("、")).alias(n))
        elif k is Kind.DURATION:
            casts.append(pl.col(n).str.extract(r"^(\d+)", 1).cast(pl.Float64))
    return lf.with_columns(casts).collect()


def run_polars_every_tag(spec: dict[str, Any]) -> dict[str, Any]:
    """Only the load of :func:`load_polars_every_tag` (time, CPU; peak RSS added by main)."""
    import policy_match as pm

    kinds = {n: t.type.kind for n, t in pm.load(spec["rules"]).schema.tags.items()}
    t, c = _clock(), _cpu()
    df = load_polars_every_tag(spec["csv"], kinds)
    return {"load_s": _clock() - t, "load_cpu_s": _cpu() - c, "rows": df.height,
            "columns": df.width}


def _polars_counts(frame: Any) -> dict[str, list[int]]:
    import polars as pl

    names = frame.columns
    agg = frame.select(
        [pl.col(c).sum().alias(f"t{i}") for i, c in enumerate(names)]
        + [(~pl.col(c)).sum().alias(f"f{i}") for i, c in enumerate(names)]
        + [pl.col(c).null_count().alias(f"u{i}") for i, c in enumerate(names)]).row(0)
    k = len(names)
    return {c: [int(agg[i]), int(agg[k + i]), int(agg[2 * k + i])] for i, c in enumerate(names)}


def _letters(values: list[bool | None]) -> str:
    return "".join("U" if v is None else ("T" if v else "F") for v in values)


def run_polars(spec: dict[str, Any]) -> dict[str, Any]:
    import polars as pl

    as_of = dt.date.fromisoformat(spec["as_of"])
    t, c = _clock(), _cpu()
    df = load_polars(spec["csv"])
    load_s, load_cpu = _clock() - t, _cpu() - c

    policies = generate_policies(spec["policies"], spec["seed"])
    active = [p for p in policies if p.active(as_of)]
    t = _clock()
    exprs = [p.cond.polars().alias(p.pid) for p in active]
    compile_s = _clock() - t

    times, cpus = [], []
    out = None
    for _ in range(spec["repeat"]):
        out = None
        t, c = _clock(), _cpu()
        out = df.lazy().select(exprs).collect()
        times.append(_clock() - t)
        cpus.append(_cpu() - c)
    assert out is not None

    counts: dict[str, list[int] | None] = {p.pid: None for p in policies}
    counts.update(_polars_counts(out))
    picked = out[spec["sample"]]
    sample = {c: _letters(picked[c].to_list()) for c in picked.columns}
    sample_ids = df[KEY][spec["sample"]].to_list()

    extra = new_policy()
    expr = extra.cond.polars().alias(extra.pid)
    t = _clock()
    one = df.lazy().select(expr).collect()
    new_s = _clock() - t
    new = {"counts": _polars_counts(one)[extra.pid],
           "sample": _letters(one[extra.pid][spec["sample"]].to_list())}
    return {"load_s": load_s, "compile_s": compile_s, "bulk_s": times, "new_ms": new_s * 1000,
            "load_cpu_s": load_cpu, "bulk_cpu_s": cpus,
            "counts": counts, "sample": sample, "sample_ids": sample_ids, "new": new,
            "threads": pl.thread_pool_size(), "rows": df.height,
            "version": pl.__version__}


# ---- DuckDB ---------------------------------------------------------------------------------


def _q(name: str) -> str:
    return f'"{name}"'


def duckdb_load_sql(path: str) -> str:
    """``CREATE TABLE ent`` from the CSV, typed like :func:`load_polars`."""
    division = "TRY_CAST(substr(trim(\"所属行业\"), 1, 2) AS INTEGER)"
    letter = "CASE " + " ".join(f"WHEN {division} BETWEEN {lo} AND {hi} THEN '{s}'"
                                for s, (_, lo, hi) in SECTIONS.items()) + " END"
    select = [_q(KEY)]
    for c in USED:
        col = _q(c)
        if c in NUMERIC:
            select.append(f"CAST({col} AS DOUBLE) AS {col}")
        elif c in DATES:
            select.append(f"CAST({col} AS DATE) AS {col}")
        elif c in BOOLS:
            select.append(f"(CASE {col} WHEN '是' THEN TRUE WHEN '否' THEN FALSE END) AS {col}")
        elif c in SETS:
            select.append(f"(CASE WHEN {col} = '无' THEN CAST([] AS VARCHAR[]) "
                          f"ELSE string_split({col}, '、') END) AS {col}")
        elif c == "所属行业":
            select.append(f"(CASE WHEN regexp_matches(trim({col}), '^[0-9]') "
                          f"THEN ({letter}) || trim({col}) ELSE upper(trim({col})) END) AS {col}")
        else:
            select.append(col)
    return (f"CREATE TABLE ent AS SELECT {', '.join(select)} "
            f"FROM read_csv('{path}', header = true, all_varchar = true)")


def _arrow(result: Any) -> Any:
    """A DuckDB result as an Arrow table (``to_arrow_table`` in DuckDB 2, earlier
    ``fetch_arrow_table``)."""
    fetch = getattr(result, "to_arrow_table", None) or result.fetch_arrow_table
    return fetch()


def _arrow_counts(column: Any) -> list[int]:
    import pyarrow.compute as pc

    true = pc.sum(column).as_py() or 0
    false = pc.sum(pc.invert(column)).as_py() or 0
    return [int(true), int(false), int(column.null_count)]


def run_duckdb(spec: dict[str, Any]) -> dict[str, Any]:
    import duckdb

    as_of = dt.date.fromisoformat(spec["as_of"])
    con = duckdb.connect()
    t, c = _clock(), _cpu()
    con.execute(duckdb_load_sql(spec["csv"]))
    load_s, load_cpu = _clock() - t, _cpu() - c

    policies = generate_policies(spec["policies"], spec["seed"])
    active = [p for p in policies if p.active(as_of)]
    t = _clock()
    queries = [f"SELECT {p.cond.sql()} AS v FROM ent" for p in active]
    compile_s = _clock() - t

    times, cpus = [], []
    results: list[Any] = []
    for _ in range(spec["repeat"]):
        results = []
        t, c = _clock(), _cpu()
        for q in queries:
            results.append(_arrow(con.execute(q)).column(0))
        times.append(_clock() - t)
        cpus.append(_cpu() - c)

    counts: dict[str, list[int] | None] = {p.pid: None for p in policies}
    sample: dict[str, str] = {}
    rows = spec["sample"]
    for p, column in zip(active, results, strict=True):
        counts[p.pid] = _arrow_counts(column)
        sample[p.pid] = _letters(column.take(rows).to_pylist())
    keys = _arrow(con.execute(f"SELECT {_q(KEY)} FROM ent")).column(0)
    sample_ids = keys.take(rows).to_pylist()

    extra = new_policy()
    t = _clock()
    one = _arrow(con.execute(f"SELECT {extra.cond.sql()} AS v FROM ent")).column(0)
    new_s = _clock() - t
    new = {"counts": _arrow_counts(one), "sample": _letters(one.take(rows).to_pylist())}
    threads = con.execute("SELECT current_setting('threads')").fetchone()[0]  # type: ignore[index]
    return {"load_s": load_s, "compile_s": compile_s, "bulk_s": times, "new_ms": new_s * 1000,
            "load_cpu_s": load_cpu, "bulk_cpu_s": cpus,
            "counts": counts, "sample": sample, "sample_ids": sample_ids, "new": new,
            "threads": int(threads), "rows": len(keys), "version": duckdb.__version__}


ENGINES = {"ours": run_ours, "polars": run_polars, "duckdb": run_duckdb,
           "polars_every_tag": run_polars_every_tag}


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 2 or args[0] not in ENGINES:
        print(f"usage: python -m benchmarks.engines {{{'|'.join(ENGINES)}}} WORKDIR",
              file=sys.stderr)
        return 2
    engine, work = args[0], Path(args[1])
    spec = json.loads((work / "spec.json").read_text(encoding="utf-8"))
    start_rss = peak_rss_mb()
    load_before = os.getloadavg()[0]
    report = ENGINES[engine](spec)
    report["loadavg"] = [load_before, os.getloadavg()[0]]
    report["engine"] = engine
    report["peak_rss_mb"] = peak_rss_mb()
    report["start_rss_mb"] = start_rss
    (work / f"{engine}.json").write_text(json.dumps(report, ensure_ascii=False),
                                         encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
