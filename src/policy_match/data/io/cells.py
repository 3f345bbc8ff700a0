"""Cells that a spreadsheet never runs: OWASP's rule against CSV/formula injection, once.

A text cell that begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is read by
Excel, WPS and LibreOffice as a formula (``=HYPERLINK("http://…","点击领取")`` in a 企业名称
becomes a live link; ``=cmd|…`` once ran programs). Every CSV and XLSX writer of
:mod:`policy_match.data.io` passes every cell through :func:`inert`: such a text gets a leading
``'``, which spreadsheet programs show as text. Numbers stay numbers (a negative amount is a
number, not a text starting with ``-``); only texts are touched, so ``"-1+1"`` is neutralised.

So that a file written this way reads back exactly, a text that already begins with
apostrophes followed by one of those characters (``'=…``) gets one more; :func:`revert`
removes exactly the one :func:`inert` added.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from policy_match.data.io.raw import Batch

TRIGGERS = frozenset("=+-@\t\r")
"""The first characters that make a spreadsheet program read a text as a formula."""

QUOTE = "'"


def needs_quote(text: str) -> bool:
    """Whether a text would be read as a formula (after any apostrophes it starts with)."""
    return text.lstrip(QUOTE)[:1] in TRIGGERS


def inert(value: Any) -> Any:
    """``value`` as a cell that is never a formula: a text that starts like one gets a
    leading ``'``; anything that is not a text (numbers, dates, ``None``) is returned as is."""
    if isinstance(value, str) and value and needs_quote(value):
        return QUOTE + value
    return value


def revert(value: Any) -> Any:
    """The inverse of :func:`inert` (for reading back a file this package wrote)."""
    if isinstance(value, str) and value[:1] == QUOTE and needs_quote(value[1:]):
        return value[1:]
    return value


def inert_column(values: Sequence[Any]) -> Sequence[Any]:
    """A column with every cell made inert; the same object when no cell needs it (the
    common case: no copy of a million enterprise ids)."""
    if not any(isinstance(v, str) and v[:1] in _FIRST for v in values):
        return values
    return [inert(v) for v in values]


def inert_row(row: Sequence[Any]) -> list[Any]:
    return [inert(v) for v in row]


def inert_batches(batches: Iterable[Batch]) -> Iterator[Batch]:
    """Column batches with every cell made inert."""
    for batch in batches:
        yield {name: inert_column(values) for name, values in batch.items()}


_FIRST = TRIGGERS | {QUOTE}

__all__ = ["QUOTE", "TRIGGERS", "inert", "inert_batches", "inert_column", "inert_row",
           "needs_quote", "revert"]
