"""``lint``: every static finding of a loaded rulebook, decided with z3 (docs/lint.md)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

import z3

from policy_match.analysis.conditions import ConditionChecks
from policy_match.analysis.context import Context, Finding
from policy_match.analysis.items import ItemChecks
from policy_match.analysis.tiers import TierChecks
from policy_match.core.loading import LoadResult
from policy_match.core.rulebook import Rulebook
from policy_match.dsl.diagnostics import Diagnostic, Related, Severity
from policy_match.dsl.words import Words


@dataclass(frozen=True)
class LintReport:
    """The findings and what the analysis did: ``dropped`` counts findings whose witness
    the scalar evaluator did not confirm (never reported), ``witnesses_dropped`` proven
    findings reported without the illustration that failed, ``queries`` the solver calls
    and ``undecided`` the ones z3 could not settle in time, plus the steps skipped
    (nothing is reported for either)."""

    diagnostics: tuple[Diagnostic, ...]
    dropped: int = 0
    witnesses_dropped: int = 0
    queries: int = 0
    undecided: int = 0


def lint(result: LoadResult, *, today: dt.date | None = None) -> tuple[Diagnostic, ...]:
    """The lint findings (warnings W-…) of a rulebook that loaded without errors; nothing
    for one that did not (its errors come first: ``check``)."""
    if result.rulebook is None or any(d.is_error for d in result.diagnostics):
        return ()
    return analyse(result.rulebook, today=today).diagnostics


def analyse(book: Rulebook, *, today: dt.date | None = None) -> LintReport:
    """Every check on ``book``: with ``today``, 评估日 is that day; without it (the
    default), 评估日 is any day — each item's conditions on the days of its validity
    window, each define on every day — so findings do not depend on when lint runs."""
    ctx = Context(book, today)
    conditions, tiers, items = ConditionChecks(ctx), TierChecks(ctx), ItemChecks(ctx)
    steps: list[Callable[[], None]] = [ctx.encoder.defines]
    steps += [partial(conditions.define, d) for d in book.program.defines.values()]
    for policy in book.program.policies.values():
        steps += [partial(conditions.policy, policy), partial(tiers.policy, policy)]
    steps += [items.same, items.groups, items.incomplete]
    skipped = sum(not _guarded(step) for step in steps)
    found = _unique(ctx.findings)
    return LintReport(tuple(sorted(found, key=Diagnostic.sort_key)), ctx.dropped,
                      ctx.witnesses_dropped, ctx.prover.queries,
                      ctx.prover.undecided + skipped)


def _guarded(step: Callable[[], None]) -> bool:
    """Run one step; a construct the encoding cannot take (z3 refuses a term, a nesting
    too deep for Python's stack) skips that step instead of failing the whole lint: the
    language server lints every keystroke. Counted as undecided."""
    try:
        step()
    except (z3.Z3Exception, RecursionError):
        return False
    return True


def diagnostic(f: Finding) -> Diagnostic:
    related = tuple(Related(span, Words(key, **params)) for span, key, params in f.related)
    return Diagnostic(f.code, Words(f.message, **f.params), f.span,
                      Words(f.hint, **f.params) if f.hint else "",
                      Severity.WARNING, related, f.witness)


def _unique(findings: list[Finding]) -> list[Diagnostic]:
    seen: set[tuple[str, int, str]] = set()
    out = []
    for f in findings:
        key = (f.span.path, f.span.start, f.code.value)
        if key not in seen:
            seen.add(key)
            out.append(diagnostic(f))
    return out
