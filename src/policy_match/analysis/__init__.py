"""Static analysis of a rulebook (``policy-match lint``): findings decided with z3."""

from policy_match.analysis.lint import LintReport, analyse, lint

__all__ = ["LintReport", "analyse", "lint"]
