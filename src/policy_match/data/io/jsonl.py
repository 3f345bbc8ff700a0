"""JSON Lines: one object per line. A line that is not one JSON object is a rejected row,
reported by its line; empty lines are not rows."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from policy_match.data.io.raw import Batch, RawTable, rows_of
from policy_match.data.records import FieldError, ValueProblem

SHOWN_CHARS = 80


def read(path: Path) -> RawTable:
    records: list[Mapping[str, Any]] = []
    lines: list[int] = []
    bad: list[FieldError] = []
    with open(path, encoding="utf-8-sig", errors="replace") as handle:
        for line_no, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
                if not isinstance(record, dict):
                    raise ValueError(f"a {type(record).__name__}")
            except ValueError as exc:
                problem = ValueProblem("row.bad_json", detail=str(exc))
                bad.append(FieldError.of("(line)", line.strip()[:SHOWN_CHARS], problem,
                                         line=line_no))
                continue
            records.append(record)
            lines.append(line_no)
    found = np.array(lines, dtype=np.int64)
    return RawTable(records=records, errors=bad, unit="line", positions=lambda: found,
                    rejected=len(bad))


def write(path: Path, header: Sequence[str], batches: Iterable[Batch]) -> int:
    count = 0
    with open(path, "w", encoding="utf-8") as handle:
        for row in rows_of(header, batches):
            handle.write(json.dumps(dict(zip(header, row, strict=True)), ensure_ascii=False,
                                    default=str) + "\n")
            count += 1
    return count
