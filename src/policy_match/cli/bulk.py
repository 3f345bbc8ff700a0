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
    add_load_options,
    date_arg,
    existing,
    interactive,
    load_and_match,
    load_book,
    load_status,
)
from policy_match.cli.outputs import add_force, guard
from policy_match.core.rulebook import Rulebook

_TABLE_SUFFIXES = (".csv", ".jsonl", ".parquet")


def _cmd_match(args: argparse.Namespace) -> int:
    from policy_match.cli.progress import Progress
    from policy_match.dsl.ir import Verdict

    if args.out:
        if Path(args.out).suffix.lower() not in _TABLE_SUFFIXES:
            raise UsageError(f"--out {args.out}: use .csv, .jsonl or .parquet "
                             "（请使用 .csv、.jsonl 或 .parquet）")
        guard([args.out], [args.rules, args.data], args.force)
    book = load_book(args.rules)
    as_of = args.as_of or clock.today()
    with Progress(enabled=interactive(args)) as progress:
        table, result = load_and_match(progress, book, args.data, as_of)
    wanted = (Verdict.ELIGIBLE, Verdict.UNKNOWN)
    if args.out:
        out = Path(args.out)
        writers = {".csv": result.to_csv, ".jsonl": result.to_jsonl,
                   ".parquet": result.to_parquet}
        written = writers[out.suffix.lower()](out, wanted)
        print(f"已写入 {written:,} 对（企业，政策） — wrote {written:,} (enterprise, policy) "
              f"pairs to {out}", file=sys.stderr)
    if args.format == "table":
        _print_summary(book, result)
    elif args.format == "csv":
        writer = csv.DictWriter(sys.stdout, fieldnames=["enterprise", "policy", "verdict"])
        writer.writeheader()
        writer.writerows(result.to_records(wanted))
    else:
        for record in result.to_records(wanted):
            print(json.dumps(record, ensure_ascii=False))
    return load_status(table, args)


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
    if suffix not in _TABLE_SUFFIXES:
        raise UsageError(f"--out {args.out}: use .csv, .jsonl or .parquet "
                         "（请使用 .csv、.jsonl 或 .parquet）")
    if args.n < 0:
        raise UsageError(f"--n {args.n}: the number of enterprises is 0 or more "
                         "（企业数不能为负数）")
    guard([args.out], [], args.force)
    start = time.perf_counter()
    written = write_library(args.n, args.out, seed=args.seed, dirty=args.dirty)
    took = time.perf_counter() - start
    if args.format == "json":
        print(json.dumps({"path": str(written.path), "rows": written.rows,
                          "seed": written.seed, "dirty": written.dirty,
                          "bad_values": written.bad_values, "seconds": round(took, 3)},
                         ensure_ascii=False, indent=2))
        return EXIT_OK
    extra = f", {written.bad_values} deliberately bad value(s)" if written.dirty else ""
    print(f"已生成 {written.rows:,} 家企业 — wrote {written.rows:,} enterprises "
          f"(seed {written.seed}{extra}) to {args.out} in {took:.1f}s", file=sys.stderr)
    return EXIT_OK


def register(sub: Any) -> None:
    match = sub.add_parser("match", help="match every policy against an enterprise table")
    match.add_argument("rules", type=existing)
    match.add_argument("data", type=existing, help=".csv, .jsonl, .xlsx or .parquet")
    match.add_argument("--as-of", type=date_arg, help="evaluation date (default: today)")
    match.add_argument("--out", help="write eligible and unknown pairs (.csv/.jsonl/.parquet)")
    match.add_argument("--format", choices=("table", "csv", "jsonl"), default="table",
                       help="what to print: a summary per policy, or the pairs")
    add_load_options(match)
    add_force(match)
    match.add_argument("--quiet", action="store_true", help="no progress display")
    match.set_defaults(run=_cmd_match)

    generate = sub.add_parser("generate", help="write a realistic, seeded enterprise library")
    generate.add_argument("--n", type=int, required=True, help="number of enterprises")
    generate.add_argument("--out", required=True, help=".csv, .jsonl or .parquet")
    generate.add_argument("--seed", type=int, default=0)
    generate.add_argument("--dirty", action="store_true",
                          help="include deliberately bad values, duplicate and missing keys")
    generate.add_argument("--format", choices=("text", "json"), default="text",
                          help="text: one line on standard error (default); json: what was "
                               "written, on standard output")
    add_force(generate)
    generate.set_defaults(run=_cmd_generate)
