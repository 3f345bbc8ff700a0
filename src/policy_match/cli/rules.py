"""Commands for rule authors: check, fmt, test, describe."""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import sys
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING, Any

from policy_match.base import clock
from policy_match.base.messages import text as words
from policy_match.cli.common import (
    EXIT_FINDINGS,
    EXIT_OK,
    add_lang_option,
    date_arg,
    existing,
    folder_hints,
    lang_of,
    load_book,
    policy_id_arg,
)
from policy_match.core.examples import ExampleOutcome, run_examples
from policy_match.core.loading import LoadResult, inspect, read_sources
from policy_match.dsl.diagnostics import Diagnostic, render_json, render_text

if TYPE_CHECKING:
    pass


def _cmd_check(args: argparse.Namespace) -> int:
    lang = lang_of(args)
    result = inspect(args.path)
    result = dataclasses.replace(result, diagnostics=folder_hints(result.diagnostics,
                                                                  args.path))
    result = _with_lifecycle_warnings(result, args.as_of)
    errors = sum(d.is_error for d in result.diagnostics)
    if args.format == "json":
        print(json.dumps({
            "ok": errors == 0,
            "lang": lang,
            "files": len(result.files),
            "errors": errors,
            "warnings": len(result.diagnostics) - errors,
            "diagnostics": json.loads(render_json(result.diagnostics, lang=lang)),
        }, ensure_ascii=False, indent=2))
    elif result.diagnostics:
        print(render_text(result.diagnostics, result.sources, lang=lang))
    if errors == 0 and args.format != "json":
        book = result.rulebook
        assert book is not None
        print(words("cli.check.ok", lang, files=len(result.files), tags=len(book.tags),
                   defines=len(book.defines), policies=len(book.policies)))
    return EXIT_FINDINGS if errors else EXIT_OK


# ---- lifecycle warnings (W-EXPIRED, W-LATE; lifecycle.py) ------------------------------
# Added to a clean rulebook's diagnostics as warnings: they never change the exit status.


def _with_lifecycle_warnings(result: LoadResult, as_of: dt.date | None) -> LoadResult:
    if result.rulebook is None:
        return result
    from policy_match.apps.lifecycle.status import lifecycle_warnings

    found = lifecycle_warnings(result.rulebook, clock.resolve(as_of))
    return dataclasses.replace(result, diagnostics=tuple(sorted(
        (*result.diagnostics, *found), key=Diagnostic.sort_key)))


# -------------------------------------------------------------------------------------------


def _cmd_fmt(args: argparse.Namespace) -> int:
    from policy_match.dsl.formatter import format_source

    sources, problems = read_sources(args.path)
    if problems:
        print(render_text(problems, sources), file=sys.stderr)
        if args.format == "json":
            _print_json({"ok": False, "check": args.check, "files": len(sources),
                         "changed": [], "unchanged": [], "broken": [],
                         "problems": json.loads(render_json(problems))})
        return EXIT_FINDINGS
    changed, unchanged, broken = [], [], []
    for path, text in sources.items():
        formatted = format_source(text, path)
        if formatted is None:
            broken.append(path)
        elif formatted != text:
            changed.append(path)
            if not args.check:
                Path(path).write_text(formatted, encoding="utf-8")
        else:
            unchanged.append(path)
    for path in broken:
        print(f"{path}: has syntax errors; run `policy-match check` first "
              "（有语法错误，请先运行 policy-match check）", file=sys.stderr)
    status = EXIT_FINDINGS if broken or (args.check and changed) else EXIT_OK
    if args.format == "json":
        _print_json({"ok": status == EXIT_OK, "check": args.check, "files": len(sources),
                     "changed": changed, "unchanged": unchanged, "broken": broken,
                     "problems": []})
        return status
    verb = "would reformat" if args.check else "reformatted"
    for path in changed:
        print(f"{verb} {path}")
    if not changed and not broken:
        print(f"ok: {len(sources)} file(s) already formatted")
    return status


def _print_json(data: Any) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=2))


def _cmd_describe(args: argparse.Namespace) -> int:
    lang = lang_of(args)
    book = load_book(args.rules, lang)
    pid = policy_id_arg(book, args.policy)
    ids = [pid] if pid else list(book.policies)
    if args.format == "json":
        _print_json({"lang": lang, "policies": [
            {"policy": i, "name": book.policies[i].name, "text": book.describe(i, lang=lang)}
            for i in ids]})
        return EXIT_OK
    print("\n\n".join(book.describe(i, lang=lang) for i in ids))
    return EXIT_OK


# ---- test: every worked example, a bad given value a failed example (never a traceback) ----


def _example_json(o: ExampleOutcome, lang: str) -> dict[str, Any]:
    ex, span = o.example, o.example.span
    return {
        "policy": o.policy.id, "policy_name": o.policy.name, "example": ex.title,
        "path": span.path, "line": span.line, "column": span.column,
        "as_of": o.as_of.isoformat(), "expected": ex.expect.value,
        "actual": None if o.verdict is None else o.verdict.value,
        "expected_benefit": None if ex.benefit is None else _number(ex.benefit),
        "actual_benefit": _benefit(o.benefit),
        "passed": o.passed, "problems": o.problem_texts(lang),
        "explanation": None if o.explanation is None else {
            "text": o.explain_text(lang),
            "failed": [a.text_zh if lang == "zh" else a.text_en for a in o.explanation.failed],
            "missing": list(o.explanation.missing)},
    }


def _number(amount: Fraction) -> str:
    """An exact amount as decimal text (a fraction's text when it has no finite decimal)."""
    value = Decimal(amount.numerator) / Decimal(amount.denominator)
    return str(value) if Fraction(value) == amount else str(amount)


def _benefit(benefit: object) -> str | None:
    if isinstance(benefit, Decimal):
        return str(benefit)
    return None if benefit is None else "unknown"


def _cmd_test(args: argparse.Namespace) -> int:
    lang = lang_of(args)
    book = load_book(args.rules, lang, args.format)
    outcomes = run_examples(book, policy_id_arg(book, args.policy))
    failed = [o for o in outcomes if not o.passed]
    passed = len(outcomes) - len(failed)
    if args.format == "json":
        _print_json({"ok": not failed, "lang": lang, "total": len(outcomes), "passed": passed,
                     "failed": len(failed),
                     "examples": [_example_json(o, lang) for o in outcomes]})
        return EXIT_FINDINGS if failed else EXIT_OK
    for o in failed:
        _print_failure(o, lang)
    print(words("cli.test.summary", lang, passed=passed, failed=len(failed)))
    return EXIT_FINDINGS if failed else EXIT_OK


def _print_failure(o: ExampleOutcome, lang: str) -> None:
    """Where, what was expected and found, then why: the explanation of the given record."""
    s = o.example.span
    print(f"{s.path}:{s.line}:{s.column}: " + words(
        "cli.test.fail", lang, policy=o.policy.id, title=o.example.title, as_of=o.as_of))
    for problem in o.problem_texts(lang):
        print(f"    {problem}")
    why = o.explain_text(lang)
    if why:
        print(f"    {words('cli.test.why', lang)}")
        for line in why.splitlines()[1:]:  # the first line repeats the policy and verdict
            print(f"    {line}")


def _format(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--format", choices=("text", "json"), default="text",
                        help="text for people (default), json for programs (one document)")


def register(sub: Any) -> None:
    check = sub.add_parser("check", help="check a rulebook and report every problem")
    check.add_argument("path", type=existing, help="a rulebook folder or one .rule file")
    check.add_argument("--format", choices=("text", "json"), default="text")
    check.add_argument("--as-of", type=date_arg,
                       help="date for the lifecycle warnings (W-EXPIRED; default: today)")
    add_lang_option(check)
    check.set_defaults(run=_cmd_check)

    fmt = sub.add_parser("fmt", help="rewrite .rule files in canonical form")
    fmt.add_argument("path", type=existing, help="a rulebook folder or one .rule file")
    fmt.add_argument("--check", action="store_true",
                     help="change nothing; exit 1 if a file is not formatted")
    _format(fmt)
    fmt.set_defaults(run=_cmd_fmt)

    describe = sub.add_parser("describe", help="a policy's conditions in plain language")
    describe.add_argument("rules", type=existing)
    describe.add_argument("policy", nargs="?", help="one policy id (default: all)")
    add_lang_option(describe)
    _format(describe)
    describe.set_defaults(run=_cmd_describe)

    test = sub.add_parser("test", help="run every worked example (示例) as a test")
    test.add_argument("rules", type=existing)
    test.add_argument("--policy", help="only this policy's examples")
    add_lang_option(test)
    _format(test)
    test.set_defaults(run=_cmd_test)
