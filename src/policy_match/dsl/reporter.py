"""Where the checks of a load put their diagnostics.

Checking never stops at the first problem: each check reports to a :class:`Reporter` and
carries on, and the caller reads every diagnostic at the end.
"""

from __future__ import annotations

from policy_match.dsl.diagnostics import Code, Diagnostic, Related, Severity
from policy_match.dsl.span import Span


class Reporter:
    """Collects the diagnostics of one check, in the order they were found."""

    def __init__(self) -> None:
        self.diags: list[Diagnostic] = []

    def error(self, code: Code, message: str, span: Span, hint: str = "",
              related: tuple[Related, ...] = ()) -> None:
        self.diags.append(Diagnostic(code, message, span, hint, Severity.ERROR, related))
