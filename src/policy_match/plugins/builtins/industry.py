"""The ``industry`` hierarchy: GB/T 4754-2017 国民经济行业分类, the whole table.

Canonical codes are a 门类 letter alone (``"C"``) or the letter followed by the 2-, 3- or
4-digit 大类/中类/小类 code (``"C39"``, ``"C391"``, ``"C3911"``). Records and rules write the
same industry many ways (``"3911"``, ``"c3911"``, ``"制造业"``); one canonical spelling lets
containment be a plain prefix test that every backend can run as a string or range lookup.

The table (``data/gbt4754-2017.csv``: 20 门类, 97 大类, 473 中类, 1,381 小类 with their names)
ships in the wheel and is read on first use. Every code has its own name
(:meth:`IndustryHierarchy.label`), so explanations and 一表读懂 show ``计算机整机制造（C3911）``
rather than a bare code.

Two strictnesses. :meth:`~IndustryHierarchy.lookup` reads a code as records write it and
accepts any 中类/小类 number under a real 大类: registries still carry codes of the 2011
edition, and refusing them would make the enterprise's industry unknown to every rule.
:meth:`~IndustryHierarchy.verify` is what the checker asks of a code written in a *rule*: it
must be in the standard, else it is an error (E-CODE) with the nearest real codes as the hint
(``C3999`` → ``C3990（其他电子设备制造）``): a rule naming a code no enterprise has matches
nobody.

For editors and other tools the hierarchy also lists itself: :meth:`~IndustryHierarchy.codes`,
:meth:`~IndustryHierarchy.children` and :meth:`~IndustryHierarchy.name_of`.
"""

from __future__ import annotations

import csv
import difflib
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources

from policy_match.dsl.vocabulary import CodeLookup
from policy_match.dsl.words import Words

TABLE = "gbt4754-2017.csv"

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
"""门类 letter → (Chinese name, first 大类, last 大类): the standard's top level at a glance
(the table agrees: ``tests/plugins/builtins/test_industry.py``)."""
_CODE = re.compile(r"([A-Za-z]?)([0-9]+)")
NEAREST = 3  # real codes offered for one that does not exist


@dataclass(frozen=True)
class _Table:
    names: dict[str, str]  # canonical code → name, in the order of the standard
    section_of: dict[str, str]  # 大类 digits → 门类 letter
    by_parent: dict[str | None, list[str]]  # canonical code (None: the top) → its children
    letter_by_name: dict[str, str]  # 门类 name → letter


def _parent(code: str) -> str | None:
    return None if len(code) == 1 else (code[0] if len(code) == 3 else code[:-1])


@cache
def table() -> _Table:
    """The standard, read once from the package (``data/gbt4754-2017.csv``)."""
    source = resources.files("policy_match.plugins.builtins").joinpath("data", TABLE)
    names: dict[str, str] = {}
    section_of: dict[str, str] = {}
    with source.open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            section, code = row["section"], row["code"]
            canonical = section if code == section else section + code
            names[canonical] = row["name"].strip()  # the source has trailing spaces
            if len(code) == 2:
                section_of[code] = section
    by_parent: dict[str | None, list[str]] = {}
    for code in names:
        by_parent.setdefault(_parent(code), []).append(code)
    letters = {names[c]: c for c in by_parent[None]}
    return _Table(names, section_of, by_parent, letters)


def _unknown(reason: str, hint: str = "") -> CodeLookup:
    return CodeLookup(None, reason=reason, hint=hint)


def named(code: str) -> str:
    """``"C3911（计算机整机制造）"``: a canonical code with its name."""
    return f"{code}（{table().names[code]}）"


def _nearest(section: str, digits: str) -> list[str]:
    """The real codes of ``digits``' length closest to it, under its longest real ancestor."""
    names = table().names
    for keep in range(len(digits) - 1, 1, -1):
        stem = section + digits[:keep]
        if stem not in names:
            continue
        same = [c for c in names if c.startswith(stem) and len(c) == len(digits) + 1]
        if same:
            return sorted(same, key=lambda c: (abs(int(c[1:]) - int(digits)), c))[:NEAREST]
    return [section + digits[:2]] if section + digits[:2] in names else []


def ancestors_uncached(code: str) -> tuple[str, ...]:
    """A canonical code and its ancestors, the 门类 first: each is a prefix of the code."""
    return (code[:1], *(code[:end] for end in range(3, len(code) + 1)))


PATH_CACHE_SIZE = 4096
"""Codes whose paths are remembered: the 1,971 of the standard and as many 2011-edition or
other accepted codes; more distinct codes than that would only be recomputed."""


@lru_cache(maxsize=PATH_CACHE_SIZE)
def ancestors(code: str) -> tuple[str, ...]:
    """:func:`ancestors_uncached`, remembered per code: the column evaluator walks every
    distinct code of a column once per evaluation, and a push plan evaluates many times.
    The answer is a tuple, so no caller can change what the next one is given."""
    return ancestors_uncached(code)


class IndustryHierarchy:
    """GB/T 4754-2017 as a :class:`~policy_match.dsl.vocabulary.Hierarchy`."""

    name = "industry"

    def lookup(self, text: str) -> CodeLookup:
        """Canonicalize a letter, a 门类 name, or a code with or without its letter.

        Input is NFKC-normalized first, so full-width ``"Ｃ３９１１"`` typed in Chinese
        spreadsheets reads like ``"C3911"``.
        """
        raw = unicodedata.normalize("NFKC", text).strip()
        t = table()
        if not raw:
            return _unknown(Words("code.industry_empty"))
        if raw in t.letter_by_name:
            return CodeLookup(t.letter_by_name[raw])
        if len(raw) == 1 and raw.isascii() and raw.isalpha():
            letter = raw.upper()
            if letter in t.names:
                return CodeLookup(letter)
            return _unknown(Words("code.industry_not_section"))
        match = _CODE.fullmatch(raw)
        if match is None:
            return self._not_a_code(raw)
        letter, digits = match.group(1).upper(), match.group(2)
        if len(digits) not in (2, 3, 4):
            return _unknown(Words("code.industry_length"))
        section = t.section_of.get(digits[:2])
        if section is None:
            return _unknown(Words("code.industry_no_division", code=raw, division=digits[:2]))
        if letter and letter != section:
            wrong = f"{letter} {t.names[letter]}" if letter in t.names else letter
            return _unknown(
                Words("code.industry_wrong_section", code=raw, division=digits[:2],
                      section=f"{section} {t.names[section]}", wrong=wrong),
                hint=Words("hint.did_you_mean", name=f'"{section}{digits}"'),
            )
        return CodeLookup(section + digits)

    def verify(self, code: str) -> CodeLookup:
        """A canonical code checked against the table: a rule may name only codes of the
        standard (``C3999`` is unknown, with the nearest real codes as the hint)."""
        if code in table().names:
            return CodeLookup(code)
        section, digits = code[0], code[1:]
        reason = Words("code.industry_missing", code=code, level=Words(f"code.level.{len(digits)}"))
        near = _nearest(section, digits)
        if not near:
            return _unknown(reason)
        return _unknown(reason, hint=Words("hint.nearest_codes",
                                           codes=[named(c) for c in near]))

    def _not_a_code(self, raw: str) -> CodeLookup:
        t = table()
        reason = Words("code.industry_not_code")
        close = difflib.get_close_matches(raw, t.letter_by_name, n=1, cutoff=0.5)
        if not close:
            return _unknown(reason, hint=Words("hint.industry_forms"))
        return _unknown(reason, hint=Words("hint.did_you_mean", name=(
            f'"{close[0]}" ({t.letter_by_name[close[0]]})')))

    def contains(self, outer: str, inner: str) -> bool:
        """Prefix containment: canonical codes spell their ancestors as prefixes."""
        return inner.startswith(outer)

    def label(self, code: str) -> str | None:
        """The name the standard gives a canonical code (``"C3911"`` → 计算机整机制造)."""
        return table().names.get(code)

    def path(self, code: str) -> tuple[str, ...]:
        """``"C3911"`` → ``("C", "C39", "C391", "C3911")`` (remembered: see :func:`ancestors`)."""
        return ancestors(code)

    # ---- the table, for editors (hover, completion) and tools ---------------------------

    def name_of(self, code: str) -> str | None:
        """The name of a code written any way ``lookup`` accepts (``"3911"``); None if
        the code is not in the standard."""
        found = self.lookup(code).code
        return None if found is None else table().names.get(found)

    def children(self, code: str | None = None) -> list[str]:
        """The canonical codes one level below ``code`` (the 20 门类 for None)."""
        return list(table().by_parent.get(code, ()))

    def codes(self) -> Iterator[str]:
        """Every canonical code of the standard, in its order (门类 before their 大类…)."""
        return iter(table().names)


INDUSTRY = IndustryHierarchy()

