"""A province's scale, end to end: each goal of issue 15 measured beside its peer, in one run.

    .venv/bin/python -m benchmarks.scale [--quick] [--n N] [--policies P] [--work DIR]

Data and rules as ``benchmarks.run`` makes them (``policy_match.tools.generate``, seed 0;
``benchmarks.policies``); the roster uses the bundled rulebook (``rules/``) on the same CSV.
Every job runs in a subprocess of its own (``--job NAME``), which reports its timings and its
peak RSS (VmHWM). Results are cross-checked before any time counts (exit 1 otherwise):

- **roster**: build the 免申即享 roster (amounts, resolution, keys, who is paid) vs ``match``
  on the same data; cross-check: sampled entries are eligible, with ``book.benefit``'s
  amount, by the scalar evaluator on the row;
- **push**: refresh after 1% of rows changed and plan it (``only_changes``) into a ledger
  holding yesterday's plan of those enterprises, vs ``match``; cross-check: the refreshed
  verdict counts equal a full match's;
- **refresh**: ``match(new, previous=old)`` after 1% of rows changed vs a full ``match`` of
  the new table; cross-check: every verdict of every policy identical;
- **ids**: ``result.eligible_ids(p)`` (Arrow) for every policy vs Polars filtering an id
  column by each verdict column; cross-check: same lengths, same first list;
- **load**: ``benchmarks.engines ours`` vs ``benchmarks.engines polars_every_tag`` (Polars
  casting every tag, as our load validates every value; Polars reading only the columns the
  policies use is printed beside it); cross-check: the same number of rows;
- **bulk RSS**: ``benchmarks.engines ours`` vs ``benchmarks.engines polars`` (load + match +
  one new policy); cross-check: verdict counts equal;
- **lookup**: ``match_record``, 1 × P, median (goal ≤ 50 µs); cross-check: the bulk verdicts.

``--quick``: N = 20,000, P = 100 (what ``tests/test_bench_scale.py`` runs).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
CHANGED = 0.01  # the share of rows a daily refresh changes


def _spec(work: Path) -> dict[str, Any]:
    spec: dict[str, Any] = json.loads((work / "spec.json").read_text(encoding="utf-8"))
    return spec


def _peak_rss_mb() -> float:
    from .engines import peak_rss_mb

    return peak_rss_mb()


def _load(spec: dict[str, Any], rules: str | Path) -> tuple[Any, Any, float]:
    import policy_match as pm
    from policy_match.data.table import EnterpriseTable

    book = pm.load(rules)
    _ = book.dag
    t = time.perf_counter()
    table = EnterpriseTable.from_csv(spec["csv"], book)
    return book, table, time.perf_counter() - t


def _edited(table: Any, share: float, seed: int = 1) -> Any:
    """The table with ``share`` of its rows changed (营业收入 and 研发费用 moved): a new
    table sharing every other column with the old one, as a reload of the edited file
    would give."""
    import numpy as np

    from policy_match.data.table import EnterpriseTable
    from policy_match.engine.columns import Columns, NumberColumn

    n = len(table)
    rows = np.random.default_rng(seed).choice(n, max(1, int(n * share)), replace=False)
    columns = dict(table.columns.columns)
    for name, factor in (("营业收入", 1.7), ("研发费用", 0.3)):
        old = columns[name]
        assert isinstance(old, NumberColumn)
        values, known = old.values.copy(), old.known.copy()
        values[rows] = np.where(known[rows], values[rows] * factor + 1, 5_000_000.0)
        known[rows] = True
        columns[name] = NumberColumn(values, known, {})
    return EnterpriseTable(Columns(n, columns), table.ids, [])


def _same_verdicts(a: Any, b: Any) -> bool:
    import numpy as np

    for pid in b.tris:
        x, y = a.tris[pid], b.tris[pid]
        if (x is None) != (y is None):
            return False
        if x is not None and not (np.array_equal(x.t, y.t) and np.array_equal(x.f, y.f)):
            return False
    return list(a.tris) == list(b.tris)


# ---- jobs (each in its own process) ----------------------------------------------------------


def job_roster(spec: dict[str, Any]) -> dict[str, Any]:
    from policy_match.apps.money.benefits import compute_benefits
    from policy_match.apps.money.cents import money
    from policy_match.apps.money.roster import build_roster
    from policy_match.engine.scalar import ScalarEvaluator
    from policy_match.tools.generate import REFERENCE_DATE

    book, table, load_s = _load(spec, ROOT / "rules")
    t = time.perf_counter()
    result = book.match(table, as_of=REFERENCE_DATE)
    match_s = time.perf_counter() - t
    t = time.perf_counter()
    roster = build_roster(compute_benefits(result))
    roster_s = time.perf_counter() - t
    entries = len(roster.entries)
    ok = entries > 0
    row_of = {table.ids[i]: i for i in range(min(len(table), 200_000))}
    sample = [roster.entries[k] for k in range(0, entries, max(1, entries // 40))]
    t = time.perf_counter()
    for entry in sample:  # the scalar evaluator on the row agrees with the bulk roster
        i = row_of.get(entry.enterprise)
        if i is None:
            continue
        ev = ScalarEvaluator(book.dag, book.vocabulary, table.row(i), REFERENCE_DATE)
        policy = book.policies[entry.policy_id]
        amount = book._benefit(ev, policy)
        ok &= ev.truth(book.dag.conditions[entry.policy_id]) is True
        ok &= (amount is None and entry.amount is None) or money(amount) == entry.amount
    t = time.perf_counter()
    read = [roster.entries[k] for k in range(min(entries, 500))]  # facts built when read
    entry_ms = (time.perf_counter() - t) / max(1, len(read)) * 1000
    return {"load_s": load_s, "match_s": match_s, "roster_s": roster_s, "entries": entries,
            "to_verify": len(roster.to_verify), "ok": bool(ok), "rows": len(table),
            "entry_ms": entry_ms, "policies": len(book.policies)}


def job_push(spec: dict[str, Any]) -> dict[str, Any]:
    from policy_match.apps.push import Ledger, Planner, plan

    as_of = dt.date.fromisoformat(spec["as_of"])
    book, table, load_s = _load(spec, spec["rules"])
    t = time.perf_counter()
    old = book.match(table, as_of=as_of)
    match_s = time.perf_counter() - t
    new = _edited(table, CHANGED)
    new.row_fingerprints()
    table.row_fingerprints()
    db = Path(spec["work"]) / "push-ledger.db"
    db.unlink(missing_ok=True)
    touched = book.match(new, as_of=as_of, previous=old).changes
    assert touched is not None
    with Ledger(db) as ledger:  # yesterday's plan of the enterprises that change (untimed)
        before = Planner(ledger, old).run(batch_size=2000, rows=touched.rows_to_check())
    t = time.perf_counter()
    refreshed = book.match(new, as_of=as_of, previous=old)
    with Ledger(db) as ledger:
        report = plan(ledger, refreshed, only_changes=True, batch_size=2000)
    plan_s = time.perf_counter() - t
    counts = refreshed.counts()
    del refreshed, old  # the cross-check's full match needs neither: not three results at once
    ok = counts == book.match(new, as_of=as_of).counts()
    return {"load_s": load_s, "match_s": match_s, "plan_s": plan_s, "ok": ok,
            "enterprises": report.enterprises, "messages": report.total,
            "first_messages": before.total, "first_s": before.seconds,
            "rows": len(table), "policies": len(book.policies)}


def job_refresh(spec: dict[str, Any]) -> dict[str, Any]:
    as_of = dt.date.fromisoformat(spec["as_of"])
    book, table, load_s = _load(spec, spec["rules"])
    old = book.match(table, as_of=as_of)
    t = time.perf_counter()
    table.row_fingerprints()
    fingerprint_s = time.perf_counter() - t
    new = _edited(table, CHANGED)
    t = time.perf_counter()
    new.row_fingerprints()
    new_fingerprint_s = time.perf_counter() - t
    full_s = []
    full = None
    for _ in range(2):
        t = time.perf_counter()
        full = book.match(new, as_of=as_of)
        full_s.append(time.perf_counter() - t)
    refresh_s = []
    refreshed = None
    for _ in range(2):
        t = time.perf_counter()
        refreshed = book.match(new, as_of=as_of, previous=old)
        refresh_s.append(time.perf_counter() - t)
    assert refreshed is not None and full is not None
    t = time.perf_counter()
    for pid in refreshed.tris:
        refreshed.tris[pid]
    assemble_s = time.perf_counter() - t
    ok = _same_verdicts(refreshed, full)
    changes = refreshed.changes
    assert changes is not None
    ids = _ids_side_by_side(full, 300 if spec["n"] > 100_000 else None)
    lookup = _lookup(spec, book, full, as_of)
    return {"load_s": load_s, "full_s": min(full_s), "refresh_s": min(refresh_s),
            "assemble_s": assemble_s, "fingerprint_s": fingerprint_s,
            "new_fingerprint_s": new_fingerprint_s, "ok": ok and ids["ok"] and lookup["ok"],
            "changes": changes.counts(), "ids": ids, "lookup": lookup, "rows": len(table),
            "policies": len(book.policies)}


def _ids_side_by_side(result: Any, every: int | None) -> dict[str, Any]:
    """Eligible ids of every active policy: ours (Arrow) vs Polars filtering an id column by
    each verdict column (the verdicts handed to Polars as Boolean columns, 100 at a time)."""
    import numpy as np
    import polars as pl
    import pyarrow as pa

    from policy_match.engine import bitset

    n = len(result.table)
    active = [p for p, tri in result.tris.items() if tri is not None]
    ours_s = peer_s = 0.0
    ok = True
    ids = pa.array(result.table.ids, type=pa.string())
    for start in range(0, len(active), 100):
        group = active[start:start + 100]
        columns = {pid: np.asarray(bitset.unpack(result.tris[pid].t, n)) for pid in group}
        frame = pl.DataFrame({"id": pl.from_arrow(ids), **columns})
        t = time.perf_counter()
        peer = [frame.filter(pl.col(pid))["id"] for pid in group]
        peer_s += time.perf_counter() - t
        t = time.perf_counter()
        ours = [result.eligible_ids(pid) for pid in group]
        ours_s += time.perf_counter() - t
        for a, b in zip(ours, peer, strict=True):
            ok &= len(a) == len(b)
        ok &= ours[0].to_pylist() == peer[0].to_list()
        del frame, columns
    t = time.perf_counter()
    lists = [result.eligible(pid) for pid in active[:every]]
    list_s = time.perf_counter() - t
    return {"ours_s": ours_s, "polars_s": peer_s, "lists_s": list_s, "lists": len(lists),
            "policies": len(active), "ok": bool(ok)}


def _lookup(spec: dict[str, Any], book: Any, result: Any, as_of: dt.date) -> dict[str, Any]:
    with open(spec["csv"], encoding="utf-8-sig") as f:
        records = [{k: v for k, v in r.items() if v != ""}
                   for _, r in zip(range(30), csv.DictReader(f), strict=False)]
    ok = True
    for i, record in enumerate(records):
        got = book.match_record(record, as_of=as_of)
        want = result.for_enterprise(result.table.ids[i])
        ok &= all(got[p] is want[p] for p in want)
    times = []
    budget = time.perf_counter() + (1.0 if spec["n"] <= 20_000 else 4.0)
    k = 0
    while time.perf_counter() < budget or k < 50:
        record = records[k % len(records)]
        t = time.perf_counter_ns()
        book.match_record(record, as_of=as_of)
        times.append((time.perf_counter_ns() - t) / 1000)
        k += 1
    return {"median_us": statistics.median(times), "runs": len(times), "ok": bool(ok)}


JOBS = {"roster": job_roster, "push": job_push, "refresh": job_refresh}


def run_job(name: str, work: Path) -> dict[str, Any]:
    t = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "benchmarks.scale", "--job", name,
                           "--work", str(work)], cwd=ROOT, capture_output=True, text=True)
    if proc.returncode != 0:
        sys.stderr.write(proc.stdout + proc.stderr)
        raise SystemExit(f"{name}: the job failed (exit {proc.returncode})")
    report: dict[str, Any] = json.loads((work / f"scale-{name}.json").read_text("utf-8"))
    report["wall_s"] = time.perf_counter() - t
    return report


def _engine(name: str, work: Path) -> dict[str, Any]:
    from .run import run_engine

    return run_engine(name, work)


# ---- the run ---------------------------------------------------------------------------------


def _ratio(peer: float, ours: float) -> str:
    return f"{peer / ours:.2f}×" if ours else "—"


def _row(measure: str, ours: str, peer: str, ratio: str, goal: str, met: bool | None) -> str:
    verdict = "—" if met is None else ("met" if met else "**not met**")
    return f"| {measure} | {ours} | {peer} | {ratio} | {goal} | {verdict} |"


# long: one table row per goal, each with its numbers, reads best together
def render(spec: dict[str, Any], r: dict[str, dict[str, Any]], passed: bool,
           took: float) -> str:
    n, p = spec["n"], spec["policies"]
    roster, push, refresh = r["roster"], r["push"], r["refresh"]
    ours, polars, every = r["ours"], r["polars"], r["polars_every_tag"]
    ids, lookup = refresh["ids"], refresh["lookup"]
    rows = [
        _row(f"roster, {roster['rows']:,} rows × {roster['policies']} policies (bundled)",
             f"{roster['roster_s']:.3f} s", f"match {roster['match_s']:.3f} s",
             f"{roster['roster_s'] / roster['match_s']:.2f}× match", "≤ 3× match",
             roster["roster_s"] <= 3 * roster["match_s"]),
        _row("roster job peak RSS (load + match + roster)", f"{roster['peak_rss_mb']:,.0f} MB",
             "", "", "≤ 2,048 MB", roster["peak_rss_mb"] <= 2048),
        _row(f"push plan of a daily refresh ({CHANGED:.0%} rows changed), {push['rows']:,} × "
             f"{push['policies']:,}: refresh + plan, {push['enterprises']:,} enterprises, "
             f"{push['messages']:,} messages",
             f"{push['plan_s']:.3f} s", f"match {push['match_s']:.3f} s",
             f"{push['plan_s'] / push['match_s']:.2f}× match", "≤ 3× match",
             push["plan_s"] <= 3 * push["match_s"]),
        _row("push job peak RSS", f"{push['peak_rss_mb']:,.0f} MB", "", "", "≤ 2,048 MB",
             push["peak_rss_mb"] <= 2048),
        _row(f"refresh after {CHANGED:.0%} of {refresh['rows']:,} rows changed "
             f"(× {refresh['policies']:,} policies)",
             f"{refresh['refresh_s']:.3f} s", f"full match {refresh['full_s']:.3f} s",
             f"{refresh['refresh_s'] / refresh['full_s']:.1%} of a full match",
             "≤ 10% of a full match", refresh["refresh_s"] <= 0.10 * refresh["full_s"]),
        _row(f"eligible ids of every policy ({ids['policies']:,}), Arrow",
             f"{ids['ours_s']:.3f} s", f"Polars {ids['polars_s']:.3f} s",
             _ratio(ids["polars_s"], ids["ours_s"]), "≥ 3× faster than Polars",
             ids["polars_s"] >= 3 * ids["ours_s"]),
        _row(f"CSV load, {ours['rows']:,} rows (every value validated)",
             f"{ours['load_s']:.3f} s", f"Polars, every tag cast {every['load_s']:.3f} s",
             f"{ours['load_s'] / every['load_s']:.2f}× Polars", "≤ 2× Polars",
             ours["load_s"] <= 2 * every["load_s"]),
        _row("peak RSS of the bulk job (load + match + new policy)",
             f"{ours['peak_rss_mb']:,.0f} MB", f"Polars {polars['peak_rss_mb']:,.0f} MB",
             f"{ours['peak_rss_mb'] / polars['peak_rss_mb']:.2f}× Polars", "≤ 1.5× Polars",
             ours["peak_rss_mb"] <= 1.5 * polars["peak_rss_mb"]),
        _row(f"point lookup, 1 × {refresh['policies']:,}, median",
             f"{lookup['median_us']:.0f} µs", "", "", "≤ 50 µs", lookup["median_us"] <= 50),
    ]
    notes = [
        f"- Data: `policy_match.tools.generate` (seed {spec['seed']}), {n:,} rows as CSV; "
        f"{p:,} generated policies (`benchmarks.policies`); the roster uses the bundled "
        "rulebook on the same CSV.",
        f"- Roster: `build_roster(compute_benefits(result))` — amounts, 互斥组 resolution, "
        f"keys, who is paid: {roster['entries']:,} entries, {roster['to_verify']:,} to verify. "
        "An entry's facts are read when the entry is read (writing the file): "
        f"{roster['entry_ms']:.2f} ms per entry on this machine.",
        f"- Refresh: {refresh['changes']['rows_changed']:,} rows changed (营业收入 and 研发费用 "
        f"moved), {refresh['changes']['rows_evaluated']:,} evaluated again. Row fingerprints "
        f"(once per loaded table, not in the refresh time): {refresh['fingerprint_s']:.3f} s "
        f"old, {refresh['new_fingerprint_s']:.3f} s new. Putting every policy's bitsets "
        f"together afterwards (done when read): {refresh['assemble_s']:.3f} s.",
        f"- Push: the refresh and `plan(ledger, refreshed, only_changes=True)` into a ledger "
        f"holding yesterday's plan of the enterprises that change ({push['first_messages']:,} "
        f"messages, planned untimed in {push['first_s']:.1f} s: a first plan writes one "
        "ledger row per message, so its time follows the number of messages, not the rows).",
        f"- Ids: `result.eligible(p)` lists (Python str per id) for "
        f"{ids['lists']:,} policies took {ids['lists_s']:.3f} s.",
        f"- Load: `benchmarks.engines ours|polars_every_tag`: policy_match parses and "
        f"validates every column, so its peer is Polars casting every tag's column by its "
        f"type ({every['columns']} columns). CPU: ours {ours['load_cpu_s']:.3f} s, Polars "
        f"{every['load_cpu_s']:.3f} s. For information, Polars reading only the columns the "
        f"policies use, with their casts (`benchmarks.engines polars`): "
        f"{polars['load_s']:.3f} s ({polars['load_cpu_s']:.3f} s CPU).",
        "- Bulk RSS: `benchmarks.engines ours|polars` (load + match + one new policy; Polars "
        "reads the columns the policies use).",
        f"- Whole run: {took:.0f} s. Cross-check: **{'PASSED' if passed else 'FAILED'}**.",
    ]
    head = f"# Scale benchmark: {n:,} enterprises × {p:,} policies\n"
    table = ["| measure | ours | peer | ratio | goal | |", "|---|---:|---:|---|---|---|", *rows]
    return "\n".join([head, *table, "", *notes, ""])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.scale", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, help="enterprises (default 1,000,000; quick 20,000)")
    parser.add_argument("--policies", type=int, help="policies (default 2,000; quick 100)")
    parser.add_argument("--quick", action="store_true", help="N=20,000, P=100: what CI runs")
    parser.add_argument("--work", help="keep the generated data and rules in this folder")
    parser.add_argument("--results", help="Markdown output (default: print only)")
    parser.add_argument("--job", choices=sorted(JOBS), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.job:
        work = Path(args.work)
        report = JOBS[args.job](_spec(work))
        report["peak_rss_mb"] = _peak_rss_mb()
        (work / f"scale-{args.job}.json").write_text(json.dumps(report), encoding="utf-8")
        return 0
    from .run import prepare

    n = args.n or (20_000 if args.quick else 1_000_000)
    p = args.policies or (100 if args.quick else 2_000)
    work = Path(args.work) if args.work else Path(tempfile.mkdtemp(prefix="pm-scale-"))
    work.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    if not (work / "spec.json").exists() or _spec(work)["n"] != n \
            or _spec(work)["policies"] != p:
        print(f"generating {n:,} enterprises and {p:,} policies in {work} …", flush=True)
        prepare(work, n, p, 0, 1, 200)
    spec = _spec(work)
    spec["work"] = str(work)
    (work / "spec.json").write_text(json.dumps(spec), encoding="utf-8")
    reports: dict[str, dict[str, Any]] = {}
    for name in ("roster", "push", "refresh"):
        print(f"job {name} …", flush=True)
        reports[name] = run_job(name, work)
    for engine in ("ours", "polars", "polars_every_tag"):
        print(f"bulk job {engine} …", flush=True)
        reports[engine] = _engine(engine, work)
    passed = all(reports[j]["ok"] for j in ("roster", "push", "refresh"))
    passed &= reports["ours"]["counts"] == {
        k: v for k, v in reports["polars"]["counts"].items()}
    passed &= reports["ours"]["rows"] == reports["polars_every_tag"]["rows"]
    text = render(spec, reports, passed, time.perf_counter() - start)
    print()
    print(text)
    if args.results:
        Path(args.results).write_text(text, encoding="utf-8")
    print(f"CROSS-CHECK {'PASSED' if passed else 'FAILED'}")
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
