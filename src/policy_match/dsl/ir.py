"""The typed IR: every name resolved, every literal an exact value, every node typed.

The checker builds it from the AST; the engine normalizes it into the predicate DAG.
Expression nodes are frozen dataclasses whose spans take no part in equality, so two equal
tests written in different places are equal values. Policies are pydantic models: they are
what embedders and portals read (the 清单 fields).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, SkipValidation

from policy_match.base.messages import Worded
from policy_match.dsl.ast import NO_SPAN, HasMode
from policy_match.dsl.span import Span
from policy_match.dsl.types import BOOL, DATE, Type
from policy_match.dsl.values import Duration


def _span() -> Span:
    return field(default=NO_SPAN, compare=False, repr=False)


Value = Fraction | Duration | dt.date | str | bool | frozenset[str]


@dataclass(frozen=True)
class Const:
    value: Value
    type: Type
    text: str = ""  # as written, for messages and rendering
    span: Span = _span()


@dataclass(frozen=True)
class TagRef:
    name: str
    type: Type
    span: Span = _span()


@dataclass(frozen=True)
class DefineRef:
    name: str
    type: Type
    span: Span = _span()


@dataclass(frozen=True)
class TodayRef:
    type: Type = DATE
    span: Span = _span()


@dataclass(frozen=True)
class Known:
    ref: TagRef | DefineRef
    type: Type = BOOL
    span: Span = _span()


@dataclass(frozen=True)
class Arith:
    op: str
    left: Expr
    right: Expr
    type: Type
    span: Span = _span()


@dataclass(frozen=True)
class Neg:
    operand: Expr
    type: Type
    span: Span = _span()


@dataclass(frozen=True)
class Call:
    func: str
    args: tuple[Expr, ...]
    type: Type
    span: Span = _span()


@dataclass(frozen=True)
class Compare:
    op: str  # < <= > >= == !=
    left: Expr
    right: Expr
    type: Type = BOOL
    span: Span = _span()


@dataclass(frozen=True)
class Member:
    """``x in [...]`` on enums and text (equality) or codes (containment in a hierarchy)."""

    operand: Expr
    options: tuple[str, ...]  # canonical values
    negated: bool = False
    hierarchy: str | None = None
    type: Type = BOOL
    span: Span = _span()


@dataclass(frozen=True)
class Has:
    operand: Expr
    mode: HasMode
    values: tuple[str, ...]
    type: Type = BOOL
    span: Span = _span()


@dataclass(frozen=True)
class Not:
    operand: Expr
    type: Type = BOOL
    span: Span = _span()


@dataclass(frozen=True)
class And:
    items: tuple[Expr, ...]
    listed: bool = False  # written `all of [...]`: rendered as a list of conditions
    type: Type = BOOL
    span: Span = _span()


@dataclass(frozen=True)
class Or:
    items: tuple[Expr, ...]
    listed: bool = False  # written `any of [...]`
    type: Type = BOOL
    span: Span = _span()


@dataclass(frozen=True)
class AtLeast:
    n: int
    items: tuple[Expr, ...]
    type: Type = BOOL
    span: Span = _span()


@dataclass(frozen=True)
class Case:
    branches: tuple[tuple[Expr, Expr], ...]
    default: Expr
    type: Type
    span: Span = _span()


Expr = (
    Const | TagRef | DefineRef | TodayRef | Known | Arith | Neg | Call | Compare | Member | Has
    | Not | And | Or | AtLeast | Case
)


@dataclass(frozen=True)
class TagSpec:
    """A field of the enterprise library."""

    name: str
    type: Type
    key: bool = False
    label: str | None = None
    span: Span = _span()
    signed: bool = False  # values may be negative; money and counts are not, otherwise


@dataclass(frozen=True)
class Define:
    name: str
    expr: Expr
    span: Span = _span()

    @property
    def type(self) -> Type:
        return self.expr.type


class Verdict(Worded):
    ELIGIBLE = "eligible"
    INELIGIBLE = "ineligible"
    UNKNOWN = "unknown"
    INACTIVE = "inactive"


VERDICT_ZH = {verdict: verdict.zh for verdict in Verdict}  # the catalogue's words
VERDICT_WORDS = {**{v.value: v for v in Verdict}, **{zh: v for v, zh in VERDICT_ZH.items()}}


class Example(BaseModel):
    """A worked example of a policy: given a record, the expected verdict (and benefit)."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    title: str
    given: dict[str, Any]
    expect: Verdict
    benefit: Fraction | None = None
    as_of: dt.date | None = None
    span: Span = NO_SPAN


class Policy(BaseModel):
    """One redemption item (惠企政策兑现事项): the 清单 fields, the condition and benefit.

    ``eligible`` and ``benefit`` are typed IR expressions. Pydantic does not validate them
    (``SkipValidation``): the checker is their only maker and types every node it builds,
    and walking a 16-way union on each policy would multiply the cost of building one.
    """

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    id: str
    name: str
    basis: str | None = None
    content: str | None = None
    target: str | None = None
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None
    eligible: SkipValidation[Expr]  # the condition
    materials: tuple[str, ...] = ()
    channel: str | None = None
    deadline: Duration | None = None
    category: str | None = None
    url: str | None = None
    department: str | None = None
    contact: str | None = None
    phone: str | None = None
    push: Literal["精准", "普惠"] = "精准"
    group: str | None = None
    no_application: bool = False
    benefit: SkipValidation[Expr | None] = None  # an amount of money
    published: dt.date | None = None
    online: dt.date | None = None
    requires: tuple[str, ...] = ()  # ids of items an enterprise must also hold
    excludes: tuple[str, ...] = ()  # ids of items it may not hold together with this one
    examples: tuple[Example, ...] = ()
    span: Span = NO_SPAN

    def not_yet_on(self, day: dt.date) -> bool:
        """``day`` is before the validity window (未生效)."""
        return self.valid_from is not None and day < self.valid_from

    def expired_on(self, day: dt.date) -> bool:
        """``day`` is after the validity window (已失效)."""
        return self.valid_to is not None and day > self.valid_to

    def active_on(self, day: dt.date) -> bool:
        """Whether ``day`` lies in the validity window (both ends inclusive)."""
        return not (self.not_yet_on(day) or self.expired_on(day))


@dataclass(frozen=True)
class Program:
    """A checked rulebook: what every backend reads."""

    tags: dict[str, TagSpec]
    defines: dict[str, Define]  # in dependency order: a define follows those it uses
    policies: dict[str, Policy]
    key: str | None = None


def sub_expressions(e: object) -> tuple[object, ...]:
    """The direct sub-expressions of ``e`` (a ``Known`` test's tag or define included); a
    define reference is a leaf: it is not followed."""
    if isinstance(e, Arith | Compare):
        return (e.left, e.right)
    if isinstance(e, Neg | Not | Member | Has):
        return (e.operand,)
    if isinstance(e, Call):
        return e.args
    if isinstance(e, And | Or | AtLeast):
        return e.items
    if isinstance(e, Case):
        return (*(x for pair in e.branches for x in pair), e.default)
    if isinstance(e, Known):
        return (e.ref,)
    return ()
