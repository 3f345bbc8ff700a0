"""The scalar evaluator's answers from closures made once per rulebook.

:class:`~.scalar.ScalarEvaluator` finds each node's method by its type and remembers every
node it evaluates, for every record: the plain reading of the semantics, and the
reference. A :class:`Program` does that work once, when a rulebook is loaded: each node
becomes a Python closure that holds its children's closures and its constants, so a record
costs one call per node and no look-ups. Only what can be asked twice is remembered: a
node with more than one parent (an atom a hundred policies use) and a define's body, for
the record; a value of the date alone (``today - 3年``), for every record of that date.

A :class:`CompiledEvaluator` is a ``ScalarEvaluator`` that answers through the program:
explanations, missing tags and amounts read it as they read the reference, and share
its memo. The values are the reference's, from the same functions
(:mod:`.semantics`); ``tests/engine/test_closures.py`` holds them equal.

Closures recurse, one frame or two per level, so a node more than :data:`HEIGHT` levels
above its leaves gets none: the reference answers it, with its own bound on the stack.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from fractions import Fraction
from typing import Any

from policy_match.dsl.vocabulary import Vocabulary
from policy_match.engine import dag
from policy_match.engine.backend import VALUE_METHODS
from policy_match.engine.scalar import ScalarEvaluator, Truth
from policy_match.engine.semantics import COMPARE, arith, compare, negate
from policy_match.engine.walk import post_order

__all__ = ["HEIGHT", "CompiledEvaluator", "Program"]

HEIGHT = 60  # levels of nodes a closure may have below it (Python's stack: ~2 frames each)

Closure = Callable[["CompiledEvaluator"], Any]


class Program:
    """A closure for every node of ``graph`` at most :data:`HEIGHT` levels high."""

    def __init__(self, graph: dag.Dag, vocabulary: Vocabulary) -> None:
        self.graph = graph
        self.vocabulary = vocabulary
        roots = [*graph.conditions.values(), *(b for b in graph.benefits.values() if b),
                 *graph.defines.values()]
        order = _nodes_in_post_order(roots, graph.defines)
        shared = _shared(order, graph.defines)
        dated = _dated(order, graph.defines)
        self.closures: dict[int, Closure] = {}
        heights: dict[int, int] = {}
        for node in order:
            below = [heights.get(id(s), HEIGHT + 1) for s in dag.successors(node, graph.defines)]
            height = heights[id(node)] = 1 + max(below, default=0)
            if height <= HEIGHT:
                made = self._make(node)
                if id(node) in dated:
                    made = _by_day(made)
                elif id(node) in shared:
                    made = _memoized(id(node), made)
                self.closures[id(node)] = made
        self._keep = order  # the ids above stay the nodes' while the program lives

    def evaluator(self, record: Mapping[str, Any], as_of: dt.date) -> CompiledEvaluator:
        return CompiledEvaluator(self, record, as_of)

    def _make(self, node: Any) -> Closure:
        return _MAKERS[type(node)](self, node)

    def of(self, node: Any) -> Closure:
        """The closure of a node already made (children are made before parents)."""
        return self.closures[id(node)]


class CompiledEvaluator(ScalarEvaluator):
    """A :class:`ScalarEvaluator` answering through a :class:`Program`'s closures."""

    def __init__(self, program: Program, record: Mapping[str, Any], as_of: dt.date) -> None:
        super().__init__(program.graph, program.vocabulary, record, as_of)
        self.memo = self._memo
        self._closures = program.closures

    def _answer(self, node: Any) -> Any:
        key = id(node)
        memo = self._memo
        if key in memo:
            return memo[key]
        closure = self._closures.get(key)
        if closure is None:  # too high for a closure: the reference, with its stack bound
            return (ScalarEvaluator.value(self, node) if type(node) in VALUE_METHODS
                    else ScalarEvaluator.truth(self, node))
        result = memo[key] = closure(self)
        return result

    # one method for both: a check calls them for every item and every condition line, and
    # a call less per node is measurable there
    value = _answer
    truth = _answer

    def truths(self, nodes: Sequence[dag.BoolNode]) -> list[Truth]:
        memo, closures = self._memo, self._closures
        out: list[Truth] = []
        for node in nodes:
            key = id(node)
            found = memo.get(key, _UNSET)
            if found is _UNSET:
                closure = closures.get(key)
                found = self._answer(node) if closure is None else closure(self)
                memo[key] = found
            out.append(found)
        return out


_UNSET = object()


def _memoized(key: int, made: Closure) -> Closure:
    def remembered(ev: CompiledEvaluator) -> Any:
        memo = ev.memo
        found = memo.get(key, _UNSET)
        if found is _UNSET:
            found = memo[key] = made(ev)
        return found

    return remembered


DAYS = 64  # evaluation dates a date-only value is kept for; past it they start again


def _by_day(made: Closure) -> Closure:
    """A value that depends on the evaluation date alone (``today - 3年``): computed once
    per date, for every record."""
    kept: dict[dt.date, Any] = {}

    def on_the_day(ev: CompiledEvaluator) -> Any:
        day = ev.as_of
        found = kept.get(day, _UNSET)
        if found is _UNSET:
            found = made(ev)
            if len(kept) >= DAYS:
                kept.clear()
            kept[day] = found
        return found

    return on_the_day


def _dated(order: list[Any], defines: Mapping[str, Any]) -> set[int]:
    """The nodes that read the evaluation date and no tag (``order``: children first),
    ``today`` itself left out: reading it costs less than keeping it."""
    today: set[int] = set()
    tags: set[int] = set()
    for node in order:
        below = dag.successors(node, defines)
        if type(node) is dag.VToday or any(id(s) in today for s in below):
            today.add(id(node))
        if type(node) is dag.VTag or any(id(s) in tags for s in below):
            tags.add(id(node))
    return {key for key in today - tags} - {id(n) for n in order if type(n) is dag.VToday}


def _nodes_in_post_order(roots: list[Any], defines: Mapping[str, Any]) -> list[Any]:
    seen: set[int] = set()
    order: list[Any] = []
    for root in roots:
        for node in post_order(root, lambda n: dag.successors(n, defines),
                               lambda n: id(n) in seen):
            seen.add(id(node))
            order.append(node)
    return order


def _shared(order: list[Any], defines: Mapping[str, Any]) -> set[int]:
    """The nodes worth remembering: more than one parent, or a define's body."""
    parents: dict[int, int] = {}
    for node in order:
        for child in dag.successors(node, defines):
            parents[id(child)] = parents.get(id(child), 0) + 1
    return {key for key, count in parents.items() if count > 1} | {
        id(body) for body in defines.values()}


# ---- values --------------------------------------------------------------------------------

def _const(program: Program, node: dag.VConst) -> Closure:
    value = node.value
    return lambda ev: value


def _tag(program: Program, node: dag.VTag) -> Closure:
    name = node.name
    return lambda ev: ev.record.get(name)


def _define(program: Program, node: dag.VDefine) -> Closure:
    return program.of(program.graph.defines[node.name])


def _today(program: Program, node: dag.VToday) -> Closure:
    return lambda ev: ev.as_of


def _arith(program: Program, node: dag.VArith) -> Closure:
    op, left, right = node.op, program.of(node.left), program.of(node.right)

    def computed(ev: CompiledEvaluator) -> Any:
        a, b = left(ev), right(ev)
        return None if a is None or b is None else arith(op, a, b)

    return computed


def _neg(program: Program, node: dag.VNeg) -> Closure:
    inner = program.of(node.operand)

    def negated(ev: CompiledEvaluator) -> Any:
        value = inner(ev)
        return None if value is None else negate(value)

    return negated


def _call(program: Program, node: dag.VCall) -> Closure:
    impl = program.vocabulary.functions[node.func].impl
    args = tuple(program.of(a) for a in node.args)

    def called(ev: CompiledEvaluator) -> Any:
        values = [a(ev) for a in args]
        return None if any(v is None for v in values) else impl(*values)

    return called


def _case(program: Program, node: dag.VCase | dag.CaseCond) -> Closure:
    branches = tuple((program.of(t), program.of(v)) for t, v in node.branches)
    default = program.of(node.default)

    def chosen(ev: CompiledEvaluator) -> Any:
        for test, value in branches:
            outcome = test(ev)
            if outcome is None:
                return None
            if outcome:
                return value(ev)
        return default(ev)

    return chosen


def _cond_value(program: Program, node: dag.VCond) -> Closure:
    return program.of(node.cond)


# ---- connectives ---------------------------------------------------------------------------

def _bool_const(program: Program, node: dag.Const) -> Closure:
    value = node.value
    return lambda ev: value


def _kleene(decisive: bool) -> Callable[[Program, Any], Closure]:
    """``all`` (``decisive`` False: one false item settles it) or ``any`` (True)."""

    def make(program: Program, node: dag.All | dag.AnyNode) -> Closure:
        items = tuple(program.of(i) for i in node.items)

        def combined(ev: CompiledEvaluator) -> Truth:
            unknown = False
            for item in items:
                outcome = item(ev)
                if outcome is decisive:
                    return decisive
                if outcome is None:
                    unknown = True
            return None if unknown else not decisive

        return combined

    return make


_all, _any = _kleene(False), _kleene(True)


def _at_least(program: Program, node: dag.AtLeast) -> Closure:
    items, n = tuple(program.of(i) for i in node.items), node.n

    def enough(ev: CompiledEvaluator) -> Truth:
        outcomes = [item(ev) for item in items]
        true = sum(o is True for o in outcomes)
        if true >= n:
            return True
        return False if true + sum(o is None for o in outcomes) < n else None

    return enough


def _named(program: Program, node: dag.Named) -> Closure:
    return program.of(node.body)


# ---- atoms ---------------------------------------------------------------------------------

def _known(program: Program, node: dag.KnownAtom) -> Closure:
    operand, negated = program.of(node.operand), node.negated
    return lambda ev: (operand(ev) is not None) != negated


def _cmp(program: Program, node: dag.Cmp) -> Closure:
    if type(node.left) is dag.VTag and type(node.right) is dag.VConst \
            and type(node.right.value) is Fraction:
        return _tag_against_number(node.op, node.left.name, node.right.value)
    op, left, right = node.op, program.of(node.left), program.of(node.right)

    def compared(ev: CompiledEvaluator) -> Truth:
        a, b = left(ev), right(ev)
        return None if a is None or b is None else compare(op, a, b)

    return compared


def _tag_against_number(op: str, name: str, number: Fraction) -> Closure:
    """``tag op number``, most atoms: as :func:`.semantics.compare` compares two
    fractions (cross products), the constant's parts taken apart once."""
    test, numerator, denominator = COMPARE[op], number.numerator, number.denominator

    def compared(ev: CompiledEvaluator) -> Truth:
        value = ev.record.get(name)
        if value is None:
            return None
        if type(value) is Fraction:
            return test(value.numerator * denominator, value.denominator * numerator)
        return compare(op, value, number)

    return compared


def _boolean(program: Program, node: dag.Truth) -> Closure:
    operand, negated = program.of(node.operand), node.negated

    def truth(ev: CompiledEvaluator) -> Truth:
        value = operand(ev)
        return None if value is None else bool(value) != negated

    return truth


def _member(program: Program, node: dag.Member) -> Closure:
    operand, options, negated = program.of(node.operand), node.options, node.negated
    if node.hierarchy is None:
        def listed(ev: CompiledEvaluator) -> Truth:
            value = operand(ev)
            return None if value is None else (value in options) != negated

        return listed
    contains = program.vocabulary.hierarchies[node.hierarchy].contains

    def under(ev: CompiledEvaluator) -> Truth:
        value = operand(ev)
        if value is None:
            return None
        return any(contains(option, value) for option in options) != negated

    return under


def _has(program: Program, node: dag.HasAtom) -> Closure:
    operand, values, negated, every = (program.of(node.operand), node.values, node.negated,
                                       node.mode == "all")

    def has(ev: CompiledEvaluator) -> Truth:
        present = operand(ev)
        if present is None:
            return None
        found = (all(v in present for v in values) if every
                 else any(v in present for v in values))
        return found != negated

    return has


_MAKERS: dict[type, Callable[[Program, Any], Closure]] = {
    dag.VConst: _const, dag.VTag: _tag, dag.VDefine: _define, dag.VToday: _today,
    dag.VArith: _arith, dag.VNeg: _neg, dag.VCall: _call, dag.VCase: _case,
    dag.VCond: _cond_value, dag.Const: _bool_const, dag.All: _all, dag.AnyNode: _any,
    dag.AtLeast: _at_least, dag.CaseCond: _case, dag.Named: _named, dag.KnownAtom: _known,
    dag.Cmp: _cmp, dag.Member: _member, dag.HasAtom: _has, dag.Truth: _boolean,
}
