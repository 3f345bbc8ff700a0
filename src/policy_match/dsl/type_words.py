"""Types and operands in the words of a diagnostic, and the type two branches share."""

from __future__ import annotations

from policy_match.dsl import ast
from policy_match.dsl.types import TEXT, Kind, Type, unify_numeric
from policy_match.dsl.words import Words

_KNOWN_HIERARCHIES = ("industry", "region")


def hierarchy_words(name: str) -> str:
    """A hierarchy's name in the reader's language (a plug-in's own name as it is)."""
    return Words(f"hierarchy.{name}") if name in _KNOWN_HIERARCHIES else name


def noun(t: Type) -> Words:
    """The type as the subject or object of a sentence: "money", "a count of 人"
    (catalogue ``type.<kind>``)."""
    if t.kind is Kind.COUNT and t.unit:
        return Words("type.count_of", unit=t.unit)
    if t.kind is Kind.CODE:
        return Words("type.code_of", hierarchy=hierarchy_words(t.hierarchy or ""))
    return Words(f"type.{t.kind.value}")


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
    return Words("words.left_side") if node else ""


def arith_hint(op: str, a: Type, b: Type) -> str:
    if op in "+-" and a.is_numeric and b.is_numeric:
        return Words("hint.same_unit")
    if a.kind is Kind.DATE or b.kind is Kind.DATE:
        return Words("hint.date_moves")
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
