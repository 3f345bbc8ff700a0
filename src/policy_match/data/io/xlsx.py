"""Excel workbooks: the first sheet (or a named one) read as records; written with a bold
header row and every value as a plain cell."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from policy_match.data.io.raw import Batch, RawTable, rows_of


def read(path: Path, sheet: str | None = None) -> RawTable:
    import openpyxl

    workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        ws = workbook[sheet] if sheet else workbook.worksheets[0]
        rows = ws.iter_rows(values_only=True)
        header = [str(h).strip() if h is not None else "" for h in next(rows, ())]
        records: list[Mapping[str, Any]] = [dict(zip(header, r, strict=False)) for r in rows
                   if any(v is not None for v in r)]
    finally:
        workbook.close()
    return RawTable(records=records)


def write(path: Path, header: Sequence[str], batches: Iterable[Batch],
          title: str | None = None) -> int:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title or "Sheet1")
    bold = Font(bold=True)
    sheet.append([_bold_cell(sheet, name, bold) for name in header])
    count = 0
    for row in rows_of(header, batches):
        sheet.append(list(row))
        count += 1
    workbook.save(path)
    return count


def _bold_cell(sheet: object, value: str, font: object) -> object:
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(sheet, value=value)
    cell.font = font
    return cell
