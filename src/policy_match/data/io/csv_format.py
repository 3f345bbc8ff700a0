"""CSV: read every column as text (codes keep leading zeros, long decimals stay exact);
written as UTF-8."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from pathlib import Path

from policy_match.data.io.raw import Batch, RawTable, rows_of

ENCODING_SAMPLE = 1 << 16


def sniff_encoding(path: Path) -> str:
    """UTF-8 (with or without BOM), else GB18030: what Chinese spreadsheets export."""
    head = path.read_bytes()[:ENCODING_SAMPLE]
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 4:  # not just a character cut at the sample's end
            return "gb18030"
    return "utf-8"


def read(path: Path) -> RawTable:
    import pyarrow as pa
    from pyarrow import csv as pacsv

    encoding = sniff_encoding(path)
    with open(path, encoding=encoding, newline="") as handle:
        header = next(csv.reader(io.StringIO(handle.readline())), [])
    header = [h.lstrip("\ufeff") for h in header]
    types = {h: pa.string() for h in header}
    data = pacsv.read_csv(
        path,
        read_options=pacsv.ReadOptions(encoding=encoding, column_names=header, skip_rows=1),
        convert_options=pacsv.ConvertOptions(column_types=types, strings_can_be_null=True,
                                             quoted_strings_can_be_null=True),
    )
    return RawTable(arrow=data)


def write(path: Path, header: Sequence[str], batches: Iterable[Batch], bom: bool = False) -> int:
    """``bom``: a byte-order mark first, so that Excel on a Chinese desktop reads UTF-8 (for
    files people open; files machines read go without)."""
    count = 0
    with open(path, "w", encoding="utf-8-sig" if bom else "utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        for row in rows_of(header, batches):
            writer.writerow(row)
            count += 1
    return count
