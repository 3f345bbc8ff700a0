"""The syntax tree: what the author wrote, with a span on every node.

Nodes are frozen dataclasses. Spans take no part in equality, so two parses of texts that
differ only in layout, comments or punctuation width compare equal — the formatter's
round-trip property is stated in exactly those terms. Keyword spellings (``and`` or ``且``)
are kept so the formatter writes back the author's language.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from policy_match.dsl.span import Span

NO_SPAN = Span("<none>", 0, 0, 1, 1, 1, 1)

HasMode = Literal["one", "any", "all"]
"""``has`` (one value), ``has any`` or ``has all``."""


def _span() -> Span:
    return field(default=NO_SPAN, compare=False, repr=False)


# ---- expressions ------------------------------------------------------------------------


@dataclass(frozen=True)
class Number:
    text: str
    span: Span = _span()


@dataclass(frozen=True)
class Quantity:
    """A number with its unit: ``2000万``, ``300人``, ``10%``, ``20个工作日``."""

    number: str
    unit: str
    span: Span = _span()

    @property
    def text(self) -> str:
        return self.number + self.unit


@dataclass(frozen=True)
class DateLit:
    text: str
    span: Span = _span()


@dataclass(frozen=True)
class String:
    value: str
    span: Span = _span()


@dataclass(frozen=True)
class Bool:
    value: bool
    kw: str = "true"
    span: Span = _span()


@dataclass(frozen=True)
class Name:
    name: str
    span: Span = _span()


@dataclass(frozen=True)
class Today:
    kw: str = "today"
    span: Span = _span()


@dataclass(frozen=True)
class Known:
    name: Name
    kw: str = "known"
    span: Span = _span()


@dataclass(frozen=True)
class Call:
    func: Name
    args: tuple[Expr, ...]
    span: Span = _span()


@dataclass(frozen=True)
class Neg:
    operand: Expr
    span: Span = _span()


@dataclass(frozen=True)
class Paren:
    """Parentheses are kept so the formatter writes back the author's grouping."""

    inner: Expr
    span: Span = _span()


@dataclass(frozen=True)
class Arith:
    op: str  # + - * /
    left: Expr
    right: Expr
    span: Span = _span()


@dataclass(frozen=True)
class Compare:
    op: str  # canonical: < <= > >= == !=
    left: Expr
    right: Expr
    span: Span = _span()


@dataclass(frozen=True)
class ListExpr:
    items: tuple[Expr, ...]
    span: Span = _span()


@dataclass(frozen=True)
class In:
    operand: Expr
    options: ListExpr
    negated: bool = False
    kw: str = "in"
    span: Span = _span()


@dataclass(frozen=True)
class Has:
    """``资质 has "X"`` (mode ``one``), ``has any [...]``, ``has all [...]``."""

    operand: Expr
    mode: HasMode
    value: Expr
    kw: str = "has"
    span: Span = _span()


@dataclass(frozen=True)
class Not:
    operand: Expr
    kw: str = "not"
    span: Span = _span()


@dataclass(frozen=True)
class And:
    items: tuple[Expr, ...]
    kw: str = "and"
    span: Span = _span()


@dataclass(frozen=True)
class Or:
    items: tuple[Expr, ...]
    kw: str = "or"
    span: Span = _span()


@dataclass(frozen=True)
class AllOf:
    items: ListExpr
    kw: str = "all of"
    span: Span = _span()


@dataclass(frozen=True)
class AnyOf:
    items: ListExpr
    kw: str = "any of"
    span: Span = _span()


@dataclass(frozen=True)
class AtLeast:
    n: int
    items: ListExpr
    chinese: bool = False
    span: Span = _span()


@dataclass(frozen=True)
class CaseBranch:
    test: Expr
    value: Expr
    span: Span = _span()


@dataclass(frozen=True)
class Case:
    branches: tuple[CaseBranch, ...]
    default: Expr | None
    else_kw: str = "else"
    span: Span = _span()


Expr = (
    Number | Quantity | DateLit | String | Bool | Name | Today | Known | Call | Neg | Paren
    | Arith | Compare | ListExpr | In | Has | Not | And | Or | AllOf | AnyOf | AtLeast | Case
)

# ---- declarations -----------------------------------------------------------------------


@dataclass(frozen=True)
class TypeExpr:
    """``money``, ``count(人)``, ``code(industry)``, ``enum["A", "B"]``, ``set[text]``."""

    name: Name
    paren: Name | None = None
    items: tuple[String | Name, ...] | None = None
    span: Span = _span()


@dataclass(frozen=True)
class TagDecl:
    name: Name
    type: TypeExpr
    key: bool = False
    label: String | None = None
    span: Span = _span()
    signed: bool = False  # money or a count that may be negative (a loss, a balance)


@dataclass(frozen=True)
class DefineDecl:
    name: Name
    expr: Expr
    span: Span = _span()


@dataclass(frozen=True)
class Validity:
    """``A 至 B``, ``A ..``, ``A .. B`` (both ends inclusive)."""

    start: DateLit
    end: DateLit | None
    sep: str = "至"
    span: Span = _span()


@dataclass(frozen=True)
class Field:
    name: Name
    value: Expr | Validity
    span: Span = _span()


@dataclass(frozen=True)
class Entry:
    name: Name
    value: Expr
    span: Span = _span()


@dataclass(frozen=True)
class Given:
    keyword: Name
    entries: tuple[Entry, ...]
    span: Span = _span()


@dataclass(frozen=True)
class ExampleStmt:
    """``预期 符合`` / ``兑付 20万`` (``expect eligible`` / ``benefit 20万``)."""

    keyword: Name
    value: Expr
    span: Span = _span()


@dataclass(frozen=True)
class ExampleDate:
    date: DateLit
    kw: str = "评估日"
    span: Span = _span()


ExampleItem = Given | ExampleStmt | ExampleDate


@dataclass(frozen=True)
class Example:
    keyword: Name  # 示例 | example
    title: String
    items: tuple[ExampleItem, ...]
    span: Span = _span()


@dataclass(frozen=True)
class PolicyDecl:
    id: String
    items: tuple[Field | Example, ...]
    span: Span = _span()


Decl = TagDecl | DefineDecl | PolicyDecl


@dataclass(frozen=True)
class Comment:
    text: str
    span: Span = _span()


@dataclass(frozen=True)
class Module:
    """One ``.rule`` file."""

    path: str
    decls: tuple[Decl, ...]
    comments: tuple[Comment, ...] = field(default=(), compare=False)
