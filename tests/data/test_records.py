"""Enterprise records: raw values read by tag type; a bad value is never dropped silently."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from fractions import Fraction
from typing import Any

import pytest

from policy_match.core.loading import load_sources
from policy_match.core.rulebook import Rulebook
from policy_match.data.records import FieldError, RecordError
from policy_match.dsl.ir import Verdict

TAGS = """\
tag 统一社会信用代码: uscc key
tag 营业收入: money
tag 从业人数: count(人)
tag 专利数: count
tag 评价得分: number
tag 营业收入增长率: ratio
tag 成立日期: date
tag 企业规模: enum["大型", "中型", "小型", "微型"]
tag 资质: set["高新技术企业", "科技型中小企业", "创新型中小企业"]
tag 所获荣誉: set[text]
tag 所属行业: code(industry)
tag 失信被执行人: bool
"""
POLICIES = """
policy "制造业" {
    事项名称: "制造业企业"
    申请条件: 所属行业 in ["C"]
}
policy "规上" {
    事项名称: "规模以上"
    申请条件: 营业收入 >= 2000万 and 从业人数 <= 300
}
"""
VALID_USCC = "91350100M000100Y43"
AS_OF = dt.date(2024, 7, 1)


@pytest.fixture(scope="module")
def book() -> Rulebook:
    result = load_sources({"r.rule": TAGS + POLICIES})
    assert result.rulebook is not None, [d.message for d in result.diagnostics]
    return result.rulebook


def read(book: Rulebook, tag: str, raw: Any) -> Any:
    parsed = book.read_record({tag: raw}, on_error="missing")
    assert parsed.errors == (), parsed.errors
    return parsed.values[tag]


def error_of(book: Rulebook, tag: str, raw: Any) -> FieldError:
    parsed = book.read_record({tag: raw}, on_error="missing")
    assert tag not in parsed.values
    assert len(parsed.errors) == 1, parsed.errors
    return parsed.errors[0]


@pytest.mark.parametrize(("raw", "value"), [
    (2000, 2000), ("2000", 2000), (2000.5, Fraction(4001, 2)), (Decimal("0.15"), Fraction(3, 20)),
    ("2000万", 20_000_000), ("2000万元", 20_000_000), ("1.5亿元", 150_000_000),
    ("1.5亿", 150_000_000), ("3,200万元", 32_000_000), ("3，200万元", 32_000_000),
    ("500元", 500), (" 20万 ", 200_000), ("1,234,567.89", Fraction(123456789, 100)),
    ("0", 0), ("999999999999999999", 10**18 - 1),
])
def test_money(book: Rulebook, raw: Any, value: Any) -> None:
    assert read(book, "营业收入", raw) == Fraction(value)


@pytest.mark.parametrize(("raw", "value"), [
    ("10%", Fraction(1, 10)), ("3.5%", Fraction(7, 200)), (0.1, Fraction(1, 10)),
    ("0.1", Fraction(1, 10)), ("-2%", Fraction(-1, 50)), (Fraction(1, 3), Fraction(1, 3)),
])
def test_ratio(book: Rulebook, raw: Any, value: Fraction) -> None:
    assert read(book, "营业收入增长率", raw) == value


@pytest.mark.parametrize(("tag", "raw", "value"), [
    ("从业人数", 300, 300), ("从业人数", "300", 300), ("从业人数", "300人", 300),
    ("专利数", "5个", 5), ("评价得分", "85.5", Fraction(171, 2)),
])
def test_counts_and_numbers(book: Rulebook, tag: str, raw: Any, value: Any) -> None:
    assert read(book, tag, raw) == Fraction(value)


@pytest.mark.parametrize("raw", [
    "2021-03-01", "2021/3/1", "2021/03/01", "2021年3月1日", "2021年03月01日", "2021.3.1",
    dt.date(2021, 3, 1), dt.datetime(2021, 3, 1, 9, 30),
])
def test_dates(book: Rulebook, raw: Any) -> None:
    assert read(book, "成立日期", raw) == dt.date(2021, 3, 1)


@pytest.mark.parametrize(("raw", "value"), [
    (["高新技术企业", "科技型中小企业"], {"高新技术企业", "科技型中小企业"}),
    ("高新技术企业;科技型中小企业", {"高新技术企业", "科技型中小企业"}),
    ("高新技术企业、科技型中小企业", {"高新技术企业", "科技型中小企业"}),
    ("高新技术企业；科技型中小企业", {"高新技术企业", "科技型中小企业"}),
    ("高新技术企业", {"高新技术企业"}),
    ([], set()), ("[]", set()), ("无", set()),
])
def test_sets(book: Rulebook, raw: Any, value: set[str]) -> None:
    assert read(book, "资质", raw) == frozenset(value)


def test_an_open_set_takes_any_text(book: Rulebook) -> None:
    assert read(book, "所获荣誉", "守合同重信用、纳税百强") == {"守合同重信用", "纳税百强"}


@pytest.mark.parametrize(("raw", "value"), [
    (True, True), (False, False), ("true", True), ("false", False), ("是", True),
    ("否", False), ("TRUE", True),
])
def test_bools(book: Rulebook, raw: Any, value: bool) -> None:
    assert read(book, "失信被执行人", raw) is value


@pytest.mark.parametrize(("raw", "code"), [
    ("3911", "C3911"), ("C3911", "C3911"), ("c3911", "C3911"), ("Ｃ３９１１", "C3911"),
    ("39", "C39"), ("制造业", "C"), ("6510", "I6510"),
])
def test_industry_codes_are_canonical(book: Rulebook, raw: str, code: str) -> None:
    assert read(book, "所属行业", raw) == code


@pytest.mark.parametrize(("raw", "verdict"), [
    ("3911", Verdict.ELIGIBLE), ("C3911", Verdict.ELIGIBLE), ("391", Verdict.ELIGIBLE),
    ("制造业", Verdict.ELIGIBLE), ("6510", Verdict.INELIGIBLE), ("I65", Verdict.INELIGIBLE),
])
def test_a_code_without_its_letter_lies_inside_its_section(
    book: Rulebook, raw: str, verdict: Verdict
) -> None:
    assert book.evaluate({"所属行业": raw}, "制造业", as_of=AS_OF) is verdict


def test_uscc_check_character(book: Rulebook) -> None:
    assert read(book, "统一社会信用代码", VALID_USCC) == VALID_USCC
    assert read(book, "统一社会信用代码", VALID_USCC.lower()) == VALID_USCC
    changed = VALID_USCC[:8] + "N" + VALID_USCC[9:]  # one character changed
    err = error_of(book, "统一社会信用代码", changed)
    assert err.column == "统一社会信用代码"
    assert err.value == changed
    assert "check character" in err.reason
    last_changed = VALID_USCC[:-1] + "4"
    assert "check character" in error_of(book, "统一社会信用代码", last_changed).reason


@pytest.mark.parametrize(("tag", "raw", "reason"), [
    ("营业收入", "很多", "not a number"),
    ("营业收入", "2000美元", "unit"),
    ("营业收入", True, "yes/no"),
    ("从业人数", "300.5", "whole number"),
    ("从业人数", "-3", "not negative"),
    ("营业收入增长率", "10‱", "unit"),
    ("成立日期", "2021-02-30", "no such day"),
    ("成立日期", "去年", "not a date"),
    ("企业规模", "特大型", "not one of"),
    ("资质", "高新技术企业;专精特新", "专精特新"),
    ("失信被执行人", "也许", "yes/no"),
    ("所属行业", "9999", "99"),
    ("所属行业", "A3911", "belongs to"),
    ("营业收入", "-50万", "money is not negative"),
    ("营业收入", -1, "money is not negative"),
    ("营业收入", "inf", "not a finite number"),
    ("评价得分", "-Infinity", "not a finite number"),
    ("评价得分", float("inf"), "not a finite number"),
    ("评价得分", Decimal("NaN"), "not a finite number"),
    ("营业收入", "9" * 310, "significant"),
    ("营业收入", "1" + "0" * 18, "out of range"),
    ("评价得分", 10**100, "out of range"),
    ("评价得分", "1." + "1" * 30, "significant"),
    ("营业收入增长率", "0." + "0" * 40 + "1", "significant"),
    ("从业人数", "1" + "0" * 20, "out of range"),
])
def test_a_bad_value_is_a_field_error_naming_tag_value_and_reason(
    book: Rulebook, tag: str, raw: Any, reason: str
) -> None:
    err = error_of(book, tag, raw)
    assert err.column == tag
    assert err.value == str(raw)
    assert reason in err.reason
    shown = str(err)
    assert tag in shown and str(raw) in shown and err.reason in shown


@pytest.mark.parametrize("raw", [None, "", "  ", "未知", "null", "N/A", float("nan")])
def test_missing_spellings(book: Rulebook, raw: Any) -> None:
    parsed = book.read_record({"营业收入": raw})
    assert parsed.values == {} and parsed.errors == ()


def test_unknown_fields_are_listed_not_read(book: Rulebook) -> None:
    parsed = book.read_record({"营业收入": "1亿", "法人代表": "张三"})
    assert parsed.values == {"营业收入": 100_000_000}
    assert parsed.unknown_fields == ("法人代表",)


def test_evaluate_raises_record_error_by_default(book: Rulebook) -> None:
    record = {"营业收入": "很多", "从业人数": 100}
    with pytest.raises(RecordError) as caught:
        book.evaluate(record, "规上", as_of=AS_OF)
    [err] = caught.value.errors
    assert (err.column, err.value) == ("营业收入", "很多")
    assert "营业收入" in str(caught.value) and "很多" in str(caught.value)
    with pytest.raises(RecordError):
        book.benefit(record, "规上", as_of=AS_OF)
    with pytest.raises(RecordError):
        book.profile(record, as_of=AS_OF)


def test_on_error_missing_treats_the_bad_value_as_missing(book: Rulebook) -> None:
    record = {"营业收入": "很多", "从业人数": 100}
    assert book.evaluate(record, "规上", as_of=AS_OF, on_error="missing") is Verdict.UNKNOWN
    # a false conjunct still settles it
    record = {"营业收入": "很多", "从业人数": 1000}
    assert book.evaluate(record, "规上", as_of=AS_OF, on_error="missing") is Verdict.INELIGIBLE


def test_explain_lists_record_errors(book: Rulebook) -> None:
    record = {"营业收入": "很多", "从业人数": 100}
    e = book.explain(record, "规上", as_of=AS_OF)
    assert e.verdict is Verdict.UNKNOWN
    assert e.missing == ["营业收入"]
    [line] = e.record_errors
    assert "营业收入" in line and "很多" in line and "not a number" in line
    assert "数据错误：" in e.render("zh")
    with pytest.raises(RecordError):
        book.explain(record, "规上", as_of=AS_OF, on_error="raise")
    assert all(x.record_errors == [line] for x in book.explain_all(record, as_of=AS_OF))


def test_a_reader_keeps_true_one_and_one_point_oh_apart() -> None:
    from policy_match.core.loading import load_sources
    from policy_match.data.records import RecordReader

    book = load_sources({"a.rule": "tag 人数: count\ntag 得分: number\n"}).rulebook
    assert book is not None
    reader = RecordReader(book.tags, book.vocabulary)
    first = reader.read({"人数": 1, "得分": 1})
    second = reader.read({"人数": True, "得分": 1.5})
    third = reader.read({"人数": 1.0, "得分": True})
    assert first.values == {"人数": 1, "得分": 1} and not first.errors
    assert second.values == {"得分": Fraction(3, 2)} and second.errors[0].column == "人数"
    assert third.values == {"人数": 1} and third.errors[0].column == "得分"


def test_a_reader_reads_a_value_again_as_it_read_it_first() -> None:
    """What a reader keeps equals what a fresh reading gives; a bad value is reported every
    time it is given (never kept); past its bound per tag a reader starts that tag again."""
    from policy_match.core.loading import load_sources
    from policy_match.data import records
    from policy_match.data.records import RecordReader, parse_record

    book = load_sources({"a.rule": TAGS}).rulebook
    assert book is not None
    reader = RecordReader(book.tags, book.vocabulary)
    given = [{"营业收入": "2000万", "从业人数": 12, "营业收入增长率": 0.25,
              "资质": ["高新技术企业"], "成立日期": "2020-01-02", "企业规模": "小型", "备注": "x"},
             {"营业收入": "很多", "从业人数": -1, "所属行业": "C3911", "失信被执行人": "否"}]
    for record in given * 3:
        kept, fresh = reader.read(record, row=7), parse_record(record, book.tags, book.vocabulary,
                                                               row=7)
        assert kept == fresh
    assert len(reader.read(given[1]).errors) == 2
    for n in range(records.SEEN_PER_TAG + 10):
        assert reader.read({"从业人数": n}).values == {"从业人数": n}
    assert len(reader._seen["从业人数"]) <= records.SEEN_PER_TAG


@pytest.mark.parametrize(("tag", "raw", "value"), [
    ("评价得分", "-3.5", Fraction(-7, 2)), ("营业收入增长率", "-2%", Fraction(-1, 50)),
    ("评价得分", "1." + "1" * 29, Fraction("1." + "1" * 29)),
    ("营业收入", "1" * 18, int("1" * 18)),
])
def test_numbers_and_ratios_may_be_negative_and_long_within_the_limits(
        book: Rulebook, tag: str, raw: Any, value: Fraction) -> None:
    assert read(book, tag, raw) == value


def test_the_limits_are_exported_for_the_checker() -> None:
    from policy_match.data import records

    assert records.MAX_DIGITS == 30 and records.MAX_MAGNITUDE == 10**18
    assert records.bounded(Fraction(10**18 - 1)) == 10**18 - 1
    with pytest.raises(records.ValueProblem):
        records.bounded(Fraction(-(10**18)))


def test_a_field_error_reads_in_chinese_and_english(book: Rulebook) -> None:
    err = error_of(book, "营业收入", "-50万")
    assert err.code == "value.negative_money"
    assert err.text("zh") == "营业收入 = '-50万'：金额不能为负数"
    assert err.text("en") == str(err) == "营业收入 = '-50万': money is not negative"
    placed = err.model_copy(update={"row": 3, "line": 4})
    assert placed.text("zh").startswith("第 4 行，") and str(placed).startswith("line 4, ")
    sheet = placed.model_copy(update={"unit": "sheet_row"})
    assert sheet.text("zh").startswith("工作表第 4 行") and str(sheet).startswith("sheet row 4")
    assert str(err.model_copy(update={"row": 3})).startswith("row 3, ")
