"""Conditions in plain, formal language for the 清单 and 一表读懂 (rule-language §10).

Comparison words follow 《民法典》第一千二百五十九条: 以上/以下 include the number, 超过/不满
exclude it. The text mirrors the rule as written (the typed IR, before normalization), so
a reader recognises the policy's own structure.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from fractions import Fraction

from policy_match.core.compiled import CompiledBook
from policy_match.dsl import ir
from policy_match.dsl.display import amount_text, chinese_number, date_zh, window_text
from policy_match.dsl.types import MONEY, Kind, Type
from policy_match.dsl.values import Duration
from policy_match.dsl.words import clauses

ZH_WORDS = {">=": "{l}{t}以上", ">": "{l}超过{t}", "<=": "{l}{t}以下", "<": "{l}不满{t}",
            "==": "{l}为{t}", "!=": "{l}不为{t}"}
ZH_DATE_WORDS = {">=": "{l}不早于{t}", ">": "{l}晚于{t}", "<=": "{l}不晚于{t}",
                 "<": "{l}早于{t}", "==": "{l}为{t}", "!=": "{l}不为{t}"}
EN_DATE_WORDS = {">=": "{l} on or after {t}", ">": "{l} after {t}", "<=": "{l} on or before {t}",
                 "<": "{l} before {t}", "==": "{l} on {t}", "!=": "{l} not on {t}"}
EN_WORDS = {">=": "{l} at least {t}", ">": "{l} more than {t}", "<=": "{l} at most {t}",
            "<": "{l} less than {t}", "==": "{l} is {t}", "!=": "{l} is not {t}"}
MIRROR = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "==": "==", "!=": "!="}


def _item_marker(depth: int, index: int) -> str:
    if depth == 0:
        return f"（{chinese_number(index)}）"
    if depth == 1:
        return f"{index}."
    return f"（{index}）"


def _item_marker_en(depth: int, index: int) -> str:
    return f"({index}) " if depth == 0 else f"({chr(ord('a') + (index - 1) % 26)}) "


class Describer:
    def __init__(self, book: CompiledBook, lang: str = "zh") -> None:
        self.book = book
        self.zh = lang == "zh"
        self.used_defines: list[str] = []

    # ---- values ------------------------------------------------------------------------

    def constant(self, value: object, t: Type | None) -> str:
        if isinstance(value, Fraction):
            return amount_text(value, t, statutory=True, default_unit="个" if self.zh else "")
        if isinstance(value, Duration):
            return str(value)
        if isinstance(value, bool):
            return ("是" if value else "否") if self.zh else str(value).lower()
        if isinstance(value, dt.date):
            return date_zh(value) if self.zh else value.isoformat()
        return str(value)

    def value(self, e: ir.Expr, context: Type | None = None) -> str:
        if isinstance(e, ir.Const):
            return self.constant(e.value, context if e.type.kind is Kind.NUMBER and context
                                 else e.type)
        if isinstance(e, ir.TagRef):
            return e.name
        if isinstance(e, ir.DefineRef):
            self._use(e.name)
            return e.name
        if isinstance(e, ir.TodayRef):
            return "评估日" if self.zh else "the evaluation date"
        if isinstance(e, ir.Arith):
            return self._arith(e)
        if isinstance(e, ir.Neg):
            return f"-{self.value(e.operand)}"
        if isinstance(e, ir.Call):
            return self._call(e)
        if isinstance(e, ir.Case):
            return self._case(e, lambda v: self.value(v, context or e.type))
        return self.condition(e)

    def _branch(self, branch: Callable[[ir.Expr], str], value: ir.Expr) -> str:
        """A case inside a case is bracketed, so whose 其他情形 is whose stays clear."""
        text = branch(value)
        if isinstance(value, ir.Case):
            return f"（{text}）" if self.zh else f"({text})"
        return text

    def operand(self, e: ir.Expr, context: Type | None, parent: str = "") -> str:
        """A value inside arithmetic: compound ones are bracketed so the reading is single
        (except a left operand of the same precedence: x加y加z reads as it computes)."""
        text = self.value(e, context)
        same_level = (isinstance(e, ir.Arith) and parent
                      and (e.op in "+-") == (parent in "+-"))
        if isinstance(e, ir.Call | ir.Case | ir.Arith) and not same_level:
            return f"（{text}）" if self.zh else f"({text})"
        return text

    def _arith(self, e: ir.Arith) -> str:
        a, b = self.operand(e.left, e.type, e.op), self.operand(e.right, e.type)
        if not self.zh:
            return f"{a} {e.op} {b}"
        if e.op == "/":
            return f"{a}占{b}的比例" if e.type.kind is Kind.NUMBER else f"{a}除以{b}"
        if e.op == "*" and e.right.type.kind is Kind.RATIO:
            return f"{a}的{b}"
        if isinstance(e.left, ir.TodayRef) and isinstance(e.right, ir.Const):
            return f"评估日{'前' if e.op == '-' else '后'}{b}"
        return f"{a}{ {'+': '加', '-': '减', '*': '乘以'}[e.op]}{b}"

    def _call(self, e: ir.Call) -> str:
        args = [self.operand(a, e.type) for a in e.args]
        consts = [a for a in e.args if isinstance(a, ir.Const)]
        if self.zh and e.func == "min" and len(e.args) == 2 and len(consts) == 1:
            other = next(a for a in e.args if not isinstance(a, ir.Const))
            return f"{self.value(other, e.type)}，最高不超过{self.value(consts[0], e.type)}"
        if self.zh and e.func == "max" and len(e.args) == 2 and len(consts) == 1:
            other = next(a for a in e.args if not isinstance(a, ir.Const))
            return f"{self.value(other, e.type)}，最低不少于{self.value(consts[0], e.type)}"
        if self.zh and e.func in ("min", "max"):
            return f"{'、'.join(args)}中{'较低' if e.func == 'min' else '较高'}者"
        return f"{e.func}({', '.join(args)})"

    def _case(self, e: ir.Case, branch: Callable[[ir.Expr], str], depth: int = 0) -> str:
        parts = []
        for test, value in e.branches:
            cond = self.condition(test, depth + 1)
            parts.append(f"{cond}的，{self._branch(branch, value)}" if self.zh
                         else f"if {cond}: {self._branch(branch, value)}")
        parts.append(f"其他情形，{self._branch(branch, e.default)}" if self.zh
                     else f"otherwise: {self._branch(branch, e.default)}")
        return clauses(parts, "zh" if self.zh else "en")

    # ---- conditions --------------------------------------------------------------------

    def condition(self, e: ir.Expr, depth: int = 0) -> str:
        if isinstance(e, ir.Compare):
            return self._compare(e)
        if isinstance(e, ir.Member):
            return self._member(e)
        if isinstance(e, ir.Has):
            return self._has(e)
        if isinstance(e, ir.Known):
            name = e.ref.name
            return f"已提供{name}" if self.zh else f"{name} is known"
        if isinstance(e, ir.Not):
            return self._not(e, depth)
        if isinstance(e, ir.TagRef):
            return f"为{e.name}" if self.zh else f"{e.name} is true"
        if isinstance(e, ir.DefineRef):
            self._use(e.name)
            return f"属于{e.name}" if self.zh else f"is {e.name}"
        if isinstance(e, ir.Const):
            return ("无条件" if e.value else "不适用") if self.zh else str(e.value).lower()
        if isinstance(e, ir.And):
            return self._joined(e.items, depth, e.listed or len(e.items) > 2,
                                "同时满足下列条件：", "，且", "all of the following: ", " and ")
        if isinstance(e, ir.Or):
            return self._joined(e.items, depth, e.listed or len(e.items) > 2,
                                "满足下列条件之一：", "，或者", "any of the following: ", " or ")
        if isinstance(e, ir.AtLeast):
            head = (f"至少满足下列条件中的{e.n}项：" if self.zh
                    else f"at least {e.n} of the following: ")
            return self._joined(e.items, depth, True, head, "", head, "")
        if isinstance(e, ir.Case):
            lead = "按下列情形分别适用：" if self.zh else "by case: "
            return lead + self._case(e, lambda v: self.condition(v, depth + 1), depth)
        if isinstance(e, ir.Call):
            return self._call(e)
        return self.value(e)

    def _joined(self, items: tuple[ir.Expr, ...], depth: int, listed: bool, zh_head: str,
                zh_sep: str, en_head: str, en_sep: str) -> str:
        if not listed:
            parts = [self._nested(i, depth) for i in items]
            return (zh_sep if self.zh else en_sep).join(parts)
        marker = _item_marker if self.zh else _item_marker_en
        parts = [f"{marker(depth, n)}{self.condition(i, depth + 1)}"
                 for n, i in enumerate(items, start=1)]
        return (zh_head if self.zh else en_head) + clauses(parts, "zh" if self.zh else "en")

    def _nested(self, e: ir.Expr, depth: int) -> str:
        """An inline and/or inside another inline one is bracketed: a或（b且c）."""
        text = self.condition(e, depth)
        if isinstance(e, ir.And | ir.Or) and not e.listed and len(e.items) <= 2:
            return f"（{text}）" if self.zh else f"({text})"
        return text

    def _not(self, e: ir.Not, depth: int) -> str:
        inner = e.operand
        if isinstance(inner, ir.TagRef):
            return f"非{inner.name}" if self.zh else f"not {inner.name}"
        if isinstance(inner, ir.DefineRef):
            self._use(inner.name)
            return f"不属于{inner.name}" if self.zh else f"is not {inner.name}"
        if isinstance(inner, ir.Known):
            return f"未提供{inner.ref.name}" if self.zh else f"{inner.ref.name} is unknown"
        text = self.condition(inner, depth + 1)
        return f"不符合“{text}”" if self.zh else f"not ({text})"

    def _compare(self, e: ir.Compare) -> str:
        left, right, op = e.left, e.right, e.op
        if isinstance(left, ir.Const) and not isinstance(right, ir.Const):
            left, right, op = right, left, MIRROR[op]
        t = left.type
        if self.zh and t.kind is Kind.DATE and _is_today_minus(right):
            assert isinstance(right, ir.Arith)
            span = self.constant(right.right.value, right.right.type)  # type: ignore[union-attr]
            words = {"<=": "已满{d}", "<": "超过{d}", ">": "不满{d}", ">=": "在{d}以内"}
            if op in words:
                return f"{self.value(left)}距评估日{words[op].format(d=span)}"
        dated = t.kind is Kind.DATE
        words_table = ((ZH_DATE_WORDS if dated else ZH_WORDS) if self.zh
                       else (EN_DATE_WORDS if dated else EN_WORDS))
        limit = self.operand(right, t) if isinstance(right, ir.Case | ir.Call) else \
            self.value(right, t)
        return words_table[op].format(l=self.value(left), t=limit)

    def _member(self, e: ir.Member) -> str:
        subject = self.value(e.operand)
        names = [self._code_name(o, e.hierarchy) for o in e.options]
        if not self.zh:
            return f"{subject} {'not ' if e.negated else ''}in {', '.join(names)}"
        if e.hierarchy is not None:
            return f"{subject}{'不' if e.negated else ''}属于{'、'.join(names)}"
        joined = "、".join(names)
        if not e.negated and len(names) > 1:
            joined = "、".join(names[:-1]) + "或" + names[-1]
        return f"{subject}{'不为' if e.negated else '为'}{joined}"

    def _code_name(self, code: str, hierarchy: str | None) -> str:
        if hierarchy is None:
            return code
        label = self.book.vocabulary.hierarchies[hierarchy].label(code)
        # quoted: a name such as 电力、热力、燃气及水生产和供应业 holds the list separator
        if not label:
            return code
        if not self.zh:
            return f"{code} ({label})"  # the standard's names are Chinese only
        return f"“{label}”（{code}）" if "、" in label else f"{label}（{code}）"

    def _has(self, e: ir.Has) -> str:
        subject = self.value(e.operand)
        quoted = [f"“{v}”" if self.zh else f'"{v}"' for v in e.values]
        if not self.zh:
            mode = "" if e.mode == "one" else f" {e.mode}"
            return f"{subject} has{mode} {', '.join(quoted)}"
        if e.mode == "all":
            return f"{subject}同时包含{''.join(quoted)}"
        if e.mode == "any":
            return f"{subject}包含{''.join(quoted)}之一" if len(quoted) > 1 else \
                f"{subject}包含{quoted[0]}"
        return f"{subject}包含{quoted[0]}"

    def _use(self, name: str) -> None:
        if name not in self.used_defines:
            self.used_defines.append(name)


def _is_today_minus(e: ir.Expr) -> bool:
    return (isinstance(e, ir.Arith) and e.op == "-" and isinstance(e.left, ir.TodayRef)
            and isinstance(e.right, ir.Const) and isinstance(e.right.value, Duration))


def describe_condition(book: CompiledBook, expr: ir.Expr, lang: str = "zh") -> str:
    return Describer(book, lang).condition(expr)


def describe_policy(book: CompiledBook, policy: ir.Policy, lang: str = "zh") -> str:
    d = Describer(book, lang)
    zh = d.zh
    lines = [f"{policy.name}（{policy.id}）" if zh else f"{policy.name} ({policy.id})"]
    if policy.valid_from or policy.valid_to:
        window = window_text(policy.valid_from, policy.valid_to, lang)
        lines.append(f"适用时间：{window}" if zh else f"Valid: {window}")
    stop = "。" if zh else "."
    lines.append(("申请条件：" if zh else "Conditions: ") + d.condition(policy.eligible) + stop)
    if policy.benefit is not None:
        amount = d.value(policy.benefit, MONEY)
        lines.append(("兑付标准：" if zh else "Benefit: ") + amount + stop)
    done: set[str] = set()
    while len(done) < len(d.used_defines):
        name = next(n for n in d.used_defines if n not in done)
        done.add(name)
        define = book.defines[name]
        text = (d.condition(define.expr) if define.type.kind is Kind.BOOL
                else d.value(define.expr))
        lines.append(f"其中，{name}是指：{text}。" if zh else f"where {name} means: {text}.")
    return "\n".join(lines)
