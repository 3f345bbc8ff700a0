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
    lang_of,
    load_book,
    load_status,
)
from policy_match.cli.outputs import add_force, guard
from policy_match.core.rulebook import Rulebook

_TABLE_SUFFIXES = (".csv", ".jsonl", ".parquet")


def _cmd_match(args: argparse.Namespace) -> int:
    if args.db is not None or args.data is None:  # in the database: cli/sql.py
        from policy_match.cli.sql_commands import match_in_database

        return match_in_database(args)
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
        table, result = load_match(progress, book, args, as_of)
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


# ---- loading and matching with progress, and the daily refresh (--previous) ---------------


def load_tracked(progress: Any, path: Path, book: Rulebook, key: str = "scale.step.load"
                 ) -> Any:
    """An enterprise table, its parsing shown cell by cell on the progress display."""
    from policy_match.base.messages import text
    from policy_match.data.table import EnterpriseTable

    track = progress.track(text(key, path=path), text("scale.unit.cells"))
    try:
        return EnterpriseTable.load(path, book, progress=track)
    except (OSError, ValueError) as exc:
        raise UsageError(f"{path}: {exc}") from None


def load_match(progress: Any, book: Rulebook, args: argparse.Namespace, as_of: Any
               ) -> tuple[Any, Any]:
    """The table of ``args.data`` and its match; with ``--previous OLD_DATA`` a refresh
    (only changed rows and policies evaluated), what changed said on standard error."""
    table, _, result = load_refresh(progress, book, args, as_of)
    return table, result


def load_refresh(progress: Any, book: Rulebook, args: argparse.Namespace, as_of: Any
                 ) -> tuple[Any, Any, Any]:
    """The table of ``args.data``, yesterday's match (``None`` without ``--previous``) and
    today's: refreshed from yesterday's when there is one."""
    from policy_match.base.messages import text

    table = load_tracked(progress, args.data, book)
    previous = getattr(args, "previous", None)
    if previous is None:
        track = progress.track(text("scale.step.match", rows=f"{len(table):,}",
                                    policies=len(book.policies)), text("scale.unit.policies"))
        return table, None, book.match(table, as_of=as_of, progress=track)
    old_book = load_book(args.previous_rules) if args.previous_rules else book
    old_table = load_tracked(progress, previous, old_book, "scale.step.load_previous")
    track = progress.track(text("scale.step.match", rows=f"{len(old_table):,}",
                                policies=len(old_book.policies)), text("scale.unit.policies"))
    old = old_book.match(old_table, as_of=args.previous_as_of or as_of, progress=track)
    progress.step(text("scale.step.refresh"))
    result = book.match(table, as_of=as_of, previous=old)
    say_changes(result.changes, lang_of(args))
    return table, old, result


def say_changes(changes: Any, lang: str) -> None:
    from policy_match.base.messages import text

    fields = {"added": len(changes.rows_added), "removed": len(changes.rows_removed),
              "changed": len(changes.rows_changed), "evaluated": changes.rows_evaluated,
              "p_added": len(changes.policies_added),
              "p_removed": len(changes.policies_removed),
              "p_changed": len(changes.policies_changed),
              "p_dated": len(changes.policies_dated)}
    print(text("scale.changes", lang, **fields), file=sys.stderr)


def add_previous_options(parser: argparse.ArgumentParser) -> None:
    """``--previous OLD_DATA`` (and the rules and date it was matched with)."""
    parser.add_argument(
        "--previous", type=existing, metavar="OLD_DATA",
        help="the previous enterprise table (yesterday's): evaluate only the rows whose "
             "values changed and the policies whose text changed, and say what changed")
    parser.add_argument("--previous-rules", type=existing, metavar="OLD_RULES",
                        help="with --previous: the rulebook it was matched with (default: RULES)")
    parser.add_argument("--previous-as-of", type=date_arg, metavar="DATE",
                        help="with --previous: its evaluation date (default: --as-of)")


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
    match.add_argument("data", type=existing, nargs="?", help=".csv, .jsonl, .xlsx or .parquet")
    match.add_argument("--db", help="match inside a database instead: duckdb:///… or "
                                    "postgresql://… (see `policy-match sql`)")
    match.add_argument("--table", help="with --db: the enterprise table (default enterprises)")
    match.add_argument("--as-of", type=date_arg, help="evaluation date (default: today)")
    match.add_argument("--out", help="write eligible and unknown pairs (.csv/.jsonl/.parquet)")
    match.add_argument("--format", choices=("table", "csv", "jsonl"), default="table",
                       help="what to print: a summary per policy, or the pairs")
    add_load_options(match)
    add_force(match)
    match.add_argument("--quiet", action="store_true", help="no progress display")
    add_previous_options(match)
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
