"""Kleene's laws hold on the engine (rule-language §5).

Random conditions over a few bool and numeric tags are written as rule text, so each law is
checked after the parser, the checker and the normalizer have had their way with it. Both
sides of a law are policies of one rulebook; they must give the same verdict on every record
of a grid in which every tag is missing, or takes values on both sides of its thresholds.
"""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from policy_match.core.loading import load_sources
from policy_match.core.rulebook import Rulebook
from policy_match.dsl.ir import Verdict

AS_OF = dt.date(2024, 7, 1)
TAGS = """\
tag 甲: bool
tag 乙: bool
tag 收入: money
tag 人数: count(人)
"""
ATOMS = ["甲", "乙", "not 甲", "收入 >= 2000万", "收入 < 3000万", "人数 <= 300", "人数 > 200",
         "收入 / 人数 >= 10万", "known(收入)", "甲 == 否"]
GRID: dict[str, list[Any]] = {
    "甲": [None, True, False],
    "乙": [None, True, False],
    "收入": [None, "1000万", "2000万", "3000万"],
    "人数": [None, 0, 200, 300],  # 0: 收入 / 人数 divides by zero, which is unknown
}
RECORDS = [dict(zip(GRID, values, strict=True)) for values in itertools.product(*GRID.values())]

SETTINGS = settings(max_examples=80, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

conditions = st.recursive(
    st.sampled_from(ATOMS),
    lambda inner: st.one_of(
        st.builds(lambda a: f"not ({a})", inner),
        st.builds(lambda a, b: f"({a}) and ({b})", inner, inner),
        st.builds(lambda a, b: f"({a}) or ({b})", inner, inner),
        st.builds(lambda xs: f"any of [{', '.join(xs)}]", st.lists(inner, min_size=1,
                                                                   max_size=3)),
        st.builds(lambda a, b, c: f"case {{ {a}: {b}; else: {c} }}", inner, inner, inner),
    ),
    max_leaves=5,
)


def book_of(laws: dict[str, tuple[str, str]]) -> Rulebook:
    """One policy per side of each law: ``<name>-L`` and ``<name>-R``."""
    parts = [TAGS]
    for name, sides in laws.items():
        for side, cond in zip("LR", sides, strict=True):
            parts.append(f'policy "{name}-{side}" {{\n    事项名称: "{name}"\n'
                         f"    申请条件: {cond}\n}}\n")
    result = load_sources({"laws.rule": "\n".join(parts)})
    assert result.rulebook is not None, [d.message for d in result.diagnostics]
    return result.rulebook


def verdicts(book: Rulebook, record: dict[str, Any]) -> dict[str, Verdict]:
    given_values = {k: v for k, v in record.items() if v is not None}
    return {pid: book.evaluate(given_values, pid, as_of=AS_OF) for pid in book.policies}


def assert_laws(laws: dict[str, tuple[str, str]]) -> None:
    book = book_of(laws)
    for record in RECORDS:
        got = verdicts(book, record)
        for name in laws:
            assert got[f"{name}-L"] is got[f"{name}-R"], (name, laws[name], record)


def at_least_expansion(n: int, items: list[str]) -> str:
    """``at least n of xs`` as an ``or`` of the ``and`` of every n-subset."""
    return " or ".join("(" + " and ".join(f"({x})" for x in combo) + ")"
                       for combo in itertools.combinations(items, n))


@SETTINGS
@given(a=conditions, b=conditions, c=conditions)
def test_de_morgan_absorption_and_friends(a: str, b: str, c: str) -> None:
    assert_laws({
        "de-morgan-and": (f"not (({a}) and ({b}))", f"(not ({a})) or (not ({b}))"),
        "de-morgan-or": (f"not (({a}) or ({b}))", f"(not ({a})) and (not ({b}))"),
        "absorb-or": (f"({a}) or (({a}) and ({b}))", a),
        "absorb-and": (f"({a}) and (({a}) or ({b}))", a),
        "double-not": (f"not (not ({a}))", a),
        "distribute": (f"({a}) and (({b}) or ({c}))", f"(({a}) and ({b})) or (({a}) and ({c}))"),
        "all-of": (f"all of [{a}, {b}, {c}]", f"({a}) and ({b}) and ({c})"),
        "any-of": (f"any of [{a}, {b}, {c}]", f"({a}) or ({b}) or ({c})"),
        "idempotent": (f"({a}) and ({a})", f"({a}) or ({a})"),
        "units": (f"({a}) and true", f"({a}) or false"),
        "aliases": (f"非 (({a}) 且 ({b})) 或 ({c})", f"not (({a}) and ({b})) or ({c})"),
        "precedence": (f"({a}) and ({b}) or not ({c})", f"(({a}) and ({b})) or (not ({c}))"),
    })


@SETTINGS
@given(items=st.lists(conditions, min_size=2, max_size=4), data=st.data())
def test_at_least_equals_its_expansion(items: list[str], data: st.DataObject) -> None:
    n = data.draw(st.integers(1, len(items)), label="n")
    listed = ", ".join(items)
    negated = ", ".join(f"not ({x})" for x in items)
    assert_laws({
        "expansion": (f"at least {n} of [{listed}]", at_least_expansion(n, items)),
        "zh-alias": (f"至少满足 {n} 项 [{listed}]", at_least_expansion(n, items)),
        # fewer than n true == at least len-n+1 false
        "negation": (f"not (at least {n} of [{listed}])",
                     f"at least {len(items) - n + 1} of [{negated}]"),
    })


def test_at_least_two_of_three_is_the_pairwise_or() -> None:
    a, b, c = "甲", "收入 >= 2000万", "人数 <= 300"
    assert_laws({"two-of-three": (f"at least 2 of [{a}, {b}, {c}]",
                                  f"({a} and {b}) or ({a} and {c}) or ({b} and {c})")})


@pytest.mark.parametrize(("cond", "record", "verdict"), [
    ("甲 and 乙", {"甲": False}, Verdict.INELIGIBLE),  # false and unknown is false
    ("甲 and 乙", {"甲": True}, Verdict.UNKNOWN),
    ("甲 or 乙", {"甲": True}, Verdict.ELIGIBLE),  # true or unknown is true
    ("甲 or 乙", {"甲": False}, Verdict.UNKNOWN),
    ("not 甲", {}, Verdict.UNKNOWN),
    ("known(甲)", {}, Verdict.INELIGIBLE),  # known() is never unknown
    ("not known(甲)", {}, Verdict.ELIGIBLE),
    ("at least 2 of [甲, 乙, 人数 <= 300]", {"甲": True, "人数": 10}, Verdict.ELIGIBLE),
    ("at least 2 of [甲, 乙, 人数 <= 300]", {"甲": False, "人数": 400}, Verdict.INELIGIBLE),
    ("at least 2 of [甲, 乙, 人数 <= 300]", {"甲": True, "人数": 400}, Verdict.UNKNOWN),
    # a case whose first non-false test is unknown is unknown, even if every branch is false
    ("case { 甲: false; else: false }", {}, Verdict.UNKNOWN),
    ("case { 甲: 乙; else: false }", {"甲": False}, Verdict.INELIGIBLE),
    ("case { 甲: 乙; 乙: true; else: false }", {"甲": False}, Verdict.UNKNOWN),
    ("收入 / 人数 >= 10万", {"收入": "1000万", "人数": 0}, Verdict.UNKNOWN),  # division by zero
])
def test_kleene_tables(cond: str, record: dict[str, Any], verdict: Verdict) -> None:
    book = book_of({"t": (cond, "true")})
    assert book.evaluate(record, "t-L", as_of=AS_OF) is verdict
