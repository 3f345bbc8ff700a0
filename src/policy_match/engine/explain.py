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
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from policy_match.dsl.display import date_zh, window_text
from policy_match.dsl.ir import Verdict
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

GroupKind = Literal["all", "any", "at_least", "case", "define"]


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
            lines.append(("  差距：" if zh else "  gap: ") + ("；" if zh else "; ").join(
                a.text_zh if zh else a.text_en for a in self.gap))
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


@dataclass(frozen=True)
class GapChoice:
    """The cheapest way to make a node true: atoms to make true, and atoms on that path."""

    gap: frozenset[dag.Atom] | None  # None: impossible
    path: frozenset[dag.Atom]


class Explainer:
    def __init__(self, evaluator: ScalarEvaluator, atom_ids: dict[dag.Atom, int]) -> None:
        self.ev = evaluator
        self.ids = atom_ids
        self.describer = AtomDescriber(evaluator)
        self._reports: dict[dag.Atom, AtomReport] = {}
        self._gaps: dict[int, GapChoice] = {}
        self._gap_walk = _Gap(self)

    def report(self, atom: dag.Atom) -> AtomReport:
        if atom not in self._reports:
            self._reports[atom] = self.describer.report(atom, self.ids.get(atom, -1))
        return self._reports[atom]

    def tree(self, node: dag.BoolNode, open_path: bool = True) -> ExplainNode:
        """The outcome tree; ``open_path``: no ancestor is already true, so an unknown node
        here is data worth asking for (under a true ``or`` it would change nothing)."""
        return _OutcomeTree(self, node, open_path).visit_truth(node)

    def atoms_where(
        self, node: dag.BoolNode, skip: bool | None, want: bool | None
    ) -> list[dag.Atom]:
        """Atoms with outcome ``want`` under nodes whose outcome is not ``skip``."""
        found: list[dag.Atom] = []

        def visit(n: dag.BoolNode) -> None:
            outcome = self.ev.truth(n)
            if outcome is skip and skip is not None:
                return
            if dag.is_atom(n):
                if outcome is want and n not in found:
                    found.append(n)  # type: ignore[arg-type]
                return
            for child in dag.children(n):
                visit(child)

        visit(node)
        return found

    def missing(self, node: dag.BoolNode) -> list[str]:
        """Tags whose absence leaves ``node`` unknown, following only the paths evaluation
        took (a ``case`` branch not reached asks for nothing)."""
        walk = _MissingTags(self.ev)
        walk.visit_truth(node)
        return walk.tags

    def benefit_missing(self, node: dag.ValueNode) -> list[str]:
        walk = _MissingTags(self.ev)
        walk.visit_value(node)
        return walk.tags

    def gap(self, node: dag.BoolNode) -> GapChoice:
        key = id(node)
        if key not in self._gaps:
            self._gaps[key] = self._gap_walk.visit_truth(node)
        return self._gaps[key]


class _OutcomeTree(ConditionBackend[ExplainNode]):
    """The outcome tree of one node (its children get their own: their paths differ)."""

    def __init__(self, explainer: Explainer, node: dag.BoolNode, open_path: bool) -> None:
        self.explainer = explainer
        self.outcome = outcome_of(explainer.ev.truth(node))
        self.needed = open_path and self.outcome == "unknown"
        self.open_path = open_path and self.outcome != "true"  # for the children

    def _atom(self, node: dag.Atom) -> ExplainNode:
        report = self.explainer.report(node)
        # unknown for lack of data (not, say, a division by zero): ask for the data
        needed = self.needed and bool(self.explainer.missing(node))
        return ExplainNode(kind="atom", label=report.subject, outcome=self.outcome,
                           needed=needed, atom=report)

    def cmp(self, node: dag.Cmp) -> ExplainNode:
        return self._atom(node)

    def member(self, node: dag.Member) -> ExplainNode:
        return self._atom(node)

    def has(self, node: dag.HasAtom) -> ExplainNode:
        return self._atom(node)

    def known(self, node: dag.KnownAtom) -> ExplainNode:
        return self._atom(node)

    def boolean(self, node: dag.Truth) -> ExplainNode:
        return self._atom(node)

    def bool_const(self, node: dag.Const) -> ExplainNode:
        return ExplainNode(kind="const", label="恒成立" if node.value else "恒不成立",
                           label_en="always" if node.value else "never", outcome=self.outcome)

    def _group(self, node: dag.BoolNode, kind: GroupKind, zh: str, en: str,
               kids: list[ExplainNode] | None = None) -> ExplainNode:
        if kids is None:
            kids = [self.explainer.tree(c, self.open_path) for c in dag.children(node)]
        return ExplainNode(kind=kind, label=zh, label_en=en, outcome=self.outcome,
                           needed=self.needed, children=kids)

    def all(self, node: dag.All) -> ExplainNode:
        return self._group(node, "all", "同时满足", "all of")

    def any(self, node: dag.AnyNode) -> ExplainNode:
        return self._group(node, "any", "满足其一", "any of")

    def at_least(self, node: dag.AtLeast) -> ExplainNode:
        return self._group(node, "at_least", f"至少满足{node.n}项", f"at least {node.n} of")

    def named(self, node: dag.Named) -> ExplainNode:
        return self._group(node, "define", ("非 " if node.negated else "") + node.name,
                           ("not " if node.negated else "") + node.name)

    def case(self, node: dag.CaseCond) -> ExplainNode:
        """Only the branches evaluation reached can be waiting for data."""
        tree, truth = self.explainer.tree, self.explainer.ev.truth
        kids: list[ExplainNode] = []
        reached = self.open_path
        for test, value in node.branches:
            decided = truth(test)
            kids.append(tree(test, reached))
            kids.append(tree(value, reached and decided is True))
            reached = reached and decided is False
        kids.append(tree(node.default, reached))
        return self._group(node, "case", "分情形", "by case", kids)


class _MissingTags(Backend[None, None]):
    """Collects, in ``tags``, the missing tags a node's unknown outcome comes from."""

    def __init__(self, evaluator: ScalarEvaluator) -> None:
        self.ev = evaluator
        self.tags: list[str] = []

    def tag(self, node: dag.VTag) -> None:
        if self.ev.record.get(node.name) is None and node.name not in self.tags:
            self.tags.append(node.name)

    def const(self, node: dag.VConst) -> None:
        return None

    def today(self, node: dag.VToday) -> None:
        return None

    def define(self, node: dag.VDefine) -> None:
        self._visit(self.ev.graph.defines[node.name])

    def cond_value(self, node: dag.VCond) -> None:
        self.visit_truth(node.cond)

    def _values(self, node: dag.ValueNode, *operands: dag.ValueNode) -> None:
        if self.ev.value(node) is None:
            for operand in operands:
                self.visit_value(operand)

    def arith(self, node: dag.VArith) -> None:
        self._values(node, node.left, node.right)

    def neg(self, node: dag.VNeg) -> None:
        self._values(node, node.operand)

    def call(self, node: dag.VCall) -> None:
        self._values(node, *node.args)

    def value_case(self, node: dag.VCase) -> None:
        if self.ev.value(node) is None:
            self._first_open_branch(node.branches, node.default)

    def case(self, node: dag.CaseCond) -> None:
        if self.ev.truth(node) is None:
            self._first_open_branch(node.branches, node.default)

    def _first_open_branch(self, branches: tuple[tuple[dag.BoolNode, Any], ...],
                           default: Any) -> None:
        """A case waits for its first test that is not false, or for the branch taken."""
        for test, value in branches:
            decided = self.ev.truth(test)
            if decided is None:
                self.visit_truth(test)
                return
            if decided:
                self._visit(value)
                return
        self._visit(default)

    def _visit(self, node: Any) -> None:
        if type(node) in VALUE_METHODS:
            self.visit_value(node)
        else:
            self.visit_truth(node)

    def _operand(self, node: dag.Member | dag.HasAtom | dag.Truth | dag.KnownAtom) -> None:
        if self.ev.truth(node) is None:
            self.visit_value(node.operand)

    def cmp(self, node: dag.Cmp) -> None:
        if self.ev.truth(node) is None:
            self.visit_value(node.left)
            self.visit_value(node.right)

    def member(self, node: dag.Member) -> None:
        self._operand(node)

    def has(self, node: dag.HasAtom) -> None:
        self._operand(node)

    def boolean(self, node: dag.Truth) -> None:
        self._operand(node)

    def known(self, node: dag.KnownAtom) -> None:
        self._operand(node)

    def _children(self, node: dag.BoolNode) -> None:
        if self.ev.truth(node) is None:
            for child in dag.children(node):
                self.visit_truth(child)

    def bool_const(self, node: dag.Const) -> None:
        return None  # never unknown

    def all(self, node: dag.All) -> None:
        self._children(node)

    def any(self, node: dag.AnyNode) -> None:
        self._children(node)

    def at_least(self, node: dag.AtLeast) -> None:
        self._children(node)

    def named(self, node: dag.Named) -> None:
        self._children(node)


class _Gap(ConditionBackend[GapChoice]):
    """The cheapest way to make each node true (memoized by :meth:`Explainer.gap`)."""

    def __init__(self, explainer: Explainer) -> None:
        self.explainer = explainer

    def _atom(self, node: dag.Atom) -> GapChoice:
        atom = frozenset({node})
        done = self.explainer.ev.truth(node) is True
        return GapChoice(frozenset() if done else atom, atom)

    def cmp(self, node: dag.Cmp) -> GapChoice:
        return self._atom(node)

    def member(self, node: dag.Member) -> GapChoice:
        return self._atom(node)

    def has(self, node: dag.HasAtom) -> GapChoice:
        return self._atom(node)

    def known(self, node: dag.KnownAtom) -> GapChoice:
        return self._atom(node)

    def boolean(self, node: dag.Truth) -> GapChoice:
        return self._atom(node)

    def bool_const(self, node: dag.Const) -> GapChoice:
        return GapChoice(frozenset() if node.value else None, frozenset())

    def named(self, node: dag.Named) -> GapChoice:
        return self.explainer.gap(node.body)

    def all(self, node: dag.All) -> GapChoice:
        return _union([self.explainer.gap(c) for c in node.items])

    def any(self, node: dag.AnyNode) -> GapChoice:
        return _cheapest([self.explainer.gap(c) for c in node.items], 1)

    def at_least(self, node: dag.AtLeast) -> GapChoice:
        return _cheapest([self.explainer.gap(c) for c in node.items], node.n)

    def case(self, node: dag.CaseCond) -> GapChoice:
        gap = self.explainer.gap
        options = []
        for test, value in node.branches:
            options.append(_union([gap(test), gap(value)]))
            if self.explainer.ev.truth(test) is not False:
                break  # later branches are reachable only if this test turns false
        else:
            options.append(gap(node.default))
        return _cheapest(options, 1)


def _union(choices: Iterable[GapChoice]) -> GapChoice:
    gap: frozenset[dag.Atom] | None = frozenset()
    path: frozenset[dag.Atom] = frozenset()
    for choice in choices:
        path |= choice.path
        if gap is None or choice.gap is None:
            gap = None
        else:
            gap |= choice.gap
    return GapChoice(gap, path)


def _cheapest(choices: list[GapChoice], n: int) -> GapChoice:
    possible = [c for c in choices if c.gap is not None]
    if len(possible) < n:
        return GapChoice(None, frozenset().union(*(c.path for c in choices)))
    possible.sort(key=lambda c: (len(c.gap or ()), -len(c.path)))
    return _union(possible[:n])


def match_degree(choice: GapChoice) -> float:
    if choice.gap is None or not choice.path:
        return 0.0 if choice.gap is None else 1.0
    return round(1 - len(choice.gap) / len(choice.path), 4)
