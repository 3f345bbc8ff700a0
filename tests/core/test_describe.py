"""Plain-language rendering (一表读懂, rule-language §10): statutory comparison words.

《民法典》第一千二百五十九条: 以上、以下、以内 include the number; 不满、超过 exclude it.
"""

from __future__ import annotations

import pytest

from policy_match.core.loading import load_sources
from policy_match.core.rulebook import Rulebook

TAGS = """\
tag 营业收入: money
tag 从业人数: count(人)
tag 专利数: count
tag 营业收入增长率: ratio
tag 成立日期: date
tag 企业规模: enum["大型", "中型", "小型", "微型"]
tag 所属行业: code(industry)
tag 失信被执行人: bool
"""


def described(cond: str, benefit: str | None = None, defines: str = "") -> str:
    fields = ['事项名称: "测试事项"', f"申请条件: {cond}"]
    if benefit is not None:
        fields.append(f"兑付标准: {benefit}")
    text = (TAGS + defines + '\npolicy "P" {\n    ' + "\n    ".join(fields) + "\n}\n")
    result = load_sources({"d.rule": text})
    assert result.rulebook is not None, [d.message for d in result.diagnostics]
    book: Rulebook = result.rulebook
    return book.describe("P")


@pytest.mark.parametrize(("cond", "words"), [
    # the four rows of the §10 table
    ("营业收入 >= 2000万", "营业收入2000万元以上"),
    ("营业收入 > 2000万", "营业收入超过2000万元"),
    ("从业人数 <= 300", "从业人数300人以下"),
    ("从业人数 < 20", "从业人数不满20人"),
    # the same words for the other side of each operator and other units
    ("营业收入 <= 2000万", "营业收入2000万元以下"),
    ("营业收入 < 2000万", "营业收入不满2000万元"),
    ("从业人数 >= 300", "从业人数300人以上"),
    ("从业人数 > 20", "从业人数超过20人"),
    ("从业人数 <= 300人", "从业人数300人以下"),
    ("营业收入增长率 >= 10%", "营业收入增长率10%以上"),
    ("营业收入增长率 < 0.1", "营业收入增长率不满10%"),
    ("营业收入 >= 1.5亿", "营业收入1.5亿元以上"),
    ("营业收入 > 500元", "营业收入超过500元"),
    # the Unicode operators and a constant on the left read the same
    ("营业收入 ≥ 2000万", "营业收入2000万元以上"),
    ("营业收入 ≤ 2000万", "营业收入2000万元以下"),
    ("2000万 <= 营业收入", "营业收入2000万元以上"),
    ("20 > 从业人数", "从业人数不满20人"),
    ("营业收入 == 2000万", "营业收入为2000万元"),
    ("营业收入 != 2000万", "营业收入不为2000万元"),
    ("营业收入 ≠ 2000万", "营业收入不为2000万元"),
])
def test_comparison_words(cond: str, words: str) -> None:
    text = described(cond)
    assert words in text, text
    assert f"申请条件：{words}。" in text


@pytest.mark.parametrize(("cond", "words"), [
    ("成立日期 <= today - 1年", "成立日期距评估日已满1年"),
    ("成立日期 < today - 1年", "成立日期距评估日超过1年"),
    ("成立日期 > today - 1年", "成立日期距评估日不满1年"),
    ("成立日期 >= today - 3年", "成立日期距评估日在3年以内"),
    ("成立日期 >= 2020-01-01", "成立日期不早于2020年1月1日"),
    ("成立日期 < 2020-01-01", "成立日期早于2020年1月1日"),
])
def test_date_words(cond: str, words: str) -> None:
    assert words in described(cond)


def test_any_of_renders_one_of_the_following_with_numbered_items() -> None:
    text = described("any of [营业收入 >= 2000万, 从业人数 <= 300]")
    assert "满足下列条件之一：（一）营业收入2000万元以上；（二）从业人数300人以下" in text


def test_at_least_renders_how_many_items() -> None:
    text = described("at least 2 of [营业收入 >= 2000万, 从业人数 < 20, 营业收入增长率 > 10%]")
    assert ("至少满足下列条件中的2项：（一）营业收入2000万元以上；（二）从业人数不满20人；"
            "（三）营业收入增长率超过10%") in text
    assert "至少满足下列条件中的2项" in described(
        "至少满足 2 项 [营业收入 >= 2000万, 从业人数 < 20, 营业收入增长率 > 10%]")


def test_all_of_and_nesting_number_each_level() -> None:
    text = described("any of [营业收入 >= 2000万, all of [从业人数 < 20, 失信被执行人 == 否]]")
    assert "满足下列条件之一：（一）营业收入2000万元以上；（二）同时满足下列条件：" in text
    assert "1.从业人数不满20人；2.失信被执行人为否" in text


def test_inline_and_or_are_bracketed() -> None:
    text = described("营业收入 >= 2000万 and (从业人数 < 20 or 营业收入增长率 > 10%)")
    assert "营业收入2000万元以上，且（从业人数不满20人，或者营业收入增长率超过10%）" in text


def test_codes_enums_and_defines() -> None:
    text = described('所属行业 in ["C", "I65"] and 企业规模 in ["小型", "微型"] and 规上',
                     defines="define 规上 = 营业收入 >= 2000万\n")
    assert "所属行业属于制造业（C）、软件和信息技术服务业（I65）" in text  # every code named
    assert "企业规模为小型或微型" in text
    assert "其中，规上是指：营业收入2000万元以上。" in text


def test_benefit_with_cap_and_tiers() -> None:
    text = described("营业收入 >= 2000万", benefit="min(营业收入 * 1%, 50万)")
    assert "兑付标准：营业收入的1%，最高不超过50万元。" in text
    text = described("营业收入 >= 2000万",
                     benefit="case { 营业收入 >= 5亿: 30万; 营业收入 >= 1亿: 10万; else: 5万 }")
    assert "营业收入5亿元以上的，30万元；营业收入1亿元以上的，10万元；其他情形，5万元" in text


@pytest.mark.parametrize(("n", "words"), [
    (1, "一"), (10, "十"), (11, "十一"), (20, "二十"), (99, "九十九"), (100, "一百"),
    (101, "一百零一"), (109, "一百零九"), (110, "一百一十"), (111, "一百一十一"),
    (150, "一百五十"), (1001, "一千零一"), (1010, "一千零一十"), (10001, "一万零一"),
    (100015, "十万零一十五"), (100010000, "一亿零一万"),
])
def test_chinese_numerals_are_right_for_any_count(n: int, words: str) -> None:
    from policy_match.dsl.display import chinese_number
    assert chinese_number(n) == words


def test_a_list_of_150_conditions_is_numbered_to_the_end() -> None:
    items = ", ".join(f"专利数 >= {i}" for i in range(1, 151))
    text = described(f"all of [{items}]")
    assert "（九十九）专利数99个以上；（一百）专利数100个以上" in text
    assert "（一百零九）专利数109个以上；（一百一十）专利数110个以上" in text
    assert text.rstrip("。").endswith("（一百五十）专利数150个以上")
    assert "十十" not in text
