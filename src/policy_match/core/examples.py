"""Running a policy's worked examples (``示例``) like a test suite: ``policy-match test``."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from policy_match.base import clock
from policy_match.core.rulebook import UNKNOWN, Rulebook
from policy_match.data.records import RecordError
from policy_match.dsl.display import money_zh
from policy_match.dsl.ir import Example, Policy, Verdict


@dataclass(frozen=True)
class ExampleOutcome:
    policy: Policy
    example: Example
    as_of: dt.date
    verdict: Verdict | None  # None: a given value could not be read (see ``problems``)
    benefit: Decimal | object | None
    problems: tuple[str, ...]  # empty: the example holds

    @property
    def passed(self) -> bool:
        return not self.problems


def example_date(policy: Policy, example: Example) -> dt.date:
    """The example's 评估日, else the first day of the policy's 适用时间, else today."""
    return example.as_of or clock.resolve(policy.valid_from)


def run_example(book: Rulebook, policy: Policy, example: Example) -> ExampleOutcome:
    """The example run as a test; a given value the tag rejects (a negative amount, a number
    out of range) fails this example with the reason, never the whole run."""
    as_of = example_date(policy, example)
    try:
        verdict = book.evaluate(example.given, policy.id, as_of=as_of)
        benefit = book.benefit(example.given, policy.id, as_of=as_of)
    except RecordError as err:
        unreadable = tuple(f"给定值无法读取 (a given value cannot be read): {e.text('zh')}"
                           for e in err.errors)
        return ExampleOutcome(policy, example, as_of, None, None, unreadable or (str(err),))
    problems = []
    if verdict is not example.expect:
        problems.append(f"预期 {example.expect.zh}（{example.expect.value}），"
                        f"实际 {verdict.zh}（{verdict.value}）")
    pays = book.dag.benefits[policy.id] is not None
    if example.benefit is None and pays and verdict is Verdict.ELIGIBLE:
        problems.append(f"符合的示例须写明兑付金额（实际 {_shown(benefit)}）")
    if example.benefit is not None:
        expected = example.benefit
        if not isinstance(benefit, Decimal) or Fraction(benefit) != expected:
            problems.append(f"预期兑付 {money_zh(expected)}，实际 {_shown(benefit)}")
    return ExampleOutcome(policy, example, as_of, verdict, benefit, tuple(problems))


def _shown(benefit: Decimal | object) -> str:
    if isinstance(benefit, Decimal):
        return money_zh(Fraction(benefit))
    return "未知" if benefit is UNKNOWN else "无"


def run_examples(book: Rulebook, policy_id: str | None = None) -> list[ExampleOutcome]:
    policies = [book.policy(policy_id)] if policy_id else list(book.policies.values())
    return [run_example(book, p, ex) for p in policies for ex in p.examples]
