"""Exporting the outbox for a sender: ``.jsonl`` (one message a line) or ``.csv``.

(Named ``exporting`` rather than ``export`` so that the package's ``export`` function does
not shadow the module of the same name.)
"""

from __future__ import annotations

import contextlib
import csv
import json
import os
from pathlib import Path
from typing import Any

from policy_match.apps.push.ledger import EXPORT_FIELDS, Ledger
from policy_match.apps.push.messages import PAYLOAD_FIELDS

SUFFIXES = (".jsonl", ".csv")


def export(ledger: Ledger, out: str | Path, unsent: bool = False) -> int:
    """Write the outbox to ``out`` (.jsonl or .csv), replacing it atomically; the count."""
    path = Path(out)
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise ValueError(f"{path}: use .jsonl or .csv")
    messages = ledger.messages(unsent=unsent)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(temporary, "w", encoding="utf-8", newline="") as handle:
            if suffix == ".jsonl":
                for message in messages:
                    handle.write(json.dumps(message, ensure_ascii=False) + "\n")
            else:
                fields = [*EXPORT_FIELDS, *PAYLOAD_FIELDS]
                writer = csv.DictWriter(handle, fieldnames=fields, extrasaction="ignore")
                writer.writeheader()
                for message in messages:
                    writer.writerow({k: _cell(message.get(k)) for k in fields})
        os.replace(temporary, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            temporary.unlink()
    return len(messages)


def _cell(value: Any) -> Any:
    """A spreadsheet-friendly cell: lists joined, booleans as 是/否."""
    if isinstance(value, list):
        return "、".join(value)
    if isinstance(value, bool):
        return "是" if value else "否"
    return value
