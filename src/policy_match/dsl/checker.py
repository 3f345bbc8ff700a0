"""AST → typed IR: the whole rulebook's declarations, checked in dependency order (§2–§8).

Tags first (their types, ``tag_check``), then defines in the order their uses dictate
(``dependency_check``), then policies (``policy_check``), then the 前置事项 / 排除事项 between
policies. Expressions inside all of them are typed by ``expr_check``.

The checker never stops at the first problem. Each node that cannot be typed becomes
``None`` after its diagnostic is recorded, and every rule that meets a ``None`` stays quiet,
so one mistake yields one message rather than a cascade.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from policy_match.dsl import ast, ir
from policy_match.dsl.cost_check import CostChecker
from policy_match.dsl.dependency_check import check_relations, define_order
from policy_match.dsl.diagnostics import Code, Diagnostic, Related
from policy_match.dsl.expr_check import MAX_DIGITS, ExpressionChecker
from policy_match.dsl.policy_check import check_policy
from policy_match.dsl.span import Span
from policy_match.dsl.tag_check import BASE_TYPES, tag_spec
from policy_match.dsl.type_words import noun
from policy_match.dsl.types import Kind
from policy_match.dsl.unicode_check import check_confusables
from policy_match.dsl.vocabulary import Vocabulary
from policy_match.dsl.words import Words

__all__ = ["BASE_TYPES", "MAX_DIGITS", "CheckResult", "check", "noun"]


@dataclass(frozen=True)
class CheckResult:
    program: ir.Program | None  # None when any error was found: never half-loaded
    diagnostics: tuple[Diagnostic, ...]


def check(
    modules: Sequence[ast.Module],
    vocabulary: Vocabulary,
    unparsed_names: frozenset[str] = frozenset(),
    base: ir.Program | None = None,
) -> CheckResult:
    """Check ``modules``; with ``base``, as additions to an already checked program (its
    declarations are in scope and are not checked again)."""
    return _Checker(vocabulary, unparsed_names, base).run(modules)


class _Checker(ExpressionChecker):
    def __init__(self, vocabulary: Vocabulary, unparsed: frozenset[str],
                 base: ir.Program | None = None) -> None:
        super().__init__(vocabulary, unparsed, dict(base.tags) if base else {},
                         dict(base.defines) if base else {})
        self.base = base

    def run(self, modules: Sequence[ast.Module]) -> CheckResult:
        base = self.base
        tag_decls, policy_decls = self._collect(modules)
        key = self._tags(tag_decls, base.key if base else None)
        order = define_order(self.define_decls, self)
        self.poisoned |= order.on_cycle
        for name in order.order:
            self._define(self.define_decls[name])
        policies = self._policies(policy_decls)
        CostChecker(self).run(self.defines.values(), policies.values())
        diagnostics = tuple(sorted(self.diags, key=Diagnostic.sort_key))
        # A define can fail quietly when it names a declaration that did not parse: the
        # syntax error is the parser's diagnostic, and the rulebook is still not whole.
        base_defines = len(base.defines) if base else 0
        incomplete = len(self.defines) != base_defines + len(self.define_decls) or self.unparsed
        if incomplete or any(d.is_error for d in diagnostics):
            return CheckResult(None, diagnostics)
        ordered_defines = {**(base.defines if base else {}),
                           **{n: self.defines[n] for n in order.order}}
        return CheckResult(ir.Program(self.tags, ordered_defines, policies, key), diagnostics)

    def _collect(
        self, modules: Sequence[ast.Module]
    ) -> tuple[list[ast.TagDecl], list[ast.PolicyDecl]]:
        """The declarations by kind, duplicates reported; defines go to ``define_decls``."""
        base = self.base
        seen: dict[str, Span] = {}
        policy_seen: dict[str, Span] = {}
        if base is not None:
            seen = {n: t.span for n, t in base.tags.items()}
            seen |= {n: d.span for n, d in base.defines.items()}
            policy_seen = {pid: p.span for pid, p in base.policies.items()}
        tags: list[ast.TagDecl] = []
        policies: list[ast.PolicyDecl] = []
        for module in modules:
            for decl in module.decls:
                if isinstance(decl, ast.PolicyDecl):
                    self._note_policy_id(decl, policy_seen)
                    policies.append(decl)
                    continue
                name = decl.name.name
                if name in seen:
                    self.error(Code.DUP, Words("check.declared_twice", name=name),
                               decl.name.span, Words("hint.rename_duplicate"),
                               (Related(seen[name], Words("note.first_declared")),))
                    continue
                seen[name] = decl.name.span
                if isinstance(decl, ast.TagDecl):
                    tags.append(decl)
                else:
                    self.define_decls[name] = decl
        check_confusables(seen, self, base.tags.keys() | base.defines.keys() if base else ())
        return tags, policies

    def _note_policy_id(self, decl: ast.PolicyDecl, seen: dict[str, Span]) -> None:
        pid = decl.id.value
        if pid in seen:
            self.error(Code.DUP, Words("check.policy_twice", policy=pid), decl.id.span,
                       Words("hint.own_id"), (Related(seen[pid], Words("note.first_declared")),))
        else:
            seen[pid] = decl.id.span

    def _tags(self, decls: list[ast.TagDecl], key: str | None) -> str | None:
        """Adds the valid tags to the scope; returns the key tag's name (one at most)."""
        for decl in decls:
            spec = tag_spec(decl, self.vocab, self)
            if spec is None:
                self.poisoned.add(decl.name.name)
                continue
            self.tags[spec.name] = spec
            if not spec.key:
                continue
            if key is not None:
                self.error(Code.KEY, Words("check.second_key", name=spec.name), decl.span,
                           Words("hint.one_key", key=key),
                           (Related(self.tags[key].span, Words("note.is_key", name=key)),))
            else:
                key = spec.name
        return key

    def _define(self, decl: ast.DefineDecl) -> None:
        expr = self.guarded(decl.expr, decl.name.span)
        if expr is None:
            self.poisoned.add(decl.name.name)
            return
        if expr.type.kind is Kind.LIST:
            self.error(Code.TYPE, Words("check.define_list"), decl.expr.span)
            self.poisoned.add(decl.name.name)
            return
        self.defines[decl.name.name] = ir.Define(decl.name.name, expr, span=decl.span)

    def _policies(self, decls: list[ast.PolicyDecl]) -> dict[str, ir.Policy]:
        """The base's policies and the valid new ones; a duplicate's body is checked too,
        and the first of two with one id wins."""
        policies: dict[str, ir.Policy] = dict(self.base.policies) if self.base else {}
        id_spans = {pid: p.span for pid, p in policies.items()}
        for decl in decls:
            policy = self._policy(decl)
            id_spans.setdefault(decl.id.value, decl.id.span)
            if policy is not None and policy.id not in policies:
                policies[policy.id] = policy
        check_relations(policies, id_spans, self)
        return policies

    def _policy(self, decl: ast.PolicyDecl) -> ir.Policy | None:
        try:
            return check_policy(decl, self)
        except RecursionError:
            self.too_deep(decl.id.span)
            return None
