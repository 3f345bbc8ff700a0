"""Tag declarations: the type written after ``tag 名称:`` (§3), resolved to a :class:`Type`."""

from __future__ import annotations

import dataclasses

from policy_match.dsl import ast, ir
from policy_match.dsl.diagnostics import Code
from policy_match.dsl.reporter import Reporter
from policy_match.dsl.suggest import did_you_mean
from policy_match.dsl.types import Kind, Type
from policy_match.dsl.vocabulary import Vocabulary
from policy_match.dsl.words import Words

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
        report.error(Code.TYPE, Words("check.signed", type=t.describe()),
                     decl.span, Words("hint.signed"))
    return ir.TagSpec(decl.name.name, t, decl.key, label, span=decl.span,
                      signed=decl.signed and t.kind in SIGNABLE)


def declared_type(te: ast.TypeExpr, vocab: Vocabulary, report: Reporter) -> Type | None:
    name = te.name.name
    if name in ("enum", "set"):
        return _listed_type(te, Kind(name), report)
    if name == "code":
        return _code_type(te, vocab, report)
    if te.items is not None:
        report.error(Code.TYPE, Words("check.no_list", name=name), te.span)
        return None
    if name == "count":
        return Type(Kind.COUNT, unit=te.paren.name if te.paren else None)
    if te.paren is not None:
        report.error(Code.TYPE, Words("check.no_paren", name=name), te.paren.span)
        return None
    if name in BASE_TYPES:
        return BASE_TYPES[name]
    if name in vocab.tag_types:
        return dataclasses.replace(vocab.tag_types[name].base, name=name)
    known = [*BASE_TYPES, "enum", "set", "code", *vocab.tag_types]
    report.error(Code.TYPE, Words("check.unknown_type", name=name), te.name.span,
                 did_you_mean(name, known) or Words("hint.types", names=", ".join(known)))
    return None


def _code_type(te: ast.TypeExpr, vocab: Vocabulary, report: Reporter) -> Type | None:
    if te.paren is None:
        report.error(Code.TYPE, Words("check.code_hierarchy"), te.span,
                     Words("hint.code_hierarchy"))
        return None
    h = te.paren.name
    if h not in vocab.hierarchies:
        report.error(Code.HIERARCHY, Words("check.unknown_hierarchy", name=h), te.paren.span,
                     did_you_mean(h, vocab.hierarchies)
                     or Words("hint.hierarchies", names=", ".join(sorted(vocab.hierarchies))))
        return None
    return Type(Kind.CODE, hierarchy=h)


def _listed_type(te: ast.TypeExpr, kind: Kind, report: Reporter) -> Type | None:
    if te.items is None or te.paren is not None:
        report.error(Code.TYPE, Words("check.values_in_brackets", kind=kind.value), te.span,
                     Words("hint.set_values") if kind is Kind.SET
                     else Words("hint.enum_values", kind=kind.value))
        return None
    if kind is Kind.SET and [getattr(i, "name", None) for i in te.items] == ["text"]:
        return Type(Kind.SET, values=None)
    values: list[str] = []
    for item in te.items:
        if isinstance(item, ast.Name):
            report.error(Code.TYPE, Words("check.must_quote", name=item.name), item.span,
                         Words("hint.write_quoted", name=item.name))
            return None
        if item.value in values:
            report.error(Code.DUP, Words("check.listed_twice", value=item.value), item.span)
            return None
        values.append(item.value)
    if not values:
        report.error(Code.TYPE, Words("check.no_values", kind=kind.value), te.span)
        return None
    return Type(kind, values=tuple(values))
