"""Where a piece of rule text came from: file, offsets and 1-based line/column."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Span:
    path: str
    start: int
    end: int
    line: int
    column: int
    end_line: int
    end_column: int

    def cover(self, other: Span) -> Span:
        """The smallest span holding both (same file)."""
        first, last = (self, other) if self.start <= other.start else (other, self)
        tail = last if last.end >= first.end else first
        return Span(
            self.path, first.start, tail.end, first.line, first.column,
            tail.end_line, tail.end_column,
        )

    @staticmethod
    def whole_file(path: str) -> Span:
        return Span(path, 0, 0, 1, 1, 1, 1)
