"""JSON Lines: one object per line; a line that is not an object is kept as a row error
(the row still counts, with every field missing), so rows in equal rows loaded."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from policy_match.data.io.raw import Batch, RawTable, rows_of
from policy_match.data.records import FieldError

SHOWN_CHARS = 80


def read(path: Path) -> RawTable:
    records: list[Mapping[str, Any]] = []
    bad: list[FieldError] = []
    with open(path, encoding="utf-8-sig") as handle:
        for line_no, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
                if not isinstance(record, dict):
                    raise ValueError("a line must hold one JSON object")
            except ValueError as exc:
                bad.append(FieldError(row=len(records) + 1, column="(line)",
                                      value=line.strip()[:SHOWN_CHARS],
                                      reason=f"line {line_no}: {exc}"))
                record = {}
            records.append(record)
    return RawTable(records=records, errors=bad)


def write(path: Path, header: Sequence[str], batches: Iterable[Batch]) -> int:
    count = 0
    with open(path, "w", encoding="utf-8") as handle:
        for row in rows_of(header, batches):
            handle.write(json.dumps(dict(zip(header, row, strict=True)), ensure_ascii=False,
                                    default=str) + "\n")
            count += 1
    return count
