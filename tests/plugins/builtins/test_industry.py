import pytest
from hypothesis import given
from hypothesis import strategies as st

from policy_match.dsl.vocabulary import Hierarchy
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
        ("3", "2 (大类)"),
        ("39111", "4 (小类)"),
        ("C39111", "4 (小类)"),
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


def test_label_names_sections_only() -> None:
    assert INDUSTRY.label("C") == "制造业"
    assert INDUSTRY.label("I") == "信息传输、软件和信息技术服务业"
    assert INDUSTRY.label("C39") is None
    assert INDUSTRY.label("Z") is None


codes = st.builds(
    lambda division, rest: canon(f"{division:02d}{rest}"),
    st.integers(1, 97),
    st.sampled_from(["", "0", "9", "00", "19", "99"]),
)


@given(codes, codes)
def test_contains_agrees_with_path(outer: str, inner: str) -> None:
    assert INDUSTRY.contains(outer, inner) == (outer in INDUSTRY.path(inner))
    assert INDUSTRY.lookup(inner).code == inner
    assert all(INDUSTRY.lookup(code).code == code for code in INDUSTRY.path(inner))
