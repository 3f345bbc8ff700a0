"""Commands for the push desk: push plan, push mark-sent, push export (docs/push.md)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from policy_match.base import clock
from policy_match.cli.common import (
    EXIT_FINDINGS,
    EXIT_OK,
    UsageError,
    date_arg,
    existing,
    load_book,
    load_table,
)


def _ledger(path: Path) -> Any:
    from policy_match.apps.push import Ledger, LedgerError

    try:
        return Ledger(path)
    except LedgerError as exc:
        raise UsageError(str(exc)) from None


def _cmd_plan(args: argparse.Namespace) -> int:
    from policy_match.apps.push import MessageKind, plan

    book = load_book(args.rules)
    if book.key is None:
        raise UsageError("the rulebook declares no key tag; the ledger needs enterprise ids")
    table = load_table(args.data, book)
    result = book.match(table, as_of=clock.resolve(args.as_of))
    with _ledger(args.ledger) as ledger:
        report = plan(ledger, result, batch_size=args.batch_size, source=str(args.data))
        counts = ledger.counts()
    added = "，".join(f"{kind.zh} {report.added[kind]:,}" for kind in MessageKind)
    print(f"评估日 {report.as_of}：{report.enterprises:,} 家企业，新增 {report.total:,} 条消息"
          f"（{added}）；待发送 {counts['unsent']:,} 条，共 {counts['messages']:,} 条")
    if report.skipped:
        print(f"{report.skipped} row(s) without {book.key} skipped", file=sys.stderr)
    return EXIT_OK


def _cmd_mark_sent(args: argparse.Namespace) -> int:
    from policy_match.apps.push import mark_sent, read_ids

    chosen = sum(bool(x) for x in (args.ids, args.all, args.from_file))
    if chosen != 1:
        raise UsageError("push mark-sent: give message ids, or --all, or --from FILE")
    ids: list[str] | None
    if args.all:
        ids = None
    elif args.from_file:
        try:
            ids = read_ids(args.from_file)
        except (OSError, ValueError, KeyError) as exc:
            raise UsageError(f"{args.from_file}: cannot read message ids: {exc}") from None
    else:
        ids = list(args.ids)
    with _ledger(args.ledger) as ledger:
        report = mark_sent(ledger, ids)
    print(f"marked {report.marked:,} sent; {report.already:,} already sent; "
          f"{len(report.unknown):,} unknown")
    for mid in report.unknown[:10]:
        print(f"  unknown message id: {mid}", file=sys.stderr)
    return EXIT_FINDINGS if report.unknown else EXIT_OK


def _cmd_export(args: argparse.Namespace) -> int:
    from policy_match.apps.push import export

    if Path(args.out).suffix.lower() not in (".jsonl", ".csv"):
        raise UsageError(f"--out {args.out}: use .jsonl or .csv")
    with _ledger(args.ledger) as ledger:
        count = export(ledger, args.out, unsent=args.unsent)
    print(f"wrote {count:,} message(s) to {args.out}", file=sys.stderr)
    return EXIT_OK


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError("the batch size is at least 1")
    return value


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
    plan.set_defaults(run=_cmd_plan)

    mark = commands.add_parser("mark-sent", help="record delivery of messages by id")
    mark.add_argument("ids", nargs="*", metavar="ID")
    mark.add_argument("--ledger", type=existing, required=True)
    mark.add_argument("--all", action="store_true", help="every unsent message")
    mark.add_argument("--from", dest="from_file", type=existing,
                      help="ids one per line, or an exported .jsonl/.csv")
    mark.set_defaults(run=_cmd_mark_sent)

    export = commands.add_parser("export", help="export the outbox (.jsonl or .csv)")
    export.add_argument("--ledger", type=existing, required=True)
    export.add_argument("--out", type=Path, required=True)
    export.add_argument("--unsent", action="store_true", help="only messages not yet sent")
    export.set_defaults(run=_cmd_export)
