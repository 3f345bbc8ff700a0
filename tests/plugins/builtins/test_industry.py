import pytest
from hypothesis import given
from hypothesis import strategies as st

from policy_match.dsl.vocabulary import Hierarchy
from policy_match.dsl.words import Words
from policy_match.plugins.builtins.industry import INDUSTRY, SECTIONS


def canon(text: str) -> str | None:
    return INDUSTRY.lookup(text).code


def test_is_a_hierarchy_named_industry() -> None:
    assert isinstance(INDUSTRY, Hierarchy)
    assert INDUSTRY.name == "industry"


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("C", "C"),
        ("c", "C"),
        (" T ", "T"),
        ("制造业", "C"),
        ("信息传输、软件和信息技术服务业", "I"),
        ("农、林、牧、渔业", "A"),
        ("3911", "C3911"),
        ("391", "C391"),
        ("39", "C39"),
        ("65", "I65"),
        ("01", "A01"),
        ("97", "T97"),
        ("7010", "K7010"),
        ("I65", "I65"),
        ("C3911", "C3911"),
        ("c3911", "C3911"),
        ("  C39\t", "C39"),
        ("Ｃ３９１１", "C3911"),
    ],
)
def test_lookup_canonicalizes(text: str, code: str) -> None:
    result = INDUSTRY.lookup(text)
    assert result.code == code
    assert result.reason == ""


def test_every_division_gets_the_letter_of_its_range() -> None:
    for letter, (_, lo, hi) in SECTIONS.items():
        for division in range(lo, hi + 1):
            assert canon(f"{division:02d}") == f"{letter}{division:02d}"
    assert len(SECTIONS) == 20
    assert sum(hi - lo + 1 for _, lo, hi in SECTIONS.values()) == 97


@pytest.mark.parametrize(
    ("text", "in_reason"),
    [
        ("U", "A–T"),
        ("z", "A–T"),
        ("00", "01 to 97"),
        ("98", "98"),
        ("9912", "99"),
        ("C98", "98"),
        ("3", "2 (division)"),
        ("39111", "4 (class)"),
        ("C39111", "4 (class)"),
        ("", "empty"),
        ("   ", "empty"),
        ("C-39", "neither"),
        ("软件", "neither"),
    ],
)
def test_lookup_rejects(text: str, in_reason: str) -> None:
    result = INDUSTRY.lookup(text)
    assert result.code is None
    assert in_reason in result.reason


def test_wrong_letter_names_the_right_section_and_suggests_the_code() -> None:
    result = INDUSTRY.lookup("A39")
    assert result.code is None
    assert "39" in result.reason and "C 制造业" in result.reason
    assert '"C39"' in result.hint


def test_letter_outside_a_to_t_with_digits_suggests_the_right_letter() -> None:
    result = INDUSTRY.lookup("X3911")
    assert result.code is None
    assert '"C3911"' in result.hint


def test_near_miss_chinese_name_gets_a_hint() -> None:
    result = INDUSTRY.lookup("制造")
    assert result.code is None
    assert "制造业" in result.hint
    far = INDUSTRY.lookup("hello")
    assert "制造业" not in far.hint


def test_path_lists_ancestors_outermost_first() -> None:
    assert INDUSTRY.path("C3911") == ("C", "C39", "C391", "C3911")
    assert INDUSTRY.path("C39") == ("C", "C39")
    assert INDUSTRY.path("C") == ("C",)


def test_contains_is_prefix_containment() -> None:
    assert INDUSTRY.contains("C", "C3911")
    assert INDUSTRY.contains("C39", "C391")
    assert INDUSTRY.contains("C3911", "C3911")
    assert not INDUSTRY.contains("C3911", "C391")
    assert not INDUSTRY.contains("C39", "C3811")
    assert not INDUSTRY.contains("I", "C3911")


def test_spec_example_3911_lies_inside_all_its_spellings() -> None:
    inner = canon("3911")
    assert inner is not None
    for outer in ("C", "C39", "39", "391", "制造业", "C3911"):
        outer_code = canon(outer)
        assert outer_code is not None and INDUSTRY.contains(outer_code, inner), outer


def test_label_names_every_code_of_the_standard() -> None:
    assert INDUSTRY.label("C") == "制造业"
    assert INDUSTRY.label("I") == "信息传输、软件和信息技术服务业"
    assert INDUSTRY.label("C39") == "计算机、通信和其他电子设备制造业"
    assert INDUSTRY.label("C3911") == "计算机整机制造"
    assert INDUSTRY.label("Z") is None


def test_the_whole_table_ships_in_the_package() -> None:
    codes = list(INDUSTRY.codes())
    by_level = {n: sum(len(c) == n for c in codes) for n in (1, 3, 4, 5)}
    assert by_level == {1: 20, 3: 97, 4: 473, 5: 1381}
    assert INDUSTRY.children(None)[:3] == ["A", "B", "C"]
    assert INDUSTRY.children("C39")[0] == "C391"
    assert "C3911" in INDUSTRY.children("C391")
    assert INDUSTRY.name_of("3911") == INDUSTRY.name_of("c3911") == "计算机整机制造"
    assert INDUSTRY.name_of("C3999") is None  # read (a record may carry it), but unnamed


@pytest.mark.parametrize(("text", "nearest"), [("C3999", "C3990（其他电子设备制造）"),
                                               ("3999", "C3990"), ("A0199", "A0190"),
                                               ("C399", "C399"), ("C3919", "C3919")])
def test_verify_refuses_a_code_the_standard_lacks_with_the_nearest_real_ones(
        text: str, nearest: str) -> None:
    code = canon(text)
    assert code is not None  # records keep any code under a real 大类
    result = INDUSTRY.verify(code)
    if nearest == text:  # real codes pass
        assert result.code == text
        return
    assert result.code is None
    assert "GB/T 4754-2017 has no such" in result.reason
    assert nearest in result.hint


@pytest.mark.parametrize(("code", "zh", "en"), [("C3999", "小类", "class"),
                                                ("C300", "中类", "group"),
                                                ("A06", "大类", "division")])
def test_the_missing_level_is_named_in_the_language_of_the_message(
        code: str, zh: str, en: str) -> None:
    reason = INDUSTRY.verify(code).reason
    assert isinstance(reason, Words)
    assert reason.in_("zh") == f"GB/T 4754-2017 没有这个{zh}"
    assert reason.in_("en") == f"GB/T 4754-2017 has no such {en}"


codes = st.sampled_from([c for c in INDUSTRY.codes()])


@given(codes, codes)
def test_contains_agrees_with_path(outer: str, inner: str) -> None:
    assert INDUSTRY.contains(outer, inner) == (outer in INDUSTRY.path(inner))
    assert INDUSTRY.lookup(inner).code == inner
    assert all(INDUSTRY.lookup(code).code == code for code in INDUSTRY.path(inner))


# ---- in use: a rule naming a code the standard lacks, names in explanations -------------

_RULES = """\
tag 编号: text key
tag 所属行业: code(industry)
policy "P" {{
    事项名称: "x"
    申请条件: 所属行业 in [{codes}]
}}
"""


def _load(codes: str):  # type: ignore[no-untyped-def]
    from policy_match.core.loading import load_sources

    return load_sources({"a.rule": _RULES.format(codes=codes)})


def test_a_rule_naming_a_code_the_standard_lacks_is_an_error_with_hints() -> None:
    from policy_match.dsl.diagnostics import Code

    result = _load('"C3911", "C3999"')
    assert result.rulebook is None
    (d,) = result.diagnostics
    assert d.code is Code.CODE and d.span.line == 5
    assert d.message == 'unknown industry code "C3999": GB/T 4754-2017 has no such class'
    assert d.text("zh") == '未知的行业代码 "C3999"：GB/T 4754-2017 没有这个小类'
    assert d.hint_text("zh") == "最接近的代码：C3990（其他电子设备制造）"


def test_real_codes_load_and_are_named_in_explanations_and_describe() -> None:
    result = _load('"C3911", "I65"')
    book = result.rulebook
    assert book is not None, [str(d.message) for d in result.diagnostics]
    shown = book.explain({"编号": "1", "所属行业": "3911"}, "P").render("zh")
    assert "所属行业 C3911（计算机整机制造）" in shown
    assert "计算机整机制造（C3911）、软件和信息技术服务业（I65）" in shown
    assert "计算机整机制造（C3911）" in book.describe("P")
    assert "C3911 (计算机整机制造)" in book.describe("P", lang="en")


def test_a_record_may_still_carry_a_code_of_an_older_edition() -> None:
    book = _load('"C39"').rulebook
    assert book is not None
    assert book.evaluate({"编号": "1", "所属行业": "C3999"}, "P").value == "eligible"


def test_a_record_code_that_cannot_be_read_is_reported_in_both_languages() -> None:
    from policy_match.data.records import RecordError

    book = _load('"C39"').rulebook
    assert book is not None
    with pytest.raises(RecordError) as raised:
        book.evaluate({"编号": "1", "所属行业": "C99"}, "P")
    (error,) = raised.value.errors
    assert error.text("zh") == "所属行业 = 'C99'：大类 99 不存在；大类为 01 至 97"
    assert error.text("en") == ("所属行业 = 'C99': division 99 does not exist; "
                                "divisions run from 01 to 97")
