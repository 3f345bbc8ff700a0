"""Commands that publish from the policy library: list (the 清单), sheet (一表读懂), demo."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from policy_match.base import clock
from policy_match.base.messages import text
from policy_match.cli.common import (
    EXIT_OK,
    UsageError,
    add_lang_option,
    add_load_options,
    date_arg,
    existing,
    interactive,
    lang_of,
    load_and_match,
    load_book,
    load_status,
    policy_id_arg,
)
from policy_match.cli.outputs import add_force, guard
from policy_match.core.rulebook import Rulebook
from policy_match.dsl.words import clauses

if TYPE_CHECKING:
    from policy_match.apps.publishing.sheet import Format
    from policy_match.core.match import MatchResult
    from policy_match.tools.demo import Published, RulebookCheck


def _write_list(book: Rulebook, out: Path, as_of: dt.date | None) -> int:
    from policy_match.apps.publishing.listing import write_list

    try:
        return write_list(book, out, as_of)
    except OSError as exc:
        raise UsageError(f"--out {out}: {exc.strerror or exc}") from None


def _cmd_list(args: argparse.Namespace) -> int:
    from policy_match.apps.publishing.listing import status_on

    out = Path(args.out)
    lang = lang_of(args)
    if out.suffix.lower() not in (".xlsx", ".csv"):
        raise UsageError(text("cli.list.bad_suffix", lang, out=out))
    if out.parent and not out.parent.exists():
        raise UsageError(text("cli.out.no_folder", lang, out=out, folder=out.parent))
    guard([out], [args.rules], args.force)
    book = load_book(args.rules, lang)
    as_of = None if args.all else (args.as_of or clock.today())
    written = _write_list(book, out, as_of)
    statuses = [status_on(p, as_of) for p in book.policies.values()]
    warn_incomplete(book, [pid for pid, status in zip(book.policies, statuses, strict=True)
                           if status != "expired"], lang)
    notes = []
    if statuses.count("pending"):
        notes.append(text("cli.list.pending", lang, count=statuses.count("pending")))
    if statuses.count("expired"):
        notes.append(text("cli.list.expired", lang, count=statuses.count("expired")))
    if args.format == "json":
        print(json.dumps({"path": str(out), "rows": written,
                          "as_of": None if as_of is None else as_of.isoformat(),
                          "all": bool(args.all), "pending": statuses.count("pending"),
                          "expired": statuses.count("expired")}, ensure_ascii=False, indent=2))
        return EXIT_OK
    when = text("cli.list.as_of", lang, as_of=as_of) if as_of else text("cli.list.all", lang)
    print(clauses([text("cli.list.wrote", lang, count=written, when=when, out=args.out),
                   *notes], lang))
    return EXIT_OK


def _cmd_sheet(args: argparse.Namespace) -> int:
    from policy_match.apps.publishing.listing import status_on
    from policy_match.apps.publishing.sheet import sheet_paths, write_sheets

    lang = lang_of(args)
    book = load_book(args.rules, lang)
    as_of = args.as_of or clock.today()
    if args.policy == "all":
        ids = [pid for pid, p in book.policies.items() if status_on(p, as_of) != "expired"]
    else:
        ids = [policy_id_arg(book, args.policy) or args.policy]
    formats: tuple[Format, ...] = ("html", "md") if args.format == "both" else (args.format,)
    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise UsageError(text("cli.out.not_folder", lang, out=out))
    guard(sheet_paths(ids, out, formats), [args.rules], args.force)
    try:
        written = write_sheets(book, ids, out, formats, as_of)
    except OSError as exc:
        raise UsageError(f"--out {out}: {exc.strerror or exc}") from None
    warn_incomplete(book, ids, lang)
    for path in written:
        print(path)
    print(text("cli.sheet.wrote", lang, files=len(written), items=len(ids), out=out),
          file=sys.stderr)
    return EXIT_OK


def warn_incomplete(book: Rulebook, ids: list[str], lang: str) -> None:
    """Each published item that lacks a 清单 field, as ``lint`` reports it (W-INCOMPLETE),
    on standard error: a warning, the output is written all the same."""
    from policy_match.analysis import incomplete
    from policy_match.dsl.diagnostics import render_one

    for d in incomplete(book, ids):
        print(render_one(d, book.sources, lang), file=sys.stderr)


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

    from policy_match.cli.progress import Progress
    from policy_match.tools import demo

    start = time.perf_counter()
    rules = _resolve(args.rules, demo.bundled_rules(), "rulebook rules/", "--rules",
                     "a folder of .rule files")
    data = _resolve(args.data, demo.bundled_sample(), f"enterprise sample {demo.SAMPLE_NAME}",
                    "--data", "a .csv/.jsonl/.xlsx/.parquet table; `policy-match generate "
                    f"--n 2000 --out data/{demo.SAMPLE_NAME}` makes one")
    as_of = args.as_of or demo.DEMO_DATE
    console = Console(width=max(120, Console().width), highlight=False)
    say = console.print
    say(f"policy-match 演示：规则库 {_shown(rules)}，企业库 {_shown(data)}，评估日 {as_of}\n")

    say("一、检查规则库（policy-match check / test）", style="bold")
    book = load_book(rules)
    guard(_demo_outputs(book, Path(args.out), as_of), [rules, data], args.force)
    _say_check(say, demo.check_rulebook(rules, book))

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
        say(f"载入时有 {len(table.errors):,} 个问题，被拒绝的值按缺失处理（清单见标准错误输出）"
            f" — {len(table.errors):,} load problem(s); rejected values count as missing")
    _say_match(say, book, matched)

    say("三、三家企业（policy-match explain）", style="bold")
    for number, s in enumerate(showcase, start=1):
        say(demo.showcase_heading(number, s), style="bold")
        for line in demo.showcase_lines(s):
            say(line)
        say("")
    if not showcase:
        say("（企业库为空，没有可展示的企业）\n")

    say("四、发布（policy-match list / sheet）", style="bold")
    try:
        published = demo.publish(book, Path(args.out), as_of)
    except OSError as exc:
        raise UsageError(f"--out {args.out}: {exc.strerror or exc}") from None
    _say_published(say, published)
    say(f"\n完成，用时 {time.perf_counter() - start:.1f} 秒。")
    return load_status(table, args)


def _demo_outputs(book: Rulebook, out: Path, as_of: dt.date) -> list[Path]:
    """The files ``demo.publish`` writes into ``out``."""
    from policy_match.apps.publishing.listing import list_rows
    from policy_match.apps.publishing.sheet import sheet_paths
    from policy_match.tools import demo

    ids = [r.policy_id for r in list_rows(book, as_of)]
    return [out / f"{demo.LIST_NAME}.xlsx", out / f"{demo.LIST_NAME}.csv",
            *sheet_paths(ids, out / demo.SHEETS_DIR, ("html",))]


def _say_check(say: Callable[..., None], check: RulebookCheck) -> None:
    warnings = f", {check.warnings} warning(s)" if check.warnings else ""
    say(f"ok: {check.files} file(s), {check.tags} tags, {check.defines} defines, "
        f"{check.policies} policies{warnings}")
    say(f"示例 (examples): {check.examples_passed} passed, {check.examples_failed} failed\n")


def _say_match(say: Callable[..., None], book: Rulebook, matched: MatchResult) -> None:
    from rich.table import Table

    from policy_match.tools import demo

    per_policy = Table(title="按事项", title_justify="left")
    for header, right in (("事项", False), ("事项名称", False), ("执行部门", False),
                          ("符合", True), ("待补充信息", True), ("不符合", True)):
        per_policy.add_column(header, justify="right" if right else "left")
    for p in demo.by_policy(book, matched):
        counts = ("—", "—", "不在有效期") if p.counts is None else (f"{c:,}" for c in p.counts)
        per_policy.add_row(p.policy_id, p.name, p.department, *counts)
    say(per_policy)
    per_dept = Table(title="按执行部门", title_justify="left")
    for header in ("执行部门", "事项", "有效事项", "符合（户次）", "待补充信息（户次）",
                   "符合至少一项的企业"):
        per_dept.add_column(header, justify="left" if header == "执行部门" else "right")
    for d in demo.by_department(book, matched):
        per_dept.add_row(d.department, str(d.items), str(d.active), f"{d.eligible:,}",
                         f"{d.unknown:,}", f"{len(d.reached):,}")
    say(per_dept)
    reached = len(demo.reached(matched))
    share = reached / max(len(matched.table), 1)
    say(f"{reached:,} 家企业（{share:.0%}）符合至少一项在有效期内的政策。\n")


def _say_published(say: Callable[..., None], p: Published) -> None:
    say(f"{_shown(p.xlsx)}：{p.items} 项（{p.pending} 项尚未生效已标注，"
        f"{p.left_out} 项已过期未列入）")
    say(f"{_shown(p.csv)}：同上，UTF-8 (BOM)")
    say(f"{_shown(p.sheets)}/：{p.items} 页一表读懂（HTML），"
        f"另有 index.html 和打印版 一表读懂-全部.html（共 {p.files} 个文件）")


def register(sub: Any) -> None:
    listing = sub.add_parser("list", help="write the 惠企政策兑现事项清单 (.xlsx or .csv)")
    listing.add_argument("rules", type=existing)
    listing.add_argument("--out", required=True, help="清单.xlsx or 清单.csv")
    listing.add_argument("--as-of", type=date_arg,
                         help="publication date (default: today): expired items are left out, "
                              "items not yet in force are marked")
    listing.add_argument("--all", action="store_true",
                         help="every item, whatever its dates (nothing left out or marked)")
    listing.add_argument("--format", choices=("text", "json"), default="text",
                         help="text: one line (default); json: what was written, as one "
                              "document")
    add_force(listing)
    add_lang_option(listing, "language of the warnings (default: from the locale)")
    listing.set_defaults(run=_cmd_list)

    sheet = sub.add_parser("sheet", help="一表读懂: one printable page per item")
    sheet.add_argument("rules", type=existing)
    sheet.add_argument("policy", metavar="ID",
                       help="a policy id, or `all` for every item not expired on --as-of")
    sheet.add_argument("--out", required=True, help="the folder to write into (created)")
    sheet.add_argument("--format", choices=("html", "md", "both"), default="html")
    sheet.add_argument("--as-of", type=date_arg,
                       help="the date the pages are valid for (default: today)")
    add_force(sheet)
    add_lang_option(sheet, "language of the warnings (default: from the locale)")
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
    add_load_options(demo)
    add_force(demo)
    demo.set_defaults(run=_cmd_demo)
