"""``policy-match lint``: the static findings of a rulebook (docs/lint.md)."""

from __future__ import annotations

import argparse
import json
from typing import Any

from policy_match.base.messages import text
from policy_match.cli.common import (
    EXIT_FINDINGS,
    EXIT_OK,
    add_lang_option,
    date_arg,
    existing,
    failure_json,
    folder_hints,
    lang_of,
    needs_extra,
)
from policy_match.dsl.diagnostics import Diagnostic, render_json, render_one, render_text


def _witness_lines(d: Diagnostic, lang: str) -> list[str]:
    if not d.witness:
        return []
    values = "，".join(f"{tag} = {value}" for tag, value in d.witness) if lang == "zh" \
        else ", ".join(f"{tag} = {value}" for tag, value in d.witness)
    return [f"   {text('lint.witness', lang)}: {values}"]


def render_findings(findings: tuple[Diagnostic, ...], sources: Any, lang: str) -> str:
    """Each finding as ``check`` shows a diagnostic, its witness below it, then the count."""
    blocks = ["\n".join([render_one(d, sources, lang), *_witness_lines(d, lang)])
              for d in sorted(findings, key=Diagnostic.sort_key)]
    blocks.append(text("diag.summary", lang, errors=0, warnings=len(findings)))
    return "\n\n".join(blocks)


def findings_json(findings: tuple[Diagnostic, ...], lang: str) -> list[dict[str, Any]]:
    ordered = sorted(findings, key=Diagnostic.sort_key)
    out: list[dict[str, Any]] = json.loads(render_json(ordered, lang))
    for item, d in zip(out, ordered, strict=True):
        item["witness"] = dict(d.witness) if d.witness else None
    return out


def _cmd_lint(args: argparse.Namespace) -> int:
    from policy_match.core.loading import inspect

    with needs_extra(args, "lint"):
        from policy_match.analysis import lint

    lang = lang_of(args)
    result = inspect(args.path)
    if result.rulebook is None or any(d.is_error for d in result.diagnostics):
        found = folder_hints(result.diagnostics, args.path)
        if args.format == "json":
            print(failure_json(found, lang))
        else:
            print(render_text(found, result.sources, lang))
        return EXIT_FINDINGS
    findings = lint(result, today=args.as_of)
    if args.format == "json":
        print(json.dumps({"ok": not findings, "loaded": True, "findings": len(findings),
                          "diagnostics": findings_json(findings, lang)},
                         ensure_ascii=False, indent=2))
    else:
        print(render_findings(findings, result.sources, lang))
    return EXIT_FINDINGS if findings else EXIT_OK


def register(sub: Any) -> None:
    lint = sub.add_parser(
        "lint", help="find conditions that never or always hold, redundant ones, "
                     "unreachable branches, tier gaps, copied items, missing 清单 fields")
    lint.add_argument("path", type=existing, help="a rulebook folder or one .rule file")
    lint.add_argument("--format", choices=("text", "json"), default="text",
                      help="text for people (default), json for programs")
    add_lang_option(lint)
    lint.add_argument("--as-of", type=date_arg,
                      help="read 评估日 (today) as this date (default: any day — each "
                           "item on the days of its validity window)")
    lint.set_defaults(run=_cmd_lint)
