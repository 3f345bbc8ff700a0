from datetime import date
from fractions import Fraction

import numpy as np
import pytest

from policy_match.dsl.types import (
    BOOL,
    COUNT,
    DATE,
    DURATION,
    MONEY,
    NUMBER,
    RATIO,
    TEXT,
    Kind,
    Type,
)
from policy_match.dsl.vocabulary import FunctionSpec
from policy_match.plugins.builtins.functions import ABS, FUNCTIONS, MAX, MIN

PEOPLE = Type(Kind.COUNT, unit="人")


def test_names_and_arity() -> None:
    assert [spec.name for spec in FUNCTIONS] == ["min", "max", "abs"]
    assert (MIN.min_args, MIN.max_args) == (2, None)
    assert (MAX.min_args, MAX.max_args) == (2, None)
    assert (ABS.min_args, ABS.max_args) == (1, 1)


@pytest.mark.parametrize("spec", [MIN, MAX])
@pytest.mark.parametrize(
    ("args", "result"),
    [
        ([RATIO, RATIO], RATIO),
        ([NUMBER, RATIO], RATIO),
        ([RATIO, NUMBER, RATIO], RATIO),
        ([MONEY, NUMBER], MONEY),
        ([NUMBER, NUMBER], NUMBER),
        ([COUNT, PEOPLE], PEOPLE),
        ([PEOPLE, NUMBER, COUNT], PEOPLE),
        ([DATE, DATE, DATE], DATE),
        ([DURATION, DURATION], DURATION),
    ],
)
def test_min_max_typing(spec: FunctionSpec, args: list[Type], result: Type) -> None:
    assert spec.typing(args) == result


@pytest.mark.parametrize("spec", [MIN, MAX])
@pytest.mark.parametrize(
    "args",
    [
        [MONEY, COUNT],
        [MONEY, RATIO],
        [NUMBER, MONEY, COUNT],
        [DATE, DURATION],
        [DATE, NUMBER],
        [TEXT, TEXT],
        [BOOL, BOOL],
        [MONEY],
    ],
)
def test_min_max_typing_errors(spec: FunctionSpec, args: list[Type]) -> None:
    message = spec.typing(args)
    assert isinstance(message, str)
    assert spec.name in message


def test_typing_error_names_the_mix() -> None:
    message = MIN.typing([MONEY, COUNT])
    assert isinstance(message, str) and "money" in message and "count" in message


@pytest.mark.parametrize(
    ("arg", "result"), [(MONEY, MONEY), (RATIO, RATIO), (PEOPLE, PEOPLE), (DURATION, DURATION)]
)
def test_abs_typing(arg: Type, result: Type) -> None:
    assert ABS.typing([arg]) == result


@pytest.mark.parametrize("args", [[DATE], [TEXT], [BOOL], [MONEY, MONEY], []])
def test_abs_typing_errors(args: list[Type]) -> None:
    assert isinstance(ABS.typing(args), str)


def test_impl_is_exact() -> None:
    five, four = Fraction(5, 100), Fraction(3, 100) + Fraction(1, 100)
    assert MIN.impl(five, four) == Fraction(4, 100)
    assert MAX.impl(five, four, Fraction(1, 10)) == Fraction(1, 10)
    assert MAX.impl(Fraction(1, 3), Fraction(1, 3)) == Fraction(1, 3)
    assert ABS.impl(Fraction(-7, 3)) == Fraction(7, 3)
    assert isinstance(MIN.impl(five, four), Fraction)


def test_impl_on_dates() -> None:
    dates = [date(2024, 7, 1), date(2021, 3, 1), date(2025, 1, 1)]
    assert MIN.impl(*dates) == date(2021, 3, 1)
    assert MAX.impl(*dates) == date(2025, 1, 1)


@pytest.mark.parametrize("spec", FUNCTIONS, ids=lambda s: s.name)
def test_vectorized_agrees_with_impl_row_by_row(spec: FunctionSpec) -> None:
    assert spec.vectorized is not None
    assert spec.nonexpansive  # the result is an argument or its magnitude
    rng = np.random.default_rng(7)
    width = 1 if spec is ABS else 3
    columns = [rng.normal(0, 1e6, 50).round(2) for _ in range(width)]
    got = spec.vectorized(*columns)
    assert isinstance(got, np.ndarray) and got.shape == (50,)
    for i in range(50):
        row = [Fraction(float(c[i])) for c in columns]
        assert Fraction(float(got[i])) == spec.impl(*row)


@pytest.mark.parametrize("spec", FUNCTIONS, ids=lambda s: s.name)
def test_vectorized_moves_no_more_than_its_arguments(spec: FunctionSpec) -> None:
    assert spec.vectorized is not None
    rng = np.random.default_rng(11)
    width = 1 if spec is ABS else 2
    exact = [rng.normal(0, 100, 200) for _ in range(width)]
    nudged = [x + rng.uniform(-0.5, 0.5, 200) for x in exact]
    moved = np.abs(spec.vectorized(*nudged) - spec.vectorized(*exact))
    bound = np.max([np.abs(n - x) for n, x in zip(nudged, exact, strict=True)], axis=0)
    assert np.all(moved <= bound)
