"""``policy-match lsp``: the language server for editors, over stdio (docs/editors.md)."""

from __future__ import annotations

import argparse
from typing import Any

from policy_match.cli.common import EXIT_OK, add_lang_option, needs_extra


def _cmd_lsp(args: argparse.Namespace) -> int:
    with needs_extra(args, "lsp"):  # pygls is loaded only for this command
        from policy_match.lsp.server import serve

    serve(args.lang)
    return EXIT_OK


def register(sub: Any) -> None:
    lsp = sub.add_parser("lsp", help="run the language server (LSP over stdin/stdout)")
    lsp.add_argument("--stdio", action="store_true",
                     help="accepted for editors that pass it; stdio is the only transport")
    # without --lang the editor's locale decides (sent at initialize), not the shell's
    add_lang_option(lsp, "language of messages (default: the editor's locale, zh_* → zh)")
    lsp.set_defaults(run=_cmd_lsp)
