"""Commands about one enterprise: explain, profile."""

from __future__ import annotations

import argparse
import json
import sys
from decimal import Decimal
from fractions import Fraction
from typing import Any

from policy_match.base import clock
from policy_match.base.messages import text
from policy_match.cli.common import (
    EXIT_OK,
    add_lang_option,
    date_arg,
    existing,
    jsonable,
    lang_of,
    load_book,
    policy_id_arg,
    read_record,
)
from policy_match.dsl.diagnostics import display_width


def _cmd_explain(args: argparse.Namespace) -> int:
    lang = lang_of(args)
    book = load_book(args.rules, lang)
    record = read_record(args.record)
    pid = policy_id_arg(book, args.policy)
    as_of = clock.resolve(args.as_of)
    found = ([book.explain(record, pid, as_of=as_of)] if pid
             else book.explain_all(record, as_of=as_of))
    if args.format == "json":
        print(json.dumps([json.loads(e.to_json()) for e in found], ensure_ascii=False, indent=2))
    else:
        print("\n\n".join(e.render(lang) for e in found) or text("cli.explain.none", lang))
    return EXIT_OK


def _cmd_profile(args: argparse.Namespace) -> int:
    from policy_match.dsl.display import value_text

    lang = lang_of(args)
    book = load_book(args.rules, lang)
    record = read_record(args.record)
    for error in book.read_record(record, on_error="missing").errors:
        print(text("cli.profile.bad_value", lang, error=error.text(lang)), file=sys.stderr)
    labels = book.profile(record, as_of=args.as_of, on_error="missing")
    if args.format == "json":
        print(json.dumps({k: jsonable(v) for k, v in labels.items()}, ensure_ascii=False,
                         indent=2))
        return EXIT_OK
    width = max((display_width(k) for k in labels), default=0)
    for name, value in labels.items():
        t = book.defines[name].type
        shown = value_text(Fraction(value) if isinstance(value, Decimal) else value, t)
        print(f"{name}{' ' * (width - display_width(name))}  {shown}")
    return EXIT_OK


def register(sub: Any) -> None:
    explain = sub.add_parser("explain", help="why an enterprise does or does not qualify")
    explain.add_argument("rules", type=existing)
    explain.add_argument("--record", type=existing, required=True,
                         help="a JSON object of tag values")
    explain.add_argument("--policy", help="one policy id (default: every active policy)")
    explain.add_argument("--as-of", type=date_arg, help="evaluation date (default: today)")
    explain.add_argument("--format", choices=("text", "json"), default="text")
    add_lang_option(explain)
    explain.set_defaults(run=_cmd_explain)

    profile = sub.add_parser("profile", help="every define's value for one enterprise")
    profile.add_argument("rules", type=existing)
    profile.add_argument("--record", type=existing, required=True)
    profile.add_argument("--as-of", type=date_arg)
    profile.add_argument("--format", choices=("text", "json"), default="text")
    add_lang_option(profile)
    profile.set_defaults(run=_cmd_profile)

