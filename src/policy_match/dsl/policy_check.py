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
from policy_match.dsl.types import Kind, comparable
from policy_match.dsl.values import Duration, quantity_value

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
            c.error(Code.FIELD, f"unknown policy field {item.name.name}", item.name.span,
                    did_you_mean(item.name.name, BY_NAME)
                    or "fields: " + "、".join(f.zh for f in FIELDS))
            ok = False
            continue
        if spec.zh in seen:
            c.error(Code.DUP, f"field {spec.zh} is given twice", item.name.span, "",
                    (Related(seen[spec.zh].name.span, "first given here"),))
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
            c.error(Code.REQUIRED, f'policy "{decl.id.value}" has no {spec.zh} ({spec.en})',
                    decl.id.span, f"add a line `{spec.zh}: …`")
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
        c.error(Code.FIELD, f"{spec.zh} does not take a date range", node.span)
        return _INVALID
    if kind == "text":
        if isinstance(node, ast.String):
            return {spec.en: node.value}
        return _wrong(spec, node, c, '"…" (quoted text)')
    if kind == "texts":
        if isinstance(node, ast.String):
            return {spec.en: (node.value,)}
        if isinstance(node, ast.ListExpr):
            texts = tuple(i.value for i in node.items if isinstance(i, ast.String))
            if len(texts) == len(node.items):
                return {spec.en: texts}
        return _wrong(spec, node, c, '["申请表", "营业执照"] (a list of quoted texts)')
    if kind == "duration":
        if isinstance(node, ast.Quantity):
            got = quantity_value(node.number, node.unit)
            if not isinstance(got, str) and isinstance(got.value, Duration):
                return {spec.en: got.value}
        return _wrong(spec, node, c, "a duration such as 20个工作日 or 30天")
    if kind == "push":
        word = node.name if isinstance(node, ast.Name) else (
            node.value if isinstance(node, ast.String) else None)
        if word in PUSH_WORDS:
            return {spec.en: PUSH_WORDS[word]}
        return _wrong(spec, node, c, "精准 (targeted) or 普惠 (broad)")
    if kind == "bool":
        if isinstance(node, ast.Bool):
            return {spec.en: node.value}
        return _wrong(spec, node, c, "是 or 否")
    if kind == "date":
        if isinstance(node, ast.DateLit):
            day = c.date(node)
            return _INVALID if day is None else {spec.en: day}
        return _wrong(spec, node, c, "a date such as 2024-07-01")
    if kind == "condition":
        cond = c.condition(node, f"{spec.zh}")
        return _INVALID if cond is None else {spec.en: cond}
    amount = c.expr(node)
    if amount is None:
        return _INVALID
    if amount.type.kind not in (Kind.MONEY, Kind.NUMBER):
        c.error(Code.UNIT, f"{spec.zh} is an amount of money, but this is "
                f"{amount.type.describe()}", node.span, "write 20万 or an expression of money")
        return _INVALID
    return {spec.en: amount}


def _wrong(spec: FieldSpec, node: Any, c: ExpressionChecker, want: str) -> dict[str, Any]:
    c.error(Code.FIELD, f"{spec.zh} takes {want}", node.span)
    return _INVALID


def _validity(node: Any, c: ExpressionChecker) -> dict[str, Any]:
    if not isinstance(node, ast.Validity):
        c.error(Code.VALID, "适用时间 is a date range", node.span,
                "write 2024-01-01 至 2026-12-31, or 2024-01-01 .. for no end")
        return _INVALID
    start = c.date(node.start)
    end = c.date(node.end) if node.end is not None else None
    if start is None or (node.end is not None and end is None):
        return _INVALID
    if end is not None and end < start:
        c.error(Code.VALID, f"适用时间 ends ({end}) before it starts ({start})", node.span,
                "swap the two dates")
        return _INVALID
    return {"valid_from": start, "valid_to": end}


# ---- worked examples ------------------------------------------------------------------------


def _example(node: ast.Example, c: ExpressionChecker) -> ir.Example | None:
    if node.keyword.name not in EXAMPLE_WORDS:
        c.error(Code.EXAMPLE, f"unknown block {node.keyword.name}", node.keyword.span,
                "a policy holds fields (名称: 值) and 示例 \"…\" { … } blocks")
        return None
    given: dict[str, Any] = {}
    expect: ir.Verdict | None = None
    benefit: Fraction | None = None
    as_of: dt.date | None = None
    ok = True
    for item in node.items:
        if isinstance(item, ast.Given):
            if item.keyword.name not in GIVEN_WORDS:
                c.error(Code.EXAMPLE, f"unknown example block {item.keyword.name}",
                        item.keyword.span, "write 给定 { 标签: 值, … } (given)")
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
                c.error(Code.EXAMPLE, "预期 (expect) is a verdict", item.value.span,
                        "one of 符合, 不符合, 待补充信息, 不在有效期 "
                        "(eligible, ineligible, unknown, inactive)")
                ok = False
            else:
                expect = ir.VERDICT_WORDS[word]
        elif item.keyword.name in BENEFIT_WORDS:
            amount = c.expr(item.value)
            if amount is None:
                ok = False
            elif not (isinstance(amount, ir.Const) and isinstance(amount.value, Fraction)
                      and amount.type.kind in (Kind.MONEY, Kind.NUMBER)):
                c.error(Code.EXAMPLE, "兑付 (benefit) in an example is an amount of money",
                        item.value.span, "write the expected amount, e.g. 兑付 20万")
                ok = False
            else:
                benefit = amount.value
        else:
            c.error(Code.EXAMPLE, f"unknown example line {item.keyword.name}",
                    item.keyword.span,
                    did_you_mean(item.keyword.name, [*EXPECT_WORDS, *BENEFIT_WORDS])
                    or "an example holds 给定 {…}, 预期 …, 兑付 … and 评估日 …")
            ok = False
    if expect is None and ok:
        c.error(Code.EXAMPLE, f'example "{node.title.value}" says no 预期 (expect)',
                node.title.span, "add a line such as `预期 符合`")
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
        hint = (f"{name} is a define, computed from tags: give the tags instead"
                if name in c.defines else c.did_you_mean(name, c.tags))
        c.error(Code.NAME, f"unknown tag {name} in example", entry.name.span, hint)
        return _INVALID
    if name in given:
        c.error(Code.EXAMPLE, f"{name} is given twice", entry.name.span)
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
                c.error(Code.TYPE, f"{tag.name} is a set of quoted values", item.span,
                        '["高新技术企业", "科技型中小企业"]')
                return _INVALID
            option = c.option(t, item.value, item.span)
            if option is None:
                return _INVALID
            out.append(option)
        return frozenset(out)
    if t.kind in (Kind.ENUM, Kind.CODE, Kind.TEXT):
        if not isinstance(node, ast.String):
            c.error(Code.TYPE, f"{tag.name} takes a quoted value", node.span)
            return _INVALID
        if t.kind is Kind.TEXT:
            parse = c.tag_parser(tag)
            if parse is None:
                return node.value
            try:
                return parse(node.value)
            except ValueError as exc:
                c.error(Code.EXAMPLE, f"{node.value!r} is not a valid {t.describe()}: {exc}",
                        node.span)
                return _INVALID
        option = c.option(t, node.value, node.span)
        return _INVALID if option is None else option
    value = c.expr(node)
    if value is None:
        return _INVALID
    if not isinstance(value, ir.Const):
        c.error(Code.EXAMPLE, f"give {tag.name} a literal value", node.span)
        return _INVALID
    if not comparable(t, value.type):
        code = Code.UNIT if t.is_numeric and value.type.is_numeric else Code.TYPE
        c.error(code, f"{tag.name} is {t.describe()}, but {value.text} is "
                f"{value.type.describe()}", node.span)
        return _INVALID
    return value.value
