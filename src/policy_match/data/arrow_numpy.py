"""Arrow arrays to numpy and back through their buffers.

pyarrow's own conversions (``to_numpy``, ``pa.array``, ``pa.scalar``) import pandas when it is
installed: two seconds and some 60 MB on a busy machine, paid by every load. Reading the
buffers directly needs nothing but numpy, and never holds an extra copy of a column.
"""

from __future__ import annotations

from typing import Any

import numpy as np

_OFFSET_TYPES = {"string": np.int32, "binary": np.int32, "large_string": np.int64,
                 "large_binary": np.int64}


def chunks_of(column: Any) -> list[Any]:
    """The chunks of a chunked array, or the array itself as the one chunk."""
    return list(column.chunks) if hasattr(column, "chunks") else [column]


def _bits(buffer: Any, offset: int, n: int) -> np.ndarray:
    packed = np.frombuffer(buffer, dtype=np.uint8, count=(offset + n + 7) // 8)
    return np.unpackbits(packed, bitorder="little", count=offset + n)[offset:].astype(bool)


def valid_mask(column: Any) -> np.ndarray:
    """Per row: not null."""
    parts = []
    for chunk in chunks_of(column):
        n = len(chunk)
        validity = chunk.buffers()[0] if chunk.null_count else None
        if chunk.null_count == n:
            parts.append(np.zeros(n, dtype=bool))
        elif validity is None:
            parts.append(np.ones(n, dtype=bool))
        else:
            parts.append(_bits(validity, chunk.offset, n))
    return _joined(parts, bool)


def bool_values(column: Any) -> np.ndarray:
    """A Boolean column as a numpy bool array, null read as False."""
    parts = []
    for chunk in chunks_of(column):
        n = len(chunk)
        data = chunk.buffers()[1] if n else None
        values = np.zeros(n, dtype=bool) if data is None else _bits(data, chunk.offset, n)
        if chunk.null_count:
            values &= valid_mask(chunk)
        parts.append(values)
    return _joined(parts, bool)


def primitive_values(column: Any, dtype: Any, fill: Any) -> np.ndarray:
    """A fixed-width column (float64, int32, …) as a writable numpy array of ``dtype``, null
    read as ``fill``; ``dtype`` must be the column's own."""
    parts = []
    for chunk in chunks_of(column):
        n = len(chunk)
        data = chunk.buffers()[1] if n else None
        if data is None or chunk.null_count == n:
            parts.append(np.full(n, fill, dtype=dtype))
            continue
        if chunk.type.bit_width != 8 * np.dtype(dtype).itemsize:
            raise TypeError(f"{chunk.type} is not read as {np.dtype(dtype)}")
        values = np.frombuffer(data, dtype=dtype, count=chunk.offset + n)[chunk.offset:]
        if chunk.null_count:
            values = np.where(valid_mask(chunk), values, np.asarray(fill, dtype=dtype))
        parts.append(values)
    out = _joined(parts, dtype)
    return out if out.flags.writeable and out.base is None else out.copy()


def _joined(parts: list[np.ndarray], dtype: Any) -> np.ndarray:
    if not parts:
        return np.empty(0, dtype=dtype)
    return parts[0] if len(parts) == 1 else np.concatenate(parts)


def string_buffers(chunk: Any) -> tuple[np.ndarray, np.ndarray]:
    """A string chunk's offsets (``n + 1``, into the bytes) and its bytes."""
    n = len(chunk)
    kind = str(chunk.type)
    buffers = chunk.buffers()
    offsets = np.frombuffer(buffers[1], dtype=_OFFSET_TYPES[kind],
                            count=chunk.offset + n + 1)[chunk.offset:]
    data = (np.frombuffer(buffers[2], dtype=np.uint8) if buffers[2] is not None
            else np.empty(0, dtype=np.uint8))
    return offsets.astype(np.int64), data


def arrow_mask(mask: np.ndarray) -> Any:
    """A numpy bool array as an Arrow Boolean array (no nulls)."""
    import pyarrow as pa

    packed = np.packbits(np.asarray(mask, dtype=bool), bitorder="little")
    return pa.Array.from_buffers(pa.bool_(), int(mask.size), [None, pa.py_buffer(packed)])


def arrow_indices(rows: np.ndarray) -> Any:
    """Row numbers as an Arrow int64 array (for ``take``)."""
    import pyarrow as pa

    data = np.ascontiguousarray(rows, dtype=np.int64)
    return pa.Array.from_buffers(pa.int64(), int(data.size), [None, pa.py_buffer(data)])


def arrow_strings(values: list[str]) -> Any:
    """Python strings as an Arrow string array."""
    import pyarrow as pa

    encoded = [v.encode("utf-8") for v in values]
    offsets = np.concatenate(([0], np.cumsum([len(b) for b in encoded]))).astype(np.int32)
    return pa.Array.from_buffers(pa.string(), len(values),
                                 [None, pa.py_buffer(offsets), pa.py_buffer(b"".join(encoded))])
