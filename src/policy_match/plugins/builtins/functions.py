"""The built-in functions ``min``, ``max`` and ``abs``.

They are ordinary :class:`~policy_match.dsl.vocabulary.FunctionSpec` values, registered the
way a plug-in registers its own, so the checker has no special cases for them. Typing follows
§3: numeric arguments must unify (``min(5%, 3% + 1%)`` is a ratio, ``min(2000万, 300人)`` is an
error); dates and durations are ordered among themselves only.

The implementations compare exact values (``fractions.Fraction``, ``datetime.date`` and the
engine's duration values, which are expected to be ordered and to support ``abs``). Each also
has a vectorized form for bulk matching; all three are nonexpansive (the result is one of the
arguments, or its magnitude), so bulk matching keeps its float error bounds through them.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import numpy as np

from policy_match.dsl.type_words import noun
from policy_match.dsl.types import Kind, Type, unify_numeric
from policy_match.dsl.vocabulary import FunctionSpec, TypeRule
from policy_match.dsl.words import Words


def _listing(args: list[Type]) -> str:
    return ", ".join(arg.describe() for arg in args)


def _extremum_typing(name: str) -> TypeRule:
    def rule(args: list[Type]) -> Type | str:
        if len(args) < 2:
            return Words("func.at_least_two", name=name, n=len(args))
        if all(arg.is_numeric for arg in args):
            result: Type | None = args[0]
            for arg in args[1:]:
                result = unify_numeric(result, arg) if result else None
            if result is None:
                return Words("func.one_kind", name=name, types=_listing(args))
            return result
        for kind in (Kind.DATE, Kind.DURATION):
            if all(arg.kind is kind for arg in args):
                return args[0]
        return Words("func.extremum_types", name=name, types=_listing(args))

    return rule


def _abs_typing(args: list[Type]) -> Type | str:
    if len(args) != 1:
        return Words("func.abs_one", n=len(args))
    if args[0].is_numeric or args[0].kind is Kind.DURATION:
        return args[0]
    return Words("func.abs_type", type=noun(args[0]))


def _extremum(name: str, pick: Callable[..., Any], elementwise: np.ufunc,
              doc: str) -> FunctionSpec:
    return FunctionSpec(
        name=name,
        typing=_extremum_typing(name),
        impl=lambda *values: pick(values),
        min_args=2,
        max_args=None,
        doc=doc,
        vectorized=lambda *columns: functools.reduce(elementwise, columns),
        nonexpansive=True,
    )


MIN = _extremum("min", min, np.minimum,
                "The smallest of two or more numbers, dates or durations.")
MAX = _extremum("max", max, np.maximum,
                "The largest of two or more numbers, dates or durations.")
ABS = FunctionSpec(
    name="abs",
    typing=_abs_typing,
    impl=abs,
    min_args=1,
    max_args=1,
    doc="The absolute value of a number or a duration.",
    vectorized=np.abs,
    nonexpansive=True,
)

FUNCTIONS = (MIN, MAX, ABS)
