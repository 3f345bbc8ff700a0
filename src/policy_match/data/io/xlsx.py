"""Excel workbooks: the first sheet (or a named one) read as records; written with a bold
header row and every value as a plain cell (texts inert: never a formula; several sheets:
:mod:`.workbook`)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from policy_match.data.io.raw import Batch, RawTable, rows_of


def read(path: Path, sheet: str | None = None) -> RawTable:
    """Rows by their sheet row numbers; a row of empty cells is skipped (and counted); a
    repeated header keeps its first column (the table reports the repeat)."""
    import openpyxl

    workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    records: list[Mapping[str, Any]] = []
    positions: list[int] = []
    skipped = 0
    header: list[str] = []
    header_at = 1
    try:
        ws = workbook[sheet] if sheet else workbook.worksheets[0]
        rows = enumerate(ws.iter_rows(values_only=True), start=1)
        for at, cells in rows:
            if any(v is not None for v in cells):
                header = [str(h).strip() if h is not None else "" for h in cells]
                header_at = at
                break
        first = {name: i for i, name in reversed(list(enumerate(header)))}
        blank = 0  # blank rows after the last row with data are the sheet's end: not counted
        for at, cells in rows:
            if all(v is None or (isinstance(v, str) and not v.strip()) for v in cells):
                blank += 1
                continue
            skipped, blank = skipped + blank, 0
            records.append({name: cells[i] if i < len(cells) else None
                            for name, i in first.items()})
            positions.append(at)
    finally:
        workbook.close()
    found = np.array(positions, dtype=np.int64)
    return RawTable(records=records, unit="sheet_row", header_at=header_at, header=header,
                    positions=lambda: found, skipped=skipped)


def write(path: Path, header: Sequence[str], batches: Iterable[Batch],
          title: str | None = None) -> int:
    """One sheet: a bold header row, then every value as a plain cell, texts inert
    (:mod:`.workbook`: never a formula)."""
    from policy_match.data.io.workbook import Sheet, write_workbook

    return write_workbook(path, [Sheet(title or "Sheet1", tuple(header),
                                       rows_of(header, batches))])[0]
