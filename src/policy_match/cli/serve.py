"""``policy-match serve``: the portal (JSON API and pages) on uvicorn.

With no arguments it serves the bundled rulebook and the bundled 2,000-enterprise sample.
Exit status: 1 when the rulebook has errors (they are printed), 2 for a usage error (a path
that does not exist, an unusable tokens file)."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

from policy_match.base.messages import text
from policy_match.cli.common import (
    EXIT_FINDINGS,
    EXIT_OK,
    UsageError,
    add_lang_option,
    existing,
    lang_of,
    needs_extra,
)


def _paths(args: argparse.Namespace) -> tuple[Path, Path | None]:
    with needs_extra(args, "server"):
        from policy_match.server.app import default_data, default_rules

    if args.rules is not None:
        return args.rules, args.data
    rules, data = default_rules(), args.data or default_data()
    if rules is None:
        raise UsageError(text("server.no_bundled", lang_of(args)))
    return rules, data


def _build(args: argparse.Namespace, rules: Path, data: Path | None) -> Any:
    with needs_extra(args, "server"):
        from policy_match.server.app import create_app
        from policy_match.server.state import LoadFailed
        from policy_match.server.tokens import TokensError

    try:
        return create_app(rules, data, args.tokens, watch=not args.no_watch,
                          public_url=args.public_url)
    except LoadFailed as failed:
        from policy_match.dsl.diagnostics import render_text

        print(render_text(failed.diagnostics, failed.sources, lang_of(args)), file=sys.stderr)
        return None
    except TokensError as exc:
        raise UsageError(text("server.bad_tokens", lang_of(args), reason=exc)) from None
    except (OSError, ValueError) as exc:
        raise UsageError(f"{data}: {exc}") from None


def _cmd_serve(args: argparse.Namespace) -> int:
    with needs_extra(args, "server"):
        import uvicorn
        from uvicorn.protocols.http.auto import AutoHTTPProtocol

        from policy_match.server.app import SETTINGS_ENV, tune_collector
        from policy_match.server.onewrite import writing_once
        from policy_match.server.workers import serve_workers

    rules, data = _paths(args)
    app = _build(args, rules, data)
    if app is None:
        return EXIT_FINDINGS
    snapshot = app.state.service.snapshot
    if snapshot.table is not None and snapshot.table.errors:
        print(snapshot.table.counts.text(snapshot.table.source, lang_of(args)), file=sys.stderr)
    url = f"http://{args.host}:{args.port}"
    print(text("server.serving", lang_of(args), url=url, version=snapshot.version,
               items=len(snapshot.book.policies)), file=sys.stderr)
    if args.workers <= 1:
        tune_collector()
        uvicorn.run(app, host=args.host, port=args.port, log_level=args.log_level, loop=args.loop,
                    http=writing_once(AutoHTTPProtocol))
        return EXIT_OK
    os.environ[SETTINGS_ENV] = json.dumps({
        "rules": str(rules), "data": None if data is None else str(data),
        "tokens": None if args.tokens is None else str(args.tokens),
        "watch": not args.no_watch, "public_url": args.public_url})
    serve_workers(args.host, args.port, args.workers, os.environ[SETTINGS_ENV],
                  args.log_level, args.loop)
    return EXIT_OK


def register(sub: Any) -> None:
    p = sub.add_parser("serve", help="serve the portal: JSON API and pages (政策找企业)",
                       description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("rules", nargs="?", type=existing, default=None,
                   help="rule file or folder (default: the bundled rulebook and sample)")
    p.add_argument("--data", type=existing, default=None,
                   help="enterprise table for the staff look-ups (CSV, xlsx, parquet, jsonl)")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on")
    p.add_argument("--port", type=int, default=8000, help="port to listen on")
    p.add_argument("--tokens", type=existing, default=None,
                   help="staff tokens file: one 'TOKEN DEPARTMENT' a line, or JSON "
                        "{token: department}; '*' is every department")
    p.add_argument("--workers", type=int, default=1,
                   help="worker processes (each loads the rulebook and watches the folder); "
                        "one acceptor gives each new connection to the least busy")
    p.add_argument("--public-url", default=None,
                   help="the address people reach the portal at (for QR codes)")
    p.add_argument("--no-watch", action="store_true",
                   help="do not reload the rules folder when it changes")
    p.add_argument("--log-level", default="info",
                   choices=("critical", "error", "warning", "info", "debug"))
    p.add_argument("--loop", default="asyncio", choices=("asyncio", "uvloop"),
                   help="event loop: asyncio answers requests in the order they arrive; "
                        "uvloop costs less CPU but was measured to make some clients wait "
                        "two rounds (docs/server.md)")
    add_lang_option(p)
    p.set_defaults(run=_cmd_serve)
