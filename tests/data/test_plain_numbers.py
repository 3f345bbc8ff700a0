"""A number cell that is already an ``int`` or a ``float`` (a JSON form, a typed table) is
read without its text: the same value, or the same problem, as the general reading."""

from __future__ import annotations

import math
from typing import Any

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from policy_match.core.loading import load_sources
from policy_match.core.rulebook import Rulebook
from policy_match.data.records import _NUMBER_KINDS, parse_general, parse_value

TAGS = """\
tag 营业收入: money
tag 利润: money signed
tag 从业人数: count(人)
tag 净增人数: count signed
tag 评价得分: number
tag 增长率: ratio
"""


@pytest.fixture(scope="module")
def book() -> Rulebook:
    result = load_sources({"tags.rule": TAGS})
    assert result.rulebook is not None and not result.diagnostics
    return result.rulebook


def _outcome(read: Any, book: Rulebook, name: str, raw: Any) -> tuple[str, Any]:
    try:
        return "value", read(book.tags[name], raw, book.vocabulary)
    except ValueError as exc:
        return "problem", (getattr(exc, "key", None), str(exc))


NAMES = ["营业收入", "利润", "从业人数", "净增人数", "评价得分", "增长率"]
INTS = st.one_of(st.integers(-10**6, 10**6), st.integers(-10**25, 10**25),
                 st.sampled_from([10**18 - 1, 10**18, -10**18, -(10**18 - 1), 0]))
FLOATS = st.one_of(st.floats(allow_nan=True, allow_infinity=True),
                   st.floats(-1e6, 1e6), st.floats(-1e-30, 1e-30),
                   st.sampled_from([1e-33, 1.5e-33, 1e-34, 1.5e-34, 2.5, 100.0, 1e18,
                                    9.999999999999999e17, -0.0, 0.1 + 0.2]))


@given(name=st.sampled_from(NAMES), raw=st.one_of(INTS, FLOATS))
@example(name="从业人数", raw=2.5)
@example(name="营业收入", raw=-1)
@example(name="从业人数", raw=-10**19)
def test_a_plain_number_reads_as_the_general_path_reads_it(book: Rulebook, name: str,
                                                            raw: Any) -> None:
    fast = _outcome(parse_value, book, name, raw)
    general = _outcome(parse_general, book, name, raw)
    assert fast == general
    if fast[0] == "value":
        assert type(fast[1]) is type(general[1])


def test_every_number_kind_takes_the_fast_path(book: Rulebook) -> None:
    kinds = {book.tags[name].type.kind for name in NAMES}
    assert kinds == set(_NUMBER_KINDS)


def test_the_problems_a_plain_number_can_have(book: Rulebook) -> None:
    problems = {raw: _outcome(parse_value, book, name, raw)
                for name, raw in [("营业收入", -5), ("从业人数", 2.5), ("评价得分", math.inf),
                                  ("增长率", 1e-40), ("利润", 10**18)]}
    assert all(kind == "problem" for kind, _ in problems.values())
    assert _outcome(parse_value, book, "利润", -5) == ("value", -5)
    assert _outcome(parse_value, book, "增长率", 0.0744)[1] * 10000 == 744
