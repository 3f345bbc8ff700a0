"""Where commands write: every file is checked before anything is written
(:func:`policy_match.data.io.guard.check_outputs`); ``--force`` replaces earlier outputs,
nothing replaces an input. A refusal is a usage error: its message on stderr, exit 2."""

from __future__ import annotations

import argparse
from collections.abc import Iterable
from pathlib import Path

from policy_match.cli.common import UsageError
from policy_match.data.io.guard import OutputRefused, check_outputs

FORCE_HELP = "replace output files that exist (覆盖已存在的输出文件); an input is never replaced"


def add_force(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--force", action="store_true", help=FORCE_HELP)


def guard(outputs: Iterable[str | Path], inputs: Iterable[str | Path | None],
          force: bool) -> list[Path]:
    """The outputs as paths, or :class:`UsageError` (nothing written) when one may not be."""
    try:
        return check_outputs(outputs, [i for i in inputs if i is not None], force)
    except OutputRefused as refused:
        raise UsageError(str(refused)) from None


__all__ = ["FORCE_HELP", "add_force", "guard"]
