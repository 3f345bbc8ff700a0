"""Types and operands in the words of a diagnostic, and the type two branches share."""

from __future__ import annotations

from policy_match.dsl import ast
from policy_match.dsl.types import TEXT, Kind, Type, unify_numeric

_NOUNS = {
    Kind.MONEY: "money", Kind.TEXT: "text", Kind.COUNT: "a count", Kind.NUMBER: "a number",
    Kind.RATIO: "a ratio", Kind.DATE: "a date", Kind.DURATION: "a duration",
    Kind.BOOL: "a condition", Kind.ENUM: "an enum value", Kind.SET: "a set", Kind.CODE: "a code",
    Kind.LIST: "a list",
}


def noun(t: Type) -> str:
    """The type as the subject or object of a sentence: "money", "a count of 人"."""
    if t.kind is Kind.COUNT and t.unit:
        return f"a count of {t.unit}"
    if t.kind is Kind.CODE:
        return f"a {t.hierarchy} code"
    return _NOUNS[t.kind]


def show(node: ast.Expr) -> str:
    """Short source-like text of an operand for messages."""
    if isinstance(node, ast.Name):
        return node.name
    if isinstance(node, ast.Quantity):
        return node.text
    if isinstance(node, ast.Number | ast.DateLit):
        return node.text
    if isinstance(node, ast.String):
        return f'"{node.value}"'
    return "the left side" if node else ""


def arith_hint(op: str, a: Type, b: Type) -> str:
    if op in "+-" and a.is_numeric and b.is_numeric:
        return "add or subtract values of one unit (money with money, counts with counts)"
    if a.kind is Kind.DATE or b.kind is Kind.DATE:
        return "a date moves by a duration: today - 1年"
    return ""


def unify(a: Type, b: Type) -> Type | None:
    """The type that holds values of both ``a`` and ``b`` (case branches), if any."""
    if a.is_numeric and b.is_numeric:
        return unify_numeric(a, b)
    if a.kind is Kind.ENUM and b.kind is Kind.ENUM and a.values and b.values:
        return Type(Kind.ENUM, values=tuple(dict.fromkeys(a.values + b.values)))
    if a.kind is b.kind and a.kind in (Kind.BOOL, Kind.DATE, Kind.DURATION, Kind.TEXT):
        return a
    if {a.kind, b.kind} <= {Kind.TEXT, Kind.ENUM}:
        return TEXT
    return None
