"""The evaluator on the normalized DAG agrees with a direct walk of the typed IR (oracle.py).

Random rulebook text covers every construct of §4 (money/count/ratio/number/date/enum/set/
code/bool tags, defines using defines, case in values and in conditions, arithmetic with /,
min/max/abs, today - 1年, in/not in on enums and industry codes with and without letter,
has/has any/has all, known, all of/any of/at least N of, not, the Chinese aliases); random
records leave any tag missing. Verdicts, benefits and define values (profile) must agree.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from fractions import Fraction

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from oracle import AS_OF_DATES, TAGS, Oracle, records, rulebooks

from policy_match.core.loading import load_sources
from policy_match.core.rulebook import UNKNOWN, Rulebook
from policy_match.dsl import ir
from policy_match.dsl.types import Kind

SETTINGS = settings(max_examples=200, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def load(text: str) -> Rulebook:
    result = load_sources({"g.rule": text})
    errors = [f"{d.code.value} {d.message}" for d in result.diagnostics if d.is_error]
    assert result.rulebook is not None, (errors, text)
    return result.rulebook


def exact(value: Fraction) -> Decimal:
    return Decimal(value.numerator) / Decimal(value.denominator)


def expected_benefit(oracle: Oracle, policy: ir.Policy) -> object:
    if policy.benefit is None:
        return None  # an item that pays no money has no amount to be unknown
    verdict = oracle.verdict(policy)
    if verdict is ir.Verdict.UNKNOWN:
        return UNKNOWN
    if verdict is not ir.Verdict.ELIGIBLE:
        return None
    amount = oracle.eval(policy.benefit)
    return UNKNOWN if amount is None else exact(Fraction(amount))


def expected_profile(oracle: Oracle, book: Rulebook) -> dict[str, object]:
    out: dict[str, object] = {}
    for name, define in book.defines.items():
        value = oracle.eval(define.expr)
        if define.type.kind is not Kind.BOOL and isinstance(value, Fraction):
            value = exact(value)
        out[name] = value
    return out


@SETTINGS
@given(data=st.data())
def test_engine_agrees_with_the_oracle(data: st.DataObject) -> None:
    generated = data.draw(rulebooks(), label="rulebook")
    book = load(generated.text)
    for _ in range(3):
        as_of = data.draw(st.sampled_from(AS_OF_DATES), label="as_of")
        raw, values = data.draw(records(as_of), label="record")
        # the raw forms the generator writes read as the values the oracle is given
        assert book.read_record(raw).values == values
        oracle = Oracle(book.program, values, as_of)
        for pid in generated.policies:
            policy = book.policy(pid)
            want = oracle.verdict(policy)
            assert book.evaluate(raw, pid, as_of=as_of) is want, (pid, raw)
            assert book.explain(raw, pid, as_of=as_of).verdict is want
            assert book.benefit(raw, pid, as_of=as_of) == expected_benefit(oracle, policy)
        assert book.profile(raw, as_of=as_of) == expected_profile(oracle, book)


def test_the_generated_rulebooks_cover_every_construct() -> None:
    """A sample of the strategy reaches every IR node kind and the listed spellings."""
    seen_nodes: set[str] = set()
    seen_text: set[str] = set()
    probes = ["today - 1年", "has any", "has all", "not in", "at least", "known(", "case {",
              " / ", "min(", "max(", "全部满足", "任一满足", '"39"', '"C"', "define "]

    def walk(e: object) -> None:
        seen_nodes.add(type(e).__name__)
        for child in getattr(e, "__dict__", {}).values():
            if isinstance(child, tuple):
                for c in child:
                    if isinstance(c, tuple):
                        for x in c:
                            walk(x)
                    elif hasattr(c, "type"):
                        walk(c)
            elif hasattr(child, "type") and not isinstance(child, str):
                walk(child)

    @settings(max_examples=120, deadline=None, database=None, derandomize=True,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(rulebooks())
    def sample(generated: object) -> None:
        text = generated.text  # type: ignore[attr-defined]
        seen_text.update(p for p in probes if p in text.removeprefix(TAGS))
        book = load(text)
        for define in book.defines.values():
            walk(define.expr)
        for policy in book.policies.values():
            walk(policy.eligible)
            if policy.benefit is not None:
                walk(policy.benefit)

    sample()
    wanted = {"Compare", "Member", "Has", "Not", "And", "Or", "AtLeast", "Case", "Arith",
              "Call", "Known", "TagRef", "DefineRef", "TodayRef", "Const", "Neg"}
    assert wanted <= seen_nodes, wanted - seen_nodes
    assert set(probes) <= seen_text, set(probes) - seen_text


def test_oracle_reads_today_minus_one_year_on_a_leap_day() -> None:
    """The oracle's own calendar: 2024-02-29 - 1年 is 2023-02-28 (month end)."""
    book = load(TAGS + 'policy "L" {\n 事项名称: "x"\n 申请条件: 成立日期 <= today - 1年\n}\n')
    leap = dt.date(2024, 2, 29)
    for day, want in [(dt.date(2023, 2, 28), ir.Verdict.ELIGIBLE),
                      (dt.date(2023, 3, 1), ir.Verdict.INELIGIBLE)]:
        oracle = Oracle(book.program, {"成立日期": day}, leap)
        assert oracle.verdict(book.policy("L")) is want
        assert book.evaluate({"成立日期": day}, "L", as_of=leap) is want
