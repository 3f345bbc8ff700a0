"""Point lookup (``engine/pointwise.py``) once its caches are warm: the outcomes of a group of
atoms remembered per value, precomputed per place among thresholds, and the record reader's
remembered raw values give the scalar evaluator's verdicts on every lookup, not only the
first — whatever order records come in, and with values on a threshold's float; the
fields' outcomes remembered by the identity of immutable values only; and the connectives'
levels (at least n expanded or sorted, and/or on alternating levels, wide nodes back to
back) agreeing with the scalar evaluator on every assignment of their tags."""

from __future__ import annotations

import copy
import datetime as dt
import os
from fractions import Fraction
from typing import Any

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from oracle import AS_OF_DATES, load, records, rulebooks

from policy_match.dsl.ir import Verdict
from policy_match.engine import pointgroups
from policy_match.engine.pointwise import _as_float, _numeric

SETTINGS = settings(max_examples=int(os.environ.get("PM_EXAMPLES", "80")), deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def _agrees_with_scalar(book: Any, names: list[str], raws: list[str | None],
                        day: dt.date) -> None:
    """The point lookup of the record ``names`` → ``raws`` (None: absent) gives, policy by
    policy, the scalar evaluator's verdict."""
    raw = {n: r for n, r in zip(names, raws, strict=True) if r is not None}
    got = book.match_record(raw, as_of=day)
    for pid in book.policies:
        assert got[pid] is book.evaluate(raw, pid, as_of=day), (pid, raw)


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


def _all_assignments(names: list[str]) -> list[dict[str, Any]]:
    """Every record giving each yes/no tag true, false or nothing (3 ** len(names))."""
    out: list[dict[str, Any]] = [{}]
    for name in names:
        out = [{**r, name: raw} for r in out for raw in ("是", "否", None)]
    return [{k: v for k, v in r.items() if v is not None} for r in out]


def test_at_least_and_nesting_agree_on_every_assignment() -> None:
    # at least n of k is the n-th largest, expanded to an or of ands when small; and/or
    # chains are put on alternating levels, an item repeated or alone folded away
    tags = "".join(f"tag {t}: bool\n" for t in "甲乙丙丁")
    conditions = [
        *(f"at least {n} of [甲, 乙, 丙, 丁]" for n in (1, 2, 3, 4)),
        "at least 2 of [甲, 甲, 乙]", "at least 3 of [甲, 甲, 乙]", "all of [甲, 甲]",
        "any of [甲]", "all of [any of [all of [甲, 乙], all of [丙, not 丁]], 乙 or 丁]",
        "at least 2 of [any of [甲, 乙], all of [丙, 丁], at least 1 of [甲, 丁]]",
        "all of [at least 2 of [甲, 乙, 丙], not 丁] or (甲 and not 乙)",
        "at least 1 of [甲]", "any of [甲, all of [乙]]"]
    text = tags + "".join(f'policy "P{i}" {{ name: "x"  eligible: {c} }}\n'
                          for i, c in enumerate(conditions))
    book = load(text)
    day = dt.date(2025, 1, 1)
    for _ in range(2):  # cold caches, then warm ones
        for raw in _all_assignments(list("甲乙丙丁")):
            got = book.match_record(raw, as_of=day)
            for pid in book.policies:
                assert got[pid] is book.evaluate(raw, pid, as_of=day), (pid, raw)


def test_at_least_of_many_items_sorts_instead_of_expanding() -> None:
    names = [f"标{i}" for i in range(10)]
    tags = "".join(f"tag {t}: bool\n" for t in names)
    items = ", ".join(names)
    text = tags + "".join(f'policy "N{n}" {{ name: "x"  eligible: at least {n} of [{items}] }}\n'
                          for n in (1, 3, 5, 9, 10))
    text += f'policy "M" {{ name: "x"  eligible: all of [标0, at least 4 of [{items}]] }}\n'
    book = load(text)
    day = dt.date(2025, 1, 1)
    draws = st.lists(st.sampled_from(["是", "否", None]), min_size=10, max_size=10)

    @settings(max_examples=200, deadline=None)
    @given(draws)
    def check(raws: list[str | None]) -> None:
        _agrees_with_scalar(book, names, raws, day)

    check()


_FIELDS = """tag 营业收入: money
tag 研发费用: money
tag 资质: set["高新技术企业", "A"]
policy "R" { name: "x"  eligible: 研发费用 / 营业收入 >= 5% }
policy "T" { name: "x"  eligible: 研发费用 < 营业收入 }
policy "H" { name: "x"  eligible: 资质 has "高新技术企业" }
policy "C" { name: "x"  eligible: case { 营业收入 >= 100万: 研发费用 >= 10万; else: 资质 has "A" } }
"""


def test_fields_remember_outcomes_by_identity_only_for_immutable_values() -> None:
    book = load(_FIELDS)
    day = dt.date(2025, 1, 1)
    evaluator = book.point_lookups.on(day).evaluator
    roots = list(evaluator.roots)

    def check(values: dict[str, Any]) -> None:
        got = evaluator.evaluate(values)
        for pid in roots:
            want = book.evaluator(values, day).truth(book.dag.conditions[pid])
            assert got[pid] is want, (pid, values)

    shared = {"营业收入": Fraction(2_000_000), "研发费用": Fraction(150_000)}
    for _ in range(2):  # the same objects (remembered), then equal new ones
        check(shared)
        check({k: Fraction(v) for k, v in shared.items()})
    check({"营业收入": Fraction(50_000)})
    members = ["A"]  # a list can change under its id: never remembered by it
    check({"资质": members, "营业收入": Fraction(1)})
    members.append("高新技术企业")
    members.remove("A")
    check({"资质": members, "营业收入": Fraction(1)})


def test_a_full_cache_starts_again(monkeypatch: Any) -> None:
    monkeypatch.setattr(pointgroups, "_CACHE_LIMIT", 3)
    book = load(_FIELDS)
    day = dt.date(2025, 1, 1)
    values = [{"营业收入": Fraction(n * 10_000), "研发费用": Fraction(n * 700)}
              for n in range(1, 40)]
    for _ in range(2):
        for v in values:
            got = book.point_lookups.on(day).evaluator.evaluate(v)
            for pid in got:
                assert got[pid] is book.evaluator(v, day).truth(book.dag.conditions[pid])
    fields = book.point_lookups.on(day).evaluator._all_fields
    assert all(len(f.cache) <= 3 for f in fields)


def test_a_wide_and_among_narrow_ones_is_reduced_back_to_back() -> None:
    names = [f"标{i}" for i in range(30)]
    text = "".join(f"tag {t}: bool\n" for t in names)
    text += f'policy "W" {{ name: "x"  eligible: all of [{", ".join(names)}] }}\n'
    text += f'policy "V" {{ name: "x"  eligible: any of [{", ".join(names[1:])}] }}\n'
    text += "".join(f'policy "S{i}" {{ name: "x"  eligible: {names[i]} and not {names[i + 1]} }}\n'
                    f'policy "O{i}" {{ name: "x"  eligible: {names[i]} or {names[i + 2]} }}\n'
                    for i in range(25))
    book = load(text)
    day = dt.date(2025, 1, 1)
    assert any(level.offsets is not None
               for level in book.point_lookups.on(day).evaluator._levels)
    draws = st.lists(st.sampled_from(["是", "否", None]), min_size=30, max_size=30)

    @settings(max_examples=100, deadline=None)
    @given(draws)
    @example(["是"] * 30)
    @example(["是"] * 29 + [None])
    def check(raws: list[str | None]) -> None:
        _agrees_with_scalar(book, names, raws, day)

    check()


def test_a_copied_evaluator_is_compiled_afresh() -> None:
    book = load(_FIELDS)
    day = dt.date(2025, 1, 1)
    evaluator = book.point_lookups.on(day).evaluator
    values = {"营业收入": Fraction(2_000_000), "研发费用": Fraction(150_000)}
    want = evaluator.evaluate(values)
    copied = copy.copy(evaluator)  # (a vocabulary's rules are not picklable: a copy is)
    assert all(not field.cache for field in copied._all_fields)  # no ids from elsewhere
    assert copied.evaluate(values) == want
