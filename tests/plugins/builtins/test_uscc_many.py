"""The column check (:func:`validate_many`) against the reference, the per-value check
(:func:`validate_uscc`): a code comes back, as the same object, exactly when the per-value
check takes it as written; every other value is ``None``, left to the per-value check
(which normalizes it or says why it is rejected)."""

from hypothesis import given
from hypothesis import strategies as st

from policy_match.plugins.builtins.uscc import (
    ALPHABET,
    uscc_check_char,
    validate_many,
    validate_uscc,
)

bodies = st.text(ALPHABET, min_size=17, max_size=17)
valid_codes = bodies.map(lambda body: body + uscc_check_char(body))


@st.composite
def near_valid_codes(draw: st.DrawFn) -> str:
    """A valid code with one small change: a character replaced (by a symbol, a letter the
    standard leaves out, lower case, a full-width form, a non-ASCII or control character),
    one removed or added, or space around it."""
    code = draw(valid_codes)
    position = draw(st.integers(0, 17))
    change = draw(st.sampled_from(["replace", "lower", "full_width", "drop", "add", "pad"]))
    if change == "replace":
        symbol = draw(st.sampled_from(ALPHABET + "IOSVZ -\x00\x7f\x80é中"))
        return code[:position] + symbol + code[position + 1:]
    if change == "lower":
        return code[:position] + code[position].lower() + code[position + 1:]
    if change == "full_width":
        return code[:position] + chr(ord(code[position]) + 0xFEE0) + code[position + 1:]
    if change == "drop":
        return code[:position] + code[position + 1:]
    if change == "add":
        return code[:position] + draw(st.sampled_from(ALPHABET)) + code[position:]
    return draw(st.sampled_from([" ", "\t", "\u3000"])) + code


values = st.one_of(
    valid_codes,
    near_valid_codes(),
    st.text(alphabet=ALPHABET + "IOSVZabc", min_size=16, max_size=19),
    st.text(min_size=18, max_size=18),
    st.text(max_size=20),
)


def reference(text: str) -> str | None:
    """What the column check must answer: the code when the per-value check takes it
    unchanged, else ``None``."""
    try:
        code = validate_uscc(text)
    except ValueError:
        return None
    return code if code == text else None


def assert_agrees(texts: list[str]) -> None:
    taken = validate_many(texts)
    assert len(taken) == len(texts)
    for text, quick in zip(texts, taken, strict=True):
        expected = reference(text)
        if expected is None:
            assert quick is None, text
        else:
            assert quick is text, text


@given(st.lists(values, max_size=40))
def test_the_column_check_equals_the_per_value_check(texts: list[str]) -> None:
    assert_agrees(texts)


@given(st.lists(st.one_of(valid_codes, near_valid_codes()), min_size=1, max_size=40))
def test_codes_and_near_misses(texts: list[str]) -> None:
    assert_agrees(texts)


@given(st.lists(valid_codes, min_size=1, max_size=40), st.data())
def test_a_column_of_18_ascii_characters_each(codes: list[str], data: st.DataObject) -> None:
    """Every value 18 ASCII characters: the whole column is checked as one buffer."""
    texts = [data.draw(st.one_of(st.just(code), st.text(
        st.characters(max_codepoint=127), min_size=18, max_size=18))) for code in codes]
    assert_agrees(texts)


@given(valid_codes, st.integers(0, 17), st.integers(1, 30))
def test_any_single_substitution_is_caught(code: str, position: int, shift: int) -> None:
    symbol = ALPHABET[(ALPHABET.index(code[position]) + shift) % 31]
    changed = code[:position] + symbol + code[position + 1:]
    assert validate_many([code, changed]) == [code, None]


def test_every_check_character_is_reached() -> None:
    """Check characters of every one of the 31 values, so each table entry of the last pair
    meets a valid code."""
    codes: dict[str, str] = {}
    n = 0
    while len(codes) < 31:
        body = f"91{n:015d}"
        codes.setdefault(uscc_check_char(body), body + uscc_check_char(body))
        n += 1
    texts = list(codes.values())
    assert validate_many(texts) == texts
    wrong = [code[:17] + ALPHABET[(ALPHABET.index(code[17]) + 1) % 31] for code in texts]
    assert validate_many(wrong) == [None] * 31


def test_edge_cases() -> None:
    valid = "91350100M000100Y43"
    assert validate_many([]) == []
    assert validate_many([valid]) == [valid]
    assert validate_many(["", valid, valid.lower(), " " + valid[:17], valid + " "]) == [
        None, valid, None, None, None]
    assert validate_many(["中" * 18, valid]) == [None, valid]
    assert validate_many(["0" * 18]) == ["0" * 18]  # the check character of zeros is 0
