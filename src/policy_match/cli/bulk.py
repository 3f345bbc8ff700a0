"""Commands over a whole enterprise table: match, and generate (a seeded sample one)."""

from __future__ import annotations

import argparse
import csv
import json
import sys
import time
from pathlib import Path
from typing import Any

from policy_match.base import clock
from policy_match.cli.common import (
    EXIT_OK,
    UsageError,
    date_arg,
    existing,
    interactive,
    load_and_match,
    load_book,
    report_load_errors,
)
from policy_match.core.rulebook import Rulebook


def _cmd_match(args: argparse.Namespace) -> int:
    from policy_match.cli.progress import Progress
    from policy_match.dsl.ir import Verdict

    book = load_book(args.rules)
    as_of = args.as_of or clock.today()
    with Progress(enabled=interactive(args)) as progress:
        table, result = load_and_match(progress, book, args.data, as_of)
    report_load_errors(table, args.max_errors)
    wanted = (Verdict.ELIGIBLE, Verdict.UNKNOWN)
    if args.out:
        out = Path(args.out)
        suffix = out.suffix.lower()
        writers = {".csv": result.to_csv, ".jsonl": result.to_jsonl,
                   ".parquet": result.to_parquet}
        if suffix not in writers:
            raise UsageError(f"--out {out}: use .csv, .jsonl or .parquet")
        written = writers[suffix](out, wanted)
        print(f"wrote {written:,} (enterprise, policy) pairs to {out}", file=sys.stderr)
    if args.format == "table":
        _print_summary(book, result)
    elif args.format == "csv":
        writer = csv.DictWriter(sys.stdout, fieldnames=["enterprise", "policy", "verdict"])
        writer.writeheader()
        writer.writerows(result.to_records(wanted))
    else:
        for record in result.to_records(wanted):
            print(json.dumps(record, ensure_ascii=False))
    return EXIT_OK


def _print_summary(book: Rulebook, result: Any) -> None:
    from rich.console import Console
    from rich.table import Table

    from policy_match.dsl.ir import Verdict

    summary = Table(title=f"{len(result.table):,} 家企业，评估日 {result.as_of}")
    for header in ("政策", "事项名称", "执行部门", "符合", "待补充信息", "不符合", "不在有效期"):
        summary.add_column(header, justify="right" if header[0] in "符待不" else "left")
    for pid, counts in result.counts().items():
        policy = book.policies[pid]
        summary.add_row(pid, policy.name, policy.department or "",
                        *(f"{counts[v]:,}" for v in (Verdict.ELIGIBLE, Verdict.UNKNOWN,
                                                     Verdict.INELIGIBLE, Verdict.INACTIVE)))
    Console(width=max(120, Console().width)).print(summary)


def _cmd_generate(args: argparse.Namespace) -> int:
    from policy_match.tools.generate import write_library

    suffix = Path(args.out).suffix.lower()
    if suffix not in (".csv", ".jsonl", ".parquet"):
        raise UsageError(f"--out {args.out}: use .csv, .jsonl or .parquet")
    start = time.perf_counter()
    written = write_library(args.n, args.out, seed=args.seed, dirty=args.dirty)
    took = time.perf_counter() - start
    extra = f", {written.bad_values} deliberately bad value(s)" if written.dirty else ""
    print(f"wrote {written.rows:,} enterprises (seed {written.seed}{extra}) to {args.out} "
          f"in {took:.1f}s", file=sys.stderr)
    return EXIT_OK


def register(sub: Any) -> None:
    match = sub.add_parser("match", help="match every policy against an enterprise table")
    match.add_argument("rules", type=existing)
    match.add_argument("data", type=existing, help=".csv, .jsonl, .xlsx or .parquet")
    match.add_argument("--as-of", type=date_arg, help="evaluation date (default: today)")
    match.add_argument("--out", help="write eligible and unknown pairs (.csv/.jsonl/.parquet)")
    match.add_argument("--format", choices=("table", "csv", "jsonl"), default="table",
                       help="what to print: a summary per policy, or the pairs")
    match.add_argument("--max-errors", type=int, default=20,
                       help="how many load errors to list (all are counted)")
    match.add_argument("--quiet", action="store_true", help="no progress display")
    match.set_defaults(run=_cmd_match)

    generate = sub.add_parser("generate", help="write a realistic, seeded enterprise library")
    generate.add_argument("--n", type=int, required=True, help="number of enterprises")
    generate.add_argument("--out", required=True, help=".csv, .jsonl or .parquet")
    generate.add_argument("--seed", type=int, default=0)
    generate.add_argument("--dirty", action="store_true",
                          help="include deliberately bad values, duplicate and missing keys")
    generate.set_defaults(run=_cmd_generate)
