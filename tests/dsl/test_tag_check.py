"""Tag types: what ``tag 名称: <type>`` may say, and the message for what it may not."""

from __future__ import annotations

import pytest

from policy_match.dsl import ast
from policy_match.dsl.diagnostics import Code
from policy_match.dsl.parser import parse
from policy_match.dsl.reporter import Reporter
from policy_match.dsl.tag_check import declared_type, tag_spec
from policy_match.dsl.types import Kind, Type
from policy_match.plugins.loader import load_vocabulary

VOCABULARY = load_vocabulary(entry_points=False)


def tag(text: str) -> ast.TagDecl:
    result = parse(text)
    assert result.diagnostics == ()
    (decl,) = result.module.decls
    assert isinstance(decl, ast.TagDecl)
    return decl


@pytest.mark.parametrize(("written", "expected"), [
    ("money", Type(Kind.MONEY)),
    ("count(人)", Type(Kind.COUNT, unit="人")),
    ("count", Type(Kind.COUNT)),
    ('enum["大型", "小型"]', Type(Kind.ENUM, values=("大型", "小型"))),
    ("set[text]", Type(Kind.SET, values=None)),
    ("code(industry)", Type(Kind.CODE, hierarchy="industry")),
])
def test_valid_types(written: str, expected: Type) -> None:
    report = Reporter()
    assert declared_type(tag(f"tag t: {written}\n").type, VOCABULARY, report) == expected
    assert report.diags == []


def test_a_plug_in_tag_type_keeps_its_name_over_its_base() -> None:
    report = Reporter()
    t = declared_type(tag("tag 代码: uscc\n").type, VOCABULARY, report)
    assert t is not None and t.name == "uscc"
    assert t.kind is VOCABULARY.tag_types["uscc"].base.kind


@pytest.mark.parametrize(("written", "code", "message"), [
    ("code", Code.TYPE, "a code tag names its hierarchy"),
    ("code(industy)", Code.HIERARCHY, "unknown hierarchy industy"),
    ('money["a"]', Code.TYPE, "money takes no [...] list"),
    ("money(万)", Code.TYPE, "money takes no (...) argument"),
    ("enum(a)", Code.TYPE, "enum lists its values in [...]"),
    ("enum[大型]", Code.TYPE, "大型 must be quoted"),
    ('set["a", "a"]', Code.DUP, '"a" is listed twice'),
    ("moeny", Code.TYPE, "unknown type moeny"),
])
def test_invalid_types_are_reported_once(written: str, code: Code, message: str) -> None:
    report = Reporter()
    assert declared_type(tag(f"tag t: {written}\n").type, VOCABULARY, report) is None
    assert [(d.code, d.message) for d in report.diags] == [(code, message)]


def test_a_tag_spec_carries_key_and_label() -> None:
    report = Reporter()
    spec = tag_spec(tag('tag 代码: text key "统一社会信用代码"\n'), VOCABULARY, report)
    assert spec is not None
    assert (spec.name, spec.type, spec.key, spec.label) == (
        "代码", Type(Kind.TEXT), True, "统一社会信用代码")
