"""企业规模划型 (rules/划型.rule) against an independent implementation of the 2017 table.

统计上大中小微型企业划分办法（2017）国统字〔2017〕213号, as copied into
/work/shared/reference/domain.md: X = 从业人员 (persons), Y = 营业收入 (万元), Z = 资产总额
(万元). 大型、中型、小型 must meet the lower bound of every listed indicator, otherwise the
enterprise drops one band; 微型 needs only one indicator below the 小型 bound.

The reference below is written from that table, not from the rule file: a dict of rows, each a
list of (indicator, lower bounds of 大型/中型/小型), and a function mapping an industry code to
its row. Three kinds of test compare it with ``book.profile(record)["企业规模划型"]``:

(a) every band edge: for every row, every indicator and each of its three lower bounds, a
    record exactly at the bound and one just below it (1 person / 1 yuan), with the row's other
    indicator comfortably high, comfortably low, or exactly at the same band's bound;
(b) hypothesis: random industries (every row, 53 铁路, unlisted codes) and heavy-tailed X/Y/Z
    clustered near the bounds, some missing;
(c) missing data, spelled out.

Missing data (three-valued logic). The define is a ``case`` over the industry whose branches
are ``case``s over the bands; a ``case`` whose first non-false test is unknown is unknown.
What the define therefore yields:

- 所属行业 missing → ``None`` (unknown), whatever the indicators are — even when every
  indicator is below every row's 小型 bound (and the enterprise would be 微型 in any row): the
  first industry test is already unknown.
- industry known, an indicator of its row missing → ``None``, unless a known indicator of the
  row is below its 小型 bound: then every band test is false and the ``else`` gives ``"微型"``.
  That is also the only answer the table allows: a missing indicator may be below the 小型
  bound (→ 微型) or high (→ the band the known indicators give), so the band is settled only
  when the known indicators already force 微型. The reference computes exactly that
  (``reference_band`` tries the missing indicators at 0 and at infinity; the band is monotone in
  every indicator).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import policy_match as pm
from policy_match.data.records import RecordError

# ---- the 2017 table, from domain.md ---------------------------------------------------------

BANDS = ("大型", "中型", "小型")
MICRO = "微型"
WAN = 10_000  # Y and Z are in 万元 in the table; records are in yuan

TAG = {"X": "从业人数", "Y": "营业收入", "Z": "资产总额"}

# row → [(indicator, (lower bound of 大型, of 中型, of 小型))]; X in persons, Y and Z in 万元.
TABLE: dict[str, list[tuple[str, tuple[int, int, int]]]] = {
    "农、林、牧、渔业": [("Y", (20000, 500, 50))],
    "工业": [("X", (1000, 300, 20)), ("Y", (40000, 2000, 300))],
    "建筑业": [("Y", (80000, 6000, 300)), ("Z", (80000, 5000, 300))],
    "批发业": [("X", (200, 20, 5)), ("Y", (40000, 5000, 1000))],
    "零售业": [("X", (300, 50, 10)), ("Y", (20000, 500, 100))],
    "交通运输业": [("X", (1000, 300, 20)), ("Y", (30000, 3000, 200))],
    "仓储业": [("X", (200, 100, 20)), ("Y", (30000, 1000, 100))],
    "邮政业": [("X", (1000, 300, 20)), ("Y", (30000, 2000, 100))],
    "住宿业、餐饮业": [("X", (300, 100, 10)), ("Y", (10000, 2000, 100))],
    "信息传输业": [("X", (2000, 100, 10)), ("Y", (100000, 1000, 100))],
    "软件和信息技术服务业": [("X", (300, 100, 10)), ("Y", (10000, 1000, 50))],
    "房地产开发经营": [("Y", (200000, 1000, 100)), ("Z", (10000, 5000, 2000))],
    "物业管理": [("X", (1000, 300, 100)), ("Y", (5000, 1000, 500))],
    "租赁和商务服务业": [("X", (300, 100, 10)), ("Z", (120000, 8000, 100))],
    "其他未列明行业": [("X", (300, 100, 10))],
}

# A few codes per row, spelled the ways records spell them (with or without the 门类 letter).
REPRESENTATIVE: dict[str, list[str]] = {
    "农、林、牧、渔业": ["A", "A0111", "01", "05"],
    "工业": ["B", "B06", "C", "C3911", "3911", "13", "43", "D", "D4411", "46"],
    "建筑业": ["E", "E47", "4710", "50"],
    "批发业": ["F51", "51", "5111"],
    "零售业": ["F52", "52", "5211"],
    "交通运输业": ["G54", "5411", "G55", "G56", "G57", "G58", "58"],
    "仓储业": ["G59", "5910"],
    "邮政业": ["G60", "6010"],
    "住宿业、餐饮业": ["H", "H61", "6110", "H62", "6210"],
    "信息传输业": ["I63", "6311", "I64", "6420"],
    "软件和信息技术服务业": ["I65", "6510", "65"],
    "房地产开发经营": ["K7010", "7010"],
    "物业管理": ["K7020", "7020"],
    "租赁和商务服务业": ["L", "L71", "7111", "L72", "72"],
    # 53 铁路运输业 is not 交通运输业 in the table; K70 other than 7010/7020, J, M–T are unlisted.
    "其他未列明行业": ["G53", "53", "5311", "K7090", "7090", "K7030", "M7320", "M",
                       "J66", "N77", "O80", "P83", "Q84", "R86", "S91", "T97"],
}

_LETTER_ROW = {"A": "农、林、牧、渔业", "B": "工业", "C": "工业", "D": "工业",
               "E": "建筑业", "H": "住宿业、餐饮业", "L": "租赁和商务服务业"}


def row_of(code: str) -> str:
    """The table row of a GB/T 4754-2017 code (门类 letter and/or 2–4 digits)."""
    digits = code.lstrip("ABCDEFGHIJKLMNOPQRST")
    if not digits:
        return _LETTER_ROW.get(code, "其他未列明行业")
    division = int(digits[:2])
    if 1 <= division <= 5:
        return "农、林、牧、渔业"
    if 6 <= division <= 46:
        return "工业"
    if 47 <= division <= 50:
        return "建筑业"
    simple = {51: "批发业", 52: "零售业", 59: "仓储业", 60: "邮政业", 61: "住宿业、餐饮业",
              62: "住宿业、餐饮业", 63: "信息传输业", 64: "信息传输业",
              65: "软件和信息技术服务业", 71: "租赁和商务服务业", 72: "租赁和商务服务业"}
    if division in simple:
        return simple[division]
    if 54 <= division <= 58:
        return "交通运输业"
    if digits[:4] == "7010":
        return "房地产开发经营"
    if digits[:4] == "7020":
        return "物业管理"
    return "其他未列明行业"


def _yuan(indicator: str, bound: int) -> int:
    """A table bound in record units: persons for X, yuan for Y and Z."""
    return bound if indicator == "X" else bound * WAN


def _band_known(row: str, values: dict[str, float]) -> str:
    """The first band whose every lower bound is met, else 微型 (all indicators known)."""
    for i, band in enumerate(BANDS):
        if all(values[ind] >= _yuan(ind, bounds[i]) for ind, bounds in TABLE[row]):
            return band
    return MICRO


def reference_band(code: str | None, values: dict[str, float | None]) -> str | None:
    """The band of the table, or ``None`` when the data do not settle it (module docstring).

    ``values`` maps "X"/"Y"/"Z" to persons / yuan, ``None`` for missing.
    """
    if code is None:
        return None  # the define's documented answer: no row without an industry
    row = row_of(code)
    needed = [ind for ind, _ in TABLE[row]]
    low = {ind: (0 if values.get(ind) is None else values[ind]) for ind in needed}
    high = {ind: (math.inf if values.get(ind) is None else values[ind]) for ind in needed}
    lowest, highest = _band_known(row, low), _band_known(row, high)  # type: ignore[arg-type]
    return lowest if lowest == highest else None


# ---- the rulebook ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def book() -> pm.Rulebook:
    root = Path(__file__).resolve().parents[1]
    return pm.load(root / "rules")


def record(code: str | None, x: Any = None, y: Any = None, z: Any = None) -> dict[str, Any]:
    raw = {"所属行业": code, "从业人数": x, "营业收入": y, "资产总额": z}
    return {k: v for k, v in raw.items() if v is not None}


def engine_band(book: pm.Rulebook, code: str | None, x: Any = None, y: Any = None,
                z: Any = None) -> str | None:
    return book.profile(record(code, x, y, z))["企业规模划型"]


# ---- the reference itself, against the table as printed ------------------------------------


def test_reference_table_is_well_formed() -> None:
    assert set(TABLE) == set(REPRESENTATIVE)
    for row, indicators in TABLE.items():
        assert 1 <= len(indicators) <= 2, row
        for ind, (large, medium, small) in indicators:
            assert ind in TAG
            assert large > medium > small > 0, (row, ind)
    for row, codes in REPRESENTATIVE.items():
        for code in codes:
            assert row_of(code) == row, code


@pytest.mark.parametrize(
    ("row", "values", "band"),
    [
        # Worked by hand from the table (values in persons / 万元).
        ("工业", {"X": 1000, "Y": 40000}, "大型"),
        ("工业", {"X": 999, "Y": 40000}, "中型"),
        ("工业", {"X": 5000, "Y": 39999}, "中型"),
        ("工业", {"X": 300, "Y": 2000}, "中型"),
        ("工业", {"X": 299, "Y": 1e9}, "小型"),
        ("工业", {"X": 19, "Y": 1e9}, "微型"),
        ("工业", {"X": 1e9, "Y": 299}, "微型"),
        ("批发业", {"X": 5, "Y": 1000}, "小型"),
        ("批发业", {"X": 20, "Y": 4999}, "小型"),
        ("零售业", {"X": 50, "Y": 500}, "中型"),
        ("交通运输业", {"X": 300, "Y": 3000}, "中型"),
        ("仓储业", {"X": 100, "Y": 1000}, "中型"),
        ("邮政业", {"X": 20, "Y": 100}, "小型"),
        ("住宿业、餐饮业", {"X": 100, "Y": 2000}, "中型"),
        ("信息传输业", {"X": 1999, "Y": 1e6}, "中型"),
        ("软件和信息技术服务业", {"X": 10, "Y": 50}, "小型"),
        ("房地产开发经营", {"Y": 200000, "Z": 10000}, "大型"),
        ("房地产开发经营", {"Y": 1e9, "Z": 1999}, "微型"),
        ("物业管理", {"X": 100, "Y": 500}, "小型"),
        ("租赁和商务服务业", {"X": 300, "Z": 119999}, "中型"),
        ("建筑业", {"Y": 6000, "Z": 4999}, "小型"),
        ("农、林、牧、渔业", {"Y": 49}, "微型"),
        ("其他未列明行业", {"X": 100}, "中型"),
    ],
)
def test_reference_by_hand(row: str, values: dict[str, float], band: str) -> None:
    in_units = {ind: (v if ind == "X" else v * WAN) for ind, v in values.items()}
    assert _band_known(row, in_units) == band


# ---- (a) every band edge of every indicator of every row -----------------------------------


def _edge_cases() -> Iterator[Any]:
    for row, indicators in TABLE.items():
        codes = REPRESENTATIVE[row]
        n = 0
        for ind, bounds in indicators:
            others = [(o, b) for o, b in indicators if o != ind]
            contexts = ("high", "low", "same") if others else ("alone",)
            for band_index in range(len(bounds)):
                for where in ("at", "below"):
                    for context in contexts:
                        # Rotate through the row's spellings so every one is exercised.
                        code = codes[n % len(codes)]
                        n += 1
                        yield pytest.param(
                            row, code, ind, band_index, where, context,
                            id=f"{row}-{code}-{ind}-{BANDS[band_index]}-{where}-{context}",
                        )


EDGE_CASES = list(_edge_cases())


def _edge_record(row: str, ind: str, band_index: int, where: str,
                 context: str) -> tuple[dict[str, int], str]:
    """Values (persons / yuan, every indicator present) and the band worked out by hand."""
    indicators = dict(TABLE[row])
    edge = _yuan(ind, indicators[ind][band_index]) - (1 if where == "below" else 0)
    values = {"X": 0, "Y": 0, "Z": 0}  # indicators the row does not list: 0, must not matter
    values[ind] = edge
    for other, bounds in indicators.items():
        if other == ind:
            continue
        values[other] = {"high": _yuan(other, bounds[0]) * 10,
                         "low": _yuan(other, bounds[2]) - 1,
                         "same": _yuan(other, bounds[band_index])}[context]
    if context == "low":
        expected = MICRO
    else:  # high, same, alone: the edge indicator decides
        drop = 1 if where == "below" else 0
        expected = (*BANDS, MICRO)[band_index + drop]
    return values, expected


@pytest.mark.parametrize(("row", "code", "ind", "band_index", "where", "context"), EDGE_CASES)
def test_band_edges(book: pm.Rulebook, row: str, code: str, ind: str, band_index: int,
                    where: str, context: str) -> None:
    values, expected = _edge_record(row, ind, band_index, where, context)
    assert reference_band(code, values) == expected  # the reference agrees with the hand
    assert engine_band(book, code, values["X"], values["Y"], values["Z"]) == expected


def test_edge_case_count() -> None:
    # 15 rows, 28 indicators; 3 bounds × (at, below) each; 3 contexts where a row has two
    # indicators (26 of them), 1 where it has one (2): 26·6·3 + 2·6 = 480.
    assert len(EDGE_CASES) == 480


@pytest.mark.parametrize(
    ("code", "x", "y", "z", "band"),
    [
        # The same edges written as records usually write them: "40000万", "4亿", "1,000人".
        ("C3911", "1000人", "40000万", None, "大型"),
        ("C3911", "1000", "4亿元", None, "大型"),
        ("C3911", 1000, "39999.9999万", None, "中型"),
        ("C3911", "1,000", Decimal("399999999.99"), None, "中型"),
        ("C3911", 1000, 399999999.99, None, "中型"),
        ("E4710", None, "6000万", "5000万元", "中型"),
        ("E4710", None, "6000万", "4999.9999万", "小型"),
        ("K7010", None, "20亿", "1亿", "大型"),
        ("L7211", "10人", None, "100万", "小型"),
        ("L7211", "10人", None, "99.9999万", "微型"),
        ("A0111", None, "50万", None, "小型"),
        ("A0111", None, "49.99万", None, "微型"),
    ],
)
def test_written_values(book: pm.Rulebook, code: str, x: Any, y: Any, z: Any,
                        band: str) -> None:
    assert engine_band(book, code, x, y, z) == band


# ---- (b) hypothesis: random industries and random X/Y/Z -------------------------------------

ALL_CODES = sorted({c for codes in REPRESENTATIVE.values() for c in codes})
_BOUNDS = {ind: sorted({_yuan(i, b) for row in TABLE.values() for i, bounds in row if i == ind
                        for b in bounds})
           for ind in ("X", "Y", "Z")}


def _amount(ind: str) -> st.SearchStrategy[int]:
    """Heavy-tailed non-negative amounts, with a good share right at or next to a bound."""
    near = st.builds(lambda b, d: max(0, b + d), st.sampled_from(_BOUNDS[ind]),
                     st.integers(-2, 2))
    tail = st.builds(lambda e, m: int(m * 10 ** e), st.integers(0, 12 if ind != "X" else 5),
                     st.floats(1, 9.999))
    return st.one_of(near, near, tail, st.integers(0, 50))


def _maybe(ind: str) -> st.SearchStrategy[int | None]:
    return st.one_of(st.none(), _amount(ind), _amount(ind), _amount(ind))


def _spelled(ind: str, value: int | None) -> Any:
    """A value as a record may carry it: a number, or a string in 万 where that is exact."""
    if value is None or ind == "X":
        return value
    return f"{Decimal(value) / WAN}万"


@settings(max_examples=1500, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(code=st.one_of(st.sampled_from(ALL_CODES), st.none()), x=_maybe("X"), y=_maybe("Y"),
       z=_maybe("Z"), as_text=st.booleans())
def test_agrees_with_reference(book: pm.Rulebook, code: str | None, x: int | None,
                               y: int | None, z: int | None, as_text: bool) -> None:
    expected = reference_band(code, {"X": x, "Y": y, "Z": z})
    if as_text:
        y, z = _spelled("Y", y), _spelled("Z", z)
    assert engine_band(book, code, x, y, z) == expected


# ---- (c) missing data -----------------------------------------------------------------------

TWO_INDICATOR_ROWS = [row for row, inds in TABLE.items() if len(inds) == 2]


@pytest.mark.parametrize("row", TWO_INDICATOR_ROWS)
@pytest.mark.parametrize("missing", [0, 1])
@pytest.mark.parametrize("known_at", ["大型", "中型", "小型", "below 小型"])
def test_missing_indicator(book: pm.Rulebook, row: str, missing: int, known_at: str) -> None:
    """One indicator missing: unknown, unless the other is below its 小型 bound (→ 微型)."""
    kept, bounds = TABLE[row][1 - missing]  # TABLE[row][missing] is left out
    value = (_yuan(kept, bounds[2]) - 1 if known_at == "below 小型"
             else _yuan(kept, bounds[BANDS.index(known_at)]))
    values: dict[str, int | None] = {"X": None, "Y": None, "Z": None, kept: value}
    expected = MICRO if known_at == "below 小型" else None
    assert reference_band(REPRESENTATIVE[row][0], values) == expected
    assert engine_band(book, REPRESENTATIVE[row][0], values["X"], values["Y"],
                       values["Z"]) == expected


@pytest.mark.parametrize("row", list(TABLE))
def test_every_needed_indicator_missing(book: pm.Rulebook, row: str) -> None:
    # Indicators the row does not list are present (and huge): they cannot settle anything.
    present = {"X": 10**6, "Y": 10**13, "Z": 10**13}
    for ind, _ in TABLE[row]:
        present[ind] = None  # type: ignore[assignment]
    assert engine_band(book, REPRESENTATIVE[row][0], present["X"], present["Y"],
                       present["Z"]) is None


@pytest.mark.parametrize(("x", "y", "z"), [(0, 0, 0), (1, 1, 1), (10**6, 10**13, 10**13),
                                           (None, None, None)])
def test_industry_missing_is_unknown(book: pm.Rulebook, x: Any, y: Any, z: Any) -> None:
    # Even (0, 0, 0), 微型 in every row, is unknown: the first industry test is unknown.
    assert engine_band(book, None, x, y, z) is None


def test_unparsable_value_can_be_read_as_missing(book: pm.Rulebook) -> None:
    bad = record("C3911", 5, "很多")
    with pytest.raises(RecordError):
        book.profile(bad)
    # read as missing: X = 5 is below the 工业 小型 bound of 20, so 微型 all the same
    assert book.profile(bad, on_error="missing")["企业规模划型"] == MICRO
    assert book.profile(record("C3911", 500, "很多"), on_error="missing")["企业规模划型"] is None


# ---- the labels built on the band -----------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "x", "y", "z", "band", "sme"),
    [
        ("C3911", 1000, 40000 * WAN, None, "大型", False),
        ("C3911", 999, 40000 * WAN, None, "中型", True),
        ("C3911", 20, 300 * WAN, None, "小型", True),
        ("C3911", 19, None, None, "微型", True),  # 微型 from X alone, Y missing
        ("C3911", 500, None, None, None, None),
        (None, 5, 1, 1, None, None),
    ],
)
def test_sme_label(book: pm.Rulebook, code: str | None, x: Any, y: Any, z: Any,
                   band: str | None, sme: bool | None) -> None:
    labels = book.profile(record(code, x, y, z))
    assert labels["企业规模划型"] == band
    assert labels["划型为中小微"] is sme


@pytest.mark.parametrize(
    ("code", "revenue", "above"),
    [
        ("C3911", 2000 * WAN, True),  # 规上工业: 主营业务收入 2000万元及以上
        ("C3911", 2000 * WAN - 1, False),
        ("B0610", 2000 * WAN, True),
        ("D4411", 2000 * WAN - 1, False),
        ("F5111", 2000 * WAN, True),  # 限上批发 2000万
        ("F5111", 2000 * WAN - 1, False),
        ("F5211", 500 * WAN, True),  # 限上零售 500万
        ("F5211", 500 * WAN - 1, False),
        ("H6110", 200 * WAN, True),  # 限上住宿 200万
        ("H6210", 200 * WAN - 1, False),  # 餐饮
        ("H6210", 200 * WAN, True),
        ("I6510", 10**12, False),  # neither 工业 nor 批零住餐
        ("E4710", 10**12, False),
        ("C3911", None, None),
        ("I6510", None, False),  # not in any listed industry: false whatever the revenue
        (None, 10**12, None),
        (None, 1, False),  # below every threshold, whatever the industry
    ],
)
def test_above_scale(book: pm.Rulebook, code: str | None, revenue: Any,
                     above: bool | None) -> None:
    assert book.profile(record(code, y=revenue))["规上企业"] is above
