"""Running a policy's worked examples (``示例``) like a test suite: ``policy-match test``.

A failing example explains itself: its outcome carries the :class:`Explanation` of the
record it gave (which conditions held, which failed, what was missing), rendered in the
reader's language by :meth:`ExampleOutcome.explain_text`. Problems are catalogue words
(``test.*``): a ``str`` in English, ``say(problem, "zh")`` in Chinese.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from policy_match.base import clock
from policy_match.base.message import Message
from policy_match.core.rulebook import UNKNOWN, Rulebook
from policy_match.data.records import RecordError
from policy_match.dsl.display import money_zh
from policy_match.dsl.ir import Example, Policy, Verdict
from policy_match.dsl.words import Words, say
from policy_match.engine.explain import Explanation


@dataclass(frozen=True)
class ExampleOutcome:
    policy: Policy
    example: Example
    as_of: dt.date
    verdict: Verdict | None  # None: a given value could not be read (see ``problems``)
    benefit: Decimal | object | None
    problems: tuple[str, ...]  # empty: the example holds; each a ``Words``
    explanation: Explanation | None = None  # for a failed example whose record was read

    @property
    def passed(self) -> bool:
        return not self.problems

    def problem_texts(self, lang: str = "zh") -> list[str]:
        """What is wrong, in ``lang``."""
        return [say(p, lang) for p in self.problems]

    def explain_text(self, lang: str = "zh") -> str:
        """Why the record of a failed example got its verdict: the outcome of every
        condition (✓ held, ✗ failed, ? unknown), what is missing, the gap. "" if passed."""
        return "" if self.explanation is None else self.explanation.render(lang)


def example_date(policy: Policy, example: Example) -> dt.date:
    """The example's 评估日, else the first day of the policy's 适用时间, else today."""
    return example.as_of or clock.resolve(policy.valid_from)


def _verdict(v: Verdict) -> Message:
    return Message(v.zh, v.value)


def _amount(benefit: Decimal | object | None) -> Message:
    if isinstance(benefit, Decimal):
        value = Fraction(benefit)
        return Message(money_zh(value), money_zh(value))  # amounts read as in the rules
    return Message("未知", "unknown") if benefit is UNKNOWN else Message("无", "none")


def run_example(book: Rulebook, policy: Policy, example: Example) -> ExampleOutcome:
    """The example run as a test; a given value the tag rejects (a negative amount, a number
    out of range) fails this example with the reason, never the whole run."""
    as_of = example_date(policy, example)
    try:
        verdict = book.evaluate(example.given, policy.id, as_of=as_of)
        benefit = book.benefit(example.given, policy.id, as_of=as_of)
    except RecordError as err:
        unreadable = tuple(Words("test.unreadable", detail=Message(e.text("zh"), e.text("en")))
                           for e in err.errors)
        return ExampleOutcome(policy, example, as_of, None, None, unreadable or (str(err),))
    problems: list[str] = []
    if verdict is not example.expect:
        problems.append(Words("test.verdict", expected=_verdict(example.expect),
                              actual=_verdict(verdict)))
    pays = book.dag.benefits[policy.id] is not None
    if example.benefit is None and pays and verdict is Verdict.ELIGIBLE:
        problems.append(Words("test.benefit_required", actual=_amount(benefit)))
    if example.benefit is not None:
        expected = example.benefit
        if not isinstance(benefit, Decimal) or Fraction(benefit) != expected:
            problems.append(Words("test.benefit", expected=Message(
                money_zh(expected), money_zh(expected)), actual=_amount(benefit)))
    explanation = (book.explain(example.given, policy.id, as_of=as_of) if problems
                   else None)
    return ExampleOutcome(policy, example, as_of, verdict, benefit, tuple(problems),
                          explanation)


def run_examples(book: Rulebook, policy_id: str | None = None) -> list[ExampleOutcome]:
    policies = [book.policy(policy_id)] if policy_id else list(book.policies.values())
    return [run_example(book, p, ex) for p in policies for ex in p.examples]
