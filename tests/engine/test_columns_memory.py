"""How columns keep their memory small: ``int32`` day numbers, one shared all-true
known-mask for the columns without a missing value, and verdicts unchanged by either."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from oracle import load

from policy_match.data.table import EnterpriseTable
from policy_match.dsl.ir import Verdict
from policy_match.engine.columns import (
    BoolColumn,
    CategoryColumn,
    DateColumn,
    NumberColumn,
    TextColumn,
    all_true,
    day_number,
    narrow_days,
    take_column,
)

LAST_DAY = day_number(dt.date.max)
FIRST_DAY = day_number(dt.date.min)


def test_day_numbers_are_kept_as_int32_and_read_back_as_the_same_dates() -> None:
    days = np.array([FIRST_DAY, 0, day_number(dt.date(2025, 6, 30)), LAST_DAY], dtype=np.int64)
    column = DateColumn(days, np.array([True, True, True, True]))
    assert column.days.dtype == np.int32
    assert [column.get(i) for i in range(4)] == [dt.date.min, dt.date(1970, 1, 1),
                                                 dt.date(2025, 6, 30), dt.date.max]
    assert take_column(column, np.array([3, 0])).days.dtype == np.int32


def test_integers_beyond_int32_are_left_wide_rather_than_wrapped() -> None:
    wide = np.array([0, 2**40], dtype=np.int64)
    assert narrow_days(wide).dtype == np.int64
    assert narrow_days(wide)[1] == 2**40
    assert narrow_days(np.array([], dtype=np.int64)).dtype == np.int32


def test_columns_without_missing_values_share_one_read_only_known_mask() -> None:
    n = 5
    number = NumberColumn(np.arange(n, dtype=float), np.ones(n, dtype=bool))
    flag = BoolColumn(np.zeros(n, dtype=bool), np.ones(n, dtype=bool))
    dates = DateColumn(np.zeros(n, dtype=np.int64), np.ones(n, dtype=bool))
    assert number.known is flag.known is dates.known is all_true(n)
    assert not number.known.flags.writeable
    with pytest.raises(ValueError, match="read-only"):
        number.known[0] = False


def test_a_column_with_a_missing_value_keeps_its_own_mask() -> None:
    known = np.array([True, False, True])
    column = CategoryColumn(np.array([0, -1, 0], dtype=np.int32), ("a",), known)
    assert column.known is known
    assert [column.get(i) for i in range(3)] == ["a", None, "a"]
    # a subset of its rows with every value present shares the mask again
    assert take_column(column, np.array([2, 0])).known is all_true(2)


def test_text_columns_share_the_mask_too() -> None:
    pa = pytest.importorskip("pyarrow")
    column = TextColumn(pa.array(["x", "y"]), np.ones(2, dtype=bool))
    assert column.known is all_true(2)
    assert column.categories().categories == ("x", "y")


def test_dates_compare_exactly_at_the_ends_of_the_calendar_and_missing_stays_unknown() -> None:
    book = load('tag 成立日期: date\ntag 营业收入: money\n'
                'policy "早" { name: "早"  eligible: 成立日期 <= 0001-01-02 }\n'
                'policy "晚" { name: "晚"  eligible: 成立日期 > 9999-12-30 }\n'
                'policy "知" { name: "知"  eligible: known(营业收入) }\n')
    records = [{"成立日期": "0001-01-01", "营业收入": "1"}, {"成立日期": "9999-12-31"},
               {"营业收入": "2"}]
    table = EnterpriseTable.from_records(records, book)
    result = book.match(table, as_of=dt.date(2025, 1, 1))
    verdicts = {p: [result.verdict(i, p) for i in table.ids] for p in ("早", "晚", "知")}
    assert verdicts == {
        "早": [Verdict.ELIGIBLE, Verdict.INELIGIBLE, Verdict.UNKNOWN],
        "晚": [Verdict.INELIGIBLE, Verdict.ELIGIBLE, Verdict.UNKNOWN],
        "知": [Verdict.ELIGIBLE, Verdict.INELIGIBLE, Verdict.ELIGIBLE],
    }
