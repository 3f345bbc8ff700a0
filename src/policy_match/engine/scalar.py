"""One record, three values (Kleene): ``True``, ``False``, or ``None`` for unknown.

A :class:`ScalarEvaluator` holds one record and memoizes every node it evaluates, so a
define or an atom shared by many policies is computed once per record.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from ..dsl.types import Kind
from ..dsl.vocabulary import Vocabulary
from . import dag
from .semantics import arith, compare, negate

Truth = bool | None


class ScalarEvaluator:
    def __init__(self, graph: dag.Dag, vocabulary: Vocabulary, record: Mapping[str, Any],
                 as_of: dt.date) -> None:
        self.graph = graph
        self.vocab = vocabulary
        self.record = record
        self.as_of = as_of
        self._memo: dict[int, Any] = {}

    # ---- values ------------------------------------------------------------------------

    def value(self, node: dag.ValueNode) -> Any:
        key = id(node)
        if key in self._memo:
            return self._memo[key]
        result = self._value(node)
        self._memo[key] = result
        return result

    def _value(self, node: dag.ValueNode) -> Any:
        if isinstance(node, dag.VConst):
            return node.value
        if isinstance(node, dag.VTag):
            return self.record.get(node.name)
        if isinstance(node, dag.VDefine):
            target = self.graph.defines[node.name]
            if node.type.kind is Kind.BOOL:
                return self.truth(target)  # type: ignore[arg-type]
            return self.value(target)  # type: ignore[arg-type]
        if isinstance(node, dag.VToday):
            return self.as_of
        if isinstance(node, dag.VArith):
            left, right = self.value(node.left), self.value(node.right)
            if left is None or right is None:
                return None
            return arith(node.op, left, right)
        if isinstance(node, dag.VNeg):
            inner = self.value(node.operand)
            return None if inner is None else negate(inner)
        if isinstance(node, dag.VCall):
            args = [self.value(a) for a in node.args]
            if any(a is None for a in args):
                return None
            return self.vocab.functions[node.func].impl(*args)
        if isinstance(node, dag.VCase):
            for test, value in node.branches:
                outcome = self.truth(test)
                if outcome is None:
                    return None
                if outcome:
                    return self.value(value)
            return self.value(node.default)
        if isinstance(node, dag.VCond):
            return self.truth(node.cond)
        raise TypeError(f"not a value node: {type(node).__name__}")

    # ---- conditions --------------------------------------------------------------------

    def truth(self, node: dag.BoolNode) -> Truth:
        key = id(node)
        if key in self._memo:
            return self._memo[key]  # type: ignore[no-any-return]
        result = self._truth(node)
        self._memo[key] = result
        return result

    def _truth(self, node: dag.BoolNode) -> Truth:
        if isinstance(node, dag.Const):
            return node.value
        if isinstance(node, dag.All):
            unknown = False
            for item in node.items:
                outcome = self.truth(item)
                if outcome is False:
                    return False
                unknown |= outcome is None
            return None if unknown else True
        if isinstance(node, dag.AnyNode):
            unknown = False
            for item in node.items:
                outcome = self.truth(item)
                if outcome is True:
                    return True
                unknown |= outcome is None
            return None if unknown else False
        if isinstance(node, dag.AtLeast):
            outcomes = [self.truth(i) for i in node.items]
            true = sum(o is True for o in outcomes)
            possible = true + sum(o is None for o in outcomes)
            if true >= node.n:
                return True
            return False if possible < node.n else None
        if isinstance(node, dag.CaseCond):
            for test, value in node.branches:
                outcome = self.truth(test)
                if outcome is None:
                    return None
                if outcome:
                    return self.truth(value)
            return self.truth(node.default)
        if isinstance(node, dag.Named):
            return self.truth(node.body)
        return self.atom(node)

    def atom(self, node: dag.Atom) -> Truth:
        if isinstance(node, dag.KnownAtom):
            return (self.value(node.operand) is not None) != node.negated
        if isinstance(node, dag.Cmp):
            left, right = self.value(node.left), self.value(node.right)
            if left is None or right is None:
                return None
            return compare(node.op, left, right)
        operand = self.value(node.operand)
        if operand is None:
            return None
        if isinstance(node, dag.Truth):
            return bool(operand) != node.negated
        if isinstance(node, dag.Member):
            if node.hierarchy is None:
                found = operand in node.options
            else:
                hierarchy = self.vocab.hierarchies[node.hierarchy]
                found = any(hierarchy.contains(option, operand) for option in node.options)
            return found != node.negated
        if isinstance(node, dag.HasAtom):
            present = operand  # a frozenset
            if node.mode == "all":
                found = all(v in present for v in node.values)
            else:
                found = any(v in present for v in node.values)
            return found != node.negated
        raise TypeError(f"not a condition node: {type(node).__name__}")
