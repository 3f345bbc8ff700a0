"""Parquet: read as Arrow; written batch by batch, every column as text unless the batch
gives Arrow arrays (a match result writes its id columns without a Python loop)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

from policy_match.data.io.raw import Batch, RawTable


def read(path: Path) -> RawTable:
    import pyarrow.parquet as pq

    data = pq.read_table(path)
    return RawTable(arrow=data, unit="record", first=1, header=list(data.column_names))


def write(path: Path, header: Sequence[str], batches: Iterable[Batch]) -> int:
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = pa.schema([(name, pa.string()) for name in header])
    count = 0
    with pq.ParquetWriter(path, schema) as writer:
        for batch in batches:
            table = pa.table({name: _strings(batch[name]) for name in header}, schema=schema)
            writer.write_table(table)
            count += table.num_rows
    return count


def _strings(values: object) -> object:
    import pyarrow as pa

    if isinstance(values, pa.Array | pa.ChunkedArray):
        return values.cast(pa.string())
    try:
        return pa.array(values, pa.string())  # texts already: no Python loop
    except (pa.ArrowTypeError, pa.ArrowInvalid):
        return pa.array([None if v is None else str(v) for v in values],  # type: ignore[attr-defined]
                        pa.string())
