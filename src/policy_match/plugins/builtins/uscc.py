"""The ``uscc`` tag type: the unified social credit code of GB 32100-2015.

The code is usually the enterprise key of a 企业库, so a typo would silently split or merge
enterprises. Its 18th character is a check character over the first 17, which catches every
single-character error; validating it at load time turns such typos into row errors.
"""

from __future__ import annotations

import unicodedata

import numpy as np

from policy_match.dsl.types import Kind, Type
from policy_match.dsl.vocabulary import TagTypeSpec
from policy_match.dsl.words import Words

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
"""The 31 symbols of GB 32100-2015: digits and capitals without I, O, S, V and Z."""

WEIGHTS = tuple(pow(3, i, 31) for i in range(17))
"""Position weights 3^(i-1) mod 31: 1, 3, 9, 27, 19, 26, 16, ..."""

_INDEX = {symbol: i for i, symbol in enumerate(ALPHABET)}


def uscc_check_char(first17: str) -> str:
    """The check character for the first 17 characters of a code.

    Raises ``ValueError`` when the body is not 17 alphabet characters, since a check
    character of anything else would be meaningless.
    """
    if len(first17) != 17:
        raise ValueError(f"a code body has 17 characters, not {len(first17)}")
    _check_alphabet(first17)
    total = sum(_INDEX[symbol] * weight for symbol, weight in zip(first17, WEIGHTS, strict=True))
    return ALPHABET[-total % 31]


def _check_alphabet(text: str) -> None:
    for position, symbol in enumerate(text, start=1):
        if symbol not in _INDEX:
            raise ValueError(Words("code.uscc_character", position=position,
                                   symbol=repr(symbol)))


def validate_uscc(text: str) -> str:
    """The normalized code (NFKC, stripped, upper-cased), or ``ValueError`` saying what is wrong.

    NFKC folds the full-width characters that Chinese input methods produce.
    """
    code = unicodedata.normalize("NFKC", text).strip().upper()
    if len(code) != 18:
        raise ValueError(Words("code.uscc_length", n=len(code)))
    _check_alphabet(code)
    expected = uscc_check_char(code[:17])
    if code[17] != expected:
        raise ValueError(Words("code.uscc_check", found=repr(code[17]),
                               expected=repr(expected)))
    return code


# The column check reads a code as 9 pairs of bytes. Weights go up by 3 per character, so
# characters 2k and 2k+1 weigh WEIGHTS[2k] * (1, 3): one table of (i + 3j) mod 31 over every
# pair of symbols serves the 8 pairs of the body, and a second one (WEIGHTS[16], 1) the
# last pair, which ends with the check character c. A code is valid iff
# sum(index * WEIGHTS) + c is a multiple of 31, and half as many lookups as characters
# halve the work of the check.
_PAIR_WEIGHTS = np.array(WEIGHTS[0:16:2], dtype=np.int32)
_NOT_A_PAIR = 30 * (int(_PAIR_WEIGHTS.sum()) + 1) + 1
"""The table entry of a pair with a byte outside the alphabet: larger than any total of a
valid-looking code, so one such pair lifts the total past all of them (every weight ≥ 1).
The largest total, every pair bad, is below 2**31: the ``int32`` sum cannot overflow."""


def _pair_table(first_weight: int, second_weight: int) -> np.ndarray:
    """Two ASCII bytes read as one little-endian ``uint16`` → their weighted indices mod 31,
    or :data:`_NOT_A_PAIR`."""
    symbol = np.frombuffer(ALPHABET.encode("ascii"), dtype=np.uint8).astype(np.intp)
    index = np.arange(31)
    table = np.full(1 << 16, _NOT_A_PAIR, dtype=np.uint16)
    table[symbol[:, None] + 256 * symbol[None, :]] = (
        first_weight * index[:, None] + second_weight * index[None, :]) % 31
    return table


_BODY_PAIR = _pair_table(1, 3)
_LAST_PAIR = _pair_table(WEIGHTS[16], 1)


def validate_many(texts: list[str]) -> list[str | None]:
    """:func:`validate_uscc` for a whole column at once: each code that is already clean
    and whose check character holds comes back as is (the same object); anything else is
    ``None`` (ask :func:`validate_uscc` for the normalized form or the reason).

    The codes are joined into one ASCII buffer read as an ``n × 9`` matrix of byte pairs,
    so the alphabet and the check character of every code are table lookups and one
    weighted sum, with no Python work per code beyond its length.
    """
    n = len(texts)
    if not n:
        return []
    joined = "".join(texts)
    lengths = np.fromiter(map(len, texts), dtype=np.intp, count=n)
    shaped = lengths == 18
    if not joined.isascii():
        shaped &= np.fromiter(map(str.isascii, texts), dtype=bool, count=n)
    valid = np.zeros(n, dtype=bool)
    if shaped.all():
        valid = _check_18_byte_codes(joined)
    elif shaped.any():
        rows = np.flatnonzero(shaped)
        valid[rows] = _check_18_byte_codes("".join([texts[i] for i in rows.tolist()]))
    taken: list[str | None] = list(texts)
    for i in np.flatnonzero(~valid).tolist():
        taken[i] = None
    return taken


def _check_18_byte_codes(joined: str) -> np.ndarray:
    """For ASCII text of 18-character codes end to end: which codes are valid."""
    pairs = np.frombuffer(joined.encode("ascii"), dtype="<u2").reshape(-1, 9)
    total = _BODY_PAIR[pairs[:, :8]] @ _PAIR_WEIGHTS + _LAST_PAIR[pairs[:, 8]]
    ok: np.ndarray = (total < _NOT_A_PAIR) & (total % 31 == 0)
    return ok


USCC_TYPE = TagTypeSpec(
    name="uscc",
    base=Type(Kind.TEXT, name="uscc"),
    parse=validate_uscc,
    parse_many=validate_many,
    doc="统一社会信用代码: 18 characters, check character verified per GB 32100-2015",
)
