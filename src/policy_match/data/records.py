"""Enterprise records: raw values (as in a CSV or a portal form) parsed by tag type.

``"2000万"``, ``"1.5亿元"``, ``"10%"``, ``"2021年3月1日"``, ``"高新技术企业、科技型中小企业"``,
``"是"``: each tag's type says how to read its value. A value that does not parse is never
dropped silently: it becomes a :class:`FieldError` naming the tag, the value and why, and
the field counts as missing.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Any

from pydantic import BaseModel, ConfigDict

from policy_match.dsl.ir import TagSpec
from policy_match.dsl.types import Kind
from policy_match.dsl.values import DURATION_UNITS, MAGNITUDES, Duration
from policy_match.dsl.vocabulary import Vocabulary

MISSING_TEXT = frozenset({"", "null", "none", "nan", "n/a", "na", "-", "—", "未知", "不详"})
TRUE_TEXT = frozenset({"true", "是", "1", "yes", "y", "t", "有"})
FALSE_TEXT = frozenset({"false", "否", "0", "no", "n", "f", "无"})
EMPTY_SET_TEXT = frozenset({"[]", "无"})
SET_SEPARATORS = re.compile(r"\s*[;；、,，|]\s*")

_NUMBER = re.compile(r"^([+-]?(?:\d[\d,]*)(?:\.\d+)?|[+-]?\.\d+)\s*(.*)$")
_DATE_PATTERNS = (
    re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$"),
    re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})$"),
    re.compile(r"^(\d{4})\.(\d{1,2})\.(\d{1,2})$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
)


class FieldError(BaseModel):
    """One value that could not be read: where, what, and why."""

    model_config = ConfigDict(frozen=True)

    row: int | None = None
    column: str
    value: str
    reason: str

    def __str__(self) -> str:
        where = f"row {self.row}, " if self.row is not None else ""
        return f"{where}{self.column} = {self.value!r}: {self.reason}"


class RecordError(ValueError):
    """Raised by the per-record API when values do not parse (``on_error="raise"``)."""

    def __init__(self, errors: Iterable[FieldError]) -> None:
        self.errors = tuple(errors)
        super().__init__("; ".join(str(e) for e in self.errors))


def is_missing(raw: Any) -> bool:
    if raw is None:
        return True
    if isinstance(raw, float) and raw != raw:  # NaN from a spreadsheet
        return True
    return isinstance(raw, str) and raw.strip().lower() in MISSING_TEXT


def _fraction(raw: Any) -> tuple[Fraction, str]:
    """A number and the unit text after it; thousands separators allowed."""
    if isinstance(raw, bool):
        raise ValueError("expected a number, got a yes/no value")
    if isinstance(raw, int | Fraction):
        return Fraction(raw), ""
    if isinstance(raw, float):
        return Fraction(Decimal(repr(raw))), ""
    if isinstance(raw, Decimal):
        return Fraction(raw), ""
    text = str(raw).strip().replace("，", ",")
    m = _NUMBER.match(text)
    if not m:
        raise ValueError("not a number")
    try:
        return Fraction(Decimal(m[1].replace(",", ""))), m[2].strip()
    except InvalidOperation as exc:
        raise ValueError("not a number") from exc


def _scaled(amount: Fraction, unit: str) -> tuple[Fraction, str]:
    while unit and unit[0] in MAGNITUDES:
        amount *= MAGNITUDES[unit[0]]
        unit = unit[1:]
    return amount, unit


def parse_money(raw: Any) -> Fraction:
    amount, unit = _scaled(*_fraction(raw))
    if unit not in ("", "元", "人民币", "元人民币"):
        raise ValueError(f"unknown money unit {unit!r} (write 2000万, 1.5亿元 or 500元)")
    return amount


def parse_plain(raw: Any, units: Iterable[str] = ()) -> Fraction:
    amount, unit = _scaled(*_fraction(raw))
    if unit and unit not in units:
        raise ValueError(f"unexpected unit {unit!r}")
    return amount


def parse_ratio(raw: Any) -> Fraction:
    amount, unit = _fraction(raw)
    if unit == "%":
        return amount / 100
    if unit == "‰":
        return amount / 1000
    if unit:
        raise ValueError(f"unexpected unit {unit!r} (write 10% or 0.1)")
    return amount


def parse_date(raw: Any) -> dt.date:
    if isinstance(raw, dt.datetime):
        return raw.date()
    if isinstance(raw, dt.date):
        return raw
    text = str(raw).strip()
    for pattern in _DATE_PATTERNS:
        m = pattern.match(text)
        if m:
            try:
                return dt.date(int(m[1]), int(m[2]), int(m[3]))
            except ValueError as exc:
                raise ValueError(f"no such day: {exc}") from exc
    raise ValueError("not a date (write 2021-03-01, 2021/3/1 or 2021年3月1日)")


def parse_bool(raw: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    text = str(raw).strip().lower()
    if text in TRUE_TEXT:
        return True
    if text in FALSE_TEXT:
        return False
    raise ValueError("not a yes/no value (write 是/否 or true/false)")


def parse_duration(raw: Any) -> Duration:
    if isinstance(raw, Duration):
        return raw
    amount, unit = _fraction(raw)
    if unit not in DURATION_UNITS:
        raise ValueError("not a duration (write 3年, 6个月, 30天 or 20个工作日)")
    return Duration(amount, DURATION_UNITS[unit])


def _set_items(raw: Any) -> list[str]:
    if isinstance(raw, list | tuple | set | frozenset):
        return [str(x).strip() for x in raw if str(x).strip()]
    text = str(raw).strip()
    if text in EMPTY_SET_TEXT:
        return []
    if text.startswith("[") and text.endswith("]"):
        text = text[1:-1]
    return [part.strip().strip("\"'“”") for part in SET_SEPARATORS.split(text) if part.strip()]


def parse_value(tag: TagSpec, raw: Any, vocabulary: Vocabulary) -> Any:
    """The value of ``raw`` for ``tag``; raises ``ValueError`` with a reason."""
    t = tag.type
    kind = t.kind
    if kind is Kind.MONEY:
        return parse_money(raw)
    if kind is Kind.COUNT:
        value = parse_plain(raw, units=tuple(u for u in (t.unit, "个") if u))
        if value.denominator != 1 or value < 0:
            raise ValueError("a count is a whole number, not negative")
        return value
    if kind is Kind.NUMBER:
        return parse_plain(raw)
    if kind is Kind.RATIO:
        return parse_ratio(raw)
    if kind is Kind.DATE:
        return parse_date(raw)
    if kind is Kind.BOOL:
        return parse_bool(raw)
    if kind is Kind.DURATION:
        return parse_duration(raw)
    if kind is Kind.ENUM:
        text = str(raw).strip()
        if t.values is not None and text not in t.values:
            raise ValueError("not one of " + "、".join(t.values))
        return text
    if kind is Kind.SET:
        items = _set_items(raw)
        if t.values is not None:
            wrong = [i for i in items if i not in t.values]
            if wrong:
                raise ValueError(f"{'、'.join(wrong)} not one of " + "、".join(t.values))
        return frozenset(items)
    if kind is Kind.CODE:
        hierarchy = vocabulary.hierarchies[t.hierarchy or ""]
        found = hierarchy.lookup(str(raw).strip())
        if found.code is None:
            raise ValueError(found.reason or f"not a {t.hierarchy} code")
        return found.code
    text = str(raw).strip()
    spec = vocabulary.tag_types.get(t.name or "")
    if spec is not None and spec.parse is not None:
        return spec.parse(text)
    return text


class ParsedRecord(BaseModel):
    """A record read against a rulebook's tags."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    values: dict[str, Any]
    errors: tuple[FieldError, ...] = ()
    unknown_fields: tuple[str, ...] = ()  # keys that are not tags: kept out, but listed


def parse_record(record: Mapping[str, Any], tags: Mapping[str, TagSpec],
                 vocabulary: Vocabulary, *, row: int | None = None) -> ParsedRecord:
    values: dict[str, Any] = {}
    errors: list[FieldError] = []
    for name, raw in record.items():
        tag = tags.get(name)
        if tag is None:
            continue
        try:
            value = _parse_cached(tag, raw, vocabulary)
        except ValueError as exc:
            errors.append(FieldError(row=row, column=name, value=str(raw), reason=str(exc)))
            continue
        if value is not _MISSING:
            values[name] = value
    unknown = tuple(k for k in record if k not in tags)
    # built from values this function made itself: no need to validate them again
    return ParsedRecord.model_construct(values=values, errors=tuple(errors),
                                        unknown_fields=unknown)


_CACHE: dict[tuple[int, int, type, Any], Any] = {}
_CACHE_LIMIT = 1 << 16


_MISSING = object()


def _parse_cached(tag: TagSpec, raw: Any, vocabulary: Vocabulary) -> Any:
    """The value of ``raw`` for ``tag``, or ``_MISSING``. Portal requests repeat values
    (codes, dates, enum labels, round amounts, empty cells): each distinct (tag, raw) is
    parsed once. Only hashable raw values of plain types are cached."""
    if type(raw) not in (str, int, float, bool):
        return _MISSING if is_missing(raw) else parse_value(tag, raw, vocabulary)
    key = (id(tag), id(vocabulary), type(raw), raw)  # 1 == True: the type tells them apart
    found = _CACHE.get(key, _CACHE)
    if found is not _CACHE and found[0] is tag:
        return found[1]
    value = _MISSING if is_missing(raw) else parse_value(tag, raw, vocabulary)
    if len(_CACHE) >= _CACHE_LIMIT:
        _CACHE.clear()
    _CACHE[key] = (tag, value)
    return value
