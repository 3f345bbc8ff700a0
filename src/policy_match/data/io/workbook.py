"""Writing workbooks: one sheet or several, a bold header row, typed numbers and dates, and
every text cell inert (:func:`.cells.inert`: never a formula) and free of the control
characters a workbook cannot hold. ``xlsx.write`` (the table writer) is one sheet of this."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from numbers import Integral
from pathlib import Path
from typing import Any

from policy_match.data.io.cells import inert

_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


@dataclass(frozen=True)
class Sheet:
    """One sheet of a workbook to write: a title, a bold header row, then the rows.

    ``widths`` are column widths (in characters, first column first); ``number_formats``
    maps a 0-based column to the format of its numeric cells (``#,##0.00``); ``freeze`` is the
    top-left cell of the scrolling area (``A2``: the header stays in view)."""

    title: str
    header: tuple[str, ...]
    rows: Iterable[Sequence[Any]]
    widths: tuple[float, ...] = ()
    number_formats: Mapping[int, str] = field(default_factory=dict)
    freeze: str | None = None


def write_workbook(path: Path | str, sheets: Sequence[Sheet]) -> list[int]:
    """Write ``sheets`` to one workbook; returns the number of rows written to each."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook(write_only=True)
    bold = Font(bold=True)
    counts: list[int] = []
    for spec in sheets:
        sheet = workbook.create_sheet(spec.title)
        for i, width in enumerate(spec.widths, start=1):
            sheet.column_dimensions[get_column_letter(i)].width = width
        if spec.freeze:
            sheet.freeze_panes = spec.freeze
        sheet.append([_cell(sheet, name, font=bold) for name in spec.header])
        count = 0
        formats = dict(spec.number_formats)
        for row in spec.rows:
            sheet.append([_cell(sheet, v, formats.get(i)) for i, v in enumerate(row)])
            count += 1
        counts.append(count)
    workbook.save(path)
    return counts


def text_value(value: Any) -> Any:
    """What a workbook cell holds for ``value``: a text inert and without control characters
    a workbook cannot hold; numbers, dates and ``None`` as they are; anything else as text."""
    if value is None or isinstance(value, Integral | float | Decimal | dt.date | dt.time):
        return value
    text = value if isinstance(value, str) else str(value)
    return inert(_ILLEGAL.sub("", text))


def _cell(sheet: Any, value: Any, number_format: str | None = None, font: Any = None) -> Any:
    """A plain value, or a cell when it needs a format or a font (a text cell is always
    of type ``s``, a string, never ``f``, a formula)."""
    from openpyxl.cell import WriteOnlyCell

    shown = text_value(value)
    if number_format is None and font is None:
        return shown
    cell = WriteOnlyCell(sheet, value=shown)
    if font is not None:
        cell.font = font
    if number_format is not None and not isinstance(shown, str):
        cell.number_format = number_format
    if isinstance(shown, str):
        cell.data_type = "s"
    return cell


__all__ = ["Sheet", "text_value", "write_workbook"]
