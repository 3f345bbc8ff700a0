"""Commands for reviewing a refresh of the enterprise library: snapshot, diff."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from policy_match.base import clock
from policy_match.cli.bulk import add_previous_options, load_refresh
from policy_match.cli.common import (
    EXIT_OK,
    UsageError,
    add_load_options,
    date_arg,
    existing,
    interactive,
    load_book,
    load_status,
)
from policy_match.cli.outputs import add_force, guard


def _cmd_snapshot(args: argparse.Namespace) -> int:
    from policy_match.apps.snapshot import Snapshot, diff, save_snapshot
    from policy_match.base.messages import text
    from policy_match.cli.progress import Progress

    out = Path(args.out)
    if out.suffix.lower() != ".parquet":
        raise UsageError(f"--out {out}: a snapshot is a .parquet file")
    if not out.parent.is_dir():
        raise UsageError(f"--out {out}: folder {out.parent} does not exist")
    report = Path(args.diff_out) if args.diff_out else None
    if report is not None:
        if args.previous is None:
            raise UsageError("--diff-out needs --previous OLD_DATA（--diff-out 需要 --previous）")
        if not report.parent.is_dir():
            raise UsageError(f"--diff-out {report}: folder {report.parent} does not exist")
    guard([out] if report is None else [out, report],
          [p for p in (args.rules, args.data, args.previous) if p is not None], args.force)
    book = load_book(args.rules)
    as_of = clock.resolve(args.as_of)
    with Progress(enabled=interactive(args)) as progress:
        table, previous, result = load_refresh(progress, book, args, as_of)
        track = progress.track(text("scale.step.snapshot", path=out), text("scale.unit.policies"))
        snap = save_snapshot(result, out, progress=track)
    print(f"已写入匹配快照：{len(snap):,} 家企业 × {len(snap.codes)} 项政策，评估日 {as_of} — "
          f"wrote snapshot of {len(snap):,} enterprises × {len(snap.codes)} policies "
          f"(as of {as_of}) to {out}", file=sys.stderr)
    if report is not None and previous is not None:
        # yesterday's verdicts vs today's: only the rows the refresh says may differ
        changes = diff(Snapshot.from_result(previous), snap, result.changes)
        fmt = {".json": "json", ".csv": "csv"}.get(report.suffix.lower(), "text")
        _write_report(report, _report_text(changes, fmt, args.limit), fmt)
    if args.format == "json":
        print(json.dumps({"path": str(out), "enterprises": len(snap),
                          "policies": len(snap.codes), "as_of": snap.as_of.isoformat(),
                          "source": snap.source, "rulebook_hash": snap.rulebook_hash},
                         ensure_ascii=False, indent=2))
    return load_status(table, args)


def _report_text(result: Any, fmt: str, limit: int | None) -> str:
    from policy_match.apps.snapshot import render_text

    if fmt == "json":
        return json.dumps(result.to_dict(), ensure_ascii=False, indent=2) + "\n"
    if fmt == "csv":
        out: str = result.to_csv()
        return out
    return render_text(result, limit=limit or None) + "\n"


def _write_report(out: Path, report: str, fmt: str) -> None:
    # a CSV for people gets a byte-order mark, so that Excel reads the Chinese
    encoding = "utf-8-sig" if fmt == "csv" else "utf-8"
    try:
        out.write_text(report, encoding=encoding)
    except OSError as exc:
        raise UsageError(f"--out {out}: {exc.strerror or exc}") from None
    print(f"已写入变化报告 — wrote the {fmt} report to {out}", file=sys.stderr)


def _cmd_diff(args: argparse.Namespace) -> int:
    from policy_match.apps.snapshot import diff, load_snapshot

    out = Path(args.out) if args.out else None
    if out is not None:
        if not out.parent.is_dir():
            raise UsageError(f"--out {out}: folder {out.parent} does not exist")
        guard([out], [args.old, args.new], args.force)
    try:
        old, new = load_snapshot(args.old), load_snapshot(args.new)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    report = _report_text(diff(old, new), args.format, args.limit)
    if out is None:
        sys.stdout.write(report)
        return EXIT_OK
    _write_report(out, report, args.format)
    return EXIT_OK


def register(sub: Any) -> None:
    snapshot = sub.add_parser("snapshot", help="save every (enterprise, policy) verdict of a "
                                               "match as a Parquet snapshot")
    snapshot.add_argument("rules", type=existing)
    snapshot.add_argument("data", type=existing, help=".csv, .jsonl, .xlsx or .parquet")
    snapshot.add_argument("--out", required=True, help="the snapshot file (.parquet)")
    snapshot.add_argument("--as-of", type=date_arg, help="evaluation date (default: today)")
    snapshot.add_argument("--format", choices=("text", "json"), default="text",
                          help="text: one line on standard error (default); json: what was "
                               "saved, on standard output")
    add_load_options(snapshot)
    add_previous_options(snapshot)
    snapshot.add_argument("--diff-out", metavar="REPORT",
                          help="with --previous: also write what changed from the previous "
                               "table's verdicts (.json, .csv, else text), compared only where "
                               "the refresh says rows may differ")
    snapshot.add_argument("--limit", type=int, default=20,
                          help="--diff-out as text: enterprises listed per change (0: all)")
    snapshot.add_argument("--quiet", action="store_true", help="no progress display")
    add_force(snapshot)
    snapshot.set_defaults(run=_cmd_snapshot)

    diff = sub.add_parser("diff", help="what changed between two snapshots: per policy, "
                                       "enterprises that became or stopped being eligible "
                                       "or unknown")
    diff.add_argument("old", type=existing, help="the earlier snapshot (.parquet)")
    diff.add_argument("new", type=existing, help="the later snapshot (.parquet)")
    diff.add_argument("--format", choices=("text", "json", "csv"), default="text")
    diff.add_argument("--limit", type=int, default=20,
                      help="text: enterprises listed per change (0: all; default 20)")
    diff.add_argument("--out", help="write the report to this file instead of standard output")
    add_force(diff)
    diff.set_defaults(run=_cmd_diff)
