"""Commands for reviewing a refresh of the enterprise library: snapshot, diff."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from policy_match.base import clock
from policy_match.cli.bulk import add_previous_options, load_match
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
    from policy_match.apps.snapshot import save_snapshot
    from policy_match.base.messages import text
    from policy_match.cli.progress import Progress

    out = Path(args.out)
    if out.suffix.lower() != ".parquet":
        raise UsageError(f"--out {out}: a snapshot is a .parquet file")
    if not out.parent.is_dir():
        raise UsageError(f"--out {out}: folder {out.parent} does not exist")
    guard([out], [args.rules, args.data], args.force)
    book = load_book(args.rules)
    as_of = clock.resolve(args.as_of)
    with Progress(enabled=interactive(args)) as progress:
        table, result = load_match(progress, book, args, as_of)
        track = progress.track(text("scale.step.snapshot", path=out), text("scale.unit.policies"))
        snap = save_snapshot(result, out, progress=track)
    print(f"已写入匹配快照：{len(snap):,} 家企业 × {len(snap.codes)} 项政策，评估日 {as_of} — "
          f"wrote snapshot of {len(snap):,} enterprises × {len(snap.codes)} policies "
          f"(as of {as_of}) to {out}", file=sys.stderr)
    if args.format == "json":
        print(json.dumps({"path": str(out), "enterprises": len(snap),
                          "policies": len(snap.codes), "as_of": snap.as_of.isoformat(),
                          "source": snap.source, "rulebook_hash": snap.rulebook_hash},
                         ensure_ascii=False, indent=2))
    return load_status(table, args)


def _cmd_diff(args: argparse.Namespace) -> int:
    from policy_match.apps.snapshot import diff, load_snapshot, render_text

    out = Path(args.out) if args.out else None
    if out is not None:
        if not out.parent.is_dir():
            raise UsageError(f"--out {out}: folder {out.parent} does not exist")
        guard([out], [args.old, args.new], args.force)
    try:
        old, new = load_snapshot(args.old), load_snapshot(args.new)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    result = diff(old, new)
    if args.format == "json":
        text = json.dumps(result.to_dict(), ensure_ascii=False, indent=2) + "\n"
    elif args.format == "csv":
        text = result.to_csv()
    else:
        text = render_text(result, limit=args.limit or None) + "\n"
    if out is None:
        sys.stdout.write(text)
        return EXIT_OK
    # a CSV for people gets a byte-order mark, so that Excel reads the Chinese
    encoding = "utf-8-sig" if args.format == "csv" else "utf-8"
    try:
        out.write_text(text, encoding=encoding)
    except OSError as exc:
        raise UsageError(f"--out {out}: {exc.strerror or exc}") from None
    print(f"已写入变化报告 — wrote the {args.format} report to {out}", file=sys.stderr)
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
