"""Commands that publish from the policy library: list (the 清单), sheet (一表读懂), demo."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

from ..rulebook import Rulebook
from .common import (
    EXIT_OK,
    UsageError,
    date_arg,
    existing,
    interactive,
    load_and_match,
    load_book,
    policy_id_arg,
)

LIST_NAME = "惠企政策兑现事项清单"


def _write_list(book: Rulebook, out: Path, as_of: dt.date | None) -> int:
    from ..publish import write_list

    if out.suffix.lower() not in (".xlsx", ".csv"):
        raise UsageError(f"--out {out}: the 清单 is written as .xlsx or .csv")
    if out.parent and not out.parent.exists():
        raise UsageError(f"--out {out}: the folder {out.parent} does not exist")
    try:
        return write_list(book, out, as_of)
    except OSError as exc:
        raise UsageError(f"--out {out}: {exc.strerror or exc}") from None


def _cmd_list(args: argparse.Namespace) -> int:
    from ..publish import status_on

    book = load_book(args.rules)
    as_of = None if args.all else (args.as_of or dt.date.today())
    written = _write_list(book, Path(args.out), as_of)
    statuses = [status_on(p, as_of) for p in book.policies.values()]
    notes = []
    if statuses.count("pending"):
        notes.append(f"{statuses.count('pending')} not yet in force, marked （尚未生效）")
    if statuses.count("expired"):
        notes.append(f"{statuses.count('expired')} expired, left out")
    when = f" as of {as_of}" if as_of else " (every item, --all)"
    print(f"wrote {written} item(s){when} to {args.out}"
          + (f"; {'; '.join(notes)}" if notes else ""))
    return EXIT_OK


def _cmd_sheet(args: argparse.Namespace) -> int:
    from ..publish import status_on
    from ..sheet import write_sheets

    book = load_book(args.rules)
    as_of = args.as_of or dt.date.today()
    if args.policy == "all":
        ids = [pid for pid, p in book.policies.items() if status_on(p, as_of) != "expired"]
    else:
        ids = [policy_id_arg(book, args.policy) or args.policy]
    formats = ("html", "md") if args.format == "both" else (args.format,)
    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out {out}: not a folder")
    try:
        written = write_sheets(book, ids, out, formats, as_of)
    except OSError as exc:
        raise UsageError(f"--out {out}: {exc.strerror or exc}") from None
    for path in written:
        print(path)
    print(f"wrote {len(written)} file(s) for {len(ids)} item(s) to {out}", file=sys.stderr)
    return EXIT_OK


# ---- demo ---------------------------------------------------------------------------------


def _resolve(given: Path | None, found: Path | None, what: str, flag: str, hint: str) -> Path:
    if given is not None:
        if not given.exists():
            raise UsageError(f"{flag} {given}: does not exist")
        return given
    if found is None:
        raise UsageError(f"the bundled {what} is not in this installation; pass {flag} ({hint})")
    return found


def _shown(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _cmd_demo(args: argparse.Namespace) -> int:
    from rich.console import Console
    from rich.table import Table

    from .. import demo
    from ..dsl.ir import Verdict
    from ..examples import run_examples
    from ..progress import Progress
    from ..publish import list_rows, write_csv, write_xlsx
    from ..rulebook import inspect
    from ..sheet import write_sheets

    start = time.perf_counter()
    rules = _resolve(args.rules, demo.bundled_rules(), "rulebook rules/", "--rules",
                     "a folder of .rule files")
    data = _resolve(args.data, demo.bundled_sample(), f"enterprise sample {demo.SAMPLE_NAME}",
                    "--data", "a .csv/.jsonl/.xlsx/.parquet table; `policy-match generate "
                    f"--n 2000 --out data/{demo.SAMPLE_NAME}` makes one")
    as_of = args.as_of or demo.DEMO_DATE
    out = Path(args.out)
    console = Console(width=max(120, Console().width), highlight=False)
    say = console.print

    say(f"policy-match 演示：规则库 {_shown(rules)}，企业库 {_shown(data)}，评估日 {as_of}\n")

    # 1. check
    say("一、检查规则库（policy-match check / test）", style="bold")
    result = inspect(rules)
    book = load_book(rules)
    warnings = len(result.diagnostics)
    say(f"ok: {len(result.files)} file(s), {len(book.tags)} tags, {len(book.defines)} defines, "
        f"{len(book.policies)} policies" + (f", {warnings} warning(s)" if warnings else ""))
    outcomes = run_examples(book)
    failed = sum(not o.passed for o in outcomes)
    say(f"示例 (examples): {len(outcomes) - failed} passed, {failed} failed\n")

    # 2. match
    with Progress(enabled=interactive(args)) as progress:
        t0 = time.perf_counter()
        table, matched = load_and_match(progress, book, data, as_of)
        took = time.perf_counter() - t0
        progress.step("挑选三家企业")

        def step(done: int, total: int) -> None:
            progress.step(f"挑选三家企业：已分析 {done:,}/{total:,}")

        showcase = demo.pick_showcase(book, matched, step)

    say(f"二、匹配企业库（policy-match match）：{len(table):,} 家企业 × "
        f"{len(book.policies)} 项政策，用时 {took:.2f} 秒", style="bold")
    if table.errors:
        say(f"{len(table.errors)} value(s) rejected while loading; those fields count as missing")
    per_policy = Table(title="按事项", title_justify="left")
    for header, right in (("事项", False), ("事项名称", False), ("执行部门", False),
                          ("符合", True), ("待补充信息", True), ("不符合", True)):
        per_policy.add_column(header, justify="right" if right else "left")
    counts = matched.counts()
    for pid, c in counts.items():
        policy = book.policies[pid]
        if not policy.active_on(as_of):
            per_policy.add_row(pid, policy.name, policy.department or "", "—", "—", "不在有效期")
            continue
        per_policy.add_row(pid, policy.name, policy.department or "",
                           *(f"{c[v]:,}" for v in (Verdict.ELIGIBLE, Verdict.UNKNOWN,
                                                   Verdict.INELIGIBLE)))
    say(per_policy)
    per_dept = Table(title="按执行部门", title_justify="left")
    for header in ("执行部门", "事项", "有效事项", "符合（户次）", "待补充信息（户次）",
                   "符合至少一项的企业"):
        per_dept.add_column(header, justify="left" if header == "执行部门" else "right")
    for d in demo.by_department(book, matched):
        per_dept.add_row(d.department, str(d.items), str(d.active), f"{d.eligible:,}",
                         f"{d.unknown:,}", f"{len(d.reached):,}")
    say(per_dept)
    reached = set().union(*(set(matched.eligible(pid)) for pid in matched.policy_ids))
    share = len(reached) / max(len(table), 1)
    say(f"{len(reached):,} 家企业（{share:.0%}）符合至少一项在有效期内的政策。\n")

    # 3. three enterprises
    say("三、三家企业（policy-match explain）", style="bold")
    titles = {"several": "同时符合多项政策", "unknown": "数据不全，待补充信息",
              "near_miss": "差一项就符合"}
    for n, s in enumerate(showcase, start=1):
        v = s.verdicts
        say(f"{n}. {titles[s.kind]}：{s.name}（{s.enterprise_id}）——符合 "
            f"{v[Verdict.ELIGIBLE]} 项，待补充信息 {v[Verdict.UNKNOWN]} 项，"
            f"不符合 {v[Verdict.INELIGIBLE]} 项", style="bold")
        if s.kind == "several":
            for e in s.explanations:
                if e.benefit:
                    amount = f"，兑付 {e.benefit}"
                elif e.benefit_missing:
                    amount = "，兑付金额待补充 " + "、".join(e.benefit_missing)
                else:
                    amount = ""
                group = f"（互斥组：{e.group}，就高不重复）" if e.group else ""
                say(f"   ✓ {e.policy_id} {e.policy_name}{amount}{group}")
        else:
            first, *rest = s.explanations
            say("\n".join("   " + line for line in first.render("zh").splitlines()))
            for e in rest[:4]:
                say(f"   ? {e.policy_id} {e.policy_name}：需补充 {'、'.join(e.missing)}")
            if len(rest) > 4:
                say(f"   … 另有 {len(rest) - 4} 项待补充信息")
            if s.kind == "unknown":
                wanted = Counter(tag for e in s.explanations for tag in e.missing)
                say("   最该补充的数据：" + "、".join(
                    f"{tag}（{n} 项）" for tag, n in wanted.most_common(3)))
        say("")
    if not showcase:
        say("（企业库为空，没有可展示的企业）\n")

    # 4. publish
    say("四、发布（policy-match list / sheet）", style="bold")
    try:
        out.mkdir(parents=True, exist_ok=True)
        rows = list_rows(book, as_of)
        xlsx = out / f"{LIST_NAME}.xlsx"
        csv_path = out / f"{LIST_NAME}.csv"
        write_xlsx(rows, xlsx, as_of)
        write_csv(rows, csv_path)
        ids = [r.policy_id for r in rows]
        pages = write_sheets(book, ids, out / "一表读懂", ("html",), as_of)
    except OSError as exc:
        raise UsageError(f"--out {out}: {exc.strerror or exc}") from None
    pending = sum(r.status == "pending" for r in rows)
    left_out = len(book.policies) - len(rows)
    say(f"{_shown(xlsx)}：{len(rows)} 项（{pending} 项尚未生效已标注，{left_out} 项已过期未列入）")
    say(f"{_shown(csv_path)}：同上，UTF-8 (BOM)")
    say(f"{_shown(out / '一表读懂')}/：{len(ids)} 页一表读懂（HTML），"
        f"另有 index.html 和打印版 一表读懂-全部.html（共 {len(pages)} 个文件）")
    say(f"\n完成，用时 {time.perf_counter() - start:.1f} 秒。")
    return EXIT_OK


def register(sub: Any) -> None:
    listing = sub.add_parser("list", help="write the 惠企政策兑现事项清单 (.xlsx or .csv)")
    listing.add_argument("rules", type=existing)
    listing.add_argument("--out", required=True, help="清单.xlsx or 清单.csv")
    listing.add_argument("--as-of", type=date_arg,
                         help="publication date (default: today): expired items are left out, "
                              "items not yet in force are marked")
    listing.add_argument("--all", action="store_true",
                         help="every item, whatever its dates (nothing left out or marked)")
    listing.set_defaults(run=_cmd_list)

    sheet = sub.add_parser("sheet", help="一表读懂: one printable page per item")
    sheet.add_argument("rules", type=existing)
    sheet.add_argument("policy", metavar="ID",
                       help="a policy id, or `all` for every item not expired on --as-of")
    sheet.add_argument("--out", required=True, help="the folder to write into (created)")
    sheet.add_argument("--format", choices=("html", "md", "both"), default="html")
    sheet.add_argument("--as-of", type=date_arg,
                       help="the date the pages are valid for (default: today)")
    sheet.set_defaults(run=_cmd_sheet)

    demo = sub.add_parser("demo", help="the whole story on the bundled rulebook and sample")
    demo.add_argument("--rules", type=Path, help="a rulebook (default: the bundled rules/)")
    demo.add_argument("--data", type=Path,
                      help="an enterprise table (default: the bundled enterprises-2000.csv)")
    demo.add_argument("--as-of", type=date_arg,
                      help="evaluation date (default: 2025-06-30, the sample's date)")
    demo.add_argument("--out", default="policy-match-demo",
                      help="where the 清单 and 一表读懂 go (default: ./policy-match-demo)")
    demo.add_argument("--quiet", action="store_true", help="no progress display")
    demo.set_defaults(run=_cmd_demo)
