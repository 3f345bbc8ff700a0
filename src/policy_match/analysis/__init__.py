"""Static analysis of a rulebook (``policy-match lint``): findings decided with z3.

The completeness check (``completeness.py``: W-INCOMPLETE's missing 清单 fields) needs no
solver; ``list`` and ``sheet`` use it, so this package imports without the ``lint`` extra
and only the solver's names say that z3 is missing when asked for."""

from policy_match.analysis.completeness import incomplete, missing_fields

try:
    from policy_match.analysis.lint import LintReport, analyse, lint
except ModuleNotFoundError as absent:
    if absent.name != "z3":
        raise
    _WHY = str(absent)

    def __getattr__(name: str) -> object:
        if name in ("LintReport", "analyse", "lint"):
            raise ModuleNotFoundError(_WHY, name="z3")  # cli.needs_extra names the extra
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

__all__ = ["LintReport", "analyse", "incomplete", "lint", "missing_fields"]
