"""Point lookup (``engine/pointwise.py``) once its caches are warm: the outcomes of a group of
atoms remembered per value, precomputed per place among thresholds, and the record reader's
remembered raw values give the scalar evaluator's verdicts on every lookup, not only the
first — whatever order records come in, and with values on a threshold's float."""

from __future__ import annotations

import datetime as dt
import os
from fractions import Fraction
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from oracle import AS_OF_DATES, load, records, rulebooks

from policy_match.dsl.ir import Verdict
from policy_match.engine.pointwise import _as_float, _numeric

SETTINGS = settings(max_examples=int(os.environ.get("PM_EXAMPLES", "80")), deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@SETTINGS
@given(data=st.data())
def test_repeated_lookups_agree_with_the_scalar_evaluator(data: st.DataObject) -> None:
    generated = data.draw(rulebooks(), label="rulebook")
    book = load(generated.text)
    as_of = data.draw(st.sampled_from(AS_OF_DATES), label="as_of")
    raws = [data.draw(records(as_of), label=f"record {i}")[0]
            for i in range(data.draw(st.integers(1, 6), label="records"))]
    want = [{pid: book.evaluate(raw, pid, as_of=as_of) for pid in book.policies}
            for raw in raws]
    order = data.draw(st.permutations([*range(len(raws))] * 3), label="order")
    for i in order:  # each record three times, interleaved: the caches fill, then serve
        got = book.match_record(raws[i], as_of=as_of)
        assert dict(got) == want[i], raws[i]
        assert got.eligible() == [p for p, v in want[i].items() if v is Verdict.ELIGIBLE]


def test_values_near_and_on_thresholds_from_warm_caches() -> None:
    text = "tag 营业收入: money\ntag 成立日期: date\n" + "".join(
        f'policy "W{o}" {{ name: "x"  eligible: 营业收入 {op} 2000万 }}\n'
        f'policy "D{o}" {{ name: "x"  eligible: 成立日期 {op} 评估日 - 3年 }}\n'
        for o, op in enumerate(("<", "<=", ">", ">=", "==", "!=")))
    book = load(text)
    day = dt.date(2025, 1, 1)
    raws: list[dict[str, Any]] = []
    for revenue in ("19999999.999999999999", "20000000", "20000000.000000000001",
                    "1", "300000000", "0", None):
        for founded in ("2021-12-31", "2022-01-01", "2022-01-02", None):
            raws.append({"营业收入": revenue, "成立日期": founded})
    for _ in range(2):
        for raw in raws:
            got = book.match_record(raw, as_of=day)
            for pid in book.policies:
                assert got[pid] is book.evaluate(raw, pid, as_of=day), (pid, raw)


def test_bad_values_are_remembered_as_bad() -> None:
    book = load('tag 营业收入: money\npolicy "A" { name: "x"  eligible: 营业收入 >= 100万 }\n')
    day = dt.date(2025, 1, 1)
    for _ in range(3):
        assert book.match_record({"营业收入": "很多"}, as_of=day,
                                 on_error="missing")["A"] is Verdict.UNKNOWN
        try:
            book.match_record({"营业收入": "很多"}, as_of=day)
        except ValueError as exc:
            assert "营业收入" in str(exc)
        else:
            raise AssertionError("a bad value raises with on_error='raise'")
        assert book.match_record({"营业收入": "200万"}, as_of=day)["A"] is Verdict.ELIGIBLE


def test_the_fast_float_is_the_float() -> None:
    for value in (Fraction(1, 3), Fraction(10**40, 3), -Fraction(10**400, 7), 7, 2**2000,
                  -(2**2000), 0.1, True, dt.date(2024, 2, 29), "x"):
        assert _as_float(value) == _numeric(value), value
