"""A table's enterprise ids kept as the Arrow array they were read into.

A million keys as Python strings take some 80 MB (an object of 72 bytes each, and the list
of them); as Arrow they take their bytes (18 MB for USCCs) and their offsets. Each id
becomes a Python string only when it is read (``ids[i]``, iterating, comparing).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any, Protocol, SupportsIndex, overload

ITER_ROWS = 1 << 16
"""Ids turned into Python strings at a time when iterating."""


class Ids(Protocol):
    """What a table's ``ids`` offer: a list of strings, or :class:`ArrowIds`."""

    def __len__(self) -> int: ...

    def __iter__(self) -> Iterator[str]: ...

    @overload
    def __getitem__(self, i: SupportsIndex) -> str: ...

    @overload
    def __getitem__(self, i: slice) -> Sequence[str]: ...


class ArrowIds(Sequence[str]):
    """The ids of a table: the key column's text, and ``#row`` where it is missing."""

    def __init__(self, array: Any, fallback: Mapping[int, str] | None = None) -> None:
        self._array = array  # an Arrow string array, one chunk
        self._fallback = dict(fallback or {})

    def __len__(self) -> int:
        return len(self._array)

    @overload
    def __getitem__(self, i: SupportsIndex) -> str: ...

    @overload
    def __getitem__(self, i: slice) -> list[str]: ...

    def __getitem__(self, i: SupportsIndex | slice) -> str | list[str]:
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        n = len(self._array)
        j = i.__index__()
        j = j + n if j < 0 else j
        if not 0 <= j < n:
            raise IndexError("id index out of range")
        found = self._fallback.get(j)
        return found if found is not None else str(self._array[j].as_py())

    def __iter__(self) -> Iterator[str]:
        for start in range(0, len(self._array), ITER_ROWS):
            batch = self._array.slice(start, ITER_ROWS).to_pylist()
            if self._fallback:
                for j in range(len(batch)):
                    found = self._fallback.get(start + j)
                    if found is not None:
                        batch[j] = found
            yield from batch

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Sequence) or isinstance(other, str | bytes):
            return NotImplemented
        return len(self) == len(other) and all(a == b for a, b in zip(self, other, strict=True))

    __hash__ = None  # type: ignore[assignment]  # mutable-looking, compared by content

    def __repr__(self) -> str:
        head = ", ".join(repr(v) for v in self[:3])
        return f"ArrowIds([{head}{', …' if len(self) > 3 else ''}], {len(self)} ids)"

    def arrow(self) -> Any:
        """The ids as an Arrow string array (the stand-ins filled in)."""
        import pyarrow as pa

        if not self._fallback:
            return self._array
        rows = sorted(self._fallback)
        values = self._array.to_pylist()  # rare: a key column with missing keys
        for j in rows:
            values[j] = self._fallback[j]
        return pa.array(values, type=pa.string())

    def __arrow_array__(self, type: Any = None) -> Any:  # pyarrow's protocol
        array = self.arrow()
        return array if type is None or array.type == type else array.cast(type)
