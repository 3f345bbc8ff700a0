"""Checking one ``policy { … }`` block: its fields (§8) and its worked examples.

Expressions inside fields are checked by the expression checker passed in; this module
knows what each 清单 field may hold and what an example may say.
"""

from __future__ import annotations

import datetime as dt
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from policy_match.dsl import ast, ir
from policy_match.dsl.diagnostics import Code, Related
from policy_match.dsl.fields import (
    BENEFIT_WORDS,
    BY_NAME,
    EXAMPLE_WORDS,
    EXPECT_WORDS,
    FIELDS,
    GIVEN_WORDS,
    PUSH_WORDS,
    FieldSpec,
)
from policy_match.dsl.suggest import did_you_mean
from policy_match.dsl.type_words import noun
from policy_match.dsl.types import Kind, comparable
from policy_match.dsl.values import Duration, quantity_value
from policy_match.dsl.words import Words

if TYPE_CHECKING:
    from policy_match.dsl.expr_check import ExpressionChecker


def check_policy(decl: ast.PolicyDecl, c: ExpressionChecker) -> ir.Policy | None:
    values: dict[str, Any] = {"id": decl.id.value}
    seen: dict[str, ast.Field] = {}
    examples: list[ir.Example] = []
    ok = True
    for item in decl.items:
        if isinstance(item, ast.Example):
            example = _example(item, c)
            ok &= example is not None
            if example is not None:
                examples.append(example)
            continue
        spec = BY_NAME.get(item.name.name)
        if spec is None:
            c.error(Code.FIELD, Words("check.unknown_field", name=item.name.name),
                    item.name.span, did_you_mean(item.name.name, BY_NAME)
                    or Words("hint.fields", names="、".join(f.zh for f in FIELDS)))
            ok = False
            continue
        if spec.zh in seen:
            c.error(Code.DUP, Words("check.field_twice", field=spec.zh), item.name.span, "",
                    (Related(seen[spec.zh].name.span, Words("note.first_given")),))
            ok = False
            continue
        seen[spec.zh] = item
        got = _field_value(spec, item, c)
        if got is _INVALID:
            ok = False
        else:
            values.update(got)
    for spec in FIELDS:
        if spec.required and spec.zh not in seen:
            c.error(Code.REQUIRED, Words("check.required", policy=decl.id.value, field=spec.zh,
                                         en=spec.en),
                    decl.id.span, Words("hint.add_field", field=spec.zh))
            ok = False
    if not ok:
        return None
    return ir.Policy(**values, examples=tuple(examples), span=decl.span)


_INVALID: dict[str, Any] = {"__invalid__": True}


def _field_value(spec: FieldSpec, item: ast.Field, c: ExpressionChecker) -> dict[str, Any]:
    node = item.value
    kind = spec.kind
    if kind == "validity":
        return _validity(node, c)
    if isinstance(node, ast.Validity):
        c.error(Code.FIELD, Words("check.no_range", field=spec.zh), node.span)
        return _INVALID
    if kind == "text":
        if isinstance(node, ast.String):
            return {spec.en: node.value}
        return _wrong(spec, node, c, Words("want.text"))
    if kind == "texts":
        if isinstance(node, ast.String):
            return {spec.en: (node.value,)}
        if isinstance(node, ast.ListExpr):
            texts = tuple(i.value for i in node.items if isinstance(i, ast.String))
            if len(texts) == len(node.items):
                return {spec.en: texts}
        return _wrong(spec, node, c, Words("want.texts"))
    if kind == "duration":
        if isinstance(node, ast.Quantity):
            got = quantity_value(node.number, node.unit)
            if not isinstance(got, str) and isinstance(got.value, Duration):
                return {spec.en: got.value}
        return _wrong(spec, node, c, Words("want.duration"))
    if kind == "push":
        word = node.name if isinstance(node, ast.Name) else (
            node.value if isinstance(node, ast.String) else None)
        if word in PUSH_WORDS:
            return {spec.en: PUSH_WORDS[word]}
        return _wrong(spec, node, c, Words("want.push"))
    if kind == "bool":
        if isinstance(node, ast.Bool):
            return {spec.en: node.value}
        return _wrong(spec, node, c, Words("want.bool"))
    if kind == "date":
        if isinstance(node, ast.DateLit):
            day = c.date(node)
            return _INVALID if day is None else {spec.en: day}
        return _wrong(spec, node, c, Words("want.date"))
    if kind == "condition":
        cond = c.condition(node, spec.zh)
        return _INVALID if cond is None else {spec.en: cond}
    amount = c.expr(node)
    if amount is None:
        return _INVALID
    if amount.type.kind not in (Kind.MONEY, Kind.NUMBER):
        c.error(Code.UNIT, Words("check.not_money", field=spec.zh, type=noun(amount.type)),
                node.span, Words("hint.money"))
        return _INVALID
    return {spec.en: amount}


def _wrong(spec: FieldSpec, node: Any, c: ExpressionChecker, want: Words) -> dict[str, Any]:
    c.error(Code.FIELD, Words("check.field_takes", field=spec.zh, want=want), node.span)
    return _INVALID


def _validity(node: Any, c: ExpressionChecker) -> dict[str, Any]:
    if not isinstance(node, ast.Validity):
        c.error(Code.VALID, Words("check.validity_range"), node.span, Words("hint.validity"))
        return _INVALID
    start = c.date(node.start)
    end = c.date(node.end) if node.end is not None else None
    if start is None or (node.end is not None and end is None):
        return _INVALID
    if end is not None and end < start:
        c.error(Code.VALID, Words("check.validity_order", start=str(start), end=str(end)),
                node.span, Words("hint.swap_dates"))
        return _INVALID
    return {"valid_from": start, "valid_to": end}


# ---- worked examples ------------------------------------------------------------------------


def _example(node: ast.Example, c: ExpressionChecker) -> ir.Example | None:
    if node.keyword.name not in EXAMPLE_WORDS:
        c.error(Code.EXAMPLE, Words("check.unknown_block", name=node.keyword.name),
                node.keyword.span, Words("hint.policy_holds"))
        return None
    given: dict[str, Any] = {}
    expect: ir.Verdict | None = None
    benefit: Fraction | None = None
    as_of: dt.date | None = None
    ok = True
    for item in node.items:
        if isinstance(item, ast.Given):
            if item.keyword.name not in GIVEN_WORDS:
                c.error(Code.EXAMPLE, Words("check.unknown_example_block",
                                            name=item.keyword.name),
                        item.keyword.span, Words("hint.given"))
                ok = False
                continue
            for entry in item.entries:
                value = _given_value(entry, given, c)
                if value is _INVALID:
                    ok = False
                else:
                    given[entry.name.name] = value
        elif isinstance(item, ast.ExampleDate):
            as_of = c.date(item.date)
            ok &= as_of is not None
        elif item.keyword.name in EXPECT_WORDS:
            word = _word(item.value)
            if word not in ir.VERDICT_WORDS:
                c.error(Code.EXAMPLE, Words("check.expect_verdict"), item.value.span,
                        Words("hint.verdicts"))
                ok = False
            else:
                expect = ir.VERDICT_WORDS[word]
        elif item.keyword.name in BENEFIT_WORDS:
            amount = c.expr(item.value)
            if amount is None:
                ok = False
            elif not (isinstance(amount, ir.Const) and isinstance(amount.value, Fraction)
                      and amount.type.kind in (Kind.MONEY, Kind.NUMBER)):
                c.error(Code.EXAMPLE, Words("check.example_benefit"), item.value.span,
                        Words("hint.example_benefit"))
                ok = False
            else:
                benefit = amount.value
        else:
            c.error(Code.EXAMPLE, Words("check.unknown_example_line", name=item.keyword.name),
                    item.keyword.span,
                    did_you_mean(item.keyword.name, [*EXPECT_WORDS, *BENEFIT_WORDS])
                    or Words("hint.example_holds"))
            ok = False
    if expect is None and ok:
        c.error(Code.EXAMPLE, Words("check.no_expect", title=node.title.value),
                node.title.span, Words("hint.add_expect"))
        ok = False
    if not ok or expect is None:
        return None
    return ir.Example(title=node.title.value, given=given, expect=expect, benefit=benefit,
                      as_of=as_of, span=node.span)


def _word(node: ast.Expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.name
    if isinstance(node, ast.String):
        return node.value
    return None


def _given_value(entry: ast.Entry, given: dict[str, Any], c: ExpressionChecker) -> Any:
    name = entry.name.name
    tag = c.tags.get(name)
    if tag is None:
        hint = (Words("hint.define_in_example", name=name)
                if name in c.defines else c.did_you_mean(name, c.tags))
        c.error(Code.NAME, Words("check.example_unknown_tag", name=name), entry.name.span,
                hint)
        return _INVALID
    if name in given:
        c.error(Code.EXAMPLE, Words("check.given_twice", name=name), entry.name.span)
        return _INVALID
    return record_literal(tag, entry.value, c)


def record_literal(tag: ir.TagSpec, node: ast.Expr, c: ExpressionChecker) -> Any:
    """The value an example gives a tag, checked against the tag's type."""
    t = tag.type
    if t.kind is Kind.SET:
        items = node.items if isinstance(node, ast.ListExpr) else (node,)
        out = []
        for item in items:
            if not isinstance(item, ast.String):
                c.error(Code.TYPE, Words("check.set_of_quoted", name=tag.name), item.span,
                        Words("hint.set_example"))
                return _INVALID
            option = c.option(t, item.value, item.span)
            if option is None:
                return _INVALID
            out.append(option)
        return frozenset(out)
    if t.kind in (Kind.ENUM, Kind.CODE, Kind.TEXT):
        if not isinstance(node, ast.String):
            c.error(Code.TYPE, Words("check.takes_quoted", name=tag.name), node.span)
            return _INVALID
        if t.kind is Kind.TEXT:
            parse = c.tag_parser(tag)
            if parse is None:
                return node.value
            try:
                return parse(node.value)
            except ValueError as exc:
                c.error(Code.EXAMPLE, Words("check.not_valid_value", value=repr(node.value),
                                            type=t.describe(), detail=str(exc)),
                        node.span)
                return _INVALID
        option = c.option(t, node.value, node.span)
        return _INVALID if option is None else option
    value = c.expr(node)
    if value is None:
        return _INVALID
    if not isinstance(value, ir.Const):
        c.error(Code.EXAMPLE, Words("check.give_literal", name=tag.name), node.span)
        return _INVALID
    if not comparable(t, value.type):
        code = Code.UNIT if t.is_numeric and value.type.is_numeric else Code.TYPE
        c.error(code, Words("check.given_type", name=tag.name, type=t.describe(),
                            value=value.text, value_type=value.type.describe()), node.span)
        return _INVALID
    return value.value
