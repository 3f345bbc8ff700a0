"""Typed IR → predicate DAG: negation pushed to atoms, and/or flattened, constants folded,
equal nodes interned (hash-consed) so each distinct atom exists once.
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from types import GeneratorType
from typing import Any, TypeVar, Union

from policy_match.dsl import ir
from policy_match.dsl.types import Kind
from policy_match.engine import dag
from policy_match.engine.dag import FALSE, TRUE, BoolNode, ValueNode
from policy_match.engine.semantics import MIRRORED_OP, NEGATED_OP, arith, compare

N = TypeVar("N")
Owner = TypeVar("Owner")
Build = Union[N, Generator[Any, Any, N]]  # noqa: UP007 - a generic alias, kept readable


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
        self._named_nodes: dict[tuple[str, bool], BoolNode] = {}

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

    # ---- the driver: no recursion, however deep the program -------------------------------
    # Each builder below returns a node, or a generator that yields the sub-builds it needs
    # (each a node or a generator again) and returns its node; ``_run`` drives them with an
    # explicit stack, in the order a recursive walk would take (so atoms are numbered as
    # they always were), and Python's stack stays flat for a chain of a thousand defines.

    @staticmethod
    def _run(start: Build[Any]) -> Any:
        if not isinstance(start, GeneratorType):
            return start
        stack: list[Generator[Any, Any, Any]] = [start]
        value: Any = None
        while True:
            try:
                request = stack[-1].send(value)
            except StopIteration as stop:
                stack.pop()
                value = stop.value
                if not stack:
                    return value
                continue
            if isinstance(request, GeneratorType):
                stack.append(request)
                value = None
            else:
                value = request

    def value(self, e: ir.Expr) -> ValueNode:
        return self._run(self._value(e))

    def condition(self, e: ir.Expr, negate: bool = False) -> BoolNode:
        return self._run(self._condition(e, negate))

    def named(self, name: str, negate: bool) -> BoolNode:
        return self._run(self._named(name, negate))

    # ---- values ------------------------------------------------------------------------

    def _value(self, e: ir.Expr) -> Build[ValueNode]:
        if isinstance(e, ir.Const):
            return self.intern(dag.VConst(e.value, e.type, e.text))
        if isinstance(e, ir.TagRef):
            return self.intern(dag.VTag(e.name, e.type))
        if isinstance(e, ir.DefineRef):
            return self.intern(dag.VDefine(e.name, e.type))
        if isinstance(e, ir.TodayRef):
            return self.intern(dag.VToday())
        return self._compound_value(e)

    def _compound_value(self, e: ir.Expr) -> Generator[Any, Any, ValueNode]:
        if isinstance(e, ir.Arith):
            left, right = (yield self._value(e.left)), (yield self._value(e.right))
            if isinstance(left, dag.VConst) and isinstance(right, dag.VConst):
                folded = arith(e.op, left.value, right.value)
                if folded is not None:
                    return self.intern(dag.VConst(folded, e.type, ""))
            return self.intern(dag.VArith(e.op, left, right, e.type))
        if isinstance(e, ir.Neg):
            return self.intern(dag.VNeg((yield self._value(e.operand)), e.type))
        if isinstance(e, ir.Call):
            args = []
            for a in e.args:
                args.append((yield self._value(a)))
            return self.intern(dag.VCall(e.func, tuple(args), e.type))
        if isinstance(e, ir.Case):
            branches = []
            for t, v in e.branches:
                branches.append(((yield self._condition(t)), (yield self._value(v))))
            default = yield self._value(e.default)
            return self.intern(dag.VCase(tuple(branches), default, e.type))
        if e.type.kind is Kind.BOOL:
            return self.intern(dag.VCond((yield self._condition(e))))
        raise TypeError(f"not a value expression: {type(e).__name__}")

    # ---- conditions --------------------------------------------------------------------

    def _condition(self, e: ir.Expr, negate: bool = False) -> Build[BoolNode]:
        while isinstance(e, ir.Not):  # not not x: no stack per `not`
            e, negate = e.operand, not negate
        method = getattr(self, "_c_" + type(e).__name__)
        return method(e, negate)

    def _named(self, name: str, negate: bool) -> Build[BoolNode]:
        found = self._named_nodes.get((name, negate))
        if found is not None:
            return found
        return self._build_named(name, negate)

    def _build_named(self, name: str, negate: bool) -> Generator[Any, Any, BoolNode]:
        body = yield self._condition(self.program.defines[name].expr, negate)
        node = self._named_nodes[(name, negate)] = self.intern(dag.Named(name, body, negate))
        return node

    def _items(self, items: tuple[ir.Expr, ...], negate: bool
               ) -> Generator[Any, Any, list[BoolNode]]:
        out = []
        for item in items:
            out.append((yield self._condition(item, negate)))
        return out

    def _c_Const(self, e: ir.Const, negate: bool) -> BoolNode:
        return TRUE if bool(e.value) != negate else FALSE

    def _c_TagRef(self, e: ir.TagRef, negate: bool) -> BoolNode:
        return self.intern(dag.Truth(self.intern(dag.VTag(e.name, e.type)), negate))

    def _c_DefineRef(self, e: ir.DefineRef, negate: bool) -> Build[BoolNode]:
        return self._named(e.name, negate)

    def _c_Call(self, e: ir.Call, negate: bool) -> Generator[Any, Any, BoolNode]:
        return self.intern(dag.Truth((yield self._value(e)), negate))

    def _c_Compare(self, e: ir.Compare, negate: bool) -> Generator[Any, Any, BoolNode]:
        op = NEGATED_OP[e.op] if negate else e.op
        left, right = (yield self._value(e.left)), (yield self._value(e.right))
        if isinstance(left, dag.VConst) and isinstance(right, dag.VConst):
            return TRUE if compare(op, left.value, right.value) else FALSE
        if isinstance(left, dag.VConst):
            left, right, op = right, left, MIRRORED_OP[op]
        return self.intern(dag.Cmp(op, left, right))

    def _c_Member(self, e: ir.Member, negate: bool) -> Generator[Any, Any, BoolNode]:
        options = tuple(sorted(set(e.options)))
        return self.intern(dag.Member((yield self._value(e.operand)), options, e.hierarchy,
                                      e.negated != negate))

    def _c_Has(self, e: ir.Has, negate: bool) -> Generator[Any, Any, BoolNode]:
        values = tuple(sorted(set(e.values)))
        mode = e.mode if len(values) > 1 else "one"
        return self.intern(dag.HasAtom((yield self._value(e.operand)), mode, values, negate))

    def _c_Known(self, e: ir.Known, negate: bool) -> Generator[Any, Any, BoolNode]:
        operand = yield self._value(e.ref)
        assert isinstance(operand, dag.VTag | dag.VDefine)
        return self.intern(dag.KnownAtom(operand, negate))

    def _c_And(self, e: ir.And, negate: bool) -> Generator[Any, Any, BoolNode]:
        items = yield self._items(e.items, negate)
        return self.any_of(items, e.listed) if negate else self.all_of(items, e.listed)

    def _c_Or(self, e: ir.Or, negate: bool) -> Generator[Any, Any, BoolNode]:
        items = yield self._items(e.items, negate)
        return self.all_of(items, e.listed) if negate else self.any_of(items, e.listed)

    def _c_AtLeast(self, e: ir.AtLeast, negate: bool) -> Generator[Any, Any, BoolNode]:
        items = yield self._items(e.items, negate)
        # not (at least n of xs) == at least len-n+1 of (not x): fewer than n can be true.
        n = len(items) - e.n + 1 if negate else e.n
        return self.at_least(n, items)

    def _c_Case(self, e: ir.Case, negate: bool) -> Generator[Any, Any, BoolNode]:
        pairs = []
        for t, v in e.branches:
            pairs.append(((yield self._condition(t)), (yield self._condition(v, negate))))
        branches = tuple(pairs)
        default = yield self._condition(e.default, negate)
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
        present: set[BoolNode] = set()  # interned: a set, not a scan of ``flat`` per item
        for item in items:
            if item == absorbing:
                return absorbing
            if item == neutral:
                continue
            for part in item.items if isinstance(item, kind) else (item,):
                if part not in present:
                    present.add(part)
                    flat.append(part)
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

