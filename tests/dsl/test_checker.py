"""The checker: AST → typed IR, one test per diagnostic code (spec §2–§9).

Rulebooks are built in memory with ``load_sources({"a.rule": text, ...})``.
"""

from __future__ import annotations

import datetime as dt
from fractions import Fraction
from pathlib import Path

import pytest

import policy_match as pm
from policy_match.core.loading import LoadResult, load_sources
from policy_match.dsl import ir
from policy_match.dsl.diagnostics import Code, Diagnostic, render_text
from policy_match.dsl.types import Kind
from policy_match.dsl.values import Duration

TAGS = """\
tag 统一社会信用代码: uscc key
tag 企业名称: text
tag 营业收入: money
tag 研发费用: money
tag 从业人数: count(人)
tag 营业收入增长率: ratio
tag 成立日期: date
tag 细分市场年限: duration
tag 专精特新评价得分: number
tag 企业规模: enum["大型", "中型", "小型", "微型"]
tag 资质: set["高新技术企业", "科技型中小企业"]
tag 所获荣誉: set[text]
tag 所属行业: code(industry)
tag 所在区域: code(region)
tag 失信被执行人: bool
"""
TAG_LINES = TAGS.count("\n")


def load(**files: str) -> LoadResult:
    """``load(a="...", b="...")`` loads ``tags.rule`` plus ``a.rule``, ``b.rule``."""
    sources = {"tags.rule": TAGS, **{f"{k}.rule": v for k, v in files.items()}}
    return load_sources(sources)


def ok(**files: str) -> pm.Rulebook:
    result = load(**files)
    assert [d for d in result.diagnostics if d.is_error] == [], [
        f"{d.code.value} {d.message}" for d in result.diagnostics
    ]
    assert result.rulebook is not None
    return result.rulebook


def only(result: LoadResult, code: Code) -> Diagnostic:
    """The one diagnostic of ``result``; it has ``code``; the rulebook did not load."""
    assert result.rulebook is None
    assert [d.code for d in result.diagnostics] == [code], [
        f"{d.code.value} {d.message}" for d in result.diagnostics
    ]
    return result.diagnostics[0]


def define(expr: str) -> str:
    return f"define x = {expr}\n"


def policy(*fields: str, pid: str = "P-1") -> str:
    body = "".join(f"    {f}\n" for f in fields)
    return f'policy "{pid}" {{\n{body}}}\n'


def at(d: Diagnostic, source: str, needle: str, line: int) -> None:
    """``d`` points at ``needle`` on (1-based, file) ``line`` of ``source``."""
    text = source.splitlines()[line - 1]
    assert d.span.line == line, (d.span, line)
    assert d.span.column == text.index(needle) + 1, (d.span, text)


def define_value(book: pm.Rulebook, name: str = "x") -> ir.Expr:
    return book.defines[name].expr


# ---- a clean rulebook ---------------------------------------------------------------------


def test_a_clean_rulebook_loads_with_typed_tags() -> None:
    book = ok(a=define("营业收入 >= 2000万") + policy('事项名称: "n"', "申请条件: x"))
    assert book.key == "统一社会信用代码"
    assert book.tags["营业收入"].type.kind is Kind.MONEY
    assert book.tags["从业人数"].type.unit == "人"
    assert book.tags["企业规模"].type.values == ("大型", "中型", "小型", "微型")
    assert book.tags["所获荣誉"].type.values is None
    assert book.tags["所属行业"].type.hierarchy == "industry"
    assert list(book.policies) == ["P-1"]
    assert book.policies["P-1"].name == "n"


# ---- one test per code -------------------------------------------------------------------


def test_e_name_with_did_you_mean_for_a_chinese_typo() -> None:
    src = define("营业收人 >= 2000万")
    d = only(load(a=src), Code.NAME)
    assert d.span.path == "a.rule"
    at(d, src, "营业收人", 1)
    assert "营业收人" in d.message
    assert d.hint == "did you mean 营业收入?"


def test_e_name_in_a_policy_and_in_an_example() -> None:
    src = policy('事项名称: "n"', "申请条件: 资历 has \"高新技术企业\"",
                 '示例 "e" { 给定 { 资质证书: ["高新技术企业"] } 预期 符合 }')
    result = load(a=src)
    assert [d.code for d in result.diagnostics] == [Code.NAME, Code.NAME]
    assert "did you mean 资质?" in result.diagnostics[0].hint
    assert "did you mean 资质?" in result.diagnostics[1].hint


@pytest.mark.parametrize(
    "expr",
    [
        '营业收入 >= "很多"',
        "not 营业收入",
        "营业收入",
        "企业规模 >= 1",
        '资质 in ["高新技术企业"]',
        '营业收入 has "x"',
        "成立日期 >= 1",
        '["a", "b"]',
        "失信被执行人 and 营业收入",
    ],
)
def test_e_type(expr: str) -> None:
    d = only(load(a=policy('事项名称: "n"', f"申请条件: {expr}")), Code.TYPE)
    assert d.span.line == 3
    assert d.message


def test_e_unit_spec_example() -> None:
    src = policy('事项名称: "n"', "申请条件: 营业收入 >= 300人")
    result = load(kj=src)
    d = only(result, Code.UNIT)
    at(d, src, "300人", 3)
    assert d.span.end_column - d.span.column == len("300人")
    assert d.message.startswith("营业收入 is money, but 300人 is a count")
    assert d.hint
    rendered = render_text(result.diagnostics, result.sources)
    assert f"kj.rule:3:{d.span.column}: error[E-UNIT]: 营业收入 is money, but 300人 is a count" in (
        rendered
    )
    assert "   3 |     申请条件: 营业收入 >= 300人" in rendered
    assert "   help: " in rendered
    assert "300万" in d.hint and "从业人数" in d.hint


@pytest.mark.parametrize(
    "expr",
    [
        "营业收入 >= 300人",
        "从业人数 >= 2000万元",
        "营业收入增长率 >= 300人",
        "营业收入 >= 10%",
        "营业收入 + 从业人数 >= 1",
        "从业人数 >= 10%",
    ],
)
def test_e_unit_for_numbers_of_different_dimensions(expr: str) -> None:
    only(load(a=define(expr)), Code.UNIT)


def test_e_unit_for_an_unknown_unit_word() -> None:
    only(load(a=define("营业收入 >= 300公斤每平方")), Code.UNIT)


def test_e_enum() -> None:
    src = define('企业规模 in ["小型", "超大型"]')
    d = only(load(a=src), Code.ENUM)
    at(d, src, '"超大型"', 1)
    assert "超大型" in d.message
    assert '"大型"' in d.hint  # lists what is declared


def test_e_enum_for_a_set_value_and_an_equality() -> None:
    only(load(a=define('资质 has "高企"')), Code.ENUM)
    only(load(a=define('企业规模 == "特大"')), Code.ENUM)


@pytest.mark.parametrize("code", ["C99", "99", "Z", "C391X"])
def test_e_code_unknown_industry_code(code: str) -> None:
    src = define(f'所属行业 in ["C", "{code}"]')
    d = only(load(a=src), Code.CODE)
    at(d, src, f'"{code}"', 1)
    assert "industry" in d.message


@pytest.mark.parametrize("code", ["999999", "5301020", "昆名市xx"])
def test_e_code_unknown_region_code(code: str) -> None:
    src = define(f'所在区域 in ["{code}"]')
    d = only(load(a=src), Code.CODE)
    assert "region" in d.message


def test_e_code_in_an_example_record() -> None:
    src = policy('事项名称: "n"', "申请条件: 是", '示例 "e" { 给定 { 所属行业: "C99" } 预期 符合 }')
    only(load(a=src), Code.CODE)


def test_e_hierarchy() -> None:
    src = "tag 颜色: code(colour)\n"
    d = only(load(a=src), Code.HIERARCHY)
    at(d, src, "colour", 1)
    assert "colour" in d.message


def test_e_dup_tag_and_tag_names_both_places() -> None:
    src = "tag 企业名称: text\n"
    result = load(a=src)
    d = only(result, Code.DUP)
    assert (d.span.path, d.span.line) == ("a.rule", 1)
    assert "企业名称" in d.message
    assert [(r.span.path, r.span.line) for r in d.related] == [("tags.rule", 2)]
    rendered = render_text(result.diagnostics, result.sources)
    assert "a.rule:1:5: error[E-DUP]" in rendered
    assert "tags.rule:2:5" in rendered


def test_e_dup_tag_and_define_names_both_places() -> None:
    src = "\n\ndefine 营业收入 = 研发费用 * 2\n"
    d = only(load(a=src), Code.DUP)
    assert (d.span.path, d.span.line, d.span.column) == ("a.rule", 3, 8)
    assert [(r.span.path, r.span.line) for r in d.related] == [("tags.rule", 3)]


def test_e_dup_two_policies_with_one_id_across_two_files() -> None:
    first = policy('事项名称: "一"', "申请条件: 是", pid="WH-1")
    second = "# 另一个文件\n" + policy('事项名称: "二"', "申请条件: 否", pid="WH-1")
    result = load(a=first, b=second)
    d = only(result, Code.DUP)
    assert (d.span.path, d.span.line, d.span.column) == ("b.rule", 2, 8)
    assert "WH-1" in d.message
    assert [(r.span.path, r.span.line, r.span.column) for r in d.related] == [("a.rule", 1, 8)]
    rendered = render_text(result.diagnostics, result.sources)
    assert "b.rule:2:8" in rendered and "a.rule:1:8" in rendered


def test_e_field_with_did_you_mean() -> None:
    src = policy('事项名称: "n"', "申请条件: 是", '执行部分: "区科学技术局"')
    d = only(load(a=src), Code.FIELD)
    at(d, src, "执行部分", 4)
    assert "执行部分" in d.message
    assert d.hint == "did you mean 执行部门?"


def test_e_field_for_a_value_of_the_wrong_shape() -> None:
    only(load(a=policy('事项名称: "n"', "申请条件: 是", "办结时限: 20万")), Code.FIELD)
    only(load(a=policy('事项名称: "n"', "申请条件: 是", "推送方式: 到处")), Code.FIELD)


def test_english_field_names_are_aliases() -> None:
    book = ok(a=policy('name: "n"', "eligible: 失信被执行人 == 否", "department: \"局\"",
                       "valid: 2024-01-01 .. 2024-12-31", "deadline: 20个工作日",
                       "no_application: 是", "push: 普惠", "benefit: 20万"))
    p = book.policies["P-1"]
    assert (p.name, p.department, p.push, p.no_application) == ("n", "局", "普惠", True)
    assert (p.valid_from, p.valid_to) == (dt.date(2024, 1, 1), dt.date(2024, 12, 31))
    assert p.deadline == Duration(Fraction(20), "个工作日")


@pytest.mark.parametrize(
    ("fields", "missing"),
    [(['事项名称: "n"'], "申请条件"), (["申请条件: 是"], "事项名称")],
)
def test_e_required(fields: list[str], missing: str) -> None:
    d = only(load(a=policy(*fields)), Code.REQUIRED)
    assert missing in d.message
    assert d.span.line == 1


@pytest.mark.parametrize(
    "validity", ["2026-12-31 至 2024-01-01", '"2024 年"', "20万"],
)
def test_e_valid(validity: str) -> None:
    src = policy('事项名称: "n"', "申请条件: 是", f"适用时间: {validity}")
    d = only(load(a=src), Code.VALID)
    assert d.span.line == 4


def test_validity_with_both_ends_equal_is_fine() -> None:
    book = ok(a=policy('事项名称: "n"', "申请条件: 是", "适用时间: 2024-01-01 至 2024-01-01"))
    assert book.policies["P-1"].active_on(dt.date(2024, 1, 1))


def test_e_cycle_names_every_define_in_order_as_one_diagnostic() -> None:
    src = "define a = b and 失信被执行人\ndefine b = c\ndefine c = a\ndefine d = a\n"
    d = only(load(a=src), Code.CYCLE)
    assert "a → b → c → a" in d.message
    assert (d.span.line, d.span.column) == (1, 8)
    assert [(r.span.line, r.span.column) for r in d.related] == [(2, 8), (3, 8)]


def test_e_cycle_through_known_and_a_self_cycle() -> None:
    d = only(load(a="define a = known(a)\n"), Code.CYCLE)
    assert "a → a" in d.message
    result = load(a="define p = q\ndefine q = p\ndefine r = s\ndefine s = r\n")
    assert [d.code for d in result.diagnostics] == [Code.CYCLE, Code.CYCLE]
    assert "p → q → p" in result.diagnostics[0].message
    assert "r → s → r" in result.diagnostics[1].message


def test_defines_may_use_later_defines() -> None:
    book = ok(a="define 甲 = 乙 and 失信被执行人\ndefine 乙 = 营业收入 >= 1\n")
    assert list(book.defines) == ["乙", "甲"]  # dependency order
    assert book.defines["甲"].type.kind is Kind.BOOL


def test_e_func() -> None:
    src = define("营业收入 >= mim(1, 2)")
    d = only(load(a=src), Code.FUNC)
    at(d, src, "mim", 1)
    assert "did you mean min?" in d.hint


def test_e_func_wrong_arity() -> None:
    only(load(a=define("abs(1, 2) > 0")), Code.FUNC)


@pytest.mark.parametrize("date", ["2024-02-30", "2023-02-29", "2024-13-01", "0000-01-01"])
def test_e_literal_impossible_date(date: str) -> None:
    src = define(f"成立日期 >= {date}")
    d = only(load(a=src), Code.LITERAL)
    at(d, src, date, 1)
    assert date in d.message


def test_e_literal_at_least_out_of_range() -> None:
    only(load(a=define("at least 3 of [失信被执行人, 失信被执行人]")), Code.LITERAL)
    only(load(a=define("至少满足 0 项 [失信被执行人]")), Code.LITERAL)


def test_leap_day_is_a_date() -> None:
    book = ok(a=define("成立日期 >= 2024-02-29"))
    value = define_value(book)
    assert isinstance(value, ir.Compare)
    assert value.right == ir.Const(dt.date(2024, 2, 29), value.right.type, "2024-02-29")


def test_e_key() -> None:
    src = "tag 工商注册号: text key\n"
    d = only(load(a=src), Code.KEY)
    assert (d.span.path, d.span.line) == ("a.rule", 1)
    assert [(r.span.path, r.span.line) for r in d.related] == [("tags.rule", 1)]


def test_e_case_without_else() -> None:
    src = define("case { 营业收入 >= 1亿: 10万; 营业收入 >= 5000万: 5万 }")
    d = only(load(a=src), Code.CASE)
    assert d.span.line == 1
    assert "else" in d.hint


def test_case_branches_that_disagree_are_a_type_error() -> None:
    only(load(a=define('case { 失信被执行人: 1; else: "x" }')), Code.TYPE)


@pytest.mark.parametrize(
    "example",
    [
        '示例 "e" { 给定 { 失信被执行人: 否 } 预期 可能 }',
        '示例 "e" { 给定 { 失信被执行人: 否 } }',
        '示例 "e" { 给定 { 失信被执行人: 否 } 预期 符合 兑付 营业收入 }',
        '示例 "e" { 给定 { 失信被执行人: 否, 失信被执行人: 是 } 预期 符合 }',
        '示例 "e" { 给定 { 失信被执行人: 否 } 预期 符合 结果 符合 }',
        '样例 "e" { 给定 { 失信被执行人: 否 } 预期 符合 }',
    ],
)
def test_e_example(example: str) -> None:
    src = policy('事项名称: "n"', "申请条件: 失信被执行人 == 否", example)
    d = only(load(a=src), Code.EXAMPLE)
    assert d.span.line == 4


def test_a_good_example_is_typed() -> None:
    src = policy(
        '事项名称: "n"', "申请条件: 资质 has \"高新技术企业\"", "兑付标准: 20万",
        '示例 "e" {\n 评估日 2024-07-01\n 给定 { 资质: ["高新技术企业"], 营业收入: 1.5亿元, '
        '所属行业: "3911", 从业人数: 30人, 成立日期: 2020-01-01 }\n 预期 符合\n 兑付 20万\n }',
    )
    book = ok(a=src)
    (example,) = book.policies["P-1"].examples
    assert example.expect is pm.Verdict.ELIGIBLE
    assert example.benefit == Fraction(200000)
    assert example.as_of == dt.date(2024, 7, 1)
    assert example.given == {
        "资质": frozenset({"高新技术企业"}),
        "营业收入": Fraction(150000000),
        "所属行业": "C3911",
        "从业人数": Fraction(30),
        "成立日期": dt.date(2020, 1, 1),
    }


# ---- units and types of §3 that are fine ---------------------------------------------------


@pytest.mark.parametrize(
    "expr",
    [
        "营业收入 >= 2000万",  # money vs a plain magnitude
        "营业收入 >= 2000万元",  # money vs money
        "营业收入 >= 1.5亿",
        "营业收入 >= 20000000",
        "从业人数 <= 300",  # count vs plain number
        "从业人数 <= 300人",  # count vs count of the same unit
        "营业收入增长率 >= 10%",  # ratio vs ratio
        "营业收入增长率 >= 0.1",  # ratio vs plain number
        "研发费用 / 营业收入 >= 5%",  # money / money is a share
        "研发费用 / 营业收入 >= min(5%, 3% + 1%)",
        "成立日期 <= today - 1年",  # date vs date minus a duration
        "成立日期 <= 评估日 - 6个月",
        "成立日期 >= 2024-07-01",
        "细分市场年限 >= 3年",
        "专精特新评价得分 >= 60",
        "营业收入 / 从业人数 >= 100万",
        "研发费用 * 10% >= 1万元",
        "-营业收入 < 0",
        "known(营业收入) and not 失信被执行人",
        '企业名称 == "某公司"',
        '所获荣誉 has "省级荣誉"',  # set[text] is open
        '资质 has all ["高新技术企业", "科技型中小企业"]',
        "case { 营业收入 >= 5亿: 30万; 营业收入 >= 1亿: 10万; else: 0 } >= 10万",
    ],
)
def test_units_and_types_that_fit(expr: str) -> None:
    book = ok(a=define(expr))
    assert book.defines["x"].type.kind is Kind.BOOL


def test_a_condition_over_lines_in_a_policy() -> None:
    book = ok(a=policy(
        '事项名称: "n"',
        "申请条件: 所属行业 in [\"B\", \"C\"]\n        and 营业收入\n            >= 2000万",
        "兑付标准: case {\n        营业收入 >= 5亿: 30万\n        否则: 10万\n    }",
    ))
    p = book.policies["P-1"]
    assert isinstance(p.eligible, ir.And)
    assert isinstance(p.benefit, ir.Case)


# ---- codes in rules ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "canonical"),
    [
        ("C", "C"),
        ("制造业", "C"),
        ("C39", "C39"),
        ("39", "C39"),
        ("391", "C391"),
        ("3911", "C3911"),
        ("C3911", "C3911"),
        ("I65", "I65"),
        ("65", "I65"),
        ("住宿和餐饮业", "H"),
    ],
)
def test_industry_codes_with_and_without_the_letter_and_by_chinese_name(
    written: str, canonical: str
) -> None:
    value = define_value(ok(a=define(f'所属行业 in ["{written}"]')))
    assert value == ir.Member(ir.TagRef("所属行业", value.operand.type), (canonical,),
                              False, "industry")


def test_region_codes_of_every_level() -> None:
    value = define_value(ok(a=define('所在区域 not in ["53", "5301", "530102", "530102011"]')))
    assert isinstance(value, ir.Member)
    assert value.options == ("53", "5301", "530102", "530102011")
    assert value.negated and value.hierarchy == "region"


def test_code_compared_with_a_string_is_canonical() -> None:
    value = define_value(ok(a=define('所属行业 == "3911"')))
    assert isinstance(value, ir.Compare)
    assert isinstance(value.right, ir.Const)
    assert value.right.value == "C3911"


# ---- the typed IR values are exact -----------------------------------------------------------


@pytest.mark.parametrize(
    ("literal", "value", "kind"),
    [
        ("2000万", Fraction(20000000), Kind.NUMBER),
        ("1.5亿", Fraction(150000000), Kind.NUMBER),
        ("1.5亿元", Fraction(150000000), Kind.MONEY),
        ("20万元", Fraction(200000), Kind.MONEY),
        ("500元", Fraction(500), Kind.MONEY),
        ("0.1", Fraction(1, 10), Kind.NUMBER),
        ("10%", Fraction(1, 10), Kind.RATIO),
        ("3.5%", Fraction(7, 200), Kind.RATIO),
        ("300", Fraction(300), Kind.NUMBER),
    ],
)
def test_numeric_literals_are_exact(literal: str, value: Fraction, kind: Kind) -> None:
    tag = "营业收入增长率" if kind is Kind.RATIO else "营业收入"
    cond = define_value(ok(a=define(f"{tag} >= {literal}")))
    assert isinstance(cond, ir.Compare)
    const = cond.right
    assert isinstance(const, ir.Const)
    assert isinstance(const.value, Fraction)
    assert const.value == value
    assert const.type.kind is kind
    assert const.text == literal


@pytest.mark.parametrize(
    ("literal", "value", "unit"),
    [("300人", Fraction(300), "人"), ("5个", Fraction(5), None)],
)
def test_count_literals(literal: str, value: Fraction, unit: str | None) -> None:
    cond = define_value(ok(a=define(f"从业人数 >= {literal}")))
    assert isinstance(cond, ir.Compare)
    assert cond.right.value == value
    assert cond.right.type.kind is Kind.COUNT
    assert cond.right.type.unit == unit


@pytest.mark.parametrize(
    ("literal", "duration"),
    [
        ("3年", Duration(Fraction(3), "年")),
        ("6个月", Duration(Fraction(6), "个月")),
        ("30天", Duration(Fraction(30), "天")),
        ("20个工作日", Duration(Fraction(20), "个工作日")),
    ],
)
def test_duration_literals(literal: str, duration: Duration) -> None:
    cond = define_value(ok(a=define(f"细分市场年限 >= {literal}")))
    assert isinstance(cond, ir.Compare)
    assert cond.right.value == duration
    assert cond.right.type.kind is Kind.DURATION


def test_a_computed_share_keeps_exact_types() -> None:
    cond = define_value(ok(a=define("研发费用 / 营业收入 >= 5%")))
    assert isinstance(cond, ir.Compare)
    assert isinstance(cond.left, ir.Arith)
    assert cond.left.op == "/"
    assert cond.left.type.kind in (Kind.NUMBER, Kind.RATIO)  # dimensionless
    assert cond.right.value == Fraction(1, 20)


def test_negative_literal_folds_to_an_exact_constant() -> None:
    cond = define_value(ok(a=define("营业收入 > -1.5万")))
    assert isinstance(cond, ir.Compare)
    assert cond.right.value == Fraction(-15000)


def test_benefit_amounts_are_exact() -> None:
    book = ok(a=policy('事项名称: "n"', "申请条件: 是", "兑付标准: 1.5亿元"))
    benefit = book.policies["P-1"].benefit
    assert isinstance(benefit, ir.Const)
    assert benefit.value == Fraction(150000000)
    assert benefit.type.kind is Kind.MONEY


# ---- never half-loaded ----------------------------------------------------------------------


MANY_MISTAKES = {
    "a.rule": TAGS,
    "b.rule": define("营业收人 >= 1") + 'define y = 企业规模 in ["超大型"]\n',
    "c.rule": policy('事项名称: "n"', "申请条件: 营业收入 >= 300人", '执行部分: "x"'),
}


def test_a_rulebook_with_any_error_never_loads() -> None:
    result = load_sources(MANY_MISTAKES)
    assert result.rulebook is None
    assert {d.code for d in result.diagnostics} == {Code.NAME, Code.ENUM, Code.UNIT, Code.FIELD}


def test_pm_load_raises_rule_error_listing_everything(tmp_path: Path) -> None:
    for name, text in MANY_MISTAKES.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    with pytest.raises(pm.RuleError) as caught:
        pm.load(tmp_path)
    diags = caught.value.diagnostics
    assert sorted((Path(d.span.path).name, d.span.line, d.code.value) for d in diags) == [
        ("b.rule", 1, "E-NAME"),
        ("b.rule", 2, "E-ENUM"),
        ("c.rule", 3, "E-UNIT"),
        ("c.rule", 4, "E-FIELD"),
    ]
    rendered = caught.value.render()
    assert "4 error(s)" in rendered


def test_pm_load_of_a_clean_folder(tmp_path: Path) -> None:
    (tmp_path / "a.rule").write_text(TAGS + define("营业收入 >= 2000万"), encoding="utf-8")
    book = pm.load(tmp_path)
    assert isinstance(book, pm.Rulebook)
    assert "x" in book.defines


def test_one_mistake_does_not_cascade() -> None:
    # an unknown name inside a define: the define's users stay quiet
    result = load(a="define 甲 = 营业收人 >= 1\ndefine 乙 = 甲 and 失信被执行人\n"
                    + policy('事项名称: "n"', "申请条件: 乙"))
    assert [d.code for d in result.diagnostics] == [Code.NAME]


def test_names_of_unparsed_declarations_are_not_reported_again() -> None:
    result = load(a="define 甲 = 营业收入 = 1\n" + policy('事项名称: "n"', "申请条件: 甲"))
    assert [d.code for d in result.diagnostics] == [Code.SYNTAX]


def test_a_define_using_a_define_with_a_syntax_error_is_not_a_crash() -> None:
    # 甲 does not parse; 乙 uses it. The checker itself finds nothing new to say, but the
    # rulebook must still not load and nothing may raise.
    result = load(a="define 甲 = (营业收入 >= 1\ndefine 乙 = 甲 and 失信被执行人\n")
    assert [(d.code, d.span.line) for d in result.diagnostics] == [(Code.SYNTAX, 1)]
    assert result.rulebook is None
