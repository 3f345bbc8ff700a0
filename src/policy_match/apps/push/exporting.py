"""Exporting the outbox for a sender: ``.jsonl`` (one message a line) or ``.csv``, written by
the table writers of ``data.io`` (which also neutralise spreadsheet formulas).

(Named ``exporting`` rather than ``export`` so that the package's ``export`` function does
not shadow the module of the same name.)
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from policy_match.apps.push.ledger import Ledger
from policy_match.apps.push.messages import PAYLOAD_FIELDS
from policy_match.apps.push.schema import EXPORT_FIELDS
from policy_match.data.io.formats import write_rows
from policy_match.data.io.guard import check_output

SUFFIXES = (".jsonl", ".csv")
FORMATS = ("jsonl", "csv")
FIELDS = (*EXPORT_FIELDS, *PAYLOAD_FIELDS)


def export(ledger: Ledger, out: str | Path, unsent: bool = False, force: bool = False) -> int:
    """Write the outbox to ``out`` (.jsonl or .csv), replacing it atomically; the count.

    ``out`` must not exist unless ``force``, and is never the ledger itself
    (:class:`~policy_match.data.io.guard.OutputRefused`)."""
    path = Path(out)
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise ValueError(f"{path}: 请使用 .jsonl 或 .csv (use .jsonl or .csv)")
    check_output(path, [ledger.path], force=force)
    # the same suffix, so that the writer picks the same format
    temporary = path.with_name(f".{path.stem}.{os.getpid()}.tmp{suffix}")
    try:
        rows = _rows(ledger.iter_messages(unsent=unsent), csv=suffix == ".csv")
        count = write_rows(temporary, FIELDS, rows, allowed=FORMATS)
        os.replace(temporary, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            temporary.unlink()
    return count


def _rows(messages: Iterator[dict[str, Any]], csv: bool) -> Iterator[list[Any]]:
    for message in messages:
        if csv:
            yield [_cell(message.get(k)) for k in FIELDS]
        else:
            yield [message.get(k) for k in FIELDS]


def _cell(value: Any) -> Any:
    """A spreadsheet-friendly cell: lists joined, booleans as 是/否."""
    if isinstance(value, list):
        return "、".join(value)
    if isinstance(value, bool):
        return "是" if value else "否"
    return value
