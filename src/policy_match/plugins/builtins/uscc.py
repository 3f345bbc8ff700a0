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


_LOOKUP = np.full(128, -1, dtype=np.int64)
_LOOKUP[[ord(c) for c in ALPHABET]] = np.arange(31)
_WEIGHTS = np.array(WEIGHTS, dtype=np.int64)


def validate_many(texts: list[str]) -> list[str | None]:
    """:func:`validate_uscc` for a whole column at once: each code that is already clean
    and whose check character holds comes back as is; anything else is ``None`` (ask
    :func:`validate_uscc` for the normalized form or the reason)."""
    if not texts:
        return []
    cells = np.array(texts, dtype="<U19")
    chars = cells.view(np.uint32).reshape(len(texts), 19)
    shaped = (chars[:, 17] != 0) & (chars[:, 18] == 0) & (chars[:, :18] < 128).all(axis=1)
    index = _LOOKUP[np.where(chars[:, :18] < 128, chars[:, :18], 0)]
    valid = shaped & (index >= 0).all(axis=1)
    expected = (-(index[:, :17] * _WEIGHTS).sum(axis=1)) % 31
    valid &= index[:, 17] == expected
    return [t if ok else None for t, ok in zip(texts, valid.tolist(), strict=True)]


USCC_TYPE = TagTypeSpec(
    name="uscc",
    base=Type(Kind.TEXT, name="uscc"),
    parse=validate_uscc,
    parse_many=validate_many,
    doc="统一社会信用代码: 18 characters, check character verified per GB 32100-2015",
)
