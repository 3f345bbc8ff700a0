"""The one place a file's suffix picks its format."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from policy_match.base.messages import Lang, text
from policy_match.data.io import csv_format, jsonl, parquet, xlsx
from policy_match.data.io.raw import Batch, RawTable, batches_of

Reader = Callable[[Path], RawTable]
Writer = Callable[[Path, Sequence[str], Iterable[Batch]], int]


@dataclass(frozen=True)
class Format:
    name: str
    suffixes: tuple[str, ...]
    read: Reader
    write: Writer


FORMATS: tuple[Format, ...] = (
    Format("csv", (".csv",), csv_format.read, csv_format.write),
    Format("jsonl", (".jsonl", ".ndjson"), jsonl.read, jsonl.write),
    Format("xlsx", (".xlsx",), xlsx.read, xlsx.write),
    Format("parquet", (".parquet",), parquet.read, parquet.write),
)
_BY_SUFFIX = {suffix: f for f in FORMATS for suffix in f.suffixes}


class UnsupportedFormat(ValueError):
    """A file whose suffix names no format this use accepts."""


def format_for(path: str | Path, allowed: Iterable[str] | None = None) -> Format:
    """The format of ``path`` by its suffix; ``allowed`` names the formats a use accepts."""
    names = set(allowed) if allowed is not None else {f.name for f in FORMATS}
    suffix = Path(path).suffix.lower()
    found = _BY_SUFFIX.get(suffix)
    if found is None or found.name not in names:
        accepted = sorted(s for f in FORMATS if f.name in names for s in f.suffixes)
        words = {"path": path, "suffix": repr(suffix), "accepted": ", ".join(accepted)}
        raise UnsupportedFormat(f"{text('io.unknown_format', Lang.ZH, **words)} "
                                f"({text('io.unknown_format', Lang.EN, **words)})")
    return found


def read_raw(path: str | Path) -> RawTable:
    return format_for(path).read(Path(path))


def write_batches(path: str | Path, header: Sequence[str], batches: Iterable[Batch],
                  allowed: Iterable[str] | None = None) -> int:
    return format_for(path, allowed).write(Path(path), header, batches)


def write_rows(path: str | Path, header: Sequence[str], rows: Iterable[Sequence[Any]],
               allowed: Iterable[str] | None = None) -> int:
    """Rows (sequences in header order) to ``path`` in the format its suffix names."""
    return write_batches(path, header, batches_of(header, rows), allowed)
