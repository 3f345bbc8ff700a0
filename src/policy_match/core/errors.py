"""The error a rulebook that did not load raises."""

from __future__ import annotations

from collections.abc import Mapping

from policy_match.base.messages import Lang, text
from policy_match.dsl.diagnostics import Diagnostic, render_text


class RuleError(Exception):
    """A rulebook that did not load; ``diagnostics`` holds every problem found."""

    def __init__(self, diagnostics: tuple[Diagnostic, ...], sources: Mapping[str, str]) -> None:
        self.diagnostics = diagnostics
        self.sources = dict(sources)
        errors = sum(d.is_error for d in diagnostics)
        super().__init__(text("diag.rulebook_failed", Lang.EN, errors=errors))

    def render(self) -> str:
        return render_text(self.diagnostics, self.sources)
