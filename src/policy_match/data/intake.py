"""Strict intake: what a load counts, which columns it reads, which rows are blank, and
where in the file each reported problem is.

Nothing is lost without a word: every row of the file is loaded, skipped as blank or
rejected (``LoadCounts`` adds up), every column is read or reported, and every error says
where it is in the file (a CSV line, a sheet row, a Parquet record).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from policy_match.base.messages import DEFAULT_LANG, Lang, text
from policy_match.data.arrow_numpy import valid_mask
from policy_match.data.records import FieldError, Unit, ValueProblem, is_missing
from policy_match.data.schema import TagSchema
from policy_match.dsl.suggest import closest

if TYPE_CHECKING:
    import pyarrow as pa


@dataclass(frozen=True)
class LoadCounts:
    """How a load went. ``in_file == loaded + skipped + rejected_rows`` always."""

    loaded: int
    skipped: int = 0  # blank rows
    rejected_rows: int = 0  # rows not read at all (ragged, bad bytes, not a JSON object)
    rejected_values: int = 0  # problems on loaded rows (the field counts as missing)
    rejected_columns: int = 0  # columns not read (unknown or repeated headers)

    @property
    def in_file(self) -> int:
        return self.loaded + self.skipped + self.rejected_rows

    @property
    def clean(self) -> bool:
        return not (self.rejected_rows or self.rejected_values or self.rejected_columns)

    def text(self, source: str, lang: Lang | str = DEFAULT_LANG) -> str:
        return text("load.counts", lang, source=source, total=f"{self.in_file:,}",
                     loaded=f"{self.loaded:,}", skipped=f"{self.skipped:,}",
                     rejected=f"{self.rejected_rows:,}", values=f"{self.rejected_values:,}",
                     columns=f"{self.rejected_columns:,}")


# ---- columns -------------------------------------------------------------------------------


def unknown_column(name: str, schema: TagSchema) -> FieldError:
    """A header that names no tag, with the nearest tag name or label offered."""
    names = [*schema.tags, *(t.label for t in schema.tags.values() if t.label)]
    found = closest(name.strip(), names) if name.strip() else []
    problem = (ValueProblem("column.unknown_hint", suggestion=found[0]) if found
               else ValueProblem("column.unknown"))
    return FieldError.of(name, "", problem)


def repeated_column(name: str, first: int, second: int) -> FieldError:
    return FieldError.of(name, "", ValueProblem("column.duplicate", first=first + 1,
                                                second=second + 1))


def second_for_tag(name: str, tag: str) -> FieldError:
    return FieldError.of(name, "", ValueProblem("column.second_for_tag", tag=tag))


# ---- blank rows ----------------------------------------------------------------------------


def blank_arrow_rows(data: pa.Table) -> np.ndarray | None:
    """Rows whose every cell is empty, or ``None`` when there are none. A column without a
    null (the key, usually) settles it at no cost."""
    columns = sorted(data.columns, key=lambda c: c.null_count)
    if not columns or columns[0].null_count == 0:
        return None
    blank: np.ndarray | None = None
    for column in columns:
        nulls = ~valid_mask(column)
        blank = nulls if blank is None else blank & nulls
        if not blank.any():
            return None
    return blank


def blank_records(records: Sequence[Any]) -> np.ndarray | None:
    blank = np.fromiter((all(is_missing(v) for v in r.values()) for r in records),
                        dtype=bool, count=len(records))
    return blank if blank.any() else None


# ---- where each error is -------------------------------------------------------------------


def place(errors: list[FieldError], positions: np.ndarray | None, unit: Unit,
          header_at: int | None) -> list[FieldError]:
    """Each error with its place in the file: a loaded row's position, a column's header
    line; a duplicate key names the first row by its position too."""
    placed = []
    for e in errors:
        update: dict[str, Any] = {}
        if e.row is not None and positions is not None:
            update = {"line": int(positions[e.row - 1]), "unit": unit}
            if e.code == "key.duplicate":
                params = dict(e.params)
                params["first"] = str(int(positions[int(params["first"]) - 1]))
                code = f"key.duplicate.{unit}"
                update |= {"code": code, "params": tuple(params.items()),
                           "reason": text(code, Lang.EN, **params)}
        elif e.row is None and e.line is None and e.code and e.code.startswith("column.") \
                and header_at is not None:
            update = {"line": header_at, "unit": unit}
        placed.append(e.model_copy(update=update) if update else e)
    placed.sort(key=_order)
    return placed


def _order(e: FieldError) -> tuple[int, int, str]:
    if e.line is not None:
        return (0, e.line, e.column)
    return (0 if e.row is None else 1, e.row or 0, e.column)
