"""Where the checks of a load put their diagnostics.

Checking never stops at the first problem: each check reports to a :class:`Reporter` and
carries on, and the caller reads every diagnostic at the end.
"""

from __future__ import annotations

from collections.abc import Iterable

from policy_match.dsl.diagnostics import Code, Diagnostic, Related, Severity
from policy_match.dsl.span import Span
from policy_match.dsl.suggest import Suggester


class Reporter:
    """Collects the diagnostics of one check, in the order they were found."""

    def __init__(self) -> None:
        self.diags: list[Diagnostic] = []
        self.suggester = Suggester()

    def did_you_mean(self, word: str, candidates: Iterable[str]) -> str:
        """A "did you mean" hint within this check's budget (``suggest.Suggester``)."""
        return self.suggester.did_you_mean(word, candidates)

    def warning(self, code: Code, message: str, span: Span, hint: str = "",
                related: tuple[Related, ...] = ()) -> None:
        self.diags.append(Diagnostic(code, message, span, hint, Severity.WARNING, related))

    def error(self, code: Code, message: str, span: Span, hint: str = "",
              related: tuple[Related, ...] = ()) -> None:
        self.diags.append(Diagnostic(code, message, span, hint, Severity.ERROR, related))
