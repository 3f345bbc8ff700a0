"""Money is counted in cents: the rounding convention every amount of the money apps follows.

Every amount is the exact 兑付标准 value rounded to 0.01 yuan, ROUND_HALF_UP (a tie goes away
from zero), so the bulk path and the exact path agree to the cent.
"""

from __future__ import annotations

import decimal
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

import numpy as np

from policy_match.dsl.display import to_decimal

CENT = Decimal("0.01")
_CONTEXT = decimal.Context(prec=60)


def money(amount: Decimal | Fraction | int) -> Decimal:
    """An amount in yuan rounded to cents, ROUND_HALF_UP: the convention of this module.

    A ``Fraction`` is first made a decimal as ``book.benefit`` does (exact where it
    terminates, else 28 significant digits), so ``money(F) == money(book.benefit(...))``."""
    if isinstance(amount, Fraction):
        amount = to_decimal(amount)
    return Decimal(amount).quantize(CENT, rounding=ROUND_HALF_UP, context=_CONTEXT)


def to_cents(amount: Decimal | Fraction | int) -> int:
    return int(money(amount).scaleb(2, context=_CONTEXT))


def from_cents(cents: int) -> Decimal:
    return Decimal(int(cents)).scaleb(-2, context=_CONTEXT)


def total_cents(cents: np.ndarray) -> int:
    """An exact sum of int64 cents (Python ints when int64 could overflow)."""
    if not cents.size:
        return 0
    biggest = int(np.abs(cents).max())
    if biggest * cents.size < 2**62:
        return int(cents.sum(dtype=np.int64))
    return sum(int(c) for c in cents)
