"""Delivery: recording which messages the sender delivered, by message id."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from policy_match.apps.push.ledger import Ledger, now_stamp


@dataclass
class MarkReport:
    marked: int = 0
    already: int = 0
    unknown: list[str] = field(default_factory=list)


def mark_sent(ledger: Ledger, ids: Iterable[str] | None, at: str | None = None) -> MarkReport:
    """Record delivery of the messages ``ids`` (``None``: every unsent message), atomically."""
    when = at or now_stamp()
    report = MarkReport()
    with ledger.transaction() as conn:
        if ids is None:
            report.marked = conn.execute(
                "UPDATE outbox SET sent_at = ? WHERE sent_at IS NULL", (when,)).rowcount
            return report
        for mid in dict.fromkeys(ids):
            cursor = conn.execute(
                "UPDATE outbox SET sent_at = ? WHERE id = ? AND sent_at IS NULL", (when, mid))
            if cursor.rowcount:
                report.marked += 1
            elif conn.execute("SELECT 1 FROM outbox WHERE id = ?", (mid,)).fetchone():
                report.already += 1
            else:
                report.unknown.append(mid)
    return report


def read_ids(path: str | Path) -> list[str]:
    """Message ids from a file: one per line, or an exported .jsonl / .csv (its id column)."""
    text = Path(path).read_text(encoding="utf-8-sig")
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if not lines:
        return []
    if lines[0].startswith("{"):
        return [str(json.loads(line)["id"]) for line in lines]
    if "," in lines[0]:
        return [row["id"] for row in csv.DictReader(text.splitlines()) if row.get("id")]
    return lines
