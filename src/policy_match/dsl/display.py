"""Values as people read them: money in 万元/亿元, counts with their unit, ratios in %.

One place for these conventions so explanations, plain-language descriptions and the CLI
agree (``3,200万元`` everywhere, never ``32000000``).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from fractions import Fraction
from typing import Any

from policy_match.dsl.types import Kind, Type
from policy_match.dsl.values import Duration

WAN = 10**4
YI = 10**8


def decimal_text(value: Fraction, places: int = 4, grouping: bool = False) -> str:
    """Exact when it can be; otherwise rounded to ``places`` decimals, zeros trimmed."""
    if value.denominator == 1:
        return f"{value.numerator:,}" if grouping else str(value.numerator)
    # Rounded exactly (half to even, as Decimal rounds), so any number of digits is fine:
    # a Decimal quantize beyond its 28-digit context would raise.
    scaled = round(value * 10**places)
    whole, fraction = divmod(abs(scaled), 10**places)
    head = ("-" if scaled < 0 else "") + (f"{whole:,}" if grouping else str(whole))
    return f"{head}.{fraction:0{places}d}".rstrip("0").rstrip(".") if places else head


def money_zh(value: Fraction) -> str:
    magnitude = abs(value)
    if magnitude >= YI and (value * 100 / YI).denominator == 1:
        return f"{decimal_text(value / YI, 2)}亿元"
    if magnitude >= WAN:
        return f"{decimal_text(value / WAN, 4, grouping=True)}万元"
    return f"{decimal_text(value, 2, grouping=True)}元"


def ratio_text(value: Fraction) -> str:
    return f"{decimal_text(value * 100, 4)}%"


def date_zh(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def money_plain(value: Fraction) -> str:
    """Statutory style: 2000万元, 1.5亿元, 500元 (no thousands separators)."""
    if abs(value) >= YI and (value * 100 / YI).denominator == 1:
        return f"{decimal_text(value / YI, 2)}亿元"
    if abs(value) >= WAN:
        return f"{decimal_text(value / WAN, 4)}万元"
    return f"{decimal_text(value, 2)}元"


def amount_text(value: Fraction, t: Type | None, *, statutory: bool = False,
                default_unit: str = "") -> str:
    """A number by its type: money in 万元/亿元, ratios in %, counts with their unit.

    ``statutory``: the 清单 style (2000万元) rather than the on-screen one (2,000万元)."""
    kind = t.kind if t is not None else None
    grouping = not statutory
    if kind is Kind.MONEY:
        return money_plain(value) if statutory else money_zh(value)
    if kind is Kind.RATIO:
        return ratio_text(value)
    if kind is Kind.COUNT:
        unit = (t.unit if t else None) or default_unit
        return f"{decimal_text(value, grouping=grouping)}{unit}"
    return decimal_text(value, grouping=grouping)


def value_text(value: Any, t: Type | None, lang: str = "zh") -> str:
    """One value of type ``t`` for a reader."""
    if value is None:
        return "未知" if lang == "zh" else "unknown"
    if isinstance(value, bool):
        return ("是" if value else "否") if lang == "zh" else ("yes" if value else "no")
    if isinstance(value, Fraction):
        return amount_text(value, t)
    if isinstance(value, dt.date):
        return date_zh(value) if lang == "zh" else value.isoformat()
    if isinstance(value, Duration):
        return str(value)
    if isinstance(value, frozenset | set | tuple | list):
        items = sorted(value)
        if not items:
            return "（无）" if lang == "zh" else "(none)"
        return "、".join(items) if lang == "zh" else ", ".join(items)
    return str(value)


def threshold_text(value: Any, t: Type | None) -> str:
    """A constant a rule compares with: a plain magnitude beside money reads as money."""
    if isinstance(value, Fraction) and t is not None and t.kind is Kind.MONEY:
        return money_zh(value)
    return value_text(value, t)


def window_text(start: dt.date | None, end: dt.date | None, lang: str = "zh") -> str:
    """A validity window for a reader: 2024年1月1日至2026年12月31日, …至长期; — for no start."""
    zh = lang == "zh"
    show = date_zh if zh else dt.date.isoformat
    first = show(start) if start else "—"
    last = show(end) if end else ("长期" if zh else "open")
    return f"{first}至{last}" if zh else f"{first} to {last}"


_DIGITS_ZH = "零一二三四五六七八九"


def chinese_number(n: int) -> str:
    """An integer in Chinese numerals, as a list is numbered: 一 … 十, 十一, 二十, 九十九,
    一百, 一百零一, 一百一十, 一千零一十, 一万, 十万零一, 一亿零一万; 零 for 0, 负 before a
    negative number."""
    if n < 0:
        return "负" + chinese_number(-n)
    if n == 0:
        return "零"
    return _chinese(n, leading=True)


def _chinese(n: int, leading: bool) -> str:
    for size, unit in ((10**8, "亿"), (10**4, "万")):
        if n >= size:
            high, low = divmod(n, size)
            head = _chinese(high, leading) + unit
            if low == 0:
                return head
            gap = "零" if low < size // 10 else ""  # a missing 千 (or 千万) is read as 零
            return head + gap + _chinese(low, leading=False)
    return _section(n, leading)


def _section(n: int, leading: bool) -> str:
    """1 … 9999: one 零 for each run of missing places between digits, none at the end;
    a number that starts with 一十 drops the 一 (十五, not 一十五)."""
    out: list[str] = []
    gap = False
    for place, unit in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        digit = n // place % 10
        if digit == 0:
            gap = gap or bool(out)
            continue
        if gap:
            out.append("零")
            gap = False
        out.append(_DIGITS_ZH[digit] + unit)
    text = "".join(out)
    return text[1:] if leading and text.startswith("一十") else text


def to_decimal(value: Fraction) -> Decimal:
    """An exact decimal where one exists, else 28 significant digits."""
    return Decimal(value.numerator) / Decimal(value.denominator)
