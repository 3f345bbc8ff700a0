"""Commands for the push desk: push plan, push mark-sent, push export, push check
(docs/push.md). A ledger that cannot be used (damaged, not a ledger, busy) is reported in one
line, in Chinese and English, with exit status 2; ``push check`` names the damage."""

from __future__ import annotations

import argparse
import functools
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from policy_match.base import clock
from policy_match.cli.bulk import add_previous_options, load_match
from policy_match.cli.common import (
    EXIT_FINDINGS,
    EXIT_OK,
    UsageError,
    add_load_options,
    date_arg,
    existing,
    interactive,
    load_book,
    load_status,
)

Command = Callable[[argparse.Namespace], int]


def _ledger_errors(command: Command) -> Command:
    """A LedgerError (or a refused output) is a one-line error with exit status 2."""

    @functools.wraps(command)
    def run(args: argparse.Namespace) -> int:
        from policy_match.apps.push import LedgerError
        from policy_match.data.io.guard import OutputRefused

        try:
            return command(args)
        except (LedgerError, OutputRefused) as exc:
            raise UsageError(str(exc)) from None

    return run


def _json(data: dict[str, Any]) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=2))


@_ledger_errors
def _cmd_plan(args: argparse.Namespace) -> int:
    from policy_match.apps.push import Ledger, MessageKind, plan
    from policy_match.base.messages import text
    from policy_match.cli.progress import Progress

    book = load_book(args.rules)
    if book.key is None:
        raise UsageError("规则库未声明主键标签，账本需要企业标识 "
                         "(the rulebook declares no key tag; the ledger needs enterprise ids)")
    with Progress(enabled=interactive(args)) as progress:
        table, result = load_match(progress, book, args, clock.resolve(args.as_of))
        track = progress.track(text("scale.step.push"), text("scale.unit.enterprises"))
        with Ledger(args.ledger) as ledger:
            report = plan(ledger, result, batch_size=args.batch_size, source=str(args.data),
                          only_changes=args.previous is not None, progress=track)
            counts = ledger.counts()
    if args.format == "json":
        _json({"ledger": str(args.ledger), "run_id": report.run_id,
               "as_of": report.as_of.isoformat(), "enterprises": report.enterprises,
               "skipped": report.skipped, "batches": report.batches,
               "added": {kind.value: report.added[kind] for kind in MessageKind},
               "total": report.total, **counts, "seconds": round(report.seconds, 3)})
    else:
        added = "，".join(f"{kind.zh} {report.added[kind]:,}" for kind in MessageKind)
        print(f"评估日 {report.as_of}：{report.enterprises:,} 家企业，新增 {report.total:,} "
              f"条消息（{added}）；待发送 {counts['unsent']:,} 条，共 {counts['messages']:,} 条")
    if report.skipped:
        print(f"{report.skipped} 行缺少 {book.key}，已跳过 "
              f"({report.skipped} row(s) without {book.key} skipped)", file=sys.stderr)
    return load_status(table, args)


@_ledger_errors
def _cmd_mark_sent(args: argparse.Namespace) -> int:
    from policy_match.apps.push import Ledger, mark_sent, read_ids

    chosen = sum(bool(x) for x in (args.ids, args.all, args.from_file))
    if chosen != 1:
        raise UsageError("push mark-sent：请给出消息编号、--all 或 --from FILE "
                         "(give message ids, or --all, or --from FILE)")
    ids: list[str] | None
    if args.all:
        ids = None
    elif args.from_file:
        try:
            ids = read_ids(args.from_file)
        except (OSError, ValueError, KeyError) as exc:
            raise UsageError(f"{args.from_file}：无法读取消息编号 "
                             f"(cannot read message ids: {exc})") from None
    else:
        ids = list(args.ids)
    with Ledger(args.ledger, create=False) as ledger:
        report = mark_sent(ledger, ids)
    if args.format == "json":
        _json({"ledger": str(args.ledger), "marked": report.marked,
               "already": report.already, "unknown": report.unknown})
    else:
        print(f"已标记发送 {report.marked:,} 条；此前已发送 {report.already:,} 条；"
              f"未知编号 {len(report.unknown):,} 个 (marked {report.marked:,} sent; "
              f"{report.already:,} already sent; {len(report.unknown):,} unknown)")
        for mid in report.unknown[:10]:
            print(f"  未知消息编号 (unknown message id): {mid}", file=sys.stderr)
    return EXIT_FINDINGS if report.unknown else EXIT_OK


@_ledger_errors
def _cmd_export(args: argparse.Namespace) -> int:
    from policy_match.apps.push import Ledger, export

    if Path(args.out).suffix.lower() not in (".jsonl", ".csv"):
        raise UsageError(f"--out {args.out}：请使用 .jsonl 或 .csv (use .jsonl or .csv)")
    with Ledger(args.ledger, create=False) as ledger:
        count = export(ledger, args.out, unsent=args.unsent, force=args.force)
    if args.format == "json":
        _json({"ledger": str(args.ledger), "out": str(args.out), "messages": count,
               "unsent_only": bool(args.unsent)})
    else:
        print(f"已写出 {count:,} 条消息到 {args.out} "
              f"(wrote {count:,} message(s) to {args.out})", file=sys.stderr)
    return EXIT_OK


def _cmd_check(args: argparse.Namespace) -> int:
    from policy_match.apps.push import inspect

    try:
        report = inspect(args.ledger, quick=args.quick)
    except OSError as exc:
        raise UsageError(f"{args.ledger}：无法读取 (cannot read: {exc})") from None
    if args.format == "json":
        _json(report.as_json())
    else:
        if report.sound:
            print(f"{args.ledger}：账本完好 (the ledger is sound)"
                  + (f"；{report.note}" if report.note else ""))
        else:
            print(f"{args.ledger}：发现 {len(report.damage)} 处损坏 "
                  f"({len(report.damage)} finding(s) of damage)")
            for damage in report.damage:
                print(f"  {damage.line()}")
    return EXIT_OK if report.sound else EXIT_FINDINGS


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text} 不是整数 (is not a whole number)") from None
    if value < 1:
        raise argparse.ArgumentTypeError("批大小至少为 1 (the batch size is at least 1)")
    return value


def _format(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--format", choices=("text", "json"), default="text",
                        help="text for people, json for programs")


def register(sub: Any) -> None:
    push = sub.add_parser("push", help="plan and track policy pushes with a ledger")
    commands = push.add_subparsers(dest="push_command", required=True, metavar="COMMAND")

    plan = commands.add_parser(
        "plan", help="write the new messages due (精准、普惠、请补充信息、撤回) to the outbox")
    plan.add_argument("rules", type=existing)
    plan.add_argument("data", type=existing,
                      help="an enterprise table (.csv .jsonl .xlsx .parquet)")
    plan.add_argument("--ledger", type=Path, required=True, help="the SQLite ledger (created)")
    plan.add_argument("--as-of", type=date_arg, help="evaluation date (default: today)")
    plan.add_argument("--batch-size", type=_positive, default=None,
                      help="enterprises per transaction (default: $POLICY_MATCH_PUSH_BATCH "
                           "or 500)")
    add_load_options(plan)
    add_previous_options(plan)  # the previous table must have been planned into this ledger
    plan.add_argument("--quiet", action="store_true", help="no progress display")
    _format(plan)
    plan.set_defaults(run=_cmd_plan)

    mark = commands.add_parser("mark-sent", help="record delivery of messages by id")
    mark.add_argument("ids", nargs="*", metavar="ID")
    mark.add_argument("--ledger", type=existing, required=True)
    mark.add_argument("--all", action="store_true", help="every unsent message")
    mark.add_argument("--from", dest="from_file", type=existing,
                      help="ids one per line, or an exported .jsonl/.csv")
    _format(mark)
    mark.set_defaults(run=_cmd_mark_sent)

    export = commands.add_parser("export", help="export the outbox (.jsonl or .csv)")
    export.add_argument("--ledger", type=existing, required=True)
    export.add_argument("--out", type=Path, required=True)
    export.add_argument("--unsent", action="store_true", help="only messages not yet sent")
    export.add_argument("--force", action="store_true", help="replace an existing --out file")
    _format(export)
    export.set_defaults(run=_cmd_export)

    check = commands.add_parser(
        "check", help="check a ledger: SQLite integrity, schema, the ledger's invariants")
    check.add_argument("ledger", type=existing)
    check.add_argument("--quick", action="store_true",
                       help="PRAGMA quick_check instead of the full integrity_check")
    _format(check)
    check.set_defaults(run=_cmd_check)
