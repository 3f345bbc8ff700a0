"""Delivery: recording which messages the sender delivered, by message id."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from policy_match.apps.push.ledger import Ledger, now_stamp
from policy_match.apps.push.schema import id_blob


@dataclass
class MarkReport:
    marked: int = 0
    already: int = 0
    unknown: list[str] = field(default_factory=list)


def mark_sent(ledger: Ledger, ids: Iterable[str] | None, at: str | None = None) -> MarkReport:
    """Record delivery of the messages ``ids`` (``None``: every unsent message), atomically:
    one ``deliveries`` row (the time) that the marked messages point at."""
    when = at or now_stamp()
    report = MarkReport()
    with ledger.transaction() as conn:
        delivery = conn.execute("INSERT INTO deliveries (at) VALUES (?)", (when,)).lastrowid
        if ids is None:
            report.marked = conn.execute(
                "UPDATE outbox SET sent = ? WHERE sent IS NULL", (delivery,)).rowcount
        else:
            for mid in dict.fromkeys(ids):
                blob = id_blob(mid.strip().lower())
                cursor = conn.execute(
                    "UPDATE outbox SET sent = ? WHERE id = ? AND sent IS NULL",
                    (delivery, blob))
                if cursor.rowcount:
                    report.marked += 1
                elif blob is not None and conn.execute(
                        "SELECT 1 FROM outbox WHERE id = ?", (blob,)).fetchone():
                    report.already += 1
                else:
                    report.unknown.append(mid)
        if not report.marked:
            conn.execute("DELETE FROM deliveries WHERE n = ?", (delivery,))
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
