"""Commands about money over a whole enterprise table: benefits (财政测算) and roster (免申即享)."""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

from policy_match.base import clock
from policy_match.cli.bulk import load_match
from policy_match.cli.common import (
    UsageError,
    add_load_options,
    date_arg,
    existing,
    interactive,
    load_book,
    load_status,
    policy_id_arg,
)
from policy_match.cli.outputs import add_force, guard

_BY_HEADER = {"item": "事项", "department": "执行部门", "category": "政策分类"}
_FIELDS = ("key", "label", "items", "held", "amount_unknown", "displaced", "blocked",
           "unknown", "estimate", "upper")
_ZH = {"key": "键", "label": "名称", "items": "事项数", "held": "享受", "amount_unknown":
       "金额待定", "displaced": "就高被替代", "blocked": "前置未满足", "unknown": "待补充信息",
       "estimate": "测算金额（元）", "upper": "上限（元）"}


def _match(args: argparse.Namespace, book: Any = None) -> tuple[Any, Any]:
    """Load the rulebook (unless given) and the table, match, compute amounts and resolution;
    the table (for :func:`load_status` at the end) and the benefits."""
    from policy_match.apps.money.benefits import compute_benefits
    from policy_match.cli.progress import Progress

    book = book if book is not None else load_book(args.rules)
    as_of = clock.resolve(args.as_of)
    with Progress(enabled=interactive(args)) as progress:
        table, result = load_match(progress, book, args, as_of)
        progress.step("计算兑付金额（就高不重复、前置事项、排除事项）")
        benefits = compute_benefits(result)
    return table, benefits


def _yuan(amount: Decimal | None) -> str:
    return "无上限" if amount is None else f"{amount:,.2f}"


# ---- benefits -------------------------------------------------------------------------------


def _cmd_benefits(args: argparse.Namespace) -> int:
    outputs = [Path(p) for p in (args.out, args.details) if p]
    for flag, path, allowed in (("--out", args.out, _ESTIMATE_SUFFIXES),
                                ("--details", args.details, _DETAIL_SUFFIXES)):
        if path and Path(path).suffix.lower() not in allowed:
            raise UsageError(f"{flag} {path}: use {' or '.join(allowed)}")
    guard(outputs, [args.rules, args.data], args.force)
    table, benefits = _match(args)
    rows = benefits.estimate(args.by)
    total = benefits.total()
    if args.out:
        _write_estimate(Path(args.out), rows, total)
    if args.details:
        _write_details(Path(args.details), benefits)
    _say_keys(benefits.keys)
    if args.format == "json":
        print(json.dumps({"as_of": benefits.as_of.isoformat(), "by": args.by,
                          "rows": [r.as_dict() for r in rows], "total": total.as_dict()},
                         ensure_ascii=False, indent=2))
        return load_status(table, args)
    _print_estimate(args, benefits, rows, total)
    if benefits.recomputed:
        print(f"{benefits.recomputed:,} 个金额已精确重算 — amount(s) recomputed exactly (near a "
              "half cent, or beyond what the columnar backend computes)", file=sys.stderr)
    return load_status(table, args)


def _print_estimate(args: argparse.Namespace, benefits: Any, rows: list[Any], total: Any
                    ) -> None:
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


def _say_keys(keys: Any) -> None:
    """What the key check found, on stderr: such rows are never paid (roster: 待核实)."""
    counts = keys.counts()
    if not any(counts.values()):
        return
    label = keys.label
    print(f"{label}待核实 (rows to verify): 缺少 missing {counts['missing']:,}，无效 invalid "
          f"{counts['invalid']:,}，重复 duplicated {counts['duplicate']:,} 行；重复的{label}"
          f"在测算中只计一次 (a duplicated key counts once in the estimate)", file=sys.stderr)


_ESTIMATE_SUFFIXES = (".csv", ".xlsx", ".json")
_DETAIL_SUFFIXES = (".csv", ".jsonl")
_DETAIL_FIELDS = ("enterprise", "policy", "verdict", "status", "amount", "settled",
                  "displaced_by", "blocked_by", "displaced")


def _estimate_row(r: Any) -> list[Any]:
    """One estimate row in :data:`_FIELDS` order: counts as numbers, money as Decimal."""
    return [r.key, r.label, r.items, r.held, r.amount_unknown, r.displaced, r.blocked,
            r.unknown, r.estimate, "无上限" if r.upper is None else r.upper]


def _write_estimate(out: Path, rows: list[Any], total: Any) -> None:
    from policy_match.data.io import csv_format, workbook
    from policy_match.data.io.raw import batches_of

    suffix = out.suffix.lower()
    header = [_ZH[f] for f in _FIELDS]
    table = [_estimate_row(r) for r in [*rows, total]]
    if suffix == ".json":
        records = [r.as_dict() for r in [*rows, total]]
        out.write_text(json.dumps(records, ensure_ascii=False, indent=2), encoding="utf-8")
    elif suffix == ".csv":
        csv_format.write(out, header, batches_of(header, table), bom=True)
    else:
        money = {8: "#,##0.00", 9: "#,##0.00"}
        sheet = workbook.Sheet("财政测算", tuple(header), table, (), money, "A2")
        workbook.write_workbook(out, [sheet])
    print(f"已写入测算表 {len(table):,} 行 — wrote {len(table):,} estimate row(s) to {out}",
          file=sys.stderr)


def _detail_rows(benefits: Any) -> Any:
    for record in benefits.to_records():
        record["displaced"] = "、".join(record["displaced"])
        yield [record[f] for f in _DETAIL_FIELDS]


def _write_details(out: Path, benefits: Any) -> None:
    from policy_match.data.io import csv_format, jsonl
    from policy_match.data.io.raw import batches_of

    header = list(_DETAIL_FIELDS)
    if out.suffix.lower() == ".csv":
        count = csv_format.write(out, header, batches_of(header, _detail_rows(benefits)),
                                 bom=True)
    else:
        rows = ([r[f] for f in _DETAIL_FIELDS] for r in benefits.to_records())
        count = jsonl.write(out, header, batches_of(header, rows))
    print(f"已写入明细 {count:,} 行 — wrote {count:,} (enterprise, item) row(s) to {out}",
          file=sys.stderr)


# ---- roster ---------------------------------------------------------------------------------


def _cmd_roster(args: argparse.Namespace) -> int:
    from policy_match.apps.money.roster import Roster, build_roster

    out = Path(args.out)
    if out.suffix.lower() not in (".csv", ".xlsx"):
        raise UsageError(f"--out {out}: a roster is written as .csv or .xlsx "
                         "（名单请写为 .csv 或 .xlsx）")
    written = guard(Roster.output_paths(out), [args.rules, args.data], args.force)
    book = load_book(args.rules)
    pid = policy_id_arg(book, args.policy)
    if pid is not None and not book.policies[pid].no_application:
        raise UsageError(f"{pid} is not 免申即享 (no_application); it has no roster "
                         "（该事项不是免申即享，没有名单）")
    from policy_match.base.messages import text
    from policy_match.cli.progress import Progress

    table, benefits = _match(args, book)
    with Progress(enabled=interactive(args)) as progress:
        track = progress.track(text("scale.step.roster"), text("scale.unit.items"))
        roster = build_roster(benefits, None if pid is None else [pid], progress=track)
        progress.step(f"写入 {out}（{len(roster):,} 条）")
        roster.write(out)
    where = " and ".join(str(p) for p in written)
    print(f"已写入名单 {len(roster):,} 条、待核实 {len(roster.to_verify):,} 行 — wrote "
          f"{len(roster):,} roster entr{'y' if len(roster) == 1 else 'ies'} and "
          f"{len(roster.to_verify):,} row(s) to verify (待核实) to {where}", file=sys.stderr)
    if args.format == "json":
        print(json.dumps(_roster_json(book, roster, written), ensure_ascii=False, indent=2))
    else:
        _print_roster(book, roster)
    return load_status(table, args)


def _print_roster(book: Any, roster: Any) -> None:
    sums = roster.by_item()
    for item, held in roster.withheld.items():
        count, amount = sums.get(item, (0, Decimal("0.00")))
        reasons = [f"{n:,} {word}" for n, word in (
            (held.to_verify, f"{roster.key_label}待核实"),
            (held.unknown, "待补充信息"), (held.amount_unknown, "金额待定"),
            (held.unsettled, "同组/关联事项待定"), (held.displaced, "就高被替代"),
            (held.blocked, "前置事项未满足")) if n]
        print(f"{item} {book.policies[item].name}: {count:,} 家，{_yuan(amount)} 元"
              + (f"（未列入：{'，'.join(reasons)}）" if reasons else ""))
    print(f"合计 {len(roster):,} 家次，{_yuan(roster.total())} 元")
    if roster.to_verify:
        print(f"待核实 {len(roster.to_verify):,} 家次，{_yuan(roster.total_to_verify())} 元"
              f"（{roster.key_label}缺失、无效或重复，核实前不兑付 — not paid until the key is "
              "fixed）")


def _roster_json(book: Any, roster: Any, written: list[Path]) -> dict[str, Any]:
    """The summary the text prints, as data: money as exact decimal strings."""
    sums = roster.by_item()
    items = []
    for item, held in roster.withheld.items():
        count, amount = sums.get(item, (0, Decimal("0.00")))
        items.append({"policy": item, "name": book.policies[item].name, "paid": count,
                      "amount": str(amount), "withheld": dataclasses.asdict(held)})
    return {"as_of": roster.as_of.isoformat(), "paths": [str(p) for p in written],
            "key_label": roster.key_label,
            "paid": {"entries": len(roster), "amount": str(roster.total())},
            "to_verify": {"entries": len(roster.to_verify),
                          "amount": str(roster.total_to_verify())},
            "items": items}


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("rules", type=existing)
    parser.add_argument("data", type=existing, help=".csv, .jsonl, .xlsx or .parquet")
    parser.add_argument("--as-of", type=date_arg, help="evaluation date (default: today)")
    add_load_options(parser)
    parser.add_argument("--quiet", action="store_true", help="no progress display")
    add_force(parser)


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
    roster.add_argument("--format", choices=("text", "json"), default="text",
                        help="text: the summary per item (default); json: the same as one "
                             "document")
    roster.set_defaults(run=_cmd_roster)
