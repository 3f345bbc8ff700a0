"""Commands about money over a whole enterprise table: benefits (财政测算) and roster (免申即享)."""

from __future__ import annotations

import argparse
import csv
import json
import sys
from decimal import Decimal
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
    policy_id_arg,
    report_load_errors,
)

_BY_HEADER = {"item": "事项", "department": "执行部门", "category": "政策分类"}
_FIELDS = ("key", "label", "items", "held", "amount_unknown", "displaced", "blocked",
           "unknown", "estimate", "upper")
_ZH = {"key": "键", "label": "名称", "items": "事项数", "held": "享受", "amount_unknown":
       "金额待定", "displaced": "就高被替代", "blocked": "前置未满足", "unknown": "待补充信息",
       "estimate": "测算金额（元）", "upper": "上限（元）"}


def _match(args: argparse.Namespace, book: Any = None) -> Any:
    """Load the rulebook (unless given) and the table, match, compute amounts and resolution."""
    from policy_match.apps.money.benefits import compute_benefits
    from policy_match.cli.progress import Progress

    book = book if book is not None else load_book(args.rules)
    as_of = clock.resolve(args.as_of)
    with Progress(enabled=interactive(args)) as progress:
        table, result = load_and_match(progress, book, args.data, as_of)
        progress.step("计算兑付金额（就高不重复、前置事项、排除事项）")
        benefits = compute_benefits(result)
    report_load_errors(table, args.max_errors)
    return book, benefits


def _yuan(amount: Decimal | None) -> str:
    return "无上限" if amount is None else f"{amount:,.2f}"


# ---- benefits -------------------------------------------------------------------------------


def _cmd_benefits(args: argparse.Namespace) -> int:
    _, benefits = _match(args)
    rows = benefits.estimate(args.by)
    total = benefits.total()
    if args.out:
        _write_estimate(Path(args.out), rows, total)
    if args.details:
        _write_details(Path(args.details), benefits)
    if args.format == "json":
        print(json.dumps({"as_of": benefits.as_of.isoformat(), "by": args.by,
                          "rows": [r.as_dict() for r in rows], "total": total.as_dict()},
                         ensure_ascii=False, indent=2))
        return EXIT_OK
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"财政测算：{len(benefits.table):,} 家企业，评估日 {benefits.as_of}")
    headers = [_BY_HEADER[args.by]] + (["事项名称"] if args.by == "item" else ["事项数"])
    headers += ["享受", "金额待定", "就高被替代", "前置未满足", "待补充信息", "测算金额（元）",
                "上限（元）"]
    for h in headers:
        table.add_column(h, justify="left" if h in ("事项", "事项名称", "执行部门", "政策分类")
                         else "right")

    def cells(r: Any, first: str, second: str) -> list[str]:
        return [first, second, f"{r.held:,}", f"{r.amount_unknown:,}", f"{r.displaced:,}",
                f"{r.blocked:,}", f"{r.unknown:,}", _yuan(r.estimate), _yuan(r.upper)]

    for r in rows:
        table.add_row(*cells(r, r.key, r.label if args.by == "item" else f"{r.items}"))
    table.add_section()
    table.add_row(*cells(total, "合计", "" if args.by == "item" else f"{total.items}"))
    Console(width=max(160, Console().width)).print(table)
    if benefits.recomputed:
        print(f"{benefits.recomputed:,} amount(s) recomputed exactly (near a half cent, or "
              "beyond what the columnar backend computes)", file=sys.stderr)
    return EXIT_OK


def _write_estimate(out: Path, rows: list[Any], total: Any) -> None:
    suffix = out.suffix.lower()
    records = [r.as_dict() for r in [*rows, total]]
    if suffix == ".json":
        out.write_text(json.dumps(records, ensure_ascii=False, indent=2), encoding="utf-8")
    elif suffix == ".csv":
        with open(out, "w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow([_ZH[f] for f in _FIELDS])
            for record in records:
                writer.writerow(["无上限" if f == "upper" and record[f] is None else record[f]
                                 for f in _FIELDS])
    elif suffix == ".xlsx":
        from openpyxl import Workbook

        workbook = Workbook()
        sheet = workbook.active
        sheet.title = "财政测算"
        sheet.append([_ZH[f] for f in _FIELDS])
        for r in [*rows, total]:
            sheet.append([r.key, r.label, r.items, r.held, r.amount_unknown, r.displaced,
                          r.blocked, r.unknown, r.estimate,
                          "无上限" if r.upper is None else r.upper])
            for column in (9, 10):
                sheet.cell(row=sheet.max_row, column=column).number_format = "#,##0.00"
        workbook.save(out)
    else:
        raise UsageError(f"--out {out}: use .csv, .xlsx or .json")
    print(f"wrote {len(records):,} estimate row(s) to {out}", file=sys.stderr)


def _write_details(out: Path, benefits: Any) -> None:
    suffix = out.suffix.lower()
    fields = ["enterprise", "policy", "verdict", "status", "amount", "settled",
              "displaced_by", "blocked_by", "displaced"]
    count = 0
    if suffix == ".csv":
        with open(out, "w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=fields)
            writer.writeheader()
            for record in benefits.to_records():
                record["displaced"] = "、".join(record["displaced"])
                writer.writerow(record)
                count += 1
    elif suffix == ".jsonl":
        with open(out, "w", encoding="utf-8") as handle:
            for record in benefits.to_records():
                handle.write(json.dumps(record, ensure_ascii=False) + "\n")
                count += 1
    else:
        raise UsageError(f"--details {out}: use .csv or .jsonl")
    print(f"wrote {count:,} (enterprise, item) row(s) to {out}", file=sys.stderr)


# ---- roster ---------------------------------------------------------------------------------


def _cmd_roster(args: argparse.Namespace) -> int:
    from policy_match.apps.money.roster import build_roster

    out = Path(args.out)
    if out.suffix.lower() not in (".csv", ".xlsx"):
        raise UsageError(f"--out {out}: a roster is written as .csv or .xlsx")
    book = load_book(args.rules)
    pid = policy_id_arg(book, args.policy)
    if pid is not None and not book.policies[pid].no_application:
        raise UsageError(f"{pid} is not 免申即享 (no_application); it has no roster")
    _, benefits = _match(args, book)
    roster = build_roster(benefits, None if pid is None else [pid])
    roster.write(out)
    print(f"wrote {len(roster):,} roster entr{'y' if len(roster) == 1 else 'ies'} to {out}",
          file=sys.stderr)
    sums = roster.by_item()
    for item, held in roster.withheld.items():
        count, amount = sums.get(item, (0, Decimal("0.00")))
        reasons = [f"{n:,} {word}" for n, word in (
            (held.unknown, "待补充信息"), (held.amount_unknown, "金额待定"),
            (held.unsettled, "同组/关联事项待定"), (held.displaced, "就高被替代"),
            (held.blocked, "前置事项未满足")) if n]
        print(f"{item} {book.policies[item].name}: {count:,} 家，{_yuan(amount)} 元"
              + (f"（未列入：{'，'.join(reasons)}）" if reasons else ""))
    print(f"合计 {len(roster):,} 家次，{_yuan(roster.total())} 元")
    return EXIT_OK


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("rules", type=existing)
    parser.add_argument("data", type=existing, help=".csv, .jsonl, .xlsx or .parquet")
    parser.add_argument("--as-of", type=date_arg, help="evaluation date (default: today)")
    parser.add_argument("--max-errors", type=int, default=20,
                        help="how many load errors to list (all are counted)")
    parser.add_argument("--quiet", action="store_true", help="no progress display")


def register(sub: Any) -> None:
    benefits = sub.add_parser(
        "benefits", help="fiscal estimate (财政测算): amounts after 就高不重复, per item, "
        "department or category")
    _common(benefits)
    benefits.add_argument("--by", choices=("item", "department", "category"), default="item",
                          help="one row per item (default), 执行部门 or 政策分类")
    benefits.add_argument("--out", help="write the estimate table (.csv, .xlsx or .json)")
    benefits.add_argument("--details",
                          help="write every (enterprise, item) amount and status (.csv/.jsonl)")
    benefits.add_argument("--format", choices=("table", "json"), default="table")
    benefits.set_defaults(run=_cmd_benefits)

    roster = sub.add_parser("roster", help="免申即享 roster: who is paid without applying")
    _common(roster)
    roster.add_argument("--out", required=True, help="the roster file (.csv or .xlsx)")
    roster.add_argument("--policy", help="only this item (must be 免申即享)")
    roster.set_defaults(run=_cmd_roster)
