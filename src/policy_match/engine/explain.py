"""Why a record does or does not qualify: the outcome tree, missing tags, failed atoms, the
gap to eligibility and the match degree (rule-language §5).

The tree mirrors the normalized condition (``not`` already pushed into the atoms). The gap
is computed by dynamic programming over it: ``and`` unites its children's gaps, ``or``
takes the smallest, ``at least N`` the N smallest.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from ..dsl.display import date_zh, threshold_text, value_text, window_text
from ..dsl.ir import Verdict
from ..dsl.types import Kind, Type
from . import dag
from .scalar import ScalarEvaluator

Outcome = Literal["true", "false", "unknown"]
MARK = {"true": "✓", "false": "✗", "unknown": "?"}


def outcome_of(value: bool | None) -> Outcome:
    return "unknown" if value is None else ("true" if value else "false")


class AtomReport(BaseModel):
    """One test of the condition, with what was observed."""

    model_config = ConfigDict(frozen=True)

    id: int
    subject: str  # the tag, define or expression tested
    tags: list[str]  # the tags the test reads
    observed: str | None  # None: missing
    operator: str
    threshold: str
    outcome: Outcome
    text_zh: str
    text_en: str


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


# ---- operand text ---------------------------------------------------------------------------


def value_expr_text(node: dag.ValueNode) -> str:
    if isinstance(node, dag.VTag | dag.VDefine):
        return node.name
    if isinstance(node, dag.VConst):
        return node.text or threshold_text(node.value, node.type)
    if isinstance(node, dag.VToday):
        return "评估日"
    if isinstance(node, dag.VArith):
        return f"{_operand(node.left)} {node.op} {_operand(node.right)}"
    if isinstance(node, dag.VNeg):
        return f"-{_operand(node.operand)}"
    if isinstance(node, dag.VCall):
        return f"{node.func}({', '.join(value_expr_text(a) for a in node.args)})"
    return "分档值"


def _operand(node: dag.ValueNode) -> str:
    text = value_expr_text(node)
    return f"({text})" if isinstance(node, dag.VArith) else text


def tags_read(node: Any, defines: dict[str, Any], seen: set[str] | None = None) -> list[str]:
    """Every tag a node reads, through defines, in first-seen order."""
    seen = set() if seen is None else seen
    out: list[str] = []

    def visit(n: Any) -> None:
        if isinstance(n, dag.VTag):
            if n.name not in out:
                out.append(n.name)
        elif isinstance(n, dag.VDefine | dag.Named):
            name = n.name
            if name not in seen:
                seen.add(name)
                visit(defines[name] if isinstance(n, dag.VDefine) else n.body)
        elif isinstance(n, tuple):
            for item in n:
                visit(item)
        elif hasattr(n, "__dataclass_fields__"):
            for key in n.__dataclass_fields__:
                visit(getattr(n, key))

    visit(node)
    return out


_REQUIRE = {">=": "{t}以上", ">": "超过{t}", "<=": "{t}以下", "<": "不满{t}",
            "==": "为{t}", "!=": "不为{t}"}
_REQUIRE_DATE = {">=": "不早于{t}", ">": "晚于{t}", "<=": "不晚于{t}", "<": "早于{t}",
                 "==": "为{t}", "!=": "不为{t}"}
_EN_OP = {">=": "≥", ">": ">", "<=": "≤", "<": "<", "==": "=", "!=": "≠"}


class AtomDescriber:
    """The ✓/✗/? line of one atom, in Chinese and English."""

    def __init__(self, evaluator: ScalarEvaluator) -> None:
        self.ev = evaluator

    def report(self, atom: dag.Atom, atom_id: int) -> AtomReport:
        ev = self.ev
        outcome = outcome_of(ev.atom(atom))
        subject, observed, op, threshold, zh_true, zh_false = self._parts(atom)
        mark = MARK[outcome]
        shown = observed if observed is not None else "未知"
        if outcome == "unknown":
            zh = f"? {subject} 未知"
            if observed is not None:
                zh = f"? {subject} {observed}，无法判断（{threshold}）"
            elif not any(ev.record.get(t) is None for t in tags_read(atom, ev.graph.defines)):
                zh = f"? {subject} 无法计算（如除数为零）"
        elif outcome == "true":
            zh = f"✓ {subject} {shown}" + (f"，{zh_true}" if zh_true else "")
        else:
            zh = f"✗ {subject} {shown}，{zh_false}"
        en = (f"{mark} {subject} = {observed if observed is not None else 'missing'}; "
              f"required {op} {threshold}")
        return AtomReport(
            id=atom_id, subject=subject, tags=tags_read(atom, self.ev.graph.defines),
            observed=observed, operator=op, threshold=threshold, outcome=outcome,
            text_zh=zh, text_en=en)

    def _parts(self, atom: dag.Atom) -> tuple[str, str | None, str, str, str, str]:
        ev = self.ev
        if isinstance(atom, dag.KnownAtom):
            subject = value_expr_text(atom.operand)
            present = ev.value(atom.operand) is not None
            observed = "已提供" if present else None
            op = "unknown" if atom.negated else "known"
            want = "未提供" if atom.negated else "已提供"
            return subject, observed or "未提供", op, want, f"{want}", f"要求{want}"
        if isinstance(atom, dag.Cmp):
            t = _type_of(atom.left)
            subject = value_expr_text(atom.left)
            observed_value = ev.value(atom.left)
            limit = ev.value(atom.right)
            observed = None if observed_value is None else value_text(observed_value, t)
            limit_text = ("未知" if limit is None else threshold_text(limit, t))
            if not isinstance(atom.right, dag.VConst):
                limit_text += f"（{value_expr_text(atom.right)}）"
            words = _REQUIRE_DATE if t is not None and t.kind is Kind.DATE else _REQUIRE
            required = words[atom.op].format(t=limit_text)
            achieved = required
            if words is _REQUIRE:
                achieved = {">=": "达到", "<=": "在"}.get(atom.op, "") + required
            return subject, observed, _EN_OP[atom.op], limit_text, achieved, f"要求{required}"
        operand = ev.value(atom.operand)
        t = _type_of(atom.operand)
        subject = value_expr_text(atom.operand)
        observed = None if operand is None else value_text(operand, t)
        if isinstance(atom, dag.Truth):
            want = "否" if atom.negated else "是"
            return subject, observed, "is", want, "", f"要求为{want}"
        if isinstance(atom, dag.Member):
            listed = "、".join(self._option_text(atom.hierarchy, o) for o in atom.options)
            if atom.negated:
                return subject, observed, "not in", listed, f"不属于{listed}", f"要求不属于{listed}"
            return subject, observed, "in", listed, f"属于{listed}", f"要求属于{listed}"
        assert isinstance(atom, dag.HasAtom)
        listed = "、".join(atom.values)
        present = operand or frozenset()
        lacking = "、".join(v for v in atom.values if v not in present)
        if atom.negated:
            word = {"one": "不含", "any": "不含任一", "all": "不同时含"}[atom.mode]
            return (subject, observed, f"not has {atom.mode}", listed, f"{word} {listed}",
                    f"要求{word} {listed}")
        if atom.mode == "all":
            return subject, observed, "has all", listed, f"包含 {listed}", f"缺少 {lacking}"
        if atom.mode == "any":
            return (subject, observed, "has any", listed, f"包含 {listed} 之一",
                    f"不含 {listed} 中任一项")
        return subject, observed, "has", listed, f"包含 {listed}", f"不含 {listed}"


    def _option_text(self, hierarchy: str | None, option: str) -> str:
        if hierarchy is None:
            return option
        label = self.ev.vocab.hierarchies[hierarchy].label(option)
        return f"{label}（{option}）" if label else option


def _type_of(node: dag.ValueNode) -> Type | None:
    return getattr(node, "type", None)


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

    def report(self, atom: dag.Atom) -> AtomReport:
        if atom not in self._reports:
            self._reports[atom] = self.describer.report(atom, self.ids.get(atom, -1))
        return self._reports[atom]

    def tree(self, node: dag.BoolNode, open_path: bool = True) -> ExplainNode:
        """The outcome tree; ``open_path``: no ancestor is already true, so an unknown node
        here is data worth asking for (under a true ``or`` it would change nothing)."""
        outcome = outcome_of(self.ev.truth(node))
        needed = open_path and outcome == "unknown"
        open_path = open_path and outcome != "true"
        if dag.is_atom(node):
            report = self.report(node)  # type: ignore[arg-type]
            # unknown for lack of data (not, say, a division by zero): ask for the data
            needed = needed and bool(self.missing(node))
            return ExplainNode(kind="atom", label=report.subject, outcome=outcome,
                               needed=needed, atom=report)
        if isinstance(node, dag.Const):
            return ExplainNode(kind="const", label="恒成立" if node.value else "恒不成立",
                               label_en="always" if node.value else "never", outcome=outcome)
        if isinstance(node, dag.CaseCond):
            kids = self._case_tree(node, open_path)
        else:
            kids = [self.tree(c, open_path) for c in dag.children(node)]
        if isinstance(node, dag.Named):
            label = ("非 " if node.negated else "") + node.name
            return ExplainNode(kind="define", label=label,
                               label_en=("not " if node.negated else "") + node.name,
                               outcome=outcome, needed=needed, children=kids)
        kind, zh, en = {
            dag.All: ("all", "同时满足", "all of"),
            dag.AnyNode: ("any", "满足其一", "any of"),
            dag.CaseCond: ("case", "分情形", "by case"),
        }.get(type(node), ("at_least", "", ""))
        if isinstance(node, dag.AtLeast):
            zh, en = f"至少满足{node.n}项", f"at least {node.n} of"
        return ExplainNode(kind=kind, label=zh, label_en=en, outcome=outcome, needed=needed,
                           children=kids)

    def _case_tree(self, node: dag.CaseCond, open_path: bool) -> list[ExplainNode]:
        """Only the branches evaluation reached can be waiting for data."""
        kids: list[ExplainNode] = []
        reached = open_path
        for test, value in node.branches:
            decided = self.ev.truth(test)
            kids.append(self.tree(test, reached))
            kids.append(self.tree(value, reached and decided is True))
            reached = reached and decided is False
        kids.append(self.tree(node.default, reached))
        return kids

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
        tags: list[str] = []
        self._why_unknown(node, tags)
        return tags

    def _why_unknown(self, node: Any, tags: list[str]) -> None:
        ev = self.ev
        if isinstance(node, dag.VTag):
            if ev.record.get(node.name) is None and node.name not in tags:
                tags.append(node.name)
            return
        if isinstance(node, dag.VConst | dag.VToday):
            return
        if isinstance(node, dag.VDefine):
            self._why_unknown(ev.graph.defines[node.name], tags)
            return
        if isinstance(node, dag.VCond):
            self._why_unknown(node.cond, tags)
            return
        is_value = isinstance(node, dag.VArith | dag.VNeg | dag.VCall | dag.VCase)
        outcome = ev.value(node) if is_value else ev.truth(node)
        if outcome is not None:
            return
        if isinstance(node, dag.VCase | dag.CaseCond):
            for test, value in node.branches:
                decided = ev.truth(test)
                if decided is None:
                    self._why_unknown(test, tags)
                    return
                if decided:
                    self._why_unknown(value, tags)
                    return
            self._why_unknown(node.default, tags)
            return
        if isinstance(node, dag.VArith | dag.VNeg | dag.VCall):
            operands = (node.left, node.right) if isinstance(node, dag.VArith) else (
                (node.operand,) if isinstance(node, dag.VNeg) else node.args)
            for operand in operands:
                self._why_unknown(operand, tags)
            return
        if isinstance(node, dag.Cmp):
            self._why_unknown(node.left, tags)
            self._why_unknown(node.right, tags)
            return
        if isinstance(node, dag.Member | dag.HasAtom | dag.Truth | dag.KnownAtom):
            self._why_unknown(node.operand, tags)
            return
        for child in dag.children(node):
            self._why_unknown(child, tags)

    def benefit_missing(self, node: dag.ValueNode) -> list[str]:
        tags: list[str] = []
        self._why_unknown(node, tags)
        return tags

    def gap(self, node: dag.BoolNode) -> GapChoice:
        key = id(node)
        if key not in self._gaps:
            self._gaps[key] = self._gap(node)
        return self._gaps[key]

    def _gap(self, node: dag.BoolNode) -> GapChoice:
        if dag.is_atom(node):
            atom = frozenset({node})
            done = self.ev.truth(node) is True
            return GapChoice(frozenset() if done else atom, atom)  # type: ignore[arg-type]
        if isinstance(node, dag.Const):
            return GapChoice(frozenset() if node.value else None, frozenset())
        if isinstance(node, dag.Named):
            return self.gap(node.body)
        if isinstance(node, dag.All):
            return _union([self.gap(c) for c in node.items])
        if isinstance(node, dag.AnyNode):
            return _cheapest([self.gap(c) for c in node.items], 1)
        if isinstance(node, dag.AtLeast):
            return _cheapest([self.gap(c) for c in node.items], node.n)
        assert isinstance(node, dag.CaseCond)
        options = []
        for test, value in node.branches:
            options.append(_union([self.gap(test), self.gap(value)]))
            if self.ev.truth(test) is not False:
                break  # later branches are reachable only if this test turns false
        else:
            options.append(self.gap(node.default))
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
