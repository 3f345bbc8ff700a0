"""W-INCOMPLETE without a solver: the 清单 fields an item lacks.

``lint`` reports it among its findings (``items.py``); ``list`` and ``sheet`` warn with the
same diagnostic before they publish blank cells and pages without a QR code. Nothing here
needs z3, so publishing works without the ``lint`` extra.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from policy_match.core.compiled import CompiledBook
from policy_match.dsl import ir
from policy_match.dsl.diagnostics import Code, Diagnostic, Severity
from policy_match.dsl.span import Span
from policy_match.dsl.words import Words

# The 清单 fields publishing needs (issue 14), as attribute and catalogue key.
PUBLISHING_FIELDS = ("basis", "materials", "channel", "deadline", "url", "department",
                     "contact", "phone")


def missing_fields(p: ir.Policy) -> tuple[str, ...]:
    """The publishing fields ``p`` leaves empty. An item redeemed without application
    (免申即享) has nothing to process, so it needs no 办结时限."""
    return tuple(name for name in PUBLISHING_FIELDS if not getattr(p, name)
                 and not (name == "deadline" and p.no_application))


def head_span(p: ir.Policy, sources: Mapping[str, str]) -> Span:
    """The item's first line (``policy "…" {``)."""
    s = p.span
    text = sources.get(s.path, "")
    end = text.find("\n", s.start)
    end = len(text) if end < 0 else end
    return Span(s.path, s.start, end, s.line, s.column, s.line, s.column + (end - s.start))


INCOMPLETE, INCOMPLETE_HINT = "lint.incomplete", "lint.hint.incomplete"  # catalogue keys


def incomplete_fields(p: ir.Policy, missing: tuple[str, ...]) -> dict[str, object]:
    """The finding message's fields: the item and the 清单 fields it lacks."""
    return {"policy": p.id, "fields": [Words(f"lint.field.{m}") for m in missing]}


def incomplete(book: CompiledBook, ids: Iterable[str] | None = None) -> tuple[Diagnostic, ...]:
    """A W-INCOMPLETE warning for each item of ``ids`` (default: every item) that lacks a
    publishing field, pointing at the item's first line."""
    found = []
    for pid in book.policies if ids is None else ids:
        p = book.policies[pid]
        missing = missing_fields(p)
        if missing:
            found.append(Diagnostic(Code.LINT_INCOMPLETE,
                                    Words(INCOMPLETE, **incomplete_fields(p, missing)),
                                    head_span(p, book.sources), Words(INCOMPLETE_HINT),
                                    Severity.WARNING))
    return tuple(sorted(found, key=Diagnostic.sort_key))
