"""Findings about whole items: W-SAME (two items with equivalent conditions), W-GROUP (a
互斥组 whose members never apply together) and W-INCOMPLETE (清单 fields missing)."""

from __future__ import annotations

import re
from itertools import combinations

import z3

from policy_match.analysis.completeness import (
    INCOMPLETE,
    INCOMPLETE_HINT,
    head_span,
    incomplete_fields,
    missing_fields,
)
from policy_match.analysis.context import Context, Finding
from policy_match.analysis.encode import same
from policy_match.dsl import ir
from policy_match.dsl.diagnostics import Code
from policy_match.dsl.span import Span


def _overlap(a: ir.Policy, b: ir.Policy) -> bool:
    """Whether the two validity windows share a day."""
    starts = [d for d in (a.valid_from, b.valid_from) if d is not None]
    ends = [d for d in (a.valid_to, b.valid_to) if d is not None]
    return not starts or not ends or max(starts) <= min(ends)


class ItemChecks:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.enc = ctx.encoder
        self.policies = list(ctx.program.policies.values())

    def same(self) -> None:
        """Pairs of items in force together whose conditions give the same outcome for
        every enterprise. Only items reading the same tags can be compared cheaply, and an
        equivalence is nearly always between such; others are not tried (never a false
        finding, possibly a missed one)."""
        by_tags: dict[frozenset[str], list[ir.Policy]] = {}
        for p in self.policies:
            by_tags.setdefault(self.ctx.tags_of(p.eligible), []).append(p)
        reported: set[str] = set()
        for group in by_tags.values():
            for a, b in combinations(group, 2):
                if b.id in reported or not _overlap(a, b) or isinstance(a.eligible, ir.Const):
                    continue
                ta, tb = self.enc.cond(a.eligible), self.enc.cond(b.eligible)
                with self.ctx.prover.within(*self.ctx.window(a, b)):
                    equivalent = self.ctx.prover.never(z3.Not(same(ta, tb)))
                if equivalent:
                    reported.add(b.id)
                    self.ctx.add(Finding(
                        Code.LINT_SAME, b.eligible.span, "lint.same",
                        {"policy": b.id, "other": a.id}, "lint.hint.same",
                        related=((a.eligible.span, "lint.related.same", {"policy": a.id}),)))

    def groups(self) -> None:
        members: dict[str, list[ir.Policy]] = {}
        for p in self.policies:
            if p.group:
                members.setdefault(p.group, []).append(p)
        for group, items in members.items():
            if len(items) > 1 and not any(self._together(a, b)
                                          for a, b in combinations(items, 2)):
                first = items[0]
                self.ctx.add(Finding(
                    Code.LINT_GROUP, self._field_span(first, ("互斥组", "group")),
                    "lint.group", {"group": group, "count": len(items)}, "lint.hint.group",
                    related=tuple((p.span, "lint.related.member", {"policy": p.id})
                                  for p in items[1:])))

    def _together(self, a: ir.Policy, b: ir.Policy) -> bool:
        """Whether one enterprise can be eligible for both on one day (``True`` unless
        proven impossible)."""
        if not _overlap(a, b):
            return False
        ta, tb = self.enc.cond(a.eligible), self.enc.cond(b.eligible)
        with self.ctx.prover.within(*self.ctx.window(a, b)):
            return not self.ctx.prover.never(z3.And(ta.t, tb.t))

    def incomplete(self) -> None:
        """Items lacking a field the published list needs (``completeness.py``, which
        ``list`` and ``sheet`` warn with too)."""
        for p in self.policies:
            missing = missing_fields(p)
            if missing:
                self.ctx.add(Finding(Code.LINT_INCOMPLETE, self._head(p), INCOMPLETE,
                                     incomplete_fields(p, missing), INCOMPLETE_HINT))

    # ---- where to point -----------------------------------------------------------------

    def _head(self, p: ir.Policy) -> Span:
        return head_span(p, self.ctx.book.sources)

    def _field_span(self, p: ir.Policy, names: tuple[str, ...]) -> Span:
        """The line of a field of the item, found in its text (the IR keeps no field spans)."""
        s = p.span
        text = self.ctx.book.sources.get(s.path, "")
        pattern = re.compile(r"^[ \t]*(" + "|".join(names) + r")[ \t]*[:：]", re.M)
        m = pattern.search(text, s.start, s.end)
        if m is None:
            return self._head(p)
        start = m.start(1)
        line = text.count("\n", 0, start) + 1
        column = start - (text.rfind("\n", 0, start) + 1) + 1
        end = text.find("\n", start)
        end = len(text) if end < 0 else end
        return Span(s.path, start, end, line, column, line, column + (end - start))
