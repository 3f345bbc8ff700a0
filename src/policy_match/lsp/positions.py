"""Spans (character offsets, 1-based lines and columns) ↔ LSP positions (0-based lines,
columns in the code units the client and server agreed on: UTF-16 unless negotiated).

A character outside the Basic Multilingual Plane (an emoji, a rare CJK ideograph in
Extension B) is one Python character but two UTF-16 units; columns are counted per line so
that one such character shifts only the positions after it on its own line.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from functools import cached_property

from lsprotocol import types as lsp

from policy_match.dsl.span import Span

UTF16, UTF8, UTF32 = "utf-16", "utf-8", "utf-32"


def units(text: str, encoding: str = UTF16) -> int:
    """How many code units ``text`` takes in ``encoding``."""
    if encoding == UTF32:
        return len(text)
    if encoding == UTF8:
        return len(text.encode("utf-8"))
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


def chars_for_units(line: str, count: int, encoding: str = UTF16) -> int:
    """The character index on ``line`` reached after ``count`` code units (clamped to the
    line; a position inside a surrogate pair moves to the character's end)."""
    if encoding == UTF32:
        return max(0, min(count, len(line)))
    used = 0
    for index, ch in enumerate(line):
        if used >= count:
            return index
        used += units(ch, encoding)
    return len(line)


@dataclass(frozen=True)
class LineIndex:
    """One document's text, able to turn offsets into positions and back."""

    text: str
    encoding: str = UTF16

    @cached_property
    def starts(self) -> list[int]:
        out = [0]
        out.extend(i + 1 for i, ch in enumerate(self.text) if ch == "\n")
        return out

    def line_text(self, line: int) -> str:
        """Line ``line`` (0-based) without its line break."""
        if not 0 <= line < len(self.starts):
            return ""
        end = self.starts[line + 1] - 1 if line + 1 < len(self.starts) else len(self.text)
        return self.text[self.starts[line]:end].rstrip("\r")

    def position(self, offset: int) -> lsp.Position:
        offset = max(0, min(offset, len(self.text)))
        line = bisect.bisect_right(self.starts, offset) - 1
        before = self.text[self.starts[line]:offset]
        return lsp.Position(line=line, character=units(before, self.encoding))

    def offset(self, position: lsp.Position) -> int:
        """The character offset of an LSP position (clamped to the document)."""
        if position.line >= len(self.starts):
            return len(self.text)
        line = max(position.line, 0)
        start = self.starts[line]
        return start + chars_for_units(self.line_text(line), position.character, self.encoding)

    def span_offsets(self, span: Span) -> tuple[int, int]:
        """A span's start and end offsets, from its 1-based line and column (the form every
        diagnostic fills in; columns count characters)."""
        return self._offset_of(span.line, span.column), self._offset_of(span.end_line,
                                                                        span.end_column)

    def _offset_of(self, line: int, column: int) -> int:
        if line - 1 >= len(self.starts):
            return len(self.text)
        index = max(line - 1, 0)
        return min(self.starts[index] + max(column - 1, 0),
                   self.starts[index] + len(self.line_text(index)))

    def range(self, span: Span) -> lsp.Range:
        start, end = self.span_offsets(span)
        return lsp.Range(start=self.position(start), end=self.position(max(start, end)))

    def range_of(self, start: int, end: int) -> lsp.Range:
        return lsp.Range(start=self.position(start), end=self.position(end))

    def whole(self) -> lsp.Range:
        return self.range_of(0, len(self.text))
