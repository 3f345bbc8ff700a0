"""Writing a library to ``.csv``, ``.jsonl`` (or ``.ndjson``) or ``.parquet``."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from policy_match.data.io.formats import FORMATS as IO_FORMATS
from policy_match.data.io.formats import format_for
from policy_match.tools.generate.library import generate_table

WRITTEN_FORMATS = ("csv", "jsonl", "parquet")
FORMATS = tuple(s for f in IO_FORMATS if f.name in WRITTEN_FORMATS for s in f.suffixes)
"""The suffixes :func:`write` understands (chosen by ``data.io.format_for``)."""


@dataclass(frozen=True)
class Written:
    """What :func:`write_library` wrote."""

    path: Path
    rows: int
    seed: int
    dirty: bool
    bad_values: int  # deliberately bad cells (0 unless ``dirty``)


def write_library(n: int, out: str | Path, seed: int = 0, dirty: bool = False) -> Written:
    """Generate ``n`` enterprises and write them to ``out`` (format by suffix, see
    :func:`write`)."""
    table, found = generate_table(n, seed, dirty=dirty, faults=True)
    rows = write(table, out)
    return Written(Path(out), rows, seed, dirty, len(found))


def write(data: Any, path: str | Path) -> int:
    """Write a table, a dict of columns or a list of records to ``.csv``, ``.jsonl`` (or
    ``.ndjson``) or ``.parquet``, by extension; returns the number of rows.

    CSV is UTF-8 with a header of tag names; a missing value is an empty cell. JSONL leaves
    missing fields out.
    """
    import pyarrow as pa

    path = Path(path)
    chosen = format_for(path, allowed=WRITTEN_FORMATS).name
    if isinstance(data, pa.Table):
        table = data
    elif isinstance(data, Mapping):
        table = pa.table(dict(data))
    else:
        table = pa.Table.from_pylist(list(data))
    if chosen == "csv":
        from pyarrow import csv as pacsv

        pacsv.write_csv(table, path, pacsv.WriteOptions(quoting_style="needed"))
    elif chosen == "parquet":
        import pyarrow.parquet as pq

        pq.write_table(table, path)
    else:
        _write_jsonl(table.to_batches(max_chunksize=65_536), path)
    return int(table.num_rows)


def _write_jsonl(batches: Iterable[Any], path: Path) -> None:
    """One JSON object a line, missing fields left out."""
    with open(path, "w", encoding="utf-8") as handle:
        for batch in batches:
            for record in batch.to_pylist():
                clean = {k: v for k, v in record.items() if v is not None}
                handle.write(json.dumps(clean, ensure_ascii=False) + "\n")
