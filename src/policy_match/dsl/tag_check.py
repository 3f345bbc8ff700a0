"""Tag declarations: the type written after ``tag 名称:`` (§3), resolved to a :class:`Type`."""

from __future__ import annotations

import dataclasses

from policy_match.dsl import ast, ir
from policy_match.dsl.diagnostics import Code
from policy_match.dsl.reporter import Reporter
from policy_match.dsl.suggest import did_you_mean
from policy_match.dsl.types import Kind, Type
from policy_match.dsl.vocabulary import Vocabulary

SIGNABLE = (Kind.MONEY, Kind.COUNT)  # the kinds that are never negative unless declared so

BASE_TYPES = {
    "bool": Type(Kind.BOOL), "number": Type(Kind.NUMBER), "count": Type(Kind.COUNT),
    "money": Type(Kind.MONEY), "ratio": Type(Kind.RATIO), "date": Type(Kind.DATE),
    "duration": Type(Kind.DURATION), "text": Type(Kind.TEXT),
}


def tag_spec(decl: ast.TagDecl, vocab: Vocabulary, report: Reporter) -> ir.TagSpec | None:
    """The field a ``tag`` declaration adds to the enterprise library, or None if invalid."""
    t = declared_type(decl.type, vocab, report)
    if t is None:
        return None
    label = decl.label.value if decl.label else None
    if decl.signed and t.kind not in SIGNABLE:
        report.error(Code.TYPE, f"only money and counts can be declared signed, not {t}",
                     decl.span, "numbers, ratios and durations may be negative already")
    return ir.TagSpec(decl.name.name, t, decl.key, label, span=decl.span,
                      signed=decl.signed and t.kind in SIGNABLE)


def declared_type(te: ast.TypeExpr, vocab: Vocabulary, report: Reporter) -> Type | None:
    name = te.name.name
    if name in ("enum", "set"):
        return _listed_type(te, Kind(name), report)
    if name == "code":
        return _code_type(te, vocab, report)
    if te.items is not None:
        report.error(Code.TYPE, f"{name} takes no [...] list", te.span)
        return None
    if name == "count":
        return Type(Kind.COUNT, unit=te.paren.name if te.paren else None)
    if te.paren is not None:
        report.error(Code.TYPE, f"{name} takes no (...) argument", te.paren.span)
        return None
    if name in BASE_TYPES:
        return BASE_TYPES[name]
    if name in vocab.tag_types:
        return dataclasses.replace(vocab.tag_types[name].base, name=name)
    known = [*BASE_TYPES, "enum", "set", "code", *vocab.tag_types]
    report.error(Code.TYPE, f"unknown type {name}", te.name.span,
                 did_you_mean(name, known) or f"types: {', '.join(known)}")
    return None


def _code_type(te: ast.TypeExpr, vocab: Vocabulary, report: Reporter) -> Type | None:
    if te.paren is None:
        report.error(Code.TYPE, "a code tag names its hierarchy", te.span,
                     "write code(industry) or code(region)")
        return None
    h = te.paren.name
    if h not in vocab.hierarchies:
        report.error(Code.HIERARCHY, f"unknown hierarchy {h}", te.paren.span,
                     did_you_mean(h, vocab.hierarchies)
                     or f"known hierarchies: {', '.join(sorted(vocab.hierarchies))}")
        return None
    return Type(Kind.CODE, hierarchy=h)


def _listed_type(te: ast.TypeExpr, kind: Kind, report: Reporter) -> Type | None:
    if te.items is None or te.paren is not None:
        report.error(Code.TYPE, f'{kind.value} lists its values in [...]', te.span,
                     f'write {kind.value}["A", "B"]'
                     + (" or set[text] for an open set" if kind is Kind.SET else ""))
        return None
    if kind is Kind.SET and [getattr(i, "name", None) for i in te.items] == ["text"]:
        return Type(Kind.SET, values=None)
    values: list[str] = []
    for item in te.items:
        if isinstance(item, ast.Name):
            report.error(Code.TYPE, f"{item.name} must be quoted", item.span,
                         f'write "{item.name}"')
            return None
        if item.value in values:
            report.error(Code.DUP, f'"{item.value}" is listed twice', item.span)
            return None
        values.append(item.value)
    if not values:
        report.error(Code.TYPE, f"{kind.value} needs at least one value", te.span)
        return None
    return Type(kind, values=tuple(values))
