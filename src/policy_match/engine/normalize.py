"""Typed IR → predicate DAG: negation pushed to atoms, and/or flattened, constants folded,
equal nodes interned (hash-consed) so each distinct atom exists once.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from policy_match.dsl import ir
from policy_match.dsl.types import Kind
from policy_match.engine import dag
from policy_match.engine.dag import FALSE, TRUE, BoolNode, ValueNode
from policy_match.engine.semantics import MIRRORED_OP, NEGATED_OP, arith, compare

N = TypeVar("N")
Owner = TypeVar("Owner")


class Normalizer:
    """Builds the DAG of one program; reusable for policies added later (shared atoms)."""

    def __init__(self, program: ir.Program, shared: Normalizer | None = None) -> None:
        """``shared``: a normalizer of an earlier version of the rulebook; equal nodes become
        the very same objects, so results cached per node (atom bitsets) carry over."""
        self.program = program
        self._interned: dict[object, object] = shared._interned if shared else {}
        self._atoms: dict[dag.Atom, int] = shared._atoms if shared else {}
        # IR object -> its node: a policy carried over unchanged from an earlier version is
        # not normalized again (the object is kept alive here so its id stays unique)
        self._done: dict[int, tuple[object, object]] = shared._done if shared else {}
        self._named: dict[tuple[str, bool], BoolNode] = {}

    def intern(self, node: N) -> N:
        found = self._interned.setdefault(node, node)
        if dag.is_atom(found) and found not in self._atoms:
            self._atoms[found] = len(self._atoms)  # type: ignore[index]
        return found  # type: ignore[return-value]

    @property
    def atoms(self) -> tuple[dag.Atom, ...]:
        return tuple(self._atoms)

    def atom_id(self, atom: dag.Atom) -> int:
        return self._atoms[atom]

    def build(self) -> dag.Dag:
        defines: dict[str, BoolNode | ValueNode] = {
            name: self._once(define, self._define_node) for name, define in
            self.program.defines.items()
        }
        conditions: dict[str, BoolNode] = {}
        benefits: dict[str, ValueNode | None] = {}
        for pid, policy in self.program.policies.items():
            conditions[pid], benefits[pid] = self._once(policy, self._policy_nodes)
        return dag.Dag(defines, conditions, benefits, self.atoms)

    def _define_node(self, define: ir.Define) -> BoolNode | ValueNode:
        if define.type.kind is Kind.BOOL:
            return self.named(define.name, negate=False)
        return self.value(define.expr)

    def _policy_nodes(self, policy: ir.Policy) -> tuple[BoolNode, ValueNode | None]:
        benefit = None if policy.benefit is None else self.value(policy.benefit)
        return self.condition(policy.eligible), benefit

    def _once(self, owner: Owner, build: Callable[[Owner], N]) -> N:
        found = self._done.get(id(owner))
        if found is not None and found[0] is owner:
            return found[1]  # type: ignore[return-value]
        node = build(owner)
        self._done[id(owner)] = (owner, node)
        return node

    # ---- values ------------------------------------------------------------------------

    def value(self, e: ir.Expr) -> ValueNode:
        if isinstance(e, ir.Const):
            return self.intern(dag.VConst(e.value, e.type, e.text))
        if isinstance(e, ir.TagRef):
            return self.intern(dag.VTag(e.name, e.type))
        if isinstance(e, ir.DefineRef):
            return self.intern(dag.VDefine(e.name, e.type))
        if isinstance(e, ir.TodayRef):
            return self.intern(dag.VToday())
        if isinstance(e, ir.Arith):
            left, right = self.value(e.left), self.value(e.right)
            if isinstance(left, dag.VConst) and isinstance(right, dag.VConst):
                folded = arith(e.op, left.value, right.value)
                if folded is not None:
                    return self.intern(dag.VConst(folded, e.type, ""))
            return self.intern(dag.VArith(e.op, left, right, e.type))
        if isinstance(e, ir.Neg):
            return self.intern(dag.VNeg(self.value(e.operand), e.type))
        if isinstance(e, ir.Call):
            return self.intern(dag.VCall(e.func, tuple(self.value(a) for a in e.args), e.type))
        if isinstance(e, ir.Case):
            branches = tuple((self.condition(t), self.value(v)) for t, v in e.branches)
            return self.intern(dag.VCase(branches, self.value(e.default), e.type))
        if e.type.kind is Kind.BOOL:
            return self.intern(dag.VCond(self.condition(e)))
        raise TypeError(f"not a value expression: {type(e).__name__}")

    # ---- conditions --------------------------------------------------------------------

    def condition(self, e: ir.Expr, negate: bool = False) -> BoolNode:
        method = getattr(self, "_c_" + type(e).__name__)
        return method(e, negate)

    def named(self, name: str, negate: bool) -> BoolNode:
        key = (name, negate)
        if key not in self._named:
            body = self.condition(self.program.defines[name].expr, negate)
            self._named[key] = self.intern(dag.Named(name, body, negate))
        return self._named[key]

    def _c_Const(self, e: ir.Const, negate: bool) -> BoolNode:
        return TRUE if bool(e.value) != negate else FALSE

    def _c_TagRef(self, e: ir.TagRef, negate: bool) -> BoolNode:
        return self.intern(dag.Truth(self.value(e), negate))

    def _c_DefineRef(self, e: ir.DefineRef, negate: bool) -> BoolNode:
        return self.named(e.name, negate)

    def _c_Call(self, e: ir.Call, negate: bool) -> BoolNode:
        return self.intern(dag.Truth(self.value(e), negate))

    def _c_Compare(self, e: ir.Compare, negate: bool) -> BoolNode:
        op = NEGATED_OP[e.op] if negate else e.op
        left, right = self.value(e.left), self.value(e.right)
        if isinstance(left, dag.VConst) and isinstance(right, dag.VConst):
            return TRUE if compare(op, left.value, right.value) else FALSE
        if isinstance(left, dag.VConst):
            left, right, op = right, left, MIRRORED_OP[op]
        return self.intern(dag.Cmp(op, left, right))

    def _c_Member(self, e: ir.Member, negate: bool) -> BoolNode:
        options = tuple(sorted(set(e.options)))
        return self.intern(dag.Member(self.value(e.operand), options, e.hierarchy,
                                      e.negated != negate))

    def _c_Has(self, e: ir.Has, negate: bool) -> BoolNode:
        values = tuple(sorted(set(e.values)))
        mode = e.mode if len(values) > 1 else "one"
        return self.intern(dag.HasAtom(self.value(e.operand), mode, values, negate))

    def _c_Known(self, e: ir.Known, negate: bool) -> BoolNode:
        operand = self.value(e.ref)
        assert isinstance(operand, dag.VTag | dag.VDefine)
        return self.intern(dag.KnownAtom(operand, negate))

    def _c_Not(self, e: ir.Not, negate: bool) -> BoolNode:
        return self.condition(e.operand, not negate)

    def _c_And(self, e: ir.And, negate: bool) -> BoolNode:
        items = [self.condition(i, negate) for i in e.items]
        return self.any_of(items, e.listed) if negate else self.all_of(items, e.listed)

    def _c_Or(self, e: ir.Or, negate: bool) -> BoolNode:
        items = [self.condition(i, negate) for i in e.items]
        return self.all_of(items, e.listed) if negate else self.any_of(items, e.listed)

    def _c_AtLeast(self, e: ir.AtLeast, negate: bool) -> BoolNode:
        items = [self.condition(i, negate) for i in e.items]
        # not (at least n of xs) == at least len-n+1 of (not x): fewer than n can be true.
        n = len(items) - e.n + 1 if negate else e.n
        return self.at_least(n, items)

    def _c_Case(self, e: ir.Case, negate: bool) -> BoolNode:
        branches = tuple((self.condition(t), self.condition(v, negate)) for t, v in e.branches)
        default = self.condition(e.default, negate)
        while branches and branches[0][0] == FALSE:
            branches = branches[1:]
        if not branches:
            return default
        if branches[0][0] == TRUE:
            return branches[0][1]
        return self.intern(dag.CaseCond(branches, default))

    # ---- connectives, flattened and folded -------------------------------------------

    def all_of(self, items: list[BoolNode], listed: bool = False) -> BoolNode:
        return self._connective(dag.All, items, listed, absorbing=FALSE, neutral=TRUE)

    def any_of(self, items: list[BoolNode], listed: bool = False) -> BoolNode:
        return self._connective(dag.AnyNode, items, listed, absorbing=TRUE, neutral=FALSE)

    def _connective(self, kind: type[dag.All] | type[dag.AnyNode], items: list[BoolNode],
                    listed: bool, absorbing: dag.Const, neutral: dag.Const) -> BoolNode:
        """``and``/``or``: nested ones of the same kind flattened, duplicates dropped, and
        constants folded (false absorbs an ``and``, true is neutral in it; dually for ``or``)."""
        flat: list[BoolNode] = []
        for item in items:
            if item == absorbing:
                return absorbing
            if item == neutral:
                continue
            parts = item.items if isinstance(item, kind) else (item,)
            flat.extend(p for p in parts if p not in flat)
        if not flat:
            return neutral
        if len(flat) == 1:
            return flat[0]
        return self.intern(kind(tuple(flat), listed))

    def at_least(self, n: int, items: list[BoolNode]) -> BoolNode:
        rest = [i for i in items if i not in (TRUE, FALSE)]
        n -= sum(1 for i in items if i == TRUE)
        if n <= 0:
            return TRUE
        if n > len(rest):
            return FALSE
        if n == len(rest):
            return self.all_of(rest, True)
        if n == 1:
            return self.any_of(rest, True)
        return self.intern(dag.AtLeast(n, tuple(rest)))


def normalize(program: ir.Program) -> tuple[dag.Dag, Normalizer]:
    normalizer = Normalizer(program)
    return normalizer.build(), normalizer

