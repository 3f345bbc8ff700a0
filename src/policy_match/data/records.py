"""Enterprise records: raw values (as in a CSV or a portal form) parsed by tag type.

``"2000万"``, ``"1.5亿元"``, ``"10%"``, ``"2021年3月1日"``, ``"高新技术企业、科技型中小企业"``,
``"是"``: each tag's type says how to read its value. A value that does not parse is never
dropped silently: it becomes a :class:`FieldError` naming the tag, the value and why, and
the field counts as missing.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from policy_match.base.messages import DEFAULT_LANG, Lang, text
from policy_match.dsl.ir import TagSpec
from policy_match.dsl.types import Kind
from policy_match.dsl.values import DURATION_UNITS, MAGNITUDES, Duration, decimal_scale
from policy_match.dsl.vocabulary import Vocabulary
from policy_match.dsl.words import Words

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


MAX_EXPONENT = 18
MAX_MAGNITUDE = 10**MAX_EXPONENT
"""Every number read from a table (money, count, number, ratio) has ``|x| < MAX_MAGNITUDE``."""
MAX_DIGITS = 30
"""...and, as a decimal, at most ``MAX_DIGITS`` significant digits and at most
``MAX_DIGITS + 3`` digits after the point: ``x = n / 10**s`` with ``|n| < 10**MAX_DIGITS`` and
``s <= MAX_DIGITS + 3`` (room for a ratio's ``‰``). Fractions that are not decimals (from
the Python API) are bounded by magnitude only."""
MAX_CELL_BYTES = 1 << 20
"""A cell longer than this (UTF-8 bytes) is rejected, not read."""
SHOWN_CHARS = 80

Unit = Literal["line", "sheet_row", "record"]


class ValueProblem(ValueError):
    """A reason a value does not parse, as a catalogue key and its parameters; ``str()`` is
    the English text (what code that only knows ``ValueError`` shows)."""

    def __init__(self, key: str, /, **params: object) -> None:
        self.key = key
        self.params = {k: str(v) for k, v in params.items()}
        super().__init__(text(key, "en", **self.params))


class FieldError(BaseModel):
    """One value (or row, or column) that could not be read: where, what, and why.

    ``row`` is the enterprise's 1-based row in the loaded table (``None`` for a row that was
    not loaded, or a whole column); ``line`` is where it is in the file, counted in ``unit``:
    a CSV or JSONL ``line`` (the header is line 1), an Excel ``sheet_row``, a Parquet
    ``record``. ``code`` and ``params`` give the reason in any language (:meth:`text`);
    ``reason`` is the English text (or a plug-in's own words)."""

    model_config = ConfigDict(frozen=True)

    row: int | None = None
    column: str
    value: str
    reason: str
    code: str | None = None
    params: tuple[tuple[str, str], ...] = ()
    line: int | None = None
    unit: Unit = "line"

    @classmethod
    def of(cls, column: str, value: Any, problem: ValueError, *, row: int | None = None,
           line: int | None = None, unit: Unit = "line") -> FieldError:
        code = problem.key if isinstance(problem, ValueProblem) else None
        params = tuple(problem.params.items()) if isinstance(problem, ValueProblem) else ()
        said = problem.args[0] if len(problem.args) == 1 else None
        if code is None and isinstance(said, Words):  # a plug-in's reason, in either language
            code, params = said.key, tuple((k, str(v)) for k, v in said.fields.items())
        return cls(row=row, column=column, value=shown(value), reason=str(problem),
                   code=code, params=params, line=line, unit=unit)

    def where(self, lang: Lang | str = DEFAULT_LANG) -> str:
        if self.line is not None:
            return text(f"where.{self.unit}", lang, n=self.line)
        if self.row is not None:
            return text("where.row", lang, n=self.row)
        return ""

    def text(self, lang: Lang | str = DEFAULT_LANG) -> str:
        """The error in ``lang``: where, the column and value, and why."""
        reason = text(self.code, lang, **dict(self.params)) if self.code else self.reason
        value = shown(self.value)
        subject = f"{self.column} = {value!r}" if self.value else self.column
        where = self.where(lang)
        if where:
            return text("field_error.at", lang, where=where, subject=subject, reason=reason)
        return text("field_error.plain", lang, subject=subject, reason=reason)

    def __str__(self) -> str:
        return self.text(Lang.EN)


def shown(value: Any) -> str:
    """A value as an error shows it (a huge cell is cut, so errors stay small)."""
    out = str(value)
    return out if len(out) <= 4 * SHOWN_CHARS else out[:4 * SHOWN_CHARS] + "…"


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


_EXPONENT = re.compile(r"^[eE][+-]?\d+$")
_INFINITE = frozenset({"inf", "+inf", "-inf", "infinity", "+infinity", "-infinity"})


def _fraction(raw: Any) -> tuple[Fraction, str]:
    """A number and the unit text after it; thousands separators allowed."""
    if isinstance(raw, bool):
        raise ValueProblem("value.bool_for_number")
    if isinstance(raw, int | Fraction):
        return Fraction(raw), ""
    if isinstance(raw, float | Decimal):
        if not (math.isfinite(raw) if isinstance(raw, float) else raw.is_finite()):
            raise ValueProblem("value.not_finite")
        return Fraction(Decimal(repr(raw)) if isinstance(raw, float) else raw), ""
    text_ = str(raw).strip().replace("，", ",")
    if text_.lower() in _INFINITE:
        raise ValueProblem("value.not_finite")
    m = _NUMBER.match(text_)
    if not m:
        raise ValueProblem("value.not_number")
    if _EXPONENT.match(m[2]):  # 1e400: written for a machine, not a person; never read
        raise ValueProblem("value.not_number")
    digits = m[1].replace(",", "")
    if len(digits) > 4 * MAX_DIGITS:  # not worth a Decimal: far too many digits anyway
        raise ValueProblem("value.too_many_digits", max=MAX_DIGITS)
    try:
        return Fraction(Decimal(digits)), m[2].strip()
    except InvalidOperation as exc:
        raise ValueProblem("value.not_number") from exc


def bounded(amount: Fraction) -> Fraction:
    """``amount`` if it is within :data:`MAX_MAGNITUDE` and :data:`MAX_DIGITS`."""
    if amount.denominator == 1:  # a whole number (most values): within the magnitude, it
        # has at most MAX_EXPONENT < MAX_DIGITS digits; compared as an int, not a Fraction
        if abs(amount.numerator) >= MAX_MAGNITUDE:
            raise ValueProblem("value.too_large", exp=MAX_EXPONENT)
        return amount
    if abs(amount) >= MAX_MAGNITUDE:
        raise ValueProblem("value.too_large", exp=MAX_EXPONENT)
    scale = decimal_scale(amount)
    if scale is not None:  # a decimal: n / 10**scale
        n = abs(amount.numerator) * 10**scale // amount.denominator
        if scale > MAX_DIGITS + 3 or len(str(n).rstrip("0")) > MAX_DIGITS:
            raise ValueProblem("value.too_many_digits", max=MAX_DIGITS)
    return amount


def _scaled(amount: Fraction, unit: str) -> tuple[Fraction, str]:
    while unit and unit[0] in MAGNITUDES:
        amount *= MAGNITUDES[unit[0]]
        unit = unit[1:]
    return amount, unit


def may_be_negative(tag: TagSpec) -> bool:
    """Money and counts are never negative unless the tag is declared ``signed`` (a loss, a
    balance: ``tag 应纳税所得额: money signed``); other numbers may be."""
    return tag.signed or tag.type.kind not in (Kind.MONEY, Kind.COUNT)


def parse_money(raw: Any, *, negative: bool = False) -> Fraction:
    amount, unit = _scaled(*_fraction(raw))
    if unit not in ("", "元", "人民币", "元人民币"):
        raise ValueProblem("value.money_unit", unit=repr(unit))
    if amount < 0 and not negative:
        raise ValueProblem("value.negative_money")
    return bounded(amount)


def parse_plain(raw: Any, units: Iterable[str] = ()) -> Fraction:
    amount, unit = _scaled(*_fraction(raw))
    if unit and unit not in units:
        raise ValueProblem("value.unit", unit=repr(unit))
    return bounded(amount)


def parse_ratio(raw: Any) -> Fraction:
    amount, unit = _fraction(raw)
    if unit == "%":
        return bounded(amount / 100)
    if unit == "‰":
        return bounded(amount / 1000)
    if unit:
        raise ValueProblem("value.ratio_unit", unit=repr(unit))
    return bounded(amount)


def parse_date(raw: Any) -> dt.date:
    if isinstance(raw, dt.datetime):
        return raw.date()
    if isinstance(raw, dt.date):
        return raw
    text_ = str(raw).strip()
    for pattern in _DATE_PATTERNS:
        m = pattern.match(text_)
        if m:
            try:
                return dt.date(int(m[1]), int(m[2]), int(m[3]))
            except ValueError as exc:
                raise ValueProblem("value.no_such_day", detail=exc) from exc
    raise ValueProblem("value.not_date")


def parse_bool(raw: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    text_ = str(raw).strip().lower()
    if text_ in TRUE_TEXT:
        return True
    if text_ in FALSE_TEXT:
        return False
    raise ValueProblem("value.not_bool")


def parse_duration(raw: Any) -> Duration:
    if isinstance(raw, Duration):
        return raw
    amount, unit = _fraction(raw)
    if unit not in DURATION_UNITS:
        raise ValueProblem("value.not_duration")
    return Duration(bounded(amount), DURATION_UNITS[unit])


def _set_items(raw: Any) -> list[str]:
    if isinstance(raw, list | tuple | set | frozenset):
        return [str(x).strip() for x in raw if str(x).strip()]
    text_ = str(raw).strip()
    if text_ in EMPTY_SET_TEXT:
        return []
    if text_.startswith("[") and text_.endswith("]"):
        text_ = text_[1:-1]
    return [part.strip().strip("\"'“”") for part in SET_SEPARATORS.split(text_) if part.strip()]


_NUMBER_KINDS = frozenset({Kind.MONEY, Kind.COUNT, Kind.NUMBER, Kind.RATIO})


def _plain_number(kind: Kind, raw: int | float, negative: bool) -> Fraction:
    """:func:`parse_value` of an ``int`` or a ``float`` (what JSON forms and typed tables
    carry, most of a record) for a number tag: the same value, or the same first problem,
    as the general path, without reading units or text. A float is the decimal its
    ``repr`` shows (as the general path reads it); at most 17 significant digits, so only
    its magnitude and its places can be out of bounds."""
    if type(raw) is int:
        numerator, denominator, scale = raw, 1, 0
    else:
        if not math.isfinite(raw):
            raise ValueProblem("value.not_finite")
        exact = Decimal(repr(raw))
        numerator, denominator = exact.as_integer_ratio()
        scale = -int(exact.as_tuple().exponent)
    # compared as ints: Fraction's own comparisons cost more than the whole reading
    if kind is Kind.MONEY and numerator < 0 and not negative:
        raise ValueProblem("value.negative_money")
    if abs(numerator) >= MAX_MAGNITUDE * denominator:
        raise ValueProblem("value.too_large", exp=MAX_EXPONENT)
    if scale > MAX_DIGITS + 3 and denominator != 1:
        raise ValueProblem("value.too_many_digits", max=MAX_DIGITS)
    if kind is Kind.COUNT and (denominator != 1 or (numerator < 0 and not negative)):
        raise ValueProblem("value.count")
    return Fraction(numerator, denominator)


def parse_value(tag: TagSpec, raw: Any, vocabulary: Vocabulary) -> Any:
    """The value of ``raw`` for ``tag``; raises ``ValueError`` with a reason."""
    t = tag.type
    kind = t.kind
    if kind in _NUMBER_KINDS and type(raw) in (int, float):
        return _plain_number(kind, raw, may_be_negative(tag))
    return parse_general(tag, raw, vocabulary)


def parse_general(tag: TagSpec, raw: Any, vocabulary: Vocabulary) -> Any:
    """:func:`parse_value` by reading the value as text would be read (units, separators);
    the reference its fast path for plain numbers is held to."""
    t = tag.type
    kind = t.kind
    if kind is Kind.MONEY:
        return parse_money(raw, negative=may_be_negative(tag))
    if kind is Kind.COUNT:
        value = parse_plain(raw, units=tuple(u for u in (t.unit, "个") if u))
        if value.denominator != 1 or (value < 0 and not may_be_negative(tag)):
            raise ValueProblem("value.count")
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
            raise ValueProblem("value.not_enum", values="、".join(t.values))
        return text
    if kind is Kind.SET:
        items = _set_items(raw)
        if t.values is not None:
            wrong = [i for i in items if i not in t.values]
            if wrong:
                raise ValueProblem("value.set_not_enum", wrong="、".join(wrong),
                                   values="、".join(t.values))
        return frozenset(items)
    if kind is Kind.CODE:
        hierarchy = vocabulary.hierarchies[t.hierarchy or ""]
        found = hierarchy.lookup(str(raw).strip())
        if found.code is None:
            if found.reason:
                raise ValueError(found.reason)
            raise ValueProblem("value.not_code", hierarchy=t.hierarchy)
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


_UNSEEN = object()
_MISSING = object()
SEEN_PER_TAG = 4096  # raw values a reader keeps per tag; past it that tag's start again


class RecordReader:
    """Reads records for one rulebook's tags, keeping per tag each value it read (portal
    requests and tables repeat codes, dates, labels, round amounts and empty cells): a value
    given before costs one dictionary look-up. Bad values are not kept: each is reported
    where it is given. Safe to share between threads (a lost entry is only read again)."""

    def __init__(self, tags: Mapping[str, TagSpec], vocabulary: Vocabulary) -> None:
        self.tags = tags
        self.vocabulary = vocabulary
        self._seen: dict[str, dict[Any, Any]] = {name: {} for name in tags}

    def read(self, record: Mapping[str, Any], *, row: int | None = None) -> ParsedRecord:
        values: dict[str, Any] = {}
        errors: list[FieldError] = []
        unknown: list[str] = []
        seen, unseen, missing, numbers = self._seen, _UNSEEN, _MISSING, _KEPT_NUMBERS
        for name, raw in record.items():
            by_raw = seen.get(name)
            if by_raw is None:
                unknown.append(name)  # kept out, but listed
                continue
            kind = type(raw)
            # 1 == True == 1.0: a number is kept with its type; a text, most values, as is
            key = raw if kind is str else (kind, raw) if kind in numbers else None
            value = unseen if key is None else by_raw.get(key, unseen)
            if value is unseen:
                try:
                    value = missing if is_missing(raw) else parse_value(self.tags[name], raw,
                                                                        self.vocabulary)
                except ValueError as exc:
                    errors.append(FieldError.of(name, raw, exc, row=row))
                    continue
                if key is not None:
                    if len(by_raw) >= SEEN_PER_TAG:
                        by_raw.clear()
                    by_raw[key] = value
            if value is not missing:
                values[name] = value
        # built from values this method made itself: no need to validate them again
        return ParsedRecord.model_construct(values=values, errors=tuple(errors),
                                            unknown_fields=tuple(unknown))


_KEPT_NUMBERS = frozenset({int, float, bool})


def parse_record(record: Mapping[str, Any], tags: Mapping[str, TagSpec],
                 vocabulary: Vocabulary, *, row: int | None = None) -> ParsedRecord:
    """One record read on its own (a :class:`RecordReader` that keeps nothing after)."""
    return RecordReader(tags, vocabulary).read(record, row=row)
