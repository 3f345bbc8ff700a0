"""The value types of the rule language (§2, §3) and how they combine.

A type is a small frozen value. Numeric types carry a *dimension*: money, count, ratio and
plain numbers differ in what they may be compared with and what arithmetic yields.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Kind(StrEnum):
    BOOL = "bool"
    NUMBER = "number"
    COUNT = "count"
    MONEY = "money"
    RATIO = "ratio"
    DATE = "date"
    DURATION = "duration"
    TEXT = "text"
    ENUM = "enum"
    SET = "set"
    CODE = "code"
    LIST = "list"


NUMERIC_KINDS = frozenset({Kind.NUMBER, Kind.COUNT, Kind.MONEY, Kind.RATIO})

_KIND_NAMES_ZH = {
    Kind.BOOL: "是否",
    Kind.NUMBER: "数值",
    Kind.COUNT: "数量",
    Kind.MONEY: "金额",
    Kind.RATIO: "比例",
    Kind.DATE: "日期",
    Kind.DURATION: "期限",
    Kind.TEXT: "文本",
    Kind.ENUM: "枚举",
    Kind.SET: "集合",
    Kind.CODE: "代码",
    Kind.LIST: "列表",
}


@dataclass(frozen=True)
class Type:
    """A rule-language type.

    ``unit`` is the rendering unit of a count (``人``); ``values`` the closed list of an enum
    or set (``None`` for ``set[text]``); ``hierarchy`` the hierarchy of a code; ``element``
    the element type of a list; ``name`` the plug-in tag type it came from, if any.
    """

    kind: Kind
    unit: str | None = None
    values: tuple[str, ...] | None = None
    hierarchy: str | None = None
    element: Type | None = None
    name: str | None = None

    @property
    def is_numeric(self) -> bool:
        return self.kind in NUMERIC_KINDS

    def describe(self) -> str:
        """The type as a rule author writes it."""
        if self.name:
            return self.name
        if self.kind is Kind.COUNT and self.unit:
            return f"count({self.unit})"
        if self.kind is Kind.CODE:
            return f"code({self.hierarchy})"
        if self.kind in (Kind.ENUM, Kind.SET):
            inner = "text" if self.values is None else ", ".join(f'"{v}"' for v in self.values)
            return f"{self.kind.value}[{inner}]"
        if self.kind is Kind.LIST and self.element is not None:
            return f"list of {self.element.describe()}"
        return self.kind.value

    def article(self) -> str:
        """``a count``, ``an enum`` — for messages."""
        text = self.describe()
        return ("an " if text[0] in "aeiou" else "a ") + text

    def describe_zh(self) -> str:
        return _KIND_NAMES_ZH[self.kind]


BOOL = Type(Kind.BOOL)
NUMBER = Type(Kind.NUMBER)
COUNT = Type(Kind.COUNT)
MONEY = Type(Kind.MONEY)
RATIO = Type(Kind.RATIO)
DATE = Type(Kind.DATE)
DURATION = Type(Kind.DURATION)
TEXT = Type(Kind.TEXT)


def list_of(element: Type) -> Type:
    return Type(Kind.LIST, element=element)


def comparable(a: Type, b: Type) -> bool:
    """Whether ``a < b`` (and ``==``) is meaningful.

    A plain number compares with any numeric type (``从业人数 <= 300``); a ratio is a
    fraction, so it compares with numbers too; money only with money, counts with counts.
    """
    if a.is_numeric and b.is_numeric:
        if Kind.NUMBER in (a.kind, b.kind):
            return True
        if {a.kind, b.kind} <= {Kind.RATIO, Kind.NUMBER}:
            return True
        if a.kind is Kind.COUNT and b.kind is Kind.COUNT:
            # 300人 fits count(人); 5件 does not. A count without a unit (个) fits any.
            return a.unit is None or b.unit is None or a.unit == b.unit
        return a.kind == b.kind
    if a.kind in (Kind.TEXT, Kind.ENUM, Kind.CODE) and b.kind in (Kind.TEXT, Kind.ENUM, Kind.CODE):
        return True
    return a.kind == b.kind and a.kind in (Kind.DATE, Kind.DURATION, Kind.BOOL)


def ordered(t: Type) -> bool:
    """Whether ``<``/``>`` apply (not just ``==``)."""
    return t.is_numeric or t.kind in (Kind.DATE, Kind.DURATION)


def unify_numeric(a: Type, b: Type) -> Type | None:
    """The common type of two numeric operands of ``+``/``-``/``min``/``max``/``case``."""
    if not (a.is_numeric and b.is_numeric):
        return None
    if a.kind == b.kind:
        return a if a.unit or not b.unit else b
    if a.kind is Kind.NUMBER:
        return b
    if b.kind is Kind.NUMBER:
        return a
    return None


def arithmetic(op: str, a: Type, b: Type) -> Type | None:
    """The result type of ``a op b``, or ``None`` when the operation has no meaning."""
    if op in "+-":
        if a.kind is Kind.DATE and b.kind is Kind.DURATION:
            return DATE
        if op == "+" and a.kind is Kind.DURATION and b.kind is Kind.DATE:
            return DATE
        if op == "-" and a.kind is Kind.DATE and b.kind is Kind.DATE:
            return DURATION
        if a.kind is Kind.DURATION and b.kind is Kind.DURATION:
            return DURATION
        return unify_numeric(a, b)
    if not (a.is_numeric and b.is_numeric):
        return None
    if op == "*":
        # A dimensionless factor keeps the other side's dimension: 研发费用 * 10% is money.
        if a.kind in (Kind.NUMBER, Kind.RATIO):
            return b
        if b.kind in (Kind.NUMBER, Kind.RATIO):
            return a
        # 从业人数 * 1500元: a per-head amount times a head count is money.
        if {a.kind, b.kind} == {Kind.COUNT, Kind.MONEY}:
            return MONEY
        return None
    if op == "/":
        if a.kind == b.kind and a.kind is not Kind.NUMBER:
            return RATIO  # 研发费用 / 营业收入: a share, read as a percentage
        if a.kind == b.kind:
            return NUMBER
        if b.kind in (Kind.NUMBER, Kind.RATIO):
            return a
        if a.kind is Kind.MONEY and b.kind is Kind.COUNT:
            return MONEY  # 人均营业收入
        return None
    return None
