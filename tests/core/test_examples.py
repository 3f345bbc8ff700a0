"""Worked examples run as tests; a failing one explains itself (issue 14)."""

from __future__ import annotations

from policy_match.core.examples import run_examples
from policy_match.core.loading import load_sources
from policy_match.core.rulebook import Rulebook

RULES = """\
tag 编号: text key
tag 营业收入: money
tag 失信被执行人: bool
policy "P" {
    事项名称: "x"
    申请条件: 营业收入 >= 2000万 且 非 失信被执行人
    兑付标准: 10万
    示例 "过" { 给定 { 营业收入: 3000万, 失信被执行人: 否 } 预期 符合 兑付 10万 }
    示例 "失信" { 给定 { 营业收入: 3000万, 失信被执行人: 是 } 预期 符合 兑付 10万 }
    示例 "金额" { 给定 { 营业收入: 3000万, 失信被执行人: 否 } 预期 符合 兑付 20万 }
    示例 "坏值" { 给定 { 营业收入: -5万, 失信被执行人: 否 } 预期 不符合 }
}
"""


def book() -> Rulebook:
    result = load_sources({"a.rule": RULES})
    assert result.rulebook is not None, [str(d.message) for d in result.diagnostics]
    return result.rulebook


def test_a_passing_example_carries_no_explanation() -> None:
    passed, *_ = run_examples(book())
    assert passed.passed and passed.explanation is None and passed.explain_text() == ""


def test_a_failing_example_explains_the_failed_condition_in_both_languages() -> None:
    failed = run_examples(book())[1]
    assert not failed.passed
    assert failed.problem_texts("zh") == ["预期 符合，实际 不符合", "预期兑付 10万元，实际 无"]
    assert failed.problem_texts("en") == ["expected eligible, got ineligible",
                                          "expected a benefit of 10万元, got none"]
    assert failed.explanation is not None
    assert [a.subject for a in failed.explanation.failed] == ["失信被执行人"]
    zh, en = failed.explain_text("zh"), failed.explain_text("en")
    assert "✗ 失信被执行人 是，要求为否" in zh and "✓ 营业收入 3,000万元" in zh
    assert "✗ 失信被执行人 = 是; required is 否" in en


def test_a_wrong_amount_is_explained_too() -> None:
    amount = run_examples(book())[2]
    assert amount.problem_texts("zh") == ["预期兑付 20万元，实际 10万元"]
    assert amount.explanation is not None and amount.explanation.benefit is not None


def test_an_unreadable_given_value_fails_only_its_example_in_both_languages() -> None:
    bad = run_examples(book())[3]
    (problem,) = bad.problem_texts("zh")
    assert problem.startswith("给定值无法读取：") and "金额不能为负数" in problem
    assert bad.problem_texts("en")[0].startswith("a given value cannot be read: ")
    assert bad.verdict is None and bad.explanation is None
