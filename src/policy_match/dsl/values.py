"""Exact values of the language: numbers as fractions, durations with their unit.

Literals and data are exact (§3): ``2000万`` is the integer 20,000,000 and ``10%`` the
fraction 1/10, so a computed share that equals its threshold compares equal. Fractions
keep that true through sums, products and quotients.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from policy_match.dsl.types import COUNT, DURATION, MONEY, NUMBER, RATIO, Kind, Type
from policy_match.dsl.words import Words

MAGNITUDES = {"亿": 10**8, "万": 10**4, "千": 10**3, "百": 10**2}

# unit word -> canonical duration unit
DURATION_UNITS = {
    "年": "年", "周年": "年",
    "个月": "个月", "月": "个月",
    "周": "周",
    "天": "天", "日": "天",
    "个工作日": "个工作日", "工作日": "个工作日",
}


# Only for ordering durations of different units, never for date arithmetic.
_APPROX_DAYS: dict[str, int | Fraction] = {
    "年": 365, "个月": 30, "周": 7, "天": 1, "个工作日": Fraction(7, 5),
}


@dataclass(frozen=True, order=True)
class Duration:
    """A length of time as written: ``3年``, ``6个月``, ``30天``, ``20个工作日``.

    Calendar units stay symbolic (a year is not 365 days) so ``today - 1年`` lands on the
    same day of the month; working days need a calendar, which the engine supplies.
    """

    amount: Fraction
    unit: str  # 年 | 个月 | 周 | 天 | 个工作日

    def __str__(self) -> str:
        return f"{format_number(self.amount)}{self.unit}"

    def approx_days(self) -> Fraction:
        """For ordering durations of different units (a month as 30 days, a year 365)."""
        return self.amount * _APPROX_DAYS[self.unit]


def decimal_scale(value: Fraction) -> int | None:
    """How many decimal places ``value`` needs when it is a decimal (its denominator has no
    prime but 2 and 5), else ``None`` (1/3)."""
    d = value.denominator
    twos = (d & -d).bit_length() - 1
    rest = d >> twos
    fives = 0
    while rest % 5 == 0:
        rest //= 5
        fives += 1
    return max(twos, fives) if rest == 1 else None


def format_number(value: Fraction) -> str:
    """``Fraction(5, 2)`` → ``2.5``; integers without a point."""
    if value.denominator == 1:
        return str(value.numerator)
    text = f"{float(value):.10f}".rstrip("0").rstrip(".")
    return text


@dataclass(frozen=True)
class QuantityValue:
    value: Fraction | Duration
    type: Type


def quantity_value(number: str, unit: str) -> QuantityValue | str:
    """The value and type of ``number`` written with ``unit``; a message when the unit is unknown.

    ``万``/``亿`` alone are plain magnitudes (a number); with ``元`` they are money; a
    magnitude may prefix any unit (``3万人``).
    """
    amount = Fraction(number)
    if unit == "%":
        return QuantityValue(amount / 100, RATIO)
    rest = unit
    while rest and rest[0] in MAGNITUDES and rest not in DURATION_UNITS:
        amount *= MAGNITUDES[rest[0]]
        rest = rest[1:]
    if rest == "":
        return QuantityValue(amount, NUMBER)
    if rest == "元":
        return QuantityValue(amount, MONEY)
    if rest in DURATION_UNITS:
        if rest != unit:
            return Words("check.magnitude_duration", unit=rest)
        return QuantityValue(Duration(amount, DURATION_UNITS[rest]), DURATION)
    if len(rest) > 2:
        return Words("check.not_unit", unit=unit)
    unit_word = None if rest == "个" else rest
    return QuantityValue(amount, COUNT if unit_word is None else Type(Kind.COUNT, unit=unit_word))
