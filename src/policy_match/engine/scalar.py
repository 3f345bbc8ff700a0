"""One record, three values (Kleene): ``True``, ``False``, or ``None`` for unknown.

A :class:`ScalarEvaluator` holds one record and memoizes every node it evaluates, so a
define or an atom shared by many policies is computed once per record. It is the reference
backend: one method per node kind (``engine/backend.py``), each the plain reading of the
rule language's semantics.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from policy_match.dsl.types import Kind
from policy_match.dsl.vocabulary import Vocabulary
from policy_match.engine import dag
from policy_match.engine.backend import VALUE_METHODS, Backend
from policy_match.engine.semantics import arith, compare, negate
from policy_match.engine.walk import DEEP, post_order

Truth = bool | None


class ScalarEvaluator(Backend[Any, Truth]):
    def __init__(self, graph: dag.Dag, vocabulary: Vocabulary, record: Mapping[str, Any],
                 as_of: dt.date) -> None:
        self.graph = graph
        self.vocab = vocabulary
        self.record = record
        self.as_of = as_of
        self._memo: dict[int, Any] = {}
        self._depth = 0  # evaluations under way on Python's stack

    # value() and truth() call the node's method through the dispatch table themselves (not
    # through visit_value/visit_truth): they run once per node and record, the hot path of
    # every check
    def value(self, node: dag.ValueNode) -> Any:
        memo = self._memo
        key = id(node)
        if key in memo:
            return memo[key]
        if self._depth >= DEEP:
            return self._below(node)
        self._depth += 1
        try:
            result = memo[key] = self._table[type(node)](self, node)
        finally:
            self._depth -= 1
        return result

    def truth(self, node: dag.BoolNode) -> Truth:
        memo = self._memo
        key = id(node)
        if key in memo:
            return memo[key]
        if self._depth >= DEEP:
            return self._below(node)
        self._depth += 1
        try:
            result: Truth = self._table[type(node)](self, node)
        finally:
            self._depth -= 1
        memo[key] = result
        return result

    def truths(self, nodes: Sequence[dag.BoolNode]) -> list[Truth]:
        """:meth:`truth` of each node (a shape's key asks for dozens at once)."""
        return [self.truth(node) for node in nodes]

    def operand(self, node: dag.ValueNode) -> Any:
        """:meth:`value`, with a tag and a constant read directly: they are most operands,
        and reading them costs less than remembering them."""
        kind = type(node)
        if kind is dag.VTag:
            return self.record.get(node.name)  # type: ignore[union-attr]
        if kind is dag.VConst:
            return node.value  # type: ignore[union-attr]
        return self.value(node)

    def _below(self, node: Any) -> Any:
        """Deep in the DAG: everything below ``node`` not yet known, in post order (each
        node once, its successors already memoized: no recursion), then ``node``. Unlike
        the recursive walk this also computes branches that short-circuiting would skip;
        their values are the same, only unused."""
        memo = self._memo
        defines = self.graph.defines
        for item in post_order(node, lambda n: dag.successors(n, defines),
                               lambda n: id(n) in memo):
            if type(item) in VALUE_METHODS:
                memo[id(item)] = self.visit_value(item)
            else:
                memo[id(item)] = self.visit_truth(item)
        return memo[id(node)]

    def atom(self, node: dag.Atom) -> Truth:
        """One atom, not memoized (explanations read atoms one by one)."""
        return self.visit_truth(node)

    # ---- values ------------------------------------------------------------------------

    def const(self, node: dag.VConst) -> Any:
        return node.value

    def tag(self, node: dag.VTag) -> Any:
        return self.record.get(node.name)

    def define(self, node: dag.VDefine) -> Any:
        target = self.graph.defines[node.name]
        if node.type.kind is Kind.BOOL:
            return self.truth(target)  # type: ignore[arg-type]
        return self.value(target)  # type: ignore[arg-type]

    def today(self, node: dag.VToday) -> Any:
        return self.as_of

    def arith(self, node: dag.VArith) -> Any:
        left, right = self.operand(node.left), self.operand(node.right)
        if left is None or right is None:
            return None
        return arith(node.op, left, right)

    def neg(self, node: dag.VNeg) -> Any:
        inner = self.operand(node.operand)
        return None if inner is None else negate(inner)

    def call(self, node: dag.VCall) -> Any:
        args = [self.value(a) for a in node.args]
        if any(a is None for a in args):
            return None
        return self.vocab.functions[node.func].impl(*args)

    def value_case(self, node: dag.VCase) -> Any:
        for test, value in node.branches:
            outcome = self.truth(test)
            if outcome is None:
                return None
            if outcome:
                return self.value(value)
        return self.value(node.default)

    def cond_value(self, node: dag.VCond) -> Any:
        return self.truth(node.cond)

    # ---- connectives -------------------------------------------------------------------

    def bool_const(self, node: dag.Const) -> Truth:
        return node.value

    def all(self, node: dag.All) -> Truth:
        unknown = False
        for item in node.items:
            outcome = self.truth(item)
            if outcome is False:
                return False
            unknown |= outcome is None
        return None if unknown else True

    def any(self, node: dag.AnyNode) -> Truth:
        unknown = False
        for item in node.items:
            outcome = self.truth(item)
            if outcome is True:
                return True
            unknown |= outcome is None
        return None if unknown else False

    def at_least(self, node: dag.AtLeast) -> Truth:
        outcomes = [self.truth(i) for i in node.items]
        true = sum(o is True for o in outcomes)
        possible = true + sum(o is None for o in outcomes)
        if true >= node.n:
            return True
        return False if possible < node.n else None

    def case(self, node: dag.CaseCond) -> Truth:
        for test, value in node.branches:
            outcome = self.truth(test)
            if outcome is None:
                return None
            if outcome:
                return self.truth(value)
        return self.truth(node.default)

    def named(self, node: dag.Named) -> Truth:
        return self.truth(node.body)

    # ---- atoms -------------------------------------------------------------------------

    def known(self, node: dag.KnownAtom) -> Truth:
        return (self.operand(node.operand) is not None) != node.negated

    def cmp(self, node: dag.Cmp) -> Truth:
        left, right = self.operand(node.left), self.operand(node.right)
        if left is None or right is None:
            return None
        return compare(node.op, left, right)

    def boolean(self, node: dag.Truth) -> Truth:
        operand = self.operand(node.operand)
        return None if operand is None else bool(operand) != node.negated

    def member(self, node: dag.Member) -> Truth:
        operand = self.operand(node.operand)
        if operand is None:
            return None
        if node.hierarchy is None:
            found = operand in node.options
        else:
            hierarchy = self.vocab.hierarchies[node.hierarchy]
            found = any(hierarchy.contains(option, operand) for option in node.options)
        return found != node.negated

    def has(self, node: dag.HasAtom) -> Truth:
        present = self.operand(node.operand)  # a frozenset
        if present is None:
            return None
        if node.mode == "all":
            found = all(v in present for v in node.values)
        else:
            found = any(v in present for v in node.values)
        return found != node.negated
