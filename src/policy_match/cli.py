"""The ``policy-match`` command line: a thin edge over the library.

Exit status everywhere: 0 ok, 1 findings (errors in rules, files not formatted), 2 usage or
input error (bad arguments, a path that does not exist).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from .dsl.diagnostics import render_json, render_text
from .rulebook import inspect, read_sources

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
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.run(args))
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return EXIT_OK


__all__ = ["main"]
