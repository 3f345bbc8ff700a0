"""The ``policy-match`` command line: a thin edge over the library.

Exit status everywhere: 0 ok, 1 findings (errors in rules, failing examples, files not
formatted), 2 usage or input error (bad arguments, a path that does not exist). Each
command lives in the module of its audience and registers itself here.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from importlib import metadata

from policy_match.cli import (
    bulk,
    enterprise,
    lifecycle,
    lint,
    lsp,
    money,
    publish,
    push,
    rules,
    serve,
    snapshot,
    sql,
)
from policy_match.cli.common import EXIT_OK, EXIT_USAGE, UsageError

COMMAND_MODULES = (
    rules, lint, lsp, enterprise, bulk, sql, push, publish, lifecycle, snapshot, money, serve,
)


def version() -> str:
    """The installed distribution's version (the wheel's metadata, one source of truth)."""
    try:
        return metadata.version("policy-match")
    except metadata.PackageNotFoundError:  # run from a source tree that was never installed
        return "unknown"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="policy-match",
        description="Match enterprise-benefit policies to the enterprises that qualify.",
    )
    parser.add_argument("--version", action="version", version=f"policy-match {version()}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in COMMAND_MODULES:
        module.register(sub)
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
    except OSError as err:  # a file that vanished, a full disk: the user's to fix, not a bug
        print(f"policy-match: {err.filename or ''}: {err.strerror or err}", file=sys.stderr)
        return EXIT_USAGE


__all__ = ["build_parser", "main", "version"]
