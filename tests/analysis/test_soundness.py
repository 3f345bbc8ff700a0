"""No false findings, tried at random: lint many generated conditions, then check every
W-UNSAT, W-ALWAYS and W-REDUNDANT it reports against the scalar evaluator on many random
records (boundary values included, some tags missing). A finding the evaluator contradicts
on any record fails the test."""

from __future__ import annotations

import random
from typing import Any

import pytest
from lint_helpers import TAGS, TODAY

from policy_match.analysis import analyse
from policy_match.analysis.context import Verifier
from policy_match.analysis.walk import every
from policy_match.core.loading import load_sources
from policy_match.core.rulebook import Rulebook
from policy_match.dsl import ir
from policy_match.dsl.diagnostics import Code, Diagnostic

OPS = [">=", ">", "<", "<=", "==", "!="]
SIZES = ['["大型"]', '["小型", "微型"]', '["中型", "小型"]']
INDUSTRIES = ['["C"]', '["C39"]', '["I65"]', '["C39", "I65"]']
ATOMS = [
    lambda r: f"营业收入 {r.choice(OPS)} {r.choice(['0', '100万', '2000万'])}",
    lambda r: f"从业人数 {r.choice(OPS)} {r.choice(['0', '10', '300'])}",
    lambda r: f"营业收入增长率 {r.choice(OPS)} {r.choice(['0%', '10%'])}",
    lambda r: r.choice(["失信被执行人", "非 失信被执行人", "已知(营业收入)"]),
    lambda r: f"企业规模 {r.choice(['属于', '不属于'])} " + r.choice(SIZES),
    lambda r: f"所属行业 {r.choice(['属于', '不属于'])} " + r.choice(INDUSTRIES),
    lambda r: r.choice(['资质 包含 "高新技术企业"',
                        '资质 包含任一 ["高新技术企业", "科技型中小企业"]',
                        '资质 包含全部 ["高新技术企业", "科技型中小企业"]']),
    lambda r: f"研发费用 / 营业收入 {r.choice(['>=', '<'])} {r.choice(['5%', '10%'])}",
]


def condition(r: random.Random, depth: int) -> str:
    if depth == 0 or r.random() < 0.3:
        return r.choice(ATOMS)(r)
    kind = r.choice(["且", "或", "非", "至少"])
    if kind == "非":
        return f"非 ({condition(r, depth - 1)})"
    items = [condition(r, depth - 1) for _ in range(r.choice([2, 2, 3]))]
    if kind == "至少":
        return f"至少满足 2 项 [{', '.join(items)}]" if len(items) == 3 else \
            f"({items[0]} 且 {items[1]})"
    return "(" + f" {kind} ".join(items) + ")"


POOLS: dict[str, list[Any]] = {
    "营业收入": [0, "50万", "100万", "2000万", "1亿"],
    "研发费用": [0, "5万", "100万", "200万"],
    "从业人数": [0, 5, 10, 300, 500],
    "营业收入增长率": ["-5%", "0%", "10%", "20%"],
    "失信被执行人": ["是", "否"],
    "企业规模": ["大型", "中型", "小型", "微型"],
    "所属行业": ["C", "C39", "C3911", "C13", "I65", "I6513", "A01"],
    "资质": [[], ["高新技术企业"], ["科技型中小企业"], ["高新技术企业", "科技型中小企业"]],
}


def records(n: int) -> list[dict[str, Any]]:
    r = random.Random(52)
    return [{t: r.choice(p) for t, p in POOLS.items() if r.random() < 0.8} for _ in range(n)]


@pytest.fixture(scope="module")
def linted() -> tuple[Rulebook, tuple[Diagnostic, ...]]:
    r = random.Random(14)
    text = "".join(f"define c{i} = {condition(r, 3)}\n" for i in range(120))
    result = load_sources({"t.rule": TAGS + text})
    assert result.rulebook is not None, [str(d) for d in result.diagnostics if d.is_error]
    return result.rulebook, analyse(result.rulebook, today=TODAY).diagnostics


def _nodes(book: Rulebook) -> list[ir.Expr]:
    return [n for d in book.defines.values() for n in every(d.expr)]


def _at(book: Rulebook, d: Diagnostic) -> ir.Expr:
    for node in _nodes(book):
        if node.span.start == d.span.start and node.span.end == d.span.end:
            return node
    raise AssertionError(f"no expression at {d.span}")


def test_enough_findings_to_mean_something(
        linted: tuple[Rulebook, tuple[Diagnostic, ...]]) -> None:
    codes = [d.code for d in linted[1]]
    assert codes.count(Code.LINT_REDUNDANT) >= 10
    assert codes.count(Code.LINT_UNSAT) + codes.count(Code.LINT_ALWAYS) >= 5


def test_never_and_always_hold_on_every_record(
        linted: tuple[Rulebook, tuple[Diagnostic, ...]]) -> None:
    book, found = linted
    verifier = Verifier(book)
    claims = [(d, _at(book, d)) for d in found
              if d.code in (Code.LINT_UNSAT, Code.LINT_ALWAYS)]
    for record in records(400):
        outcomes = verifier.outcomes(record | {"评估日": TODAY.isoformat()},
                                     [e for _, e in claims])
        assert outcomes is not None
        for (d, e), outcome in zip(claims, outcomes, strict=True):
            forbidden = d.code is Code.LINT_UNSAT  # never true, or never false
            assert outcome is not forbidden, (d.code, str(e.span), record)


def test_dropping_the_redundant_items_changes_no_outcome(
        linted: tuple[Rulebook, tuple[Diagnostic, ...]]) -> None:
    book, found = linted
    redundant = {(d.span.start, d.span.end) for d in found if d.code is Code.LINT_REDUNDANT}
    pairs = []
    for node in _nodes(book):
        if isinstance(node, ir.And | ir.Or):
            kept = tuple(i for i in node.items if (i.span.start, i.span.end) not in redundant)
            if len(kept) < len(node.items):
                pairs.append((node, type(node)(kept) if len(kept) > 1 else kept[0]))
    assert len(pairs) >= 10
    verifier = Verifier(book)
    for record in records(400):
        outcomes = verifier.outcomes(record, [x for pair in pairs for x in pair])
        assert outcomes is not None
        assert outcomes[0::2] == outcomes[1::2], record
