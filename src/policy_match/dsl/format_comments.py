"""Putting the comments back into the printed lines (``fmt``).

The printer lays out lines, each tagged with the source offset of the first thing on it (its
*anchor*). A comment that had code before it on its source line goes to the end of the last
printed line that starts before it; a comment on a line of its own goes before the first
printed line that starts after it, indented like that line. Because printed lines keep
source order, that is where the comment stood — and when a comment sat inside something now
printed on one line, it lands just after that line.
"""

from __future__ import annotations

import bisect
import itertools

from policy_match.dsl import ast
from policy_match.dsl.format_layout import Line
from policy_match.dsl.format_text import nodes
from policy_match.dsl.span import Span


def code_spans(module: ast.Module) -> list[Span]:
    """The spans of every node: where code stands, as opposed to comments and blanks."""
    spans = (getattr(n, "span", None) for n in nodes(module.decls))
    return [s for s in spans if isinstance(s, Span) and s != ast.NO_SPAN]


class _Trailing:
    """Whether code stood before a comment on its line (some node starts or ends there
    before it): the earliest start and end of code on each line, looked up in O(1)."""

    def __init__(self, spans: list[Span]) -> None:
        self.first_start: dict[int, int] = {}
        self.first_end: dict[int, int] = {}
        for s in spans:
            if s.start < self.first_start.get(s.line, s.start + 1):
                self.first_start[s.line] = s.start
            if s.end < self.first_end.get(s.end_line, s.end + 1):
                self.first_end[s.end_line] = s.end

    def __call__(self, c: ast.Comment) -> bool:
        line, start = c.span.line, c.span.start
        return (self.first_start.get(line, start) < start
                or self.first_end.get(line, start + 1) <= start)


class _Places:
    """For a source offset: the last printed line anchored before it and the first one
    anchored after it. Lines are sorted by anchor once, with running maxima and minima of
    their print positions, so each question is a bisect (the lines' anchors need not be
    in order)."""

    def __init__(self, lines: list[Line]) -> None:
        order = sorted(range(len(lines)), key=lambda k: lines[k].anchor)
        self.anchors = [lines[k].anchor for k in order]
        self.prefix_max = list(itertools.accumulate(order, max))
        self.suffix_min = list(itertools.accumulate(reversed(order), min))[::-1]
        self.count = len(lines)

    def last_before(self, start: int) -> int | None:
        i = bisect.bisect_left(self.anchors, start)
        return self.prefix_max[i - 1] if i else None

    def first_after(self, start: int) -> int:
        i = bisect.bisect_right(self.anchors, start)
        return self.suffix_min[i] if i < self.count else self.count


def weave(lines: list[Line], module: ast.Module, spans: list[Span]) -> str:
    """Join the lines, putting every comment back (see the module docstring).

    Places are numbered in print order: ``2k`` is "on its own line before line k", ``2k+1``
    is "at the end of line k". Each comment takes its ideal place, or the place of the
    comment before it if that is later, so the order never changes; a line end holds one
    comment, and a second one moves to the next own-line place. Nothing is dropped: the
    last place, ``2 * len(lines)``, is the end of the file.
    """
    placed: dict[int, list[ast.Comment]] = {}
    floor = 0
    trailing, places = _Trailing(spans), _Places(lines)
    for c in sorted(module.comments, key=lambda c: c.span.start):
        start = c.span.start
        before = places.last_before(start)
        if before is not None and trailing(c):
            place = 2 * before + 1
        else:
            place = 2 * places.first_after(start)
        place = max(place, floor)
        if place % 2 and placed.get(place):
            place += 1
        placed.setdefault(place, []).append(c)
        floor = place

    out: list[str] = []
    for k, line in enumerate(lines):
        own = placed.get(2 * k, [])
        if line.decl_line is not None:
            # A commented declaration opens a section: set it apart even inside a group.
            if out and (line.blank_before or own):
                out.append("")
            out += _comment_block(own, line.after_decl, line.decl_line)
        else:
            if line.blank_before and out:
                out.append("")
            out += [" " * line.comment_indent + c.text.rstrip() for c in own]
        text = " " * line.indent + line.text
        for c in placed.get(2 * k + 1, []):
            text += "  " + c.text.rstrip()
        out.append(text)

    tail = placed.get(2 * len(lines), [])
    if tail and module.decls:
        last = module.decls[-1]
        if isinstance(last, ast.PolicyDecl) or tail[0].span.line > last.span.end_line + 1:
            out.append("")
    out += _comment_block(tail, module.decls[-1].span.end if module.decls else -1, None)
    return "\n".join(out) + "\n" if out else ""


def _comment_block(comments: list[ast.Comment], after: int, decl_line: int | None) -> list[str]:
    """Top-level comments, keeping the blank lines the author put between them.

    A file header or a section banner is usually followed by a blank line that detaches it
    from the first declaration; that blank line (and one between comment paragraphs) is
    part of the layout's meaning, so it is kept — one line, however many there were. Only
    comments that stood between declarations count (``start > after``): one pushed out of
    an expression had code around it, not blank lines.
    """
    out: list[str] = []
    for i, c in enumerate(comments):
        prev = comments[i - 1] if i else None
        if prev and prev.span.start > after and c.span.line > prev.span.line + 1:
            out.append("")
        out.append(c.text.rstrip())
    if comments and decl_line is not None:
        last = comments[-1]
        if last.span.start > after and decl_line > last.span.line + 1:
            out.append("")
    return out
