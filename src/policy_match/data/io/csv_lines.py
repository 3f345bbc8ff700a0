"""Where each record of a CSV text starts: its line number and its bytes, found with numpy.

Only needed when something is to be reported (a rejected value, a ragged row, a bad byte):
a clean file never pays for it. A record is a line, or several when a quoted cell holds a
line break: a line starts a record when the quotes before it are even in number (RFC 4180;
``""`` inside a quoted cell counts twice). Works on UTF-8 and GB18030 bytes alike: in both,
the bytes of ``\\n`` and ``"`` are never part of another character.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

CHUNK = 1 << 26  # 64 MB: the scan's temporary arrays stay this small


@dataclass(frozen=True)
class Records:
    """The non-empty records of a CSV text, header first: first line (1-based), byte span
    (the line break after the record excluded)."""

    lines: np.ndarray
    starts: np.ndarray
    ends: np.ndarray

    def __len__(self) -> int:
        return len(self.lines)

    def longest(self) -> int:
        return int((self.ends - self.starts).max()) if len(self) else 0

    def find(self, data: bytes, texts: Sequence[bytes]) -> list[int]:
        """For each of ``texts``, the record with those bytes (-1: none); equal texts go to
        equal records in file order, each record once."""
        waiting: dict[bytes, list[int]] = defaultdict(list)
        for k, t in enumerate(texts):
            waiting[t].append(k)
        found = [-1] * len(texts)
        if not texts:
            return found
        lengths = self.ends - self.starts
        for i in np.flatnonzero(np.isin(lengths, [len(t) for t in waiting])).tolist():
            queue = waiting.get(data[int(self.starts[i]):int(self.ends[i])])
            if queue:
                found[queue.pop(0)] = i
        return found

    def holding(self, offsets: Iterable[int]) -> list[int]:
        """The records that hold these byte offsets."""
        at = np.searchsorted(self.starts, np.fromiter(offsets, dtype=np.int64), side="right") - 1
        return sorted({int(i) for i in at if i >= 0})


def scan(data: bytes) -> Records:
    """Every non-empty record of ``data`` (the header included)."""
    size = len(data)
    newlines: list[np.ndarray] = []
    quotes_before: list[np.ndarray] = []
    quotes = 0
    for offset in range(0, size, CHUNK):
        chunk = np.frombuffer(data, np.uint8, count=min(CHUNK, size - offset), offset=offset)
        nl = np.flatnonzero(chunk == 10)
        q = np.flatnonzero(chunk == 34)
        newlines.append(nl + offset)
        quotes_before.append(quotes + np.searchsorted(q, nl))
        quotes += len(q)
    nl = np.concatenate([np.empty(0, np.int64), *newlines])
    line_starts = np.concatenate(([0], nl + 1))
    line_ends = np.concatenate((nl, [size]))
    parity = np.concatenate(([0], np.concatenate([np.empty(0, np.int64), *quotes_before])))
    first = np.flatnonzero(parity % 2 == 0)
    last = np.concatenate((first[1:] - 1, [len(line_starts) - 1]))
    starts, ends = line_starts[first], line_ends[last]
    view = np.frombuffer(data, np.uint8)
    if size:
        cr = (ends > starts) & (view[np.maximum(ends - 1, 0)] == 13)
        ends = ends - cr
    keep = ends > starts
    return Records(first[keep] + 1, starts[keep], ends[keep])
