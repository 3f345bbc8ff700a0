"""The ``policy-match`` command line: a thin edge over the library.

Exit status everywhere: 0 ok, 1 findings (errors in rules, files not formatted), 2 usage or
input error (bad arguments, a path that does not exist).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import sys
from collections.abc import Sequence
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

from .dsl.diagnostics import display_width, render_json, render_text
from .rulebook import Rulebook, RuleError, inspect, load, read_sources

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2


def _existing(path: str) -> Path:
    p = Path(path)
    if not p.exists():
        raise argparse.ArgumentTypeError(f"{path} does not exist")
    return p


def _cmd_check(args: argparse.Namespace) -> int:
    result = inspect(args.path)
    errors = sum(d.is_error for d in result.diagnostics)
    if args.format == "json":
        print(json.dumps({
            "ok": errors == 0,
            "files": len(result.files),
            "errors": errors,
            "warnings": len(result.diagnostics) - errors,
            "diagnostics": json.loads(render_json(result.diagnostics)),
        }, ensure_ascii=False, indent=2))
    elif result.diagnostics:
        print(render_text(result.diagnostics, result.sources))
    if errors == 0 and args.format != "json":
        book = result.rulebook
        assert book is not None
        print(f"ok: {len(result.files)} file(s), {len(book.tags)} tags, "
              f"{len(book.defines)} defines, {len(book.policies)} policies")
    return EXIT_FINDINGS if errors else EXIT_OK


def _cmd_fmt(args: argparse.Namespace) -> int:
    from .dsl.formatter import format_source

    sources, problems = read_sources(args.path)
    if problems:
        print(render_text(problems, sources), file=sys.stderr)
        return EXIT_FINDINGS
    changed, broken = [], []
    for path, text in sources.items():
        formatted = format_source(text, path)
        if formatted is None:
            broken.append(path)
        elif formatted != text:
            changed.append(path)
            if not args.check:
                Path(path).write_text(formatted, encoding="utf-8")
    for path in broken:
        print(f"{path}: has syntax errors; run `policy-match check` first", file=sys.stderr)
    verb = "would reformat" if args.check else "reformatted"
    for path in changed:
        print(f"{verb} {path}")
    if not changed and not broken:
        print(f"ok: {len(sources)} file(s) already formatted")
    return EXIT_FINDINGS if broken or (args.check and changed) else EXIT_OK


class UsageError(Exception):
    """Bad input named on the command line: reported in one line, exit 2."""


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text} is not a date (YYYY-MM-DD)") from None


def _book(path: Path) -> Rulebook:
    try:
        return load(path)
    except RuleError as err:
        print(err.render(), file=sys.stderr)
        raise SystemExit(EXIT_FINDINGS) from None


def _record(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise UsageError(f"{path}: not a JSON record: {exc}") from None
    if not isinstance(data, dict):
        raise UsageError(f"{path}: a record is a JSON object {{\"标签\": 值, …}}")
    return data


def _policy_id(book: Rulebook, policy_id: str | None) -> str | None:
    if policy_id is not None and policy_id not in book.policies:
        from .dsl.suggest import did_you_mean

        hint = did_you_mean(policy_id, book.policies)
        raise UsageError(f"no policy {policy_id!r}" + (f"; {hint}" if hint else ""))
    return policy_id


def _cmd_explain(args: argparse.Namespace) -> int:
    book = _book(args.rules)
    record = _record(args.record)
    pid = _policy_id(book, args.policy)
    as_of = args.as_of or dt.date.today()
    found = ([book.explain(record, pid, as_of=as_of)] if pid
             else book.explain_all(record, as_of=as_of))
    if args.format == "json":
        print(json.dumps([json.loads(e.to_json()) for e in found], ensure_ascii=False, indent=2))
    else:
        print("\n\n".join(e.render(args.lang) for e in found) or "（没有在适用时间内的政策）")
    return EXIT_OK


def _cmd_describe(args: argparse.Namespace) -> int:
    book = _book(args.rules)
    pid = _policy_id(book, args.policy)
    ids = [pid] if pid else list(book.policies)
    print("\n\n".join(book.describe(i, lang=args.lang) for i in ids))
    return EXIT_OK


def _cmd_profile(args: argparse.Namespace) -> int:
    from .dsl.display import value_text

    book = _book(args.rules)
    labels = book.profile(_record(args.record), as_of=args.as_of, on_error="missing")
    if args.format == "json":
        print(json.dumps({k: _jsonable(v) for k, v in labels.items()}, ensure_ascii=False,
                         indent=2))
        return EXIT_OK
    width = max((display_width(k) for k in labels), default=0)
    for name, value in labels.items():
        t = book.defines[name].type
        shown = value_text(Fraction(value) if isinstance(value, Decimal) else value, t)
        print(f"{name}{' ' * (width - display_width(name))}  {shown}")
    return EXIT_OK


def _jsonable(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, frozenset | set):
        return sorted(value)
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def _cmd_test(args: argparse.Namespace) -> int:
    from .examples import run_examples

    book = _book(args.rules)
    outcomes = run_examples(book, _policy_id(book, args.policy))
    failed = [o for o in outcomes if not o.passed]
    for o in failed:
        s = o.example.span
        print(f"{s.path}:{s.line}:{s.column}: FAIL {o.policy.id} 示例 “{o.example.title}”"
              f"（评估日 {o.as_of}）")
        for problem in o.problems:
            print(f"    {problem}")
    passed = len(outcomes) - len(failed)
    print(f"{passed} passed, {len(failed)} failed")
    return EXIT_FINDINGS if failed else EXIT_OK


def _cmd_match(args: argparse.Namespace) -> int:
    from .dsl.ir import Verdict
    from .progress import Progress
    from .table import EnterpriseTable

    book = _book(args.rules)
    as_of = args.as_of or dt.date.today()
    with Progress(enabled=sys.stderr.isatty() and not args.quiet) as progress:
        progress.step(f"读取 {args.data}")
        try:
            table = EnterpriseTable.load(args.data, book)
        except (OSError, ValueError) as exc:
            raise UsageError(str(exc)) from None
        progress.step(f"匹配 {len(table):,} 家企业 × {len(book.policies)} 项政策")
        result = book.match(table, as_of=as_of)
    _report_load_errors(table, args.max_errors)
    wanted = (Verdict.ELIGIBLE, Verdict.UNKNOWN)
    if args.out:
        out = Path(args.out)
        suffix = out.suffix.lower()
        writers = {".csv": result.to_csv, ".jsonl": result.to_jsonl,
                   ".parquet": result.to_parquet}
        if suffix not in writers:
            raise UsageError(f"--out {out}: use .csv, .jsonl or .parquet")
        written = writers[suffix](out, wanted)
        print(f"wrote {written:,} (enterprise, policy) pairs to {out}", file=sys.stderr)
    if args.format == "table":
        _print_summary(book, result)
    elif args.format == "csv":
        writer = csv.DictWriter(sys.stdout, fieldnames=["enterprise", "policy", "verdict"])
        writer.writeheader()
        writer.writerows(result.to_records(wanted))
    else:
        for record in result.to_records(wanted):
            print(json.dumps(record, ensure_ascii=False))
    return EXIT_OK


def _report_load_errors(table: Any, limit: int) -> None:
    errors = table.errors
    if not errors:
        return
    print(f"{len(errors)} value(s) rejected while loading; those fields count as missing:",
          file=sys.stderr)
    for error in errors[:limit]:
        print(f"  {error}", file=sys.stderr)
    if len(errors) > limit:
        print(f"  … and {len(errors) - limit} more (--max-errors)", file=sys.stderr)


def _print_summary(book: Rulebook, result: Any) -> None:
    from rich.console import Console
    from rich.table import Table

    from .dsl.ir import Verdict

    summary = Table(title=f"{len(result.table):,} 家企业，评估日 {result.as_of}")
    for header in ("政策", "事项名称", "执行部门", "符合", "待补充信息", "不符合", "不在有效期"):
        summary.add_column(header, justify="right" if header[0] in "符待不" else "left")
    for pid, counts in result.counts().items():
        policy = book.policies[pid]
        summary.add_row(pid, policy.name, policy.department or "",
                        *(f"{counts[v]:,}" for v in (Verdict.ELIGIBLE, Verdict.UNKNOWN,
                                                     Verdict.INELIGIBLE, Verdict.INACTIVE)))
    Console(width=max(120, Console().width)).print(summary)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="policy-match",
        description="Match enterprise-benefit policies to the enterprises that qualify.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    check = sub.add_parser("check", help="check a rulebook and report every problem")
    check.add_argument("path", type=_existing, help="a rulebook folder or one .rule file")
    check.add_argument("--format", choices=("text", "json"), default="text")
    check.set_defaults(run=_cmd_check)

    fmt = sub.add_parser("fmt", help="rewrite .rule files in canonical form")
    fmt.add_argument("path", type=_existing, help="a rulebook folder or one .rule file")
    fmt.add_argument("--check", action="store_true",
                     help="change nothing; exit 1 if a file is not formatted")
    fmt.set_defaults(run=_cmd_fmt)

    explain = sub.add_parser("explain", help="why an enterprise does or does not qualify")
    explain.add_argument("rules", type=_existing)
    explain.add_argument("--record", type=_existing, required=True,
                         help="a JSON object of tag values")
    explain.add_argument("--policy", help="one policy id (default: every active policy)")
    explain.add_argument("--as-of", type=_date, help="evaluation date (default: today)")
    explain.add_argument("--format", choices=("text", "json"), default="text")
    explain.add_argument("--lang", choices=("zh", "en"), default="zh")
    explain.set_defaults(run=_cmd_explain)

    describe = sub.add_parser("describe", help="a policy's conditions in plain language")
    describe.add_argument("rules", type=_existing)
    describe.add_argument("policy", nargs="?", help="one policy id (default: all)")
    describe.add_argument("--lang", choices=("zh", "en"), default="zh")
    describe.set_defaults(run=_cmd_describe)

    profile = sub.add_parser("profile", help="every define's value for one enterprise")
    profile.add_argument("rules", type=_existing)
    profile.add_argument("--record", type=_existing, required=True)
    profile.add_argument("--as-of", type=_date)
    profile.add_argument("--format", choices=("text", "json"), default="text")
    profile.set_defaults(run=_cmd_profile)

    match = sub.add_parser("match", help="match every policy against an enterprise table")
    match.add_argument("rules", type=_existing)
    match.add_argument("data", type=_existing, help=".csv, .jsonl, .xlsx or .parquet")
    match.add_argument("--as-of", type=_date, help="evaluation date (default: today)")
    match.add_argument("--out", help="write eligible and unknown pairs (.csv/.jsonl/.parquet)")
    match.add_argument("--format", choices=("table", "csv", "jsonl"), default="table",
                       help="what to print: a summary per policy, or the pairs")
    match.add_argument("--max-errors", type=int, default=20,
                       help="how many load errors to list (all are counted)")
    match.add_argument("--quiet", action="store_true", help="no progress display")
    match.set_defaults(run=_cmd_match)

    test = sub.add_parser("test", help="run every worked example (示例) as a test")
    test.add_argument("rules", type=_existing)
    test.add_argument("--policy", help="only this policy's examples")
    test.set_defaults(run=_cmd_test)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.run(args))
    except UsageError as err:
        print(f"policy-match: {err}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return EXIT_OK


__all__ = ["main"]
