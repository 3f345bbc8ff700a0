"""CSV: read every column as text (codes keep leading zeros, long decimals stay exact);
written as UTF-8.

Reading takes Arrow's multi-threaded parser on the file itself (the fast path). A row with
too many or too few cells is rejected and reported by its line, the rest loads. Only a file
Arrow cannot take as it is (bytes that are not UTF-8/GB18030, a UTF-16 file, a cell longer
than Arrow's block) is first decoded in Python, each bad byte replaced, then parsed by
Arrow from memory; the rows that held bad bytes are rejected and reported.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from policy_match.data.io import csv_lines
from policy_match.data.io.raw import Batch, RawTable, rows_of
from policy_match.data.records import FieldError, ValueProblem

if TYPE_CHECKING:
    import pyarrow as pa

ENCODING_SAMPLE = 1 << 16
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
REPLACED = "\ufffd".encode()
_NON_ASCII = re.compile(r"[^\x00-\x7f]")
ROW_COLUMN = "(row)"
BLOCK_BYTES = 1 << 22  # Arrow's 1 MB makes a million-row column of hundreds of small chunks


def sniff_encoding(path: Path) -> str:
    """UTF-16 when the file starts with its byte-order mark; UTF-8 (with or without BOM);
    else GB18030: what Chinese spreadsheets export."""
    with open(path, "rb") as handle:  # not the whole file, only its head
        head = handle.read(ENCODING_SAMPLE)
    if head.startswith(UTF16_BOMS):
        return "utf-16"
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 4:  # not just a character cut at the sample's end
            # UTF-8 with a few bad bytes (rows to reject), or GB18030 (nearly every
            # non-ASCII sequence invalid as UTF-8)?
            text = head[:len(head) - 4].decode("utf-8", errors="replace")
            bad = text.count("\ufffd")
            wide = len(_NON_ASCII.findall(text)) - bad
            return "utf-8" if wide >= 4 * bad else "gb18030"
    return "utf-8"


def read(path: Path) -> RawTable:
    import pyarrow as pa

    encoding = sniff_encoding(path)
    with open(path, encoding=encoding, errors="replace", newline="") as handle:
        header = next(csv.reader(io.StringIO(handle.readline())), [])
    header = [h.lstrip("\ufeff") for h in header]
    if encoding == "utf-16":
        return _read_decoded(path, encoding, header, "utf-16")
    try:
        data, invalid = _arrow(path, encoding, header)
    except (pa.ArrowInvalid, UnicodeDecodeError) as exc:
        message = str(exc)
        if not isinstance(exc, UnicodeDecodeError) and "UTF8" not in message \
                and "straddl" not in message:
            raise ValueError(message) from None
        return _read_decoded(path, encoding, header, message)
    raw = RawTable(arrow=data, unit="line", first=2, header_at=1, header=header)
    if invalid:
        body = path.read_bytes()
        found = csv_lines.scan(body)
        _reject(raw, body, found, invalid, encoding, bad=[], body_encoding=encoding)
    else:
        raw.positions = lambda: csv_lines.scan(path.read_bytes()).lines[1:]
    return raw


def _arrow(source: Any, encoding: str, header: list[str], block_size: int | None = None
           ) -> tuple[pa.Table, list[tuple[int, int, str]]]:
    import pyarrow as pa
    from pyarrow import csv as pacsv

    invalid: list[tuple[int, int, str]] = []

    def ragged(row: Any) -> str:
        invalid.append((row.expected_columns, row.actual_columns, row.text))
        return "skip"

    read_options = pacsv.ReadOptions(encoding=encoding, column_names=header, skip_rows=1,
                                     block_size=block_size or BLOCK_BYTES)
    data = pacsv.read_csv(
        source, read_options=read_options,
        parse_options=pacsv.ParseOptions(invalid_row_handler=ragged),
        convert_options=pacsv.ConvertOptions(column_types=dict.fromkeys(header, pa.string()),
                                             strings_can_be_null=True,
                                             quoted_strings_can_be_null=True),
    )
    return data, invalid


def _read_decoded(path: Path, encoding: str, header: list[str], why: str) -> RawTable:
    """The slow path: decoded in Python (bad bytes replaced), re-encoded as UTF-8, parsed
    by Arrow from memory with a block that holds the longest record."""
    import pyarrow as pa

    text = path.read_bytes().decode(encoding, errors="replace")
    body = text.encode("utf-8")
    del text
    found = csv_lines.scan(body)
    bad = _replaced(body, found)
    block = max(BLOCK_BYTES, min(2 * found.longest() + (1 << 16), (1 << 31) - 1))
    data, invalid = _arrow(pa.BufferReader(body), "utf8", header, block)
    raw = RawTable(arrow=data, unit="line", first=2, header_at=1, header=header, fallback=why)
    _reject(raw, body, found, invalid, encoding, bad)
    return raw


def _replaced(body: bytes, found: csv_lines.Records) -> list[int]:
    """The records (header excluded) holding a replaced byte."""
    offsets = []
    at = body.find(REPLACED)
    while at >= 0:
        offsets.append(at)
        at = body.find(REPLACED, at + len(REPLACED))
    return [i for i in found.holding(offsets) if i > 0]


def _reject(raw: RawTable, body: bytes, found: csv_lines.Records,
            invalid: list[tuple[int, int, str]], encoding: str, bad: list[int],
            body_encoding: str = "utf-8") -> None:
    """Ragged rows (Arrow skipped them) and rows with bad bytes (dropped here) become row
    errors at their lines; the rows handed over get their lines."""
    ragged = found.find(body, [t.encode(body_encoding, errors="replace") for _, _, t in invalid])
    errors: list[tuple[int, FieldError]] = []
    for i, (expected, actual, text) in zip(ragged, invalid, strict=True):
        problem = ValueProblem("row.ragged", expected=expected, actual=actual)
        line = int(found.lines[i]) if i >= 0 else None
        errors.append((i, FieldError.of(ROW_COLUMN, text, problem, line=line)))
    bad = sorted(set(bad) - set(ragged))
    kept = np.arange(1, len(found))
    kept = kept[~np.isin(kept, ragged)]
    if bad:
        drop = np.isin(kept, bad)
        if drop.any():
            raw.arrow = raw.take_arrow().filter(pa_mask(~drop))
        for i in bad:
            text = body[int(found.starts[i]):int(found.ends[i])].decode("utf-8")
            problem = ValueProblem("row.bad_bytes", encoding=encoding.upper())
            errors.append((i, FieldError.of(ROW_COLUMN, text, problem,
                                            line=int(found.lines[i]))))
        kept = kept[~drop]
    errors.sort(key=lambda pair: pair[0])
    raw.errors.extend(e for _, e in errors)
    raw.rejected = len(errors)
    lines = found.lines[kept]
    if raw.arrow is not None and len(lines) != raw.arrow.num_rows:
        lines = np.arange(2, 2 + raw.arrow.num_rows)  # records not matched: lines unknown
    raw.positions = lambda: lines


def pa_mask(mask: np.ndarray) -> Any:
    import pyarrow as pa

    return pa.array(mask, type=pa.bool_())


def write(path: Path, header: Sequence[str], batches: Iterable[Batch], bom: bool = False) -> int:
    """``bom``: a byte-order mark first, so that Excel on a Chinese desktop reads UTF-8 (for
    files people open; files machines read go without). Every text cell that a spreadsheet
    would read as a formula is written inert (:func:`.cells.inert`)."""
    from policy_match.data.io.cells import inert_batches, inert_row

    count = 0
    with open(path, "w", encoding="utf-8-sig" if bom else "utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(inert_row(header))
        for row in rows_of(header, inert_batches(batches)):
            writer.writerow(row)
            count += 1
    return count
