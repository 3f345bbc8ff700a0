"""Commands about items over time: status (where every item stands on a date)."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from typing import Any

from policy_match.apps.lifecycle.status import (
    EXPIRING_WITHIN,
    ItemStatus,
    Status,
    by_status,
    statuses,
)
from policy_match.base import clock
from policy_match.cli.common import EXIT_OK, date_arg, existing, load_book
from policy_match.dsl.diagnostics import display_width

HEADERS = ("事项编号", "事项名称", "执行部门", "适用时间", "期限", "发布日期", "上线日期",
           "上线用时")


def _term(item: ItemStatus) -> str:
    """How far the item is from its start or end, in days."""
    left = item.days_left
    if item.status is Status.EXPIRED:
        return f"已过期 {-left} 天" if left is not None else ""
    if item.status is Status.NOT_YET:
        return f"{item.days_until_effective} 天后生效"
    if left is None:
        return "长期有效"
    return "今天到期" if left == 0 else f"剩 {left} 天"


def _online(item: ItemStatus) -> str:
    delay = item.online_delay
    if delay is None:
        return ""
    text = f"{delay.working_days.days} 个工作日"
    if delay.late:
        text += f"（超 {delay.late_by}）"
    if not delay.working_days.exact:
        text += "*"
    return text


def _row(item: ItemStatus) -> list[str]:
    p = item.policy
    if p.valid_from is None and p.valid_to is None:
        valid = "不限"
    elif p.valid_to is None:
        valid = f"{p.valid_from} 起"
    elif p.valid_from is None:
        valid = f"至 {p.valid_to}"
    else:
        valid = f"{p.valid_from} 至 {p.valid_to}"
    return [p.id, p.name, p.department or "", valid, _term(item),
            str(p.published or ""), str(p.online or ""), _online(item)]


def _summary(groups: dict[Status, list[ItemStatus]], as_of: dt.date) -> str:
    n = {s: len(items) for s, items in groups.items()}
    active = n[Status.ACTIVE] + n[Status.EXPIRING]
    return (f"评估日 {as_of}：有效 {active} 项（其中即将到期 {n[Status.EXPIRING]} 项），"
            f"未生效 {n[Status.NOT_YET]} 项，已失效 {n[Status.EXPIRED]} 项")


def _pad(text: str, width: int) -> str:
    return text + " " * (width - display_width(text))


def _print_plain(groups: dict[Status, list[ItemStatus]], as_of: dt.date) -> None:
    rows = [_row(i) for items in groups.values() for i in items]
    widths = [max([display_width(h), *(display_width(r[c]) for r in rows)])
              for c, h in enumerate(HEADERS)]
    for status, items in groups.items():
        if not items:
            continue
        print(f"{status.zh} {status.value} ({len(items)})")
        print("  " + "  ".join(_pad(h, w) for h, w in zip(HEADERS, widths, strict=True)).rstrip())
        for item in items:
            print("  " + "  ".join(_pad(c, w) for c, w in zip(_row(item), widths, strict=True))
                  .rstrip())
        print()
    print(_summary(groups, as_of))


def _print_rich(groups: dict[Status, list[ItemStatus]], as_of: dt.date) -> None:
    from rich.console import Console
    from rich.table import Table

    styles = {Status.EXPIRED: "red", Status.EXPIRING: "yellow", Status.ACTIVE: "green",
              Status.NOT_YET: "cyan"}
    console = Console()
    for status, items in groups.items():
        if not items:
            continue
        table = Table(title=f"{status.zh} {status.value} ({len(items)})",
                      title_style=f"bold {styles[status]}", title_justify="left")
        for header in HEADERS:
            if header in ("事项名称", "执行部门"):
                table.add_column(header, overflow="fold")  # CJK text has no spaces to wrap at
            else:
                table.add_column(header, no_wrap=True)
        for item in items:
            table.add_row(*_row(item))
        console.print(table)
    console.print(_summary(groups, as_of))


def _cmd_status(args: argparse.Namespace) -> int:
    book = load_book(args.rules)
    as_of = clock.resolve(args.as_of)
    groups = by_status(statuses(book, as_of, args.expiring_within))
    if args.format == "json":
        print(json.dumps({
            "as_of": as_of.isoformat(),
            "expiring_within_days": args.expiring_within,
            "counts": {s.value: len(items) for s, items in groups.items()},
            "items": [i.to_dict() for items in groups.values() for i in items],
        }, ensure_ascii=False, indent=2))
        return EXIT_OK
    if sys.stdout.isatty():
        _print_rich(groups, as_of)
    else:
        _print_plain(groups, as_of)
    if any(not i.online_delay.working_days.exact for items in groups.values() for i in items
           if i.online_delay is not None):
        print("* 含节假日安排未知的年份，按周一至周五计算工作日")
    return EXIT_OK


def register(sub: Any) -> None:
    status = sub.add_parser("status", help="every item's status on a date: active, expiring, "
                                           "not yet effective, expired")
    status.add_argument("rules", type=existing)
    status.add_argument("--as-of", type=date_arg, help="evaluation date (default: today)")
    status.add_argument("--format", choices=("text", "json"), default="text",
                        help="text: a table grouped by status (rich on a terminal, plain "
                             "when piped)")
    status.add_argument("--expiring-within", type=int, default=EXPIRING_WITHIN,
                        metavar="DAYS",
                        help=f"'expiring' when 适用时间 ends within DAYS days "
                             f"(default {EXPIRING_WITHIN})")
    status.set_defaults(run=_cmd_status)
