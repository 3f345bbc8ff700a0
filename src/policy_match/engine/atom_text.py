"""One atom of a condition in words: the text of its operand, what was observed, and its
✓/✗/? line in Chinese and English (the atom lines of an explanation, rule-language §5).

The text of a value (:class:`_ExpressionText`) and the line of an atom
(:class:`AtomDescriber`) are backends of ``engine/backend.py``: a new node kind cannot be
left without words.
"""

from __future__ import annotations

import weakref
from typing import Any, Literal, NamedTuple

from pydantic import BaseModel, ConfigDict

from policy_match.dsl.display import threshold_text, value_text
from policy_match.dsl.types import Kind, Type
from policy_match.engine import dag
from policy_match.engine.backend import AtomBackend, ValueBackend
from policy_match.engine.scalar import ScalarEvaluator
from policy_match.engine.walk import post_order, pre_order

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


# ---- operand text ---------------------------------------------------------------------------


class _ExpressionText(ValueBackend[str]):
    """How a value reads in an atom's line: ``研发费用 / 营业收入``. Operands are read from
    ``texts`` (:func:`value_expr_text` fills it children first: no recursion)."""

    def __init__(self, texts: dict[int, str] | None = None) -> None:
        self.texts = {} if texts is None else texts

    def _text(self, node: dag.ValueNode) -> str:
        found = self.texts.get(id(node))
        return found if found is not None else value_expr_text(node)

    def _operand(self, node: dag.ValueNode) -> str:
        text = self._text(node)
        return f"({text})" if isinstance(node, dag.VArith) else text

    def tag(self, node: dag.VTag) -> str:
        return node.name

    def define(self, node: dag.VDefine) -> str:
        return node.name

    def const(self, node: dag.VConst) -> str:
        return node.text or threshold_text(node.value, node.type)

    def today(self, node: dag.VToday) -> str:
        return "评估日"

    def arith(self, node: dag.VArith) -> str:
        return f"{self._operand(node.left)} {node.op} {self._operand(node.right)}"

    def neg(self, node: dag.VNeg) -> str:
        return f"-{self._operand(node.operand)}"

    def call(self, node: dag.VCall) -> str:
        return f"{node.func}({', '.join(self._text(a) for a in node.args)})"

    def value_case(self, node: dag.VCase) -> str:
        return "分档值"

    def cond_value(self, node: dag.VCond) -> str:
        return "分档值"


def _spelled_operands(node: Any) -> tuple[Any, ...]:
    """The operands whose text is part of a value's text (a define is its name)."""
    if type(node) is dag.VArith:
        return (node.left, node.right)
    if type(node) is dag.VNeg:
        return (node.operand,)
    if type(node) is dag.VCall:
        return node.args
    return ()


def value_expr_text(node: dag.ValueNode) -> str:
    texts: dict[int, str] = {}
    spell = _ExpressionText(texts)
    for item in post_order(node, _spelled_operands):
        texts[id(item)] = spell.visit_value(item)
    return texts[id(node)]


def tags_read(node: Any, defines: dict[str, Any], seen: set[str] | None = None) -> list[str]:
    """Every tag a node reads, through defines, in first-seen order (each node once, with
    a stack: a long chain of defines is walked, not recursed into)."""
    seen = set() if seen is None else seen

    def below(n: Any) -> tuple[Any, ...]:
        if isinstance(n, dag.VDefine | dag.Named):
            key = f"{type(n).__name__}:{n.name}"  # a VDefine leads to its Named: not a repeat
            if key in seen:
                return ()
            seen.add(key)
        return dag.successors(n, defines)

    out: dict[str, None] = {}
    for n in pre_order((node,), below):
        if type(n) is dag.VTag:
            out.setdefault(n.name)
    return list(out)


_REQUIRE = {">=": "{t}以上", ">": "超过{t}", "<=": "{t}以下", "<": "不满{t}",
            "==": "为{t}", "!=": "不为{t}"}
_REQUIRE_DATE = {">=": "不早于{t}", ">": "晚于{t}", "<=": "不晚于{t}", "<": "早于{t}",
                 "==": "为{t}", "!=": "不为{t}"}
_EN_OP = {">=": "≥", ">": ">", "<=": "≤", "<": "<", "==": "=", "!=": "≠"}


_Parts = tuple[str, str | None, str, str, str, str]
"""subject, observed (None: missing), operator, threshold, text when met, text when not"""


class _Words(NamedTuple):
    """What an atom's line says whatever the record: the tags it reads, its operand's text,
    the text of a computed limit and the options it lists (from the rulebook alone)."""

    tags: tuple[str, ...]
    subject: str
    limit: str  # a cmp's right side when not a constant ("" otherwise)
    listed: str  # a member's or has's options ("" otherwise)


# Per atom, with the defines and vocabulary its words were read through (a structurally
# equal atom of another rulebook shares the entry: checked by identity). Weak: an atom's
# words go with its rulebook. Writing them afresh for every line was a fifth of the cost of
# an explanation.
_WORDS: weakref.WeakKeyDictionary[Any, tuple[Any, Any, _Words]] = weakref.WeakKeyDictionary()


class AtomDescriber(AtomBackend[_Parts]):
    """The ✓/✗/? line of one atom, in Chinese and English."""

    def __init__(self, evaluator: ScalarEvaluator) -> None:
        self.ev = evaluator

    def words(self, atom: dag.Atom) -> _Words:
        """The atom's :class:`_Words`, written once per atom and rulebook."""
        defines, vocab = self.ev.graph.defines, self.ev.vocab
        found = _WORDS.get(atom)
        if found is not None and found[0] is defines and found[1] is vocab:
            return found[2]
        words = self._write_words(atom)
        _WORDS[atom] = (defines, vocab, words)
        return words

    def _write_words(self, atom: dag.Atom) -> _Words:
        limit = listed = ""
        if type(atom) is dag.Cmp:
            subject = value_expr_text(atom.left)
            if not isinstance(atom.right, dag.VConst):
                limit = f"（{value_expr_text(atom.right)}）"
        else:
            subject = value_expr_text(atom.operand)  # type: ignore[union-attr]
        if type(atom) is dag.Member:
            listed = "、".join(self._option_text(atom.hierarchy, o) for o in atom.options)
        elif type(atom) is dag.HasAtom:
            listed = "、".join(atom.values)
        return _Words(tuple(tags_read(atom, self.ev.graph.defines)), subject, limit, listed)

    def report(self, atom: dag.Atom, atom_id: int) -> AtomReport:
        ev = self.ev
        outcome = outcome_of(ev.atom(atom))
        subject, observed, op, threshold, zh_true, zh_false = self.visit_truth(atom)
        mark = MARK[outcome]
        shown = observed if observed is not None else "未知"
        tags = list(self.words(atom).tags)
        if outcome == "unknown":
            zh = f"? {subject} 未知"
            if observed is not None:
                zh = f"? {subject} {observed}，无法判断（{threshold}）"
            elif not any(ev.record.get(t) is None for t in tags):
                zh = f"? {subject} 无法计算（如除数为零）"
        elif outcome == "true":
            zh = f"✓ {subject} {shown}" + (f"，{zh_true}" if zh_true else "")
        else:
            zh = f"✗ {subject} {shown}，{zh_false}"
        en = (f"{mark} {subject} = {observed if observed is not None else 'missing'}; "
              f"required {op} {threshold}")
        return AtomReport(
            id=atom_id, subject=subject, tags=tags,
            observed=observed, operator=op, threshold=threshold, outcome=outcome,
            text_zh=zh, text_en=en)

    def known(self, atom: dag.KnownAtom) -> _Parts:
        subject = self.words(atom).subject
        present = self.ev.value(atom.operand) is not None
        observed = "已提供" if present else None
        op = "unknown" if atom.negated else "known"
        want = "未提供" if atom.negated else "已提供"
        return subject, observed or "未提供", op, want, f"{want}", f"要求{want}"

    def cmp(self, atom: dag.Cmp) -> _Parts:
        ev = self.ev
        t = _type_of(atom.left)
        words = self.words(atom)
        observed_value = ev.value(atom.left)
        limit = ev.value(atom.right)
        observed = None if observed_value is None else value_text(observed_value, t)
        limit_text = ("未知" if limit is None else threshold_text(limit, t)) + words.limit
        wording = _REQUIRE_DATE if t is not None and t.kind is Kind.DATE else _REQUIRE
        required = wording[atom.op].format(t=limit_text)
        achieved = required
        if wording is _REQUIRE:
            achieved = {">=": "达到", "<=": "在"}.get(atom.op, "") + required
        return words.subject, observed, _EN_OP[atom.op], limit_text, achieved, f"要求{required}"

    def _operand_parts(self, atom: dag.Truth | dag.Member | dag.HasAtom
                       ) -> tuple[Any, str, str | None]:
        """The operand's value, its text, and the value as shown (None: missing)."""
        operand = self.ev.value(atom.operand)
        t = _type_of(atom.operand)
        observed = None if operand is None else value_text(operand, t)
        if observed is not None and t is not None and t.hierarchy is not None:
            label = self.ev.vocab.hierarchies[t.hierarchy].label(str(operand))
            observed = f"{observed}（{label}）" if label else observed  # C3911（计算机整机制造）
        return operand, self.words(atom).subject, observed

    def boolean(self, atom: dag.Truth) -> _Parts:
        _, subject, observed = self._operand_parts(atom)
        want = "否" if atom.negated else "是"
        return subject, observed, "is", want, "", f"要求为{want}"

    def member(self, atom: dag.Member) -> _Parts:
        _, subject, observed = self._operand_parts(atom)
        listed = self.words(atom).listed
        if atom.negated:
            return subject, observed, "not in", listed, f"不属于{listed}", f"要求不属于{listed}"
        return subject, observed, "in", listed, f"属于{listed}", f"要求属于{listed}"

    def has(self, atom: dag.HasAtom) -> _Parts:
        operand, subject, observed = self._operand_parts(atom)
        listed = self.words(atom).listed
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
