"""Diagnostics of a load (and of lint) as the editor shows them: LSP ranges, the words in
the author's language, the hint appended, and the "did you mean" replacement carried in
``data`` so a quick fix can apply it without loading again."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from lsprotocol import types as lsp

from policy_match.base.messages import text
from policy_match.dsl.diagnostics import Diagnostic, Severity
from policy_match.dsl.words import Words, say
from policy_match.lsp.workspace import Snapshot

SOURCE = "policy-match"
_ENGLISH_HINT = re.compile(r'did you mean "?([^"?]+?)"?(?: \([^)]*\))?\?')
_QUOTES = {"\"": "\"", "“": "”"}
_QUOTED = re.compile(r'^["“]([^"”]*)["”]')


def _written_part(value: object) -> str:
    """The text to write from a suggestion's field: ``"制造业" (C)`` → 制造业,
    ``C3911（计算机整机制造）`` → C3911."""
    shown = str(value).strip()
    quoted = _QUOTED.match(shown)
    if quoted:
        return quoted[1]
    return re.split(r"[（(\s]", shown, maxsplit=1)[0]


def suggestions(hint: str) -> list[str]:
    """The replacements a hint proposes: the one of "did you mean", or each of "the nearest
    real codes are …", read from the catalogue fields (or, for a plug-in's plain English
    hint, from its words)."""
    if isinstance(hint, Words):
        if "did_you_mean" in hint.key or "nearest" in hint.key:
            for value in hint.fields.values():
                items = value if isinstance(value, list | tuple) else [value]
                found = [_written_part(v) for v in items if _written_part(v)]
                if found:
                    return found
        for value in hint.fields.values():
            if isinstance(value, Words) and (inner := suggestions(value)):
                return inner
    m = _ENGLISH_HINT.search(str(hint))
    return [m[1]] if m else []


def replacements(diagnostic: Diagnostic, written: str) -> list[str]:
    """What to write over ``written`` (the text the diagnostic points at) to apply its
    hint, quoted the way ``written`` is when it is a string."""
    out = []
    for fix in suggestions(diagnostic.hint) if diagnostic.hint else []:
        opening = written[:1]
        if opening in _QUOTES and not fix.startswith(opening):
            fix = f"{opening}{fix}{_QUOTES[opening]}"
        if fix != written and fix not in out:
            out.append(fix)
    return out


def to_lsp(diagnostic: Diagnostic, snap: Snapshot, lang: str,
           uri_of: Callable[[str], str]) -> lsp.Diagnostic:
    lines = snap.lines(diagnostic.span.path)
    start, end = lines.span_offsets(diagnostic.span)
    message = diagnostic.text(lang)
    if diagnostic.hint:
        message += "\n" + text("lsp.hint", lang, hint=diagnostic.hint_text(lang))
    fixes = replacements(diagnostic, lines.text[start:end])
    related = [
        lsp.DiagnosticRelatedInformation(
            location=lsp.Location(uri=uri_of(r.span.path),
                                  range=snap.lines(r.span.path).range(r.span)),
            message=say(r.message, lang))
        for r in diagnostic.related
    ]
    return lsp.Diagnostic(
        range=lines.range_of(start, max(start, end)),
        message=message,
        severity=(lsp.DiagnosticSeverity.Error if diagnostic.severity is Severity.ERROR
                  else lsp.DiagnosticSeverity.Warning),
        code=diagnostic.code.value,
        source=SOURCE,
        related_information=related or None,
        data={"fixes": fixes} if fixes else None,
    )


def by_file(diagnostics: Iterable[Diagnostic], files: Iterable[str]) -> dict[str, list[Diagnostic]]:
    """The diagnostics of each file (every file listed, those without any too, so that an
    editor clears what was fixed); diagnostics of no file (a plug-in) go to none."""
    out: dict[str, list[Diagnostic]] = {path: [] for path in files}
    for diagnostic in diagnostics:
        if diagnostic.span.path in out:
            out[diagnostic.span.path].append(diagnostic)
    return out
