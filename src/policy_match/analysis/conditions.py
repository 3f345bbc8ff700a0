"""Findings inside conditions: W-UNSAT, W-ALWAYS, W-REDUNDANT and W-UNREACHABLE.

Walked top down: a condition that can never hold (or always holds) is reported once, at
the highest place it is so, and nothing below it is reported again. Each claim is universal
("for every enterprise"), proven by z3 finding no counterexample.
"""

from __future__ import annotations

from typing import Any

import z3

from policy_match.analysis.context import Context, Finding
from policy_match.analysis.encode import TV, conj, disj, same
from policy_match.analysis.walk import parts
from policy_match.dsl import ir
from policy_match.dsl.diagnostics import Code
from policy_match.dsl.types import Kind


class ConditionChecks:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.enc = ctx.encoder
        self.prover = ctx.prover

    # ---- entry points -------------------------------------------------------------------

    def policy(self, policy: ir.Policy) -> None:
        """An item's conditions, on the days of its validity window."""
        with self.prover.within(*self.ctx.window(policy)):
            self.condition(policy.eligible, policy=policy)
            if policy.benefit is not None:
                self.value(policy.benefit)

    def define(self, define: ir.Define) -> None:
        if define.type.kind is Kind.BOOL:
            self.condition(define.expr)
        else:
            self.value(define.expr)

    # ---- conditions ---------------------------------------------------------------------

    def condition(self, e: ir.Expr, *, policy: ir.Policy | None = None,
                  settle: bool = True) -> None:
        """Check ``e`` and what is below it; ``settle``: report ``e`` itself when it can
        never hold or always holds (a case test is reported as W-UNREACHABLE instead)."""
        if isinstance(e, ir.Const):
            return
        if settle and self._settled(e, policy):
            return
        if isinstance(e, ir.And | ir.Or):
            for item in self._redundant(e):
                self.condition(item)
        elif isinstance(e, ir.Not | ir.AtLeast):
            for item in parts(e):
                self.condition(item)
        elif isinstance(e, ir.Case):
            self.case(e)
        else:
            for sub in parts(e):
                if sub.type.kind is not Kind.BOOL or isinstance(sub, ir.Case):
                    self.value(sub)

    def _settled(self, e: ir.Expr, policy: ir.Policy | None) -> bool:
        tv = self.enc.cond(e)
        if self.prover.never(tv.t):
            if policy is not None:
                self.ctx.add(Finding(Code.LINT_UNSAT, e.span, "lint.unsat_policy",
                                     {"policy": policy.id}, "lint.hint.unsat_policy"))
            else:
                self.ctx.add(Finding(Code.LINT_UNSAT, e.span, "lint.unsat", {},
                                     "lint.hint.unsat"))
            return True
        if self.prover.never(tv.f):
            if policy is not None:
                self.ctx.add(Finding(Code.LINT_ALWAYS, e.span, "lint.always_policy",
                                     {"policy": policy.id}, "lint.hint.always_policy"))
            else:
                self.ctx.add(Finding(Code.LINT_ALWAYS, e.span, "lint.always", {},
                                     "lint.hint.always"))
            return True
        return False

    def _redundant(self, e: ir.And | ir.Or) -> list[ir.Expr]:
        """Report each item that the others imply (``and``) or that implies one of them
        (``or``), so that dropping it changes no outcome; later items first, so of two
        copies the second is reported. The items kept are returned."""
        join = conj if isinstance(e, ir.And) else disj
        items = list(e.items)
        tvs = [self.enc.cond(i) for i in items]
        alive = list(range(len(items)))
        for i in reversed(range(len(items))):
            others = [j for j in alive if j != i]
            if not others:
                continue
            whole = join([tvs[j] for j in alive])
            rest = join([tvs[j] for j in others])
            if self.prover.never(z3.Not(same(whole, rest))):
                self.ctx.add(self._redundancy(items, i, others))
                alive.remove(i)
        return [items[j] for j in alive]

    def _redundancy(self, items: list[ir.Expr], i: int, others: list[int]) -> Finding:
        twin = next((items[j] for j in others if items[j] == items[i]), None)
        if twin is not None:
            return Finding(Code.LINT_REDUNDANT, items[i].span, "lint.duplicate",
                           {"line": twin.span.line}, "lint.hint.duplicate")
        return Finding(Code.LINT_REDUNDANT, items[i].span, "lint.redundant", {},
                       "lint.hint.redundant")

    # ---- values and case ----------------------------------------------------------------

    def value(self, e: ir.Expr) -> None:
        """The conditions and ``case`` expressions inside a value."""
        if isinstance(e, ir.Case):
            self.case(e)
            return
        if e.type.kind is Kind.BOOL and not isinstance(e, ir.Const | ir.TagRef | ir.DefineRef):
            self.condition(e)
            return
        for sub in parts(e):
            self.value(sub)

    def case(self, e: ir.Case) -> None:
        tests = [self.enc.cond(t) for t, _ in e.branches]
        for j in range(len(e.branches)):
            earlier_false = [tests[k].f for k in range(j)]
            if self.prover.never(z3.And(*earlier_false, tests[j].t)):
                self.ctx.add(self._unreachable(e, tests, j))
        if self.prover.never(z3.And(*[t.f for t in tests])):
            self.ctx.add(Finding(Code.LINT_UNREACHABLE, e.default.span,
                                 "lint.unreachable_else", {}, "lint.hint.unreachable_else"))
        for test, branch in e.branches:
            self.condition(test, settle=False)
            self._branch(branch)
        self._branch(e.default)

    def _branch(self, e: ir.Expr) -> None:
        if e.type.kind is Kind.BOOL:
            self.condition(e)
        else:
            self.value(e)

    def _unreachable(self, e: ir.Case, tests: list[TV], j: int) -> Finding:
        """W-UNREACHABLE for branch ``j``; when its test can hold, the witness is an
        enterprise that passes it but takes an earlier branch (confirmed by the evaluator)."""
        span = e.branches[j][0].span
        taken = [z3.And(*[tests[m].f for m in range(k)], tests[k].t) for k in range(j)]
        model = self.ctx.example(tests[j].t, z3.Or(*taken)) if taken else None
        if model is None:
            return Finding(Code.LINT_UNREACHABLE, span, "lint.unreachable_never",
                           {"n": j + 1}, "lint.hint.unreachable_never")
        conditions = [t for t, _ in e.branches[: j + 1]]
        witness = self.ctx.witness(model, conditions)
        if not self.ctx.confirmed(witness, conditions, lambda out: _caught(out, j),
                                 essential=False):
            return Finding(Code.LINT_UNREACHABLE, span, "lint.unreachable", {"n": j + 1},
                           "lint.hint.unreachable")
        first = _first_true(self.ctx.verifier.outcomes(dict(witness or ()), conditions) or [])
        return Finding(Code.LINT_UNREACHABLE, span, "lint.unreachable", {"n": j + 1},
                       "lint.hint.unreachable", witness or (),
                       ((e.branches[first][0].span, "lint.related.taken", {"n": first + 1}),))


def _first_true(outcomes: list[Any]) -> int:
    return next(i for i, o in enumerate(outcomes) if o is True)


def _caught(outcomes: list[Any], j: int) -> bool:
    """Branch ``j``'s test holds, yet an earlier branch is taken (its test is the first
    true one, every test before it false)."""
    if outcomes[j] is not True:
        return False
    for o in outcomes[:j]:
        if o is None:
            return False
        if o is True:
            return True
    return False

