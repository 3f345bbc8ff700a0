"""policy_match side by side with Polars, DuckDB and rule-engine.

    .venv/bin/python -m benchmarks.run [--n N] [--policies P] [--quick] [--results FILE]

1. generates N enterprises (``policy_match.tools.generate``, seed 0) as CSV and P policies
   (``benchmarks.policies``) as ``.rule`` text plus, per policy, a Polars expression, a DuckDB
   query and a pair of rule-engine rules;
2. runs each engine's bulk job (load the CSV, match every active policy, add one new policy)
   in a subprocess of its own (``benchmarks.engines``), which reports timings and its peak RSS;
3. **cross-checks** the three: verdict counts per policy (eligible / ineligible / unknown)
   and the verdict of every sampled (enterprise, policy) pair must be identical — timings
   count only when they are (exit status 1 otherwise);
4. point lookup in this process: one enterprise × P policies, ``book.match_record`` against
   rule-engine evaluating the same rules (median µs over many runs), after checking both give
   the bulk verdicts on sampled enterprises;
5. prints a table of times and ratios (peer time / ours) and writes it as Markdown
   (``benchmarks/results.md``; ``benchmarks/results-quick.md`` with ``--quick``).

``--quick`` is N = 20,000, P = 100: well under a minute, and what CI runs.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
ENGINES = ("ours", "polars", "duckdb")
NAMES = {"ours": "policy_match", "polars": "Polars", "duckdb": "DuckDB",
         "rule_engine": "rule-engine"}


def _need_bench_extra() -> None:
    missing = []
    for module in ("polars", "duckdb", "rule_engine", "psutil"):
        try:
            __import__(module)
        except ImportError:
            missing.append(module)
    if missing:
        sys.exit(f"benchmarks need {', '.join(missing)}: install the bench extra, "
                 f"`.venv/bin/pip install -e '.[bench]'`")


# ---- setup ------------------------------------------------------------------------------------


def prepare(work: Path, n: int, p: int, seed: int, repeat: int, sample_size: int
            ) -> dict[str, Any]:
    from policy_match.tools.generate import generate_table, write

    from .policies import AS_OF, generate_policies, new_policy, rulebook_text

    t = time.perf_counter()
    table = generate_table(n, seed)
    gen_s = time.perf_counter() - t
    csv = work / f"enterprises-{n}.csv"
    t = time.perf_counter()
    write(table, csv)
    write_s = time.perf_counter() - t

    rules = work / "rules"
    rules.mkdir(exist_ok=True)
    shutil.copy(ROOT / "rules" / "tags.rule", rules / "tags.rule")
    policies = generate_policies(p, seed)
    (rules / "policies.rule").write_text(rulebook_text(policies), encoding="utf-8")
    (work / "new-policy.rule").write_text(new_policy().rule_text(), encoding="utf-8")

    rng = random.Random(seed + 1)
    sample = sorted(rng.sample(range(n), min(n, sample_size)))
    spec = {"csv": str(csv), "rules": str(rules), "n": n, "policies": p, "seed": seed,
            "as_of": AS_OF.isoformat(), "sample": sample, "repeat": repeat,
            "generate_s": gen_s, "write_csv_s": write_s,
            "csv_mb": csv.stat().st_size / 2**20}
    (work / "spec.json").write_text(json.dumps(spec), encoding="utf-8")
    spec["table"] = table
    return spec


def run_engine(engine: str, work: Path) -> dict[str, Any]:
    t = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "benchmarks.engines", engine, str(work)],
                          cwd=ROOT, capture_output=True, text=True)
    wall = time.perf_counter() - t
    if proc.returncode != 0:
        sys.stderr.write(proc.stdout + proc.stderr)
        raise SystemExit(f"{engine}: the bulk job failed (exit {proc.returncode})")
    report = json.loads((work / f"{engine}.json").read_text(encoding="utf-8"))
    report["wall_s"] = wall
    return report


# ---- cross-check ------------------------------------------------------------------------------


def cross_check(reports: dict[str, dict[str, Any]]) -> tuple[bool, list[str]]:
    """Counts per policy and sampled pair verdicts must agree across engines."""
    problems: list[str] = []
    base = reports["ours"]
    pairs = 0
    for engine in ENGINES[1:]:
        other = reports[engine]
        if other["sample_ids"] != base["sample_ids"]:
            problems.append(f"{engine}: sampled rows are other enterprises than ours")
        if set(other["counts"]) != set(base["counts"]):
            problems.append(f"{engine}: a different set of policies")
        for pid, ours in base["counts"].items():
            theirs = other["counts"].get(pid)
            if ours != theirs:
                problems.append(f"{pid}: counts (eligible, ineligible, unknown) ours {ours} "
                                f"vs {engine} {theirs}")
            if ours is None:
                continue
            a, b = base["sample"][pid], other["sample"].get(pid, "")
            pairs += len(a)
            if a != b:
                diff = [i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y]
                problems.append(f"{pid}: {len(diff)} sampled verdict(s) differ from {engine}, "
                                f"first at sample row {diff[:1]}")
        if base["new"] != other["new"]:
            problems.append(f"new policy: ours {base['new']['counts']} vs {engine} "
                            f"{other['new']['counts']} (or sampled verdicts differ)")
    return not problems, problems


# ---- point lookup -----------------------------------------------------------------------------

_DIV = None


def _canonical_industry(code: str | None) -> str | None:
    global _DIV
    if code is None:
        return None
    if _DIV is None:
        from policy_match.plugins.builtins.industry import SECTIONS

        _DIV = {f"{d:02d}": s for s, (_, lo, hi) in SECTIONS.items() for d in range(lo, hi + 1)}
    code = code.strip()
    return _DIV[code[:2]] + code if code[:1].isdigit() else code.upper()


def to_rule_engine(record: dict[str, Any]) -> dict[str, Any]:
    """A raw record (as in the CSV) typed for rule-engine, keyed by ASCII aliases."""
    from .policies import ALIAS, BOOLS, DATES, NUMERIC, SETS

    out: dict[str, Any] = {}
    for tag, alias in ALIAS.items():
        v = record.get(tag)
        if v is None:
            out[alias] = None
        elif tag in NUMERIC:
            out[alias] = float(v)
        elif tag in DATES:
            out[alias] = dt.date.fromisoformat(v)
        elif tag in BOOLS:
            out[alias] = {"是": True, "否": False}.get(v)
        elif tag in SETS:
            out[alias] = () if v == "无" else tuple(v.split("、"))
        elif tag == "所属行业":
            out[alias] = _canonical_industry(v)
        else:
            out[alias] = v
    return out


def point_lookup(spec: dict[str, Any], reports: dict[str, dict[str, Any]], quick: bool
                 ) -> dict[str, Any]:
    import rule_engine

    import policy_match as pm
    from policy_match.dsl.ir import Verdict

    from .policies import AS_OF, generate_policies

    book = pm.load(spec["rules"])
    _ = book.dag
    policies = [p for p in generate_policies(spec["policies"], spec["seed"]) if p.active(AS_OF)]
    t = time.perf_counter()
    context = rule_engine.Context()
    rules = [(p.pid, rule_engine.Rule(p.cond.re_true(), context=context),
              rule_engine.Rule(p.cond.re_false(), context=context)) for p in policies]
    compile_s = time.perf_counter() - t

    def peer(record: dict[str, Any]) -> dict[str, str]:
        thing = to_rule_engine(record)
        out = {}
        for pid, yes, no in rules:
            out[pid] = "T" if yes.matches(thing) else ("F" if no.matches(thing) else "U")
        return out

    letter = {Verdict.ELIGIBLE: "T", Verdict.INELIGIBLE: "F", Verdict.UNKNOWN: "U",
              Verdict.INACTIVE: "-"}

    def ours(record: dict[str, Any]) -> dict[str, Verdict]:
        return book.match_record(record, as_of=AS_OF)

    sample = spec["sample"]
    checked = min(len(sample), 50 if quick else 30)
    records = spec["table"].take(sample[:max(checked, 1)]).to_pylist()
    bulk = reports["ours"]["sample"]
    problems = []
    for j, record in enumerate(records[:checked]):
        mine = {pid: letter[v] for pid, v in ours(record).items() if v is not Verdict.INACTIVE}
        theirs = peer(record)
        expected = {pid: s[j] for pid, s in bulk.items()}
        if mine != expected:
            problems.append(f"sample row {j}: match_record differs from the bulk verdicts")
        if theirs != expected:
            bad = [pid for pid in expected if theirs.get(pid) != expected[pid]]
            problems.append(f"sample row {j}: rule-engine differs on {bad[:3]}")

    def median_us(fn: Any, budget_s: float, most: int) -> tuple[float, int]:
        for r in records[:3]:
            fn(r)
        times: list[float] = []
        start = time.perf_counter()
        while len(times) < most and (len(times) < 11 or time.perf_counter() - start < budget_s):
            r = records[len(times) % len(records)]
            t0 = time.perf_counter()
            fn(r)
            times.append(time.perf_counter() - t0)
        return statistics.median(times) * 1e6, len(times)

    budget = 5.0 if quick else 20.0
    ours_us, ours_runs = median_us(ours, budget, 1001)
    peer_us, peer_runs = median_us(peer, budget, 1001)
    return {"ours_us": ours_us, "ours_runs": ours_runs, "peer_us": peer_us,
            "peer_runs": peer_runs, "compile_s": compile_s, "checked": checked,
            "problems": problems, "policies": len(policies)}


# ---- report -------------------------------------------------------------------------------


def _fmt_s(x: float) -> str:
    return f"{x:.3f} s" if x < 10 else f"{x:.1f} s"


def _ratio(peer: float, ours: float) -> str:
    return f"{peer / ours:.2f}×" if ours > 0 else "—"


def render(spec: dict[str, Any], reports: dict[str, dict[str, Any]], lookup: dict[str, Any],
           passed: bool, problems: list[str], total_s: float) -> str:
    import duckdb
    import numpy
    import polars
    import pyarrow

    ours, pol, duck = (reports[e] for e in ENGINES)
    n, p = spec["n"], spec["policies"]
    active = sum(c is not None for c in ours["counts"].values())
    bulk = {e: min(reports[e]["bulk_s"]) for e in ENGINES}
    cpu = {e: min(reports[e]["bulk_cpu_s"]) for e in ENGINES}
    lines = [
        f"# Benchmark: {n:,} enterprises × {p:,} policies",
        "",
        f"Run {dt.datetime.now().isoformat(timespec='seconds')} on {platform.machine()}, "
        f"{os.cpu_count()} cores, Python {platform.python_version()}; numpy {numpy.__version__}, "
        f"pyarrow {pyarrow.__version__}, Polars {polars.__version__}, DuckDB "
        f"{duckdb.__version__}, rule-engine {_version('rule-engine')}. Evaluation date "
        f"{spec['as_of']}; {active:,} of the {p:,} policies are active on it (the rest "
        f"expired: inactive for every engine). Threads: policy_match {ours['threads']}, "
        f"Polars {pol['threads']}, DuckDB {duck['threads']}.",
        "",
        f"Cross-check: **{'PASSED' if passed else 'FAILED'}** — eligible / ineligible / "
        f"unknown counts identical for all {active:,} active policies (plus the new one) "
        f"across policy_match, Polars and DuckDB, and the verdicts of "
        f"{len(spec['sample']):,} sampled enterprises × {active:,} policies identical pair by "
        f"pair; point lookup: `match_record` and rule-engine agree with the bulk verdicts on "
        f"{lookup['checked']} sampled enterprises"
        f"{'' if not lookup['problems'] else ' — NOT: ' + '; '.join(lookup['problems'][:3])}.",
        "",
        "| measure | policy_match | Polars | DuckDB | rule-engine | peer / ours |",
        "|---|---:|---:|---:|---:|---|",
        f"| bulk match, {n:,} × {active:,} active policies "
        f"(best of {len(ours['bulk_s'])}) | {_fmt_s(bulk['ours'])} | {_fmt_s(bulk['polars'])} "
        f"| {_fmt_s(bulk['duckdb'])} | — | Polars {_ratio(bulk['polars'], bulk['ours'])}, "
        f"DuckDB {_ratio(bulk['duckdb'], bulk['ours'])} |",
        f"| bulk match, CPU seconds (all threads) | {_fmt_s(cpu['ours'])} "
        f"| {_fmt_s(cpu['polars'])} | {_fmt_s(cpu['duckdb'])} | — | "
        f"Polars {_ratio(cpu['polars'], cpu['ours'])}, "
        f"DuckDB {_ratio(cpu['duckdb'], cpu['ours'])} |",
        f"| one new policy over the loaded {n:,} (ms) | {ours['new_ms']:.1f} ms "
        f"| {pol['new_ms']:.1f} ms | {duck['new_ms']:.1f} ms | — | "
        f"Polars {_ratio(pol['new_ms'], ours['new_ms'])}, "
        f"DuckDB {_ratio(duck['new_ms'], ours['new_ms'])} |",
        f"| point lookup, 1 enterprise × {lookup['policies']:,} policies (median µs) "
        f"| {lookup['ours_us']:,.0f} µs | — | — | {lookup['peer_us']:,.0f} µs "
        f"| rule-engine {_ratio(lookup['peer_us'], lookup['ours_us'])} |",
        f"| CSV load, {n:,} rows ({spec['csv_mb']:.0f} MB) | {_fmt_s(ours['load_s'])} "
        f"| {_fmt_s(pol['load_s'])} | {_fmt_s(duck['load_s'])} | — | "
        f"Polars {_ratio(pol['load_s'], ours['load_s'])}, "
        f"DuckDB {_ratio(duck['load_s'], ours['load_s'])} |",
        f"| peak RSS of the bulk job (load + match + new policy) "
        f"| {ours['peak_rss_mb']:,.0f} MB | {pol['peak_rss_mb']:,.0f} MB "
        f"| {duck['peak_rss_mb']:,.0f} MB | — | Polars "
        f"{_ratio(pol['peak_rss_mb'], ours['peak_rss_mb'])}, DuckDB "
        f"{_ratio(duck['peak_rss_mb'], ours['peak_rss_mb'])} |",
        f"| compile: load + check the rulebook and build the DAG / build expressions / "
        f"build SQL / compile rule-engine rules "
        f"| {_fmt_s(ours['compile_s'])} | {_fmt_s(pol['compile_s'])} "
        f"| {_fmt_s(duck['compile_s'])} | {_fmt_s(lookup['compile_s'])} | — |",
        "",
        "Ratios above 1× mean the peer is slower (or bigger) than policy_match.",
        "",
        "Notes:",
        "",
        f"- Data: `policy_match.tools.generate` (seed {spec['seed']}), written as CSV in "
        f"{spec['write_csv_s']:.1f} s after {spec['generate_s']:.1f} s of generation. "
        f"policy_match loaded it with {ours['load_errors']} errors.",
        "- Bulk match: every engine materializes a three-valued verdict vector per policy "
        "(policy_match: packed true/false bitsets; Polars: one `select` of one nullable "
        "Boolean expression per policy; DuckDB: one `SELECT <condition> FROM ent` per policy, "
        "fetched as Arrow). Counting and sampling are done after the clock stops.",
        "- CSV load: policy_match `EnterpriseTable.from_csv` (parses and validates every value "
        "by its tag type, USCC check characters included); Polars `scan_csv` + casts "
        "(canonical industry codes, dates, booleans, 资质 as a list); DuckDB `read_csv` + "
        "the same casts into a table. The peers parse only what this data needs.",
        f"- New policy: `book.with_policies(text)` "
        f"({ours['with_policies_ms']:.0f} ms, not in the figure) then "
        "`book2.match(table, as_of, reuse=result)` — the figure: "
        f"{ours['new_dag_ms']:.1f} ms building book2's DAG (every policy normalized again "
        f"onto the shared nodes) + {ours['new_eval_ms']:.1f} ms evaluating the new nodes; "
        "Polars one expression, DuckDB one query over the loaded data.",
        f"- Point lookup: `book.match_record(record)` on the raw record (parsing included) vs "
        f"rule-engine: two rules per policy (one true exactly when the rule is true, one when "
        f"false; typing the raw record included); medians over {lookup['ours_runs']} and "
        f"{lookup['peer_runs']} runs.",
        "- Peak RSS: the high-water mark (VmHWM) of each engine's subprocess "
        f"(interpreter and imports included: {ours['start_rss_mb']:.0f} / "
        f"{pol['start_rss_mb']:.0f} / {duck['start_rss_mb']:.0f} MB at start).",
        f"- Whole run: {total_s:.0f} s. Wall-clock figures depend on what else the machine "
        f"runs: 1-minute load average before/after each bulk job: "
        + ", ".join(f"{NAMES[e]} {reports[e]['loadavg'][0]:.1f}/{reports[e]['loadavg'][1]:.1f}"
                    for e in ENGINES)
        + f" on {os.cpu_count()} cores (the CPU-seconds row is less sensitive to it).",
    ]
    if problems:
        lines += ["", "Cross-check problems (first 20):", ""]
        lines += [f"- {p}" for p in problems[:20]]
    return "\n".join(lines) + "\n"


def _version(dist: str) -> str:
    from importlib.metadata import version

    try:
        return version(dist)
    except Exception:
        return "?"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, help="enterprises (default 1,000,000; quick 20,000)")
    parser.add_argument("--policies", type=int, help="policies (default 2,000; quick 100)")
    parser.add_argument("--quick", action="store_true", help="N=20,000, P=100: what CI runs")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--repeat", type=int, help="bulk runs per engine, best taken "
                                                   "(default 1; quick 3)")
    parser.add_argument("--sample", type=int, default=1000,
                        help="enterprises whose verdicts are compared pair by pair")
    parser.add_argument("--results", help="Markdown output (default benchmarks/results.md; "
                                          "quick: benchmarks/results-quick.md)")
    parser.add_argument("--work", help="keep the generated data and rules in this folder")
    args = parser.parse_args(argv)
    _need_bench_extra()

    n = args.n or (20_000 if args.quick else 1_000_000)
    p = args.policies or (100 if args.quick else 2_000)
    repeat = args.repeat or (3 if args.quick else 1)
    results = Path(args.results) if args.results else HERE / (
        "results-quick.md" if args.quick else "results.md")
    start = time.perf_counter()
    work = Path(args.work) if args.work else Path(tempfile.mkdtemp(prefix="pm-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        print(f"generating {n:,} enterprises and {p:,} policies in {work} …", flush=True)
        spec = prepare(work, n, p, args.seed, repeat, args.sample)
        reports = {}
        for engine in ENGINES:
            print(f"running {NAMES[engine]} …", flush=True)
            reports[engine] = run_engine(engine, work)
        passed, problems = cross_check(reports)
        print(f"cross-check: {'PASSED' if passed else 'FAILED'}", flush=True)
        for problem in problems[:20]:
            print(f"  {problem}")
        print("point lookup: policy_match vs rule-engine …", flush=True)
        lookup = point_lookup(spec, reports, args.quick)
        if lookup["problems"]:
            passed = False
            problems += lookup["problems"]
            for problem in lookup["problems"][:10]:
                print(f"  {problem}")
        text = render(spec, reports, lookup, passed, problems, time.perf_counter() - start)
    finally:
        if not args.work:
            shutil.rmtree(work, ignore_errors=True)
    print()
    print(text)
    results.write_text(text, encoding="utf-8")
    print(f"written to {results}")
    print(f"CROSS-CHECK {'PASSED' if passed else 'FAILED'}")
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
