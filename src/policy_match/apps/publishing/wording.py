"""Words for the public: what an enterprise reads on a 一表读懂 page, without engine words.

The plain-language conditions (:mod:`policy_match.core.describe`) are written for the
departments and the 清单; a rule that counts from the day it is evaluated reads there as
"评估日" (the evaluation date), a word of the engine. A page for enterprises says instead
the day that counts for them: the day they apply (申请之日), or for a 免申即享 item, which
nobody applies for, the day the department checks (审核之日).

A 兑付标准 with tiers (``case``: "营业收入1亿元以上的，30万元；…；其他情形，10万元") is long
as one sentence; :func:`tier_table` turns its first tiered part into a table of 情形 and
标准, and the sentence around it refers to the table.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from policy_match.apps.publishing.listing import definition_lines
from policy_match.base.messages import text
from policy_match.core.describe import Describer
from policy_match.dsl import ir
from policy_match.dsl.types import MONEY, Kind, Type

if TYPE_CHECKING:
    from policy_match.core.rulebook import Rulebook

ENGINE_TODAY = "评估日"
"""The engine's word for the day a rule is evaluated (core.describe)."""


def today_word(policy: ir.Policy) -> str:
    """The day that counts, in the public's words: 申请之日, or 审核之日 (免申即享)."""
    return text("pages.sheet.today_auto" if policy.no_application else "pages.sheet.today_apply")


def public(line: str, policy: ir.Policy) -> str:
    """A line of the describer with the engine's date word replaced by the public's."""
    return line.replace(ENGINE_TODAY, today_word(policy))


_MARK = re.compile(r"^[✓✗?]\s*")
_SHIFTED_TODAY = re.compile(ENGINE_TODAY + r" ([-+]) ([^\s）)，,；;]+)")


def public_gap(line: str, policy: ir.Policy) -> str:
    """A condition an enterprise misses (an explanation's ✗ line) in the public's words:
    no mark, and "评估日 - 1年" as "申请之日前1年"
    ("✗ 入规日期 2025年3月1日，要求不晚于2024年6月30日（申请之日前1年）")."""
    line = _MARK.sub("", line)
    day = today_word(policy)
    line = _SHIFTED_TODAY.sub(lambda m: f"{day}{'前' if m[1] == '-' else '后'}{m[2]}", line)
    return public(line, policy)


# ---- tiers ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class TierTable:
    """A 兑付标准 whose tiers are a table: the sentence (referring to the table), then one
    row per tier, 情形 and 标准, the last one 其他情形; then the labels it uses explained."""

    lead: str
    rows: tuple[tuple[str, str], ...]
    definitions: tuple[str, ...]


def first_case(e: ir.Expr) -> ir.Case | None:
    """The outermost ``case`` of an amount, looking through arithmetic and calls."""
    if isinstance(e, ir.Case):
        return e
    children: tuple[ir.Expr, ...] = ()
    if isinstance(e, ir.Arith):
        children = (e.left, e.right)
    elif isinstance(e, ir.Call):
        children = e.args
    elif isinstance(e, ir.Neg):
        children = (e.operand,)
    for child in children:
        found = first_case(child)
        if found is not None:
            return found
    return None


class _TableDescriber(Describer):
    """Describes an amount with one ``case`` replaced by a reference to the table."""

    def __init__(self, book: Rulebook, case: ir.Case, placeholder: str) -> None:
        super().__init__(book, "zh")
        self.case = case
        self.placeholder = placeholder
        self.case_context: Type | None = None  # the type the sentence reads the tiers as

    def value(self, e: ir.Expr, context: Type | None = None) -> str:
        if e is self.case:
            self.case_context = context
            return self.placeholder
        return super().value(e, context)


def _placeholder(case: ir.Case) -> str:
    kind = case.type.kind
    if kind is Kind.RATIO:
        return text("pages.sheet.tier_ratio")
    if kind is Kind.MONEY:
        return text("pages.sheet.tier_amount")
    return text("pages.sheet.tier_other")


def tier_table(book: Rulebook, policy: ir.Policy) -> TierTable | None:
    """The item's 兑付标准 as a sentence and a table of tiers, or None without tiers."""
    if policy.benefit is None:
        return None
    case = first_case(policy.benefit)
    if case is None:
        return None
    placeholder = _placeholder(case)
    d = _TableDescriber(book, case, placeholder)
    lead = d.value(policy.benefit, MONEY).replace(f"（{placeholder}）", placeholder)
    lead = text("pages.sheet.tier_lead") if lead == placeholder else lead + "。"
    context = d.case_context or case.type  # "50万" in a money sentence reads 50万元
    rows = [(d.condition(test, 1), d.value(value, context)) for test, value in case.branches]
    rows.append((text("pages.sheet.tier_otherwise"), d.value(case.default, context)))
    return TierTable(
        lead=public(lead, policy),
        rows=tuple((public(a, policy), public(b, policy)) for a, b in rows),
        definitions=tuple(public(line, policy) for line in definition_lines(d)),
    )


__all__ = ["ENGINE_TODAY", "TierTable", "first_case", "public", "public_gap", "tier_table",
           "today_word"]
