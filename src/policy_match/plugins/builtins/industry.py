"""The ``industry`` hierarchy: GB/T 4754-2017 国民经济行业分类.

Canonical codes are a 门类 letter alone (``"C"``) or the letter followed by the 2-, 3- or
4-digit 大类/中类/小类 code (``"C39"``, ``"C391"``, ``"C3911"``). Records and rules write the
same industry many ways (``"3911"``, ``"c3911"``, ``"制造业"``); one canonical spelling lets
containment be a plain prefix test that every backend can run as a string or range lookup.

Only the 20 门类 and their 大类 ranges are shipped, not the full 中类/小类 table: a 3- or
4-digit code is accepted whenever its 大类 exists. That keeps the letter derivable from the
digits (the reason ``"3911"`` may be written without ``C``) and rejects the mistakes authors
actually make (a wrong letter, a 大类 outside 01–97, a wrong length), at the cost of also
accepting a few 中类/小类 numbers the standard leaves unused.

:meth:`IndustryHierarchy.label` names 门类 only and returns ``None`` for 大类 and deeper: the
门类 name would describe a wider set than the code and mislead a reader of 一表读懂.
"""

from __future__ import annotations

import difflib
import re
import unicodedata

from policy_match.dsl.vocabulary import CodeLookup

SECTIONS: dict[str, tuple[str, int, int]] = {
    "A": ("农、林、牧、渔业", 1, 5),
    "B": ("采矿业", 6, 12),
    "C": ("制造业", 13, 43),
    "D": ("电力、热力、燃气及水生产和供应业", 44, 46),
    "E": ("建筑业", 47, 50),
    "F": ("批发和零售业", 51, 52),
    "G": ("交通运输、仓储和邮政业", 53, 60),
    "H": ("住宿和餐饮业", 61, 62),
    "I": ("信息传输、软件和信息技术服务业", 63, 65),
    "J": ("金融业", 66, 69),
    "K": ("房地产业", 70, 70),
    "L": ("租赁和商务服务业", 71, 72),
    "M": ("科学研究和技术服务业", 73, 75),
    "N": ("水利、环境和公共设施管理业", 76, 79),
    "O": ("居民服务、修理和其他服务业", 80, 82),
    "P": ("教育", 83, 83),
    "Q": ("卫生和社会工作", 84, 85),
    "R": ("文化、体育和娱乐业", 86, 90),
    "S": ("公共管理、社会保障和社会组织", 91, 96),
    "T": ("国际组织", 97, 97),
}
"""门类 letter → (Chinese name, first 大类, last 大类)."""

_SECTION_OF_DIVISION = {
    division: letter for letter, (_, lo, hi) in SECTIONS.items() for division in range(lo, hi + 1)
}
_LETTER_BY_NAME = {name: letter for letter, (name, _, _) in SECTIONS.items()}
_CODE = re.compile(r"([A-Za-z]?)([0-9]+)")


def _unknown(reason: str, hint: str = "") -> CodeLookup:
    return CodeLookup(None, reason=reason, hint=hint)


def _section(letter: str) -> str:
    return f"{letter} {SECTIONS[letter][0]}"


class IndustryHierarchy:
    """GB/T 4754-2017 as a :class:`~policy_match.dsl.vocabulary.Hierarchy`."""

    name = "industry"

    def lookup(self, text: str) -> CodeLookup:
        """Canonicalize a letter, a 门类 name, or a code with or without its letter.

        Input is NFKC-normalized first, so full-width ``"Ｃ３９１１"`` typed in Chinese
        spreadsheets reads like ``"C3911"``.
        """
        raw = unicodedata.normalize("NFKC", text).strip()
        if not raw:
            return _unknown("an industry code is empty")
        if raw in _LETTER_BY_NAME:
            return CodeLookup(_LETTER_BY_NAME[raw])
        if len(raw) == 1 and raw.isascii() and raw.isalpha():
            letter = raw.upper()
            if letter in SECTIONS:
                return CodeLookup(letter)
            return _unknown(f'"{raw}" is not a GB/T 4754-2017 门类: the 门类 are A–T')
        match = _CODE.fullmatch(raw)
        if match is None:
            return self._not_a_code(raw)
        letter, digits = match.group(1).upper(), match.group(2)
        if len(digits) not in (2, 3, 4):
            return _unknown(f'"{raw}": a code has 2 (大类), 3 (中类) or 4 (小类) digits')
        division = digits[:2]
        section = _SECTION_OF_DIVISION.get(int(division))
        if section is None:
            return _unknown(f'"{raw}": 大类 {division} does not exist; 大类 run from 01 to 97')
        if letter and letter != section:
            wrong = _section(letter) if letter in SECTIONS else f"{letter} (not a 门类)"
            return _unknown(
                f'"{raw}": 大类 {division} belongs to {_section(section)}, not to {wrong}',
                hint=f'did you mean "{section}{digits}"?',
            )
        return CodeLookup(section + digits)

    def _not_a_code(self, raw: str) -> CodeLookup:
        reason = f'"{raw}" is neither a GB/T 4754-2017 code nor the name of a 门类'
        close = difflib.get_close_matches(raw, _LETTER_BY_NAME, n=1, cutoff=0.5)
        if not close:
            return _unknown(
                reason, hint='write a 门类 letter ("C"), a code ("C3911") or a 门类 name'
            )
        return _unknown(reason, hint=f'did you mean "{close[0]}" ({_LETTER_BY_NAME[close[0]]})?')

    def contains(self, outer: str, inner: str) -> bool:
        """Prefix containment: canonical codes spell their ancestors as prefixes."""
        return inner.startswith(outer)

    def label(self, code: str) -> str | None:
        """The Chinese name of a 门类; ``None`` for 大类 and deeper (see the module docstring)."""
        return SECTIONS[code][0] if code in SECTIONS else None

    def path(self, code: str) -> tuple[str, ...]:
        """``"C3911"`` → ``("C", "C39", "C391", "C3911")``."""
        return (code[:1], *(code[:end] for end in range(3, len(code) + 1)))


INDUSTRY = IndustryHierarchy()
