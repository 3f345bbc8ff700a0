import pytest
from hypothesis import given
from hypothesis import strategies as st

from policy_match.dsl.types import Kind
from policy_match.plugins.builtins.uscc import (
    ALPHABET,
    USCC_TYPE,
    WEIGHTS,
    uscc_check_char,
    validate_uscc,
)

VALID = "91350100M000100Y43"


def test_alphabet_and_weights_match_the_standard() -> None:
    assert len(ALPHABET) == 31
    assert not set("IOSVZ") & set(ALPHABET)
    assert WEIGHTS == (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def test_known_valid_code() -> None:
    assert uscc_check_char(VALID[:17]) == "3"
    assert validate_uscc(VALID) == VALID


def test_validate_normalizes() -> None:
    assert validate_uscc("  91350100m000100y43\n") == VALID
    assert validate_uscc("９１３５０１００Ｍ０００１００Ｙ４３") == VALID


def test_check_index_31_means_0() -> None:
    body = next(b for b in (f"{n:017d}" for n in range(1000)) if uscc_check_char(b) == "0")
    total = sum(int(c) * w for c, w in zip(body, WEIGHTS, strict=True))
    assert total % 31 == 0


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("91350100M000100Y4", "18 characters, not 17"),
        (VALID + "0", "18 characters, not 19"),
        ("", "18 characters, not 0"),
        ("91350100M000100I43", "character 16 'I'"),
        ("O1350100M000100Y43", "character 1 'O'"),
        ("91350100M000100Y4-", "character 18 '-'"),
        ("91350100M000100Y44", "require '3'"),
    ],
)
def test_invalid_codes_say_why(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        validate_uscc(text)


def test_check_char_needs_17_alphabet_characters() -> None:
    with pytest.raises(ValueError, match="17 characters"):
        uscc_check_char(VALID)
    with pytest.raises(ValueError, match="'S'"):
        uscc_check_char("S" * 17)


def test_tag_type_spec() -> None:
    assert USCC_TYPE.name == "uscc"
    assert USCC_TYPE.base.kind is Kind.TEXT
    assert USCC_TYPE.base.describe() == "uscc"
    assert USCC_TYPE.parse is validate_uscc
    assert USCC_TYPE.doc


bodies = st.text(ALPHABET, min_size=17, max_size=17)


@given(bodies)
def test_body_plus_its_check_char_is_valid(body: str) -> None:
    code = body + uscc_check_char(body)
    assert validate_uscc(code) == code


@given(st.integers(0, 17), st.sampled_from(ALPHABET))
def test_any_single_substitution_is_invalid(position: int, symbol: str) -> None:
    if VALID[position] == symbol:
        symbol = ALPHABET[(ALPHABET.index(symbol) + 1) % 31]
    changed = VALID[:position] + symbol + VALID[position + 1 :]
    with pytest.raises(ValueError, match="check character"):
        validate_uscc(changed)


@given(bodies, st.integers(0, 17), st.integers(1, 30))
def test_any_single_substitution_of_any_valid_code_is_invalid(
    body: str, position: int, shift: int
) -> None:
    code = body + uscc_check_char(body)
    symbol = ALPHABET[(ALPHABET.index(code[position]) + shift) % 31]
    changed = code[:position] + symbol + code[position + 1 :]
    with pytest.raises(ValueError, match="check character"):
        validate_uscc(changed)


@given(st.lists(st.one_of(
    st.text(alphabet=ALPHABET, min_size=17, max_size=17).map(lambda b: b + uscc_check_char(b)),
    st.text(alphabet=ALPHABET + "IOSVZabc", min_size=16, max_size=19),
    st.text(max_size=20),
), max_size=30))
def test_the_column_check_agrees_with_the_single_check(texts: list[str]) -> None:
    from policy_match.plugins.builtins.uscc import validate_many

    for text, quick in zip(texts, validate_many(texts), strict=True):
        try:
            expected = validate_uscc(text)
        except ValueError:
            assert quick is None
        else:
            assert quick in (None, expected)  # None: the single check decides
            if text == expected:
                assert quick == expected


def test_a_bad_code_in_a_record_is_reported_in_both_languages() -> None:
    from policy_match.core.loading import load_sources
    from policy_match.data.records import RecordError

    text = ('tag 代码: uscc key\ntag 得分: number\n'
            'policy "P" {\n    事项名称: "x"\n    申请条件: 得分 > 1\n}\n')
    book = load_sources({"a.rule": text}).rulebook
    assert book is not None
    with pytest.raises(RecordError) as raised:
        book.evaluate({"代码": "91530100MAE1E6RJ3", "得分": 2}, "P")
    (error,) = raised.value.errors
    assert error.text("zh").endswith("统一社会信用代码有 18 个字符，此处是 17 个")
    assert error.text("en").endswith("a unified social credit code has 18 characters, not 17")
