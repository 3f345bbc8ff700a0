"""Why a record does or does not qualify: the outcome tree, missing tags, failed atoms, the
gap to eligibility and the match degree (rule-language §5).

The tree mirrors the normalized condition (``not`` already pushed into the atoms). The gap
is computed by dynamic programming over it: ``and`` unites its children's gaps, ``or``
takes the smallest, ``at least N`` the N smallest.

Each walk over the DAG is a backend of ``engine/backend.py`` (one method per node kind), so
a new node kind cannot be left out of an explanation: the outcome tree
(:class:`_OutcomeTree`), the tags wanted (:class:`_MissingTags`) and the gap (:class:`_Gap`);
the atom lines are in ``engine/atom_text.py``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Generic, Literal, NamedTuple, Protocol, TypeVar

from pydantic import BaseModel, ConfigDict

from policy_match.dsl.display import date_zh, window_text
from policy_match.dsl.ir import Verdict
from policy_match.dsl.words import clauses
from policy_match.engine import dag
from policy_match.engine.atom_text import (
    MARK,
    AtomDescriber,
    AtomReport,
    Outcome,
    outcome_of,
)
from policy_match.engine.atom_text import (
    tags_read as tags_read,  # re-exported: callers read it here
)
from policy_match.engine.backend import VALUE_METHODS, Backend, ConditionBackend
from policy_match.engine.scalar import ScalarEvaluator
from policy_match.engine.walk import post_order, pre_order

GroupKind = Literal["all", "any", "at_least", "case", "define"]
NodeKind = Literal["all", "any", "at_least", "case", "define", "const"]
T = TypeVar("T")


class ExplainNode(BaseModel):
    model_config = ConfigDict(frozen=True)

    kind: Literal["all", "any", "at_least", "case", "define", "atom", "const"]
    label: str
    label_en: str = ""
    outcome: Outcome
    needed: bool = False  # unknown on a path that leaves the verdict unknown: data wanted
    children: list[ExplainNode] = []
    atom: AtomReport | None = None


class Explanation(BaseModel):
    """The answer to "does this enterprise qualify for this policy, and why?"."""

    model_config = ConfigDict(frozen=True)

    policy_id: str
    policy_name: str
    as_of: dt.date
    verdict: Verdict
    tree: ExplainNode | None  # None when the policy is not in force on as_of
    missing: list[str]
    failed: list[AtomReport]
    gap: list[AtomReport]
    match_degree: float
    benefit: str | None = None
    benefit_missing: list[str] = []  # eligible, but the amount waits for these tags
    group: str | None = None  # 互斥组: items of one group are not stacked (就高不重复)
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None
    record_errors: list[str] = []

    def _inactive_reason(self, zh: bool) -> str:
        window = window_text(self.valid_from, self.valid_to, "zh" if zh else "en")
        expired = self.valid_to is not None and self.as_of > self.valid_to
        if zh:
            state = "已过期" if expired else "尚未生效"
            return f"评估日 {date_zh(self.as_of)} {state}（适用时间 {window}）"
        state = "expired" if expired else "not yet in force"
        return f"{state} on {self.as_of} (valid {window})"

    def to_json(self) -> str:
        return self.model_dump_json(indent=2)

    def render(self, lang: str = "zh") -> str:
        zh = lang == "zh"
        head = (f"{self.policy_id} {self.policy_name}：{self.verdict.zh}" if zh
                else f"{self.policy_id} {self.policy_name}: {self.verdict.value}")
        lines = [head]
        if self.verdict is Verdict.INACTIVE:
            lines.append("  " + self._inactive_reason(zh))
        if self.tree is not None:
            lines += _render_tree(self.tree, 1, zh)
        if self.missing:
            lines.append(("  需补充：" if zh else "  missing: ") + "、".join(self.missing))
        if self.verdict is Verdict.INELIGIBLE and self.gap:
            lines.append(("  差距：" if zh else "  gap: ") + clauses(
                (a.text_zh if zh else a.text_en for a in self.gap), "zh" if zh else "en"))
        if self.benefit is not None:
            lines.append(("  兑付标准：" if zh else "  benefit: ") + self.benefit)
        elif self.benefit_missing:
            lines.append(("  兑付标准：未知，需补充 " if zh else "  benefit: unknown, needs ")
                         + "、".join(self.benefit_missing))
        if self.group and self.verdict is Verdict.ELIGIBLE:
            lines.append(f"  互斥组：{self.group}（同组事项就高不重复）" if zh
                         else f"  exclusive group: {self.group} (the highest item is paid)")
        for error in self.record_errors:
            lines.append(("  数据错误：" if zh else "  bad value: ") + error)
        return "\n".join(lines)


def _render_tree(node: ExplainNode, depth: int, zh: bool) -> list[str]:
    pad = "  " * depth
    if node.atom is not None:
        text = node.atom.text_zh if zh else node.atom.text_en
        if node.needed:
            text += "（需补充）" if zh else " (needed)"
        return [f"{pad}{text}"]
    label = node.label if zh or not node.label_en else node.label_en
    if node.kind == "const":
        return [f"{pad}{MARK[node.outcome]} {label}"]
    lines = [f"{pad}{MARK[node.outcome]} {label}"]
    for child in node.children:
        lines += _render_tree(child, depth + 1, zh)
    return lines


# ---- the tree, missing, failed, gap -------------------------------------------------------
# Every walk visits each DAG node at most once per record: a define used twice by the next
# define, and so on, makes a tree exponentially larger than the DAG. No walk recurses deeper
# than a constant: the DAG is walked with explicit stacks (``engine/walk.py``), and the
# outcome tree stops expanding at ``TREE_DEPTH`` levels.

TREE_DEPTH = 24  # levels of the outcome tree; deeper groups are shown as one line
SEE_ABOVE = ("（见上）", " (see above)")  # a define already shown in this tree
NOT_EXPANDED = ("（下略）", " (not expanded)")  # a group deeper than TREE_DEPTH


@dataclass(frozen=True)
class GapChoice:
    """The cheapest way to make a node true: atoms to make true, and atoms on that path."""

    gap: frozenset[dag.Atom] | None  # None: impossible
    path: frozenset[dag.Atom]


class _GapBits(NamedTuple):
    """A :class:`GapChoice` with its atom sets as bits of an int (one bit per atom): a union
    is one ``|`` however many atoms a long chain of defines gathers. A named tuple: one is
    made per node and record, and a tuple is made faster than a frozen dataclass."""

    gap: int | None
    path: int


class TreeBuild(Protocol[T]):
    """What the outcome tree's nodes are made of: :class:`ExplainNode` models
    (:data:`MODEL_NODES`) or, for a caller that writes the tree straight to JSON, its own
    equivalent (the walk, and so what the tree says, is the same)."""

    def group(self, kind: NodeKind, label: str, label_en: str, outcome: Outcome,
              needed: bool, children: list[T]) -> T: ...

    def atom(self, report: AtomReport, outcome: Outcome, needed: bool) -> T: ...


class _ModelNodes:
    def group(self, kind: NodeKind, label: str, label_en: str, outcome: Outcome,
              needed: bool, children: list[ExplainNode]) -> ExplainNode:
        return ExplainNode(kind=kind, label=label, label_en=label_en, outcome=outcome,
                           needed=needed, children=children)

    def atom(self, report: AtomReport, outcome: Outcome, needed: bool) -> ExplainNode:
        return ExplainNode(kind="atom", label=report.subject, outcome=outcome, needed=needed,
                           atom=report)


MODEL_NODES: TreeBuild[ExplainNode] = _ModelNodes()


class Explainer:
    def __init__(self, evaluator: ScalarEvaluator, atom_ids: dict[dag.Atom, int]) -> None:
        self.ev = evaluator
        self.ids = atom_ids
        self.describer = AtomDescriber(evaluator)
        self._reports: dict[dag.Atom, AtomReport] = {}
        self._gaps: dict[int, _GapBits] = {}
        self._bits: dict[dag.Atom, int] = {}
        self._atoms: list[dag.Atom] = []
        self._missing: dict[int, tuple[str, ...]] = {}
        self._missing_walk = _MissingTags(evaluator)

    def report(self, atom: dag.Atom) -> AtomReport:
        if atom not in self._reports:
            self._reports[atom] = self.describer.report(atom, self.ids.get(atom, -1))
        return self._reports[atom]

    def tree(self, node: dag.BoolNode, open_path: bool = True) -> ExplainNode:
        """The outcome tree; ``open_path``: no ancestor is already true, so an unknown node
        here is data worth asking for (under a true ``or`` it would change nothing). A
        define met again is a line saying so, not its tree again."""
        return self.tree_with(node, MODEL_NODES, open_path)

    def tree_with(self, node: dag.BoolNode, build: TreeBuild[T], open_path: bool = True) -> T:
        """:meth:`tree` made of ``build``'s nodes."""
        return _OutcomeTree(self, build, node, open_path, set(), 0).visit_truth(node)

    def atoms_where(
        self, node: dag.BoolNode, skip: bool | None, want: bool | None
    ) -> list[dag.Atom]:
        """Atoms with outcome ``want`` under nodes whose outcome is not ``skip``."""
        truth = self.ev.truth

        def below(n: dag.BoolNode) -> tuple[dag.BoolNode, ...]:
            if skip is not None and truth(n) is skip:
                return ()
            return dag.children(n)

        return [n for n in pre_order((node,), below)
                if dag.is_atom(n) and truth(n) is want
                and not (skip is not None and truth(n) is skip)]

    def missing(self, node: dag.BoolNode) -> list[str]:
        """Tags whose absence leaves ``node`` unknown, following only the paths evaluation
        took (a ``case`` branch not reached asks for nothing)."""
        return list(self._missing_tags(node))

    def benefit_missing(self, node: dag.ValueNode) -> list[str]:
        return list(self._missing_tags(node))

    def _missing_tags(self, node: Any) -> tuple[str, ...]:
        """Per node, once: its own absent tag, or its followed successors' tags in order."""
        memo, walk, record = self._missing, self._missing_walk, self.ev.record
        found = memo.get(id(node))
        if found is not None:  # asked before (the tree asks per atom): no walk to start
            return found
        for item in post_order(node, walk.follow, lambda n: id(n) in memo):
            if type(item) is dag.VTag:
                memo[id(item)] = (item.name,) if record.get(item.name) is None else ()
            else:
                memo[id(item)] = tuple(dict.fromkeys(
                    tag for child in walk.follow(item) for tag in memo[id(child)]))
        return memo[id(node)]

    def gap(self, node: dag.BoolNode) -> GapChoice:
        found = self.gap_bits(node)
        return GapChoice(None if found.gap is None else self._atom_set(found.gap),
                         self._atom_set(found.path))

    def gap_bits(self, node: dag.BoolNode) -> _GapBits:
        memo = self._gaps
        found = memo.get(id(node))
        if found is not None:
            return found
        walk = _Gap(self)  # made per walk, not kept: kept, it would tie the explainer in a
        # cycle, and every check's evaluator and memo would wait for the collector
        for item in post_order(node, dag.children, lambda n: id(n) in memo):
            memo[id(item)] = walk.visit_truth(item)
        return memo[id(node)]

    def bit(self, atom: dag.Atom) -> int:
        found = self._bits.get(atom)
        if found is None:
            found = self._bits[atom] = 1 << len(self._atoms)
            self._atoms.append(atom)
        return found

    def _atom_set(self, bits: int) -> frozenset[dag.Atom]:
        return frozenset(self.atoms_of(bits))

    def atoms_of(self, bits: int) -> list[dag.Atom]:
        """The atoms of a set of :meth:`gap_bits`, in the order they were first met."""
        atoms, found = self._atoms, []
        while bits:  # the set bits only: a gap is a few atoms of the many met so far
            low = bits & -bits
            found.append(atoms[low.bit_length() - 1])
            bits ^= low
        return found


class _OutcomeTree(ConditionBackend[T], Generic[T]):
    """The outcome tree of one node (its children get their own: their paths differ)."""

    def __init__(self, explainer: Explainer, build: TreeBuild[T], node: dag.BoolNode,
                 open_path: bool, shown: set[int], depth: int) -> None:
        self.explainer = explainer
        self.build = build
        self.outcome = outcome_of(explainer.ev.truth(node))
        self.needed = open_path and self.outcome == "unknown"
        self.open_path = open_path and self.outcome != "true"  # for the children
        self.shown = shown  # the defines this tree has shown already (by node)
        self.depth = depth

    def _atom(self, node: dag.Atom) -> T:
        report = self.explainer.report(node)
        # unknown for lack of data (not, say, a division by zero): ask for the data
        needed = self.needed and bool(self.explainer.missing(node))
        return self.build.atom(report, self.outcome, needed)

    def cmp(self, node: dag.Cmp) -> T:
        return self._atom(node)

    def member(self, node: dag.Member) -> T:
        return self._atom(node)

    def has(self, node: dag.HasAtom) -> T:
        return self._atom(node)

    def known(self, node: dag.KnownAtom) -> T:
        return self._atom(node)

    def boolean(self, node: dag.Truth) -> T:
        return self._atom(node)

    def bool_const(self, node: dag.Const) -> T:
        return self.build.group("const", "恒成立" if node.value else "恒不成立",
                                "always" if node.value else "never", self.outcome, False, [])

    def _leaf(self, kind: GroupKind, zh: str, en: str, note: tuple[str, str]) -> T:
        return self.build.group(kind, zh + note[0], en + note[1], self.outcome, self.needed, [])

    def _group(self, node: dag.BoolNode, kind: GroupKind, zh: str, en: str) -> T:
        if self.depth >= TREE_DEPTH:
            return self._leaf(kind, zh, en, NOT_EXPANDED)
        kids = [self._child(c, self.open_path) for c in dag.children(node)]
        return self.build.group(kind, zh, en, self.outcome, self.needed, kids)

    def _child(self, node: dag.BoolNode, open_path: bool) -> T:
        return _OutcomeTree(self.explainer, self.build, node, open_path, self.shown,
                            self.depth + 1).visit_truth(node)

    def all(self, node: dag.All) -> T:
        return self._group(node, "all", "同时满足", "all of")

    def any(self, node: dag.AnyNode) -> T:
        return self._group(node, "any", "满足其一", "any of")

    def at_least(self, node: dag.AtLeast) -> T:
        return self._group(node, "at_least", f"至少满足{node.n}项", f"at least {node.n} of")

    def named(self, node: dag.Named) -> T:
        zh = ("非 " if node.negated else "") + node.name
        en = ("not " if node.negated else "") + node.name
        if id(node) in self.shown:
            return self._leaf("define", zh, en, SEE_ABOVE)
        if self.depth < TREE_DEPTH:
            self.shown.add(id(node))
        return self._group(node, "define", zh, en)

    def case(self, node: dag.CaseCond) -> T:
        """Only the branches evaluation reached can be waiting for data."""
        if self.depth >= TREE_DEPTH:
            return self._leaf("case", "分情形", "by case", NOT_EXPANDED)
        truth = self.explainer.ev.truth
        kids: list[T] = []
        reached = self.open_path
        for test, value in node.branches:
            decided = truth(test)
            kids.append(self._child(test, reached))
            kids.append(self._child(value, reached and decided is True))
            reached = reached and decided is False
        kids.append(self._child(node.default, reached))
        return self.build.group("case", "分情形", "by case", self.outcome, self.needed, kids)


_Follow = tuple[Any, ...]


class _MissingTags(Backend[_Follow, _Follow]):
    """The missing-tag walk: for each node, the successors whose unknown outcome its own
    comes from (:meth:`Explainer.missing` collects their absent tags, each node once)."""

    def __init__(self, evaluator: ScalarEvaluator) -> None:
        self.ev = evaluator

    def follow(self, node: Any) -> _Follow:
        if type(node) in VALUE_METHODS:
            return self.visit_value(node)
        return self.visit_truth(node)

    def tag(self, node: dag.VTag) -> _Follow:
        return ()  # the tag itself, when absent: see Explainer._missing_tags

    def const(self, node: dag.VConst) -> _Follow:
        return ()

    def today(self, node: dag.VToday) -> _Follow:
        return ()

    def define(self, node: dag.VDefine) -> _Follow:
        return (self.ev.graph.defines[node.name],)

    def cond_value(self, node: dag.VCond) -> _Follow:
        return (node.cond,)

    def _values(self, node: dag.ValueNode, *operands: dag.ValueNode) -> _Follow:
        return operands if self.ev.value(node) is None else ()

    def arith(self, node: dag.VArith) -> _Follow:
        return self._values(node, node.left, node.right)

    def neg(self, node: dag.VNeg) -> _Follow:
        return self._values(node, node.operand)

    def call(self, node: dag.VCall) -> _Follow:
        return self._values(node, *node.args)

    def value_case(self, node: dag.VCase) -> _Follow:
        if self.ev.value(node) is None:
            return self._first_open_branch(node.branches, node.default)
        return ()

    def case(self, node: dag.CaseCond) -> _Follow:
        if self.ev.truth(node) is None:
            return self._first_open_branch(node.branches, node.default)
        return ()

    def _first_open_branch(self, branches: tuple[tuple[dag.BoolNode, Any], ...],
                           default: Any) -> _Follow:
        """A case waits for its first test that is not false, or for the branch taken."""
        for test, value in branches:
            decided = self.ev.truth(test)
            if decided is None:
                return (test,)
            if decided:
                return (value,)
        return (default,)

    def _operand(self, node: dag.Member | dag.HasAtom | dag.Truth | dag.KnownAtom) -> _Follow:
        return (node.operand,) if self.ev.truth(node) is None else ()

    def cmp(self, node: dag.Cmp) -> _Follow:
        return (node.left, node.right) if self.ev.truth(node) is None else ()

    def member(self, node: dag.Member) -> _Follow:
        return self._operand(node)

    def has(self, node: dag.HasAtom) -> _Follow:
        return self._operand(node)

    def boolean(self, node: dag.Truth) -> _Follow:
        return self._operand(node)

    def known(self, node: dag.KnownAtom) -> _Follow:
        return self._operand(node)

    def _children(self, node: dag.BoolNode) -> _Follow:
        return dag.children(node) if self.ev.truth(node) is None else ()

    def bool_const(self, node: dag.Const) -> _Follow:
        return ()  # never unknown

    def all(self, node: dag.All) -> _Follow:
        return self._children(node)

    def any(self, node: dag.AnyNode) -> _Follow:
        return self._children(node)

    def at_least(self, node: dag.AtLeast) -> _Follow:
        return self._children(node)

    def named(self, node: dag.Named) -> _Follow:
        return self._children(node)


class _Gap(ConditionBackend[_GapBits]):
    """The cheapest way to make each node true, from its children's (already computed, in
    :meth:`Explainer.gap_bits`: children first, each node once)."""

    def __init__(self, explainer: Explainer) -> None:
        self.explainer = explainer

    def _of(self, node: dag.BoolNode) -> _GapBits:
        return self.explainer._gaps[id(node)]

    def _atom(self, node: dag.Atom) -> _GapBits:
        atom = self.explainer.bit(node)
        done = self.explainer.ev.truth(node) is True
        return _GapBits(0 if done else atom, atom)

    def cmp(self, node: dag.Cmp) -> _GapBits:
        return self._atom(node)

    def member(self, node: dag.Member) -> _GapBits:
        return self._atom(node)

    def has(self, node: dag.HasAtom) -> _GapBits:
        return self._atom(node)

    def known(self, node: dag.KnownAtom) -> _GapBits:
        return self._atom(node)

    def boolean(self, node: dag.Truth) -> _GapBits:
        return self._atom(node)

    def bool_const(self, node: dag.Const) -> _GapBits:
        return _GapBits(0 if node.value else None, 0)

    def named(self, node: dag.Named) -> _GapBits:
        return self._of(node.body)

    def all(self, node: dag.All) -> _GapBits:
        return _union([self._of(c) for c in node.items])

    def any(self, node: dag.AnyNode) -> _GapBits:
        return _cheapest([self._of(c) for c in node.items], 1)

    def at_least(self, node: dag.AtLeast) -> _GapBits:
        return _cheapest([self._of(c) for c in node.items], node.n)

    def case(self, node: dag.CaseCond) -> _GapBits:
        options = []
        for test, value in node.branches:
            options.append(_union([self._of(test), self._of(value)]))
            if self.explainer.ev.truth(test) is not False:
                break  # later branches are reachable only if this test turns false
        else:
            options.append(self._of(node.default))
        return _cheapest(options, 1)


def _union(choices: Iterable[_GapBits]) -> _GapBits:
    gap: int | None = 0
    path = 0
    for choice in choices:
        path |= choice.path
        if gap is None or choice.gap is None:
            gap = None
        else:
            gap |= choice.gap
    return _GapBits(gap, path)


def _cheapest(choices: list[_GapBits], n: int) -> _GapBits:
    possible = [c for c in choices if c.gap is not None]
    if len(possible) < n:
        path = 0
        for c in choices:
            path |= c.path
        return _GapBits(None, path)
    possible.sort(key=lambda c: ((c.gap or 0).bit_count(), -c.path.bit_count()))
    return _union(possible[:n])


def match_degree(choice: GapChoice) -> float:
    return degree(None if choice.gap is None else len(choice.gap), len(choice.path))


def degree(gap: int | None, path: int) -> float:
    """The match degree of a gap of ``gap`` atoms (None: impossible) on a path of ``path``."""
    if gap is None or not path:
        return 0.0 if gap is None else 1.0
    return round(1 - gap / path, 4)
