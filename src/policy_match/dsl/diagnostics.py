"""Problems found in rule text, as values (§9), and their one rendering at the edge.

A :class:`Diagnostic` carries a stable code, a span, its message and an optional hint.
Messages and hints are :class:`~policy_match.dsl.words.Words` (a catalogue key and its
fields), so the one rendering at the edge — :func:`render_text` and :func:`render_json`
with ``lang=`` — writes them in Chinese or English. A plain string (a plug-in's own text)
is shown as it is in both.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from policy_match.base.messages import Lang, text
from policy_match.dsl.span import Span
from policy_match.dsl.words import Words, say

# Bidirectional controls (see ``unicode_check``): an excerpt shows each as U+FFFD, so the
# terminal does not reorder the line it prints (one character for one: carets stay put).
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
                          "\u200e\u200f\u061c")
_SHOW_BIDI = str.maketrans(dict.fromkeys(BIDI_CONTROLS, "\ufffd"))

# Without ``lang=`` a rendering is English, as it was before the catalogue held the
# checker's words; the CLI passes the reader's language (``--lang``, the locale).
RENDER_LANG = Lang.EN


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


class Code(StrEnum):
    """Stable diagnostic codes: tests, editors and portals key on these."""

    SYNTAX = "E-SYNTAX"
    NAME = "E-NAME"
    TYPE = "E-TYPE"
    UNIT = "E-UNIT"
    ENUM = "E-ENUM"
    CODE = "E-CODE"
    HIERARCHY = "E-HIERARCHY"
    DUP = "E-DUP"
    FIELD = "E-FIELD"
    REQUIRED = "E-REQUIRED"
    VALID = "E-VALID"
    CYCLE = "E-CYCLE"
    FUNC = "E-FUNC"
    LITERAL = "E-LITERAL"
    KEY = "E-KEY"
    CASE = "E-CASE"
    EXAMPLE = "E-EXAMPLE"
    IO = "E-IO"
    PLUGIN = "E-PLUGIN"
    RANGE = "E-RANGE"  # a value whose bound exceeds what exact arithmetic may cost (cost_check)
    COST = "E-COST"  # a rulebook nested too deep or too big to evaluate (cost_check)
    # warnings (Severity.WARNING): reported, never fatal
    EXPIRED = "W-EXPIRED"  # an item past its 适用时间 still listed (lifecycle.py)
    LATE = "W-LATE"  # 上线日期 more than 10 working days after 发布日期 (lifecycle.py)
    BIDI = "W-BIDI"  # an invisible bidirectional control character in rule text (unicode_check)
    CONFUSABLE = "W-CONFUSABLE"  # two declared names that look alike (unicode_check)
    # static analysis (analysis/, `policy-match lint`): warnings, never from `check`
    LINT_UNSAT = "W-UNSAT"
    LINT_ALWAYS = "W-ALWAYS"
    LINT_REDUNDANT = "W-REDUNDANT"
    LINT_UNREACHABLE = "W-UNREACHABLE"
    LINT_TIERS = "W-TIERS"
    LINT_SAME = "W-SAME"
    LINT_GROUP = "W-GROUP"
    LINT_INCOMPLETE = "W-INCOMPLETE"


@dataclass(frozen=True)
class Related:
    """A second place a diagnostic points at (the first declaration of a duplicate)."""

    span: Span
    message: str


@dataclass(frozen=True)
class Diagnostic:
    code: Code
    message: str
    span: Span
    hint: str = ""
    severity: Severity = Severity.ERROR
    related: tuple[Related, ...] = field(default=())
    # lint: an enterprise record (tag, value as a record writes it) showing the finding
    witness: tuple[tuple[str, str], ...] = field(default=())

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.span.path, self.span.line, self.span.column, self.code.value)

    def text(self, lang: Lang | str = RENDER_LANG) -> str:
        """The message in ``lang``."""
        return say(self.message, lang)

    def hint_text(self, lang: Lang | str = RENDER_LANG) -> str:
        """The hint in ``lang`` ("" when there is none)."""
        return say(self.hint, lang)

    def to_dict(self, lang: Lang | str = RENDER_LANG) -> dict[str, object]:
        """For JSON: the stable code and the message key beside the rendered words."""
        return {
            "path": self.span.path,
            "line": self.span.line,
            "column": self.span.column,
            "end_line": self.span.end_line,
            "end_column": self.span.end_column,
            "severity": self.severity.value,
            "code": self.code.value,
            "message": self.text(lang),
            "message_key": self.message.key if isinstance(self.message, Words) else None,
            "hint": self.hint_text(lang) or None,
            "related": [
                {"path": r.span.path, "line": r.span.line, "column": r.span.column,
                 "message": say(r.message, lang)}
                for r in self.related
            ],
        }


def display_width(text: str) -> int:
    """Terminal columns: CJK characters take two, so carets line up under them."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _excerpt(span: Span, sources: Mapping[str, str]) -> list[str]:
    text = sources.get(span.path)
    if text is None:
        return []
    lines = text.split("\n")  # as the parser counts lines
    if not 1 <= span.line <= len(lines):
        return []
    line = lines[span.line - 1].rstrip("\r").replace("\t", " ").translate(_SHOW_BIDI)
    gutter = f"{span.line:>4} | "
    lead = display_width(line[: span.column - 1])
    if span.end_line == span.line and span.end_column > span.column:
        width = display_width(line[span.column - 1 : span.end_column - 1])
    else:
        width = max(display_width(line[span.column - 1 :]), 1)
    return [gutter + line, " " * (len(gutter) - 2) + "| " + " " * lead + "^" * max(width, 1)]


def render_one(diagnostic: Diagnostic, sources: Mapping[str, str],
               lang: Lang | str = RENDER_LANG) -> str:
    s = diagnostic.span
    severity = text(f"severity.{diagnostic.severity.value}", lang)
    out = [
        f"{s.path}:{s.line}:{s.column}: {severity}"
        f"[{diagnostic.code.value}]: {diagnostic.text(lang)}"
    ]
    out += _excerpt(s, sources)
    note, help_ = text("diag.note", lang), text("diag.help", lang)
    for rel in diagnostic.related:
        out.append(f"   {note}: {rel.span.path}:{rel.span.line}:{rel.span.column}: "
                   f"{say(rel.message, lang)}")
    if diagnostic.hint:
        out.append(f"   {help_}: {diagnostic.hint_text(lang)}")
    return "\n".join(out)


def render_text(diagnostics: Iterable[Diagnostic], sources: Mapping[str, str],
                lang: Lang | str = RENDER_LANG) -> str:
    """Every diagnostic with its source line and caret, then a one-line count."""
    items = sorted(diagnostics, key=Diagnostic.sort_key)
    errors = sum(d.is_error for d in items)
    warnings = len(items) - errors
    blocks = [render_one(d, sources, lang) for d in items]
    blocks.append(text("diag.summary", lang, errors=errors, warnings=warnings))
    return "\n\n".join(blocks)


def render_json(diagnostics: Iterable[Diagnostic], lang: Lang | str = RENDER_LANG) -> str:
    """Every diagnostic as a JSON object: code, message key, and the words in ``lang``."""
    items = sorted(diagnostics, key=Diagnostic.sort_key)
    return json.dumps([d.to_dict(lang) for d in items], ensure_ascii=False, indent=2)
