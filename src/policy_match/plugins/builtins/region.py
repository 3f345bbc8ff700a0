"""The ``region`` hierarchy: Chinese administrative division codes (行政区划代码).

Canonical codes keep only the digits that name a level: 2 (province), 4 (prefecture),
6 (county), 9 (township or street) and 12 (village). The six-digit GB/T 2260 form pads higher
levels with zeros (``"530100"`` is 昆明市) and the twelve-digit statistical form pads further
(``"530102003000"``); both are shortened so that a code is inside another exactly when the
other is its prefix. A nine-digit code is never shortened, even when it ends in ``000``.

The official table down to the county ships with the library (``data/admin-divisions.csv``:
34 provinces, 333 prefectures, 2,843 counties, with names; its header names the source) and
is read on first use. A rule naming a province, prefecture or county code the table does not
have is an error (``verify``, asked by the checker), with the nearest real codes as the
hint; records are read by ``lookup``, which accepts any well-formed code under a real
province (registries lag behind re-divisions). Streets and villages have no national table
here: a 9- or 12-digit code is accepted (in a rule, when its county exists) and named when a
street table is registered. Street tables are CSV files of ``code,name`` (``#`` lines are
comments), named by the environment variable ``POLICY_MATCH_STREET_CODES`` (paths
separated by ``os.pathsep``) or added with :meth:`RegionHierarchy.add_streets`. Without
the variable the bundled ``data/sample-streets-wuhua.csv`` is used: a clearly marked
*sample* numbering of the ten 街道 of 五华区 that the sample data uses, not the official
codes (``docs/codes.md``).
"""

from __future__ import annotations

import csv
import difflib
import itertools
import os
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

from policy_match.dsl.vocabulary import CodeLookup
from policy_match.dsl.words import Words

TABLE = "admin-divisions.csv"
SAMPLE_STREETS = "sample-streets-wuhua.csv"
STREETS_VARIABLE = "POLICY_MATCH_STREET_CODES"
NEAREST = 3

PROVINCES: dict[str, tuple[str, str]] = {
    "11": ("北京市", "北京"),
    "12": ("天津市", "天津"),
    "13": ("河北省", "河北"),
    "14": ("山西省", "山西"),
    "15": ("内蒙古自治区", "内蒙古"),
    "21": ("辽宁省", "辽宁"),
    "22": ("吉林省", "吉林"),
    "23": ("黑龙江省", "黑龙江"),
    "31": ("上海市", "上海"),
    "32": ("江苏省", "江苏"),
    "33": ("浙江省", "浙江"),
    "34": ("安徽省", "安徽"),
    "35": ("福建省", "福建"),
    "36": ("江西省", "江西"),
    "37": ("山东省", "山东"),
    "41": ("河南省", "河南"),
    "42": ("湖北省", "湖北"),
    "43": ("湖南省", "湖南"),
    "44": ("广东省", "广东"),
    "45": ("广西壮族自治区", "广西"),
    "46": ("海南省", "海南"),
    "50": ("重庆市", "重庆"),
    "51": ("四川省", "四川"),
    "52": ("贵州省", "贵州"),
    "53": ("云南省", "云南"),
    "54": ("西藏自治区", "西藏"),
    "61": ("陕西省", "陕西"),
    "62": ("甘肃省", "甘肃"),
    "63": ("青海省", "青海"),
    "64": ("宁夏回族自治区", "宁夏"),
    "65": ("新疆维吾尔自治区", "新疆"),
    "71": ("台湾省", "台湾"),
    "81": ("香港特别行政区", "香港"),
    "82": ("澳门特别行政区", "澳门"),
}
"""Province-level code → (full name, short name)."""

_LEVEL_ENDS = (2, 4, 6, 9, 12)
_LEVEL_NAMES = {2: "province", 4: "prefecture", 6: "county", 9: "township", 12: "village"}
_SUFFIXES = ("特别行政区", "自治区", "自治州", "自治县", "地区", "街道", "省", "市", "区", "县",
             "盟", "旗", "镇", "乡")


def _strip_padding(digits: str) -> str:
    """Drop the zero groups that pad a 6- or 12-digit code up to its full width."""
    if len(digits) not in (6, 12):
        return digits
    ends = [end for end in _LEVEL_ENDS if end <= len(digits)]
    while len(ends) > 1 and set(digits[ends[-2] : ends[-1]]) == {"0"}:
        ends.pop()
    return digits[: ends[-1]]


def read_code_table(source: Iterable[str]) -> list[tuple[str, str]]:
    """``(code, name)`` rows of a ``code,name`` CSV (its ``#`` lines are comments)."""
    rows = csv.DictReader(line for line in source if not line.startswith("#"))
    return [(row["code"].strip(), row["name"].strip()) for row in rows if row.get("code")]


def _bundled(name: str) -> list[tuple[str, str]]:
    with resources.files("policy_match.plugins.builtins").joinpath("data", name).open(
            encoding="utf-8") as f:
        return read_code_table(f)


@cache
def divisions() -> dict[str, str]:
    """The official table: canonical code (``"53"``, ``"5301"``, ``"530102"``) → name."""
    return {_strip_padding(code): name for code, name in _bundled(TABLE)}


def sample_streets() -> list[tuple[str, str]]:
    """The bundled *sample* street numbering of 五华区 (not official codes)."""
    return _bundled(SAMPLE_STREETS)


def configured_streets() -> list[tuple[str, str]]:
    """The street tables named by ``POLICY_MATCH_STREET_CODES``; the sample when unset."""
    setting = os.environ.get(STREETS_VARIABLE)
    if setting is None:
        return sample_streets()
    rows: list[tuple[str, str]] = []
    for path in filter(None, setting.split(os.pathsep)):
        with Path(path).open(encoding="utf-8-sig") as f:
            rows += read_code_table(f)
    return rows


def _short(name: str) -> str | None:
    for suffix in _SUFFIXES:
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return name[: -len(suffix)]
    return None


@dataclass
class _Index:
    names: dict[str, str]  # canonical code → name: the table and the registered streets
    by_name: dict[str, str]  # an unambiguous full or short name → canonical code
    by_parent: dict[str | None, list[str]]


def _parent(code: str) -> str | None:
    ends = [end for end in _LEVEL_ENDS if end < len(code)]
    return code[: ends[-1]] if ends else None


def _index(names: dict[str, str], streets: Iterable[str]) -> _Index:
    """Names → codes. A spelling several places share (五华: 五华区 of 昆明, 五华县 of 梅州) is
    kept only when exactly one of them is local: a registered street or one of its
    ancestors, the deployment's own area."""
    local = {part for street in streets for part in (street[:2], street[:4], street[:6],
                                                      street)}
    seen: dict[str, set[str]] = {}
    for code, name in names.items():
        for spelling in {name, _short(name)} - {None}:
            seen.setdefault(str(spelling), set()).add(code)
    by_name = {}
    for spelling, codes in seen.items():
        mine = codes if len(codes) == 1 else codes & local
        if len(mine) == 1:
            by_name[spelling] = next(iter(mine))
    by_name |= {short: code for code, (_, short) in PROVINCES.items()}
    by_name |= {full: code for code, (full, _) in PROVINCES.items()}
    by_parent: dict[str | None, list[str]] = {}
    for code in sorted(names):
        by_parent.setdefault(_parent(code), []).append(code)
    return _Index(names, by_name, by_parent)


class RegionHierarchy:
    """Administrative division codes as a :class:`~policy_match.dsl.vocabulary.Hierarchy`."""

    name = "region"

    def __init__(self) -> None:
        self._streets: dict[str, str] | None = None
        self._index: _Index | None = None

    # ---- the tables ------------------------------------------------------------------------

    def streets(self) -> dict[str, str]:
        """The registered street (and village) codes → names."""
        if self._streets is None:
            self._streets = {}
            self._add(configured_streets())
        return self._streets

    def add_streets(self, rows: Iterable[tuple[str, str]]) -> None:
        """Register street or village codes with their names (a deployment's own table);
        a code whose county is not in the official table is refused with ``ValueError``."""
        self.streets()
        self._add(rows)

    def _add(self, rows: Iterable[tuple[str, str]]) -> None:
        assert self._streets is not None
        for raw, name in rows:
            code = _strip_padding(raw)
            if len(code) not in (9, 12) or not code.isdigit() or code[:6] not in divisions():
                raise ValueError(f"{raw}: not a street or village code of a known county")
            self._streets[code] = name
        self._index = None

    def _names(self) -> _Index:
        if self._index is None:
            streets = self.streets()
            self._index = _index({**divisions(), **streets}, streets)
        return self._index

    # ---- the Hierarchy interface ----------------------------------------------------------

    def lookup(self, text: str) -> CodeLookup:
        """Canonicalize a code (any of the widths above, padded or not) or a known name."""
        raw = unicodedata.normalize("NFKC", text).strip()
        if not raw:
            return CodeLookup(None, reason=Words("code.region_empty"))
        by_name = self._names().by_name
        if raw in by_name:
            return CodeLookup(by_name[raw])
        if not (raw.isascii() and raw.isdigit()):
            return self._not_a_code(raw)
        if len(raw) not in _LEVEL_ENDS:
            return CodeLookup(None, reason=Words("code.region_length", n=len(raw)))
        code = _strip_padding(raw)
        if code[:2] not in divisions():
            return CodeLookup(None, reason=Words("code.region_no_province", province=code[:2]))
        ends = [end for end in _LEVEL_ENDS if end <= len(code)]
        zeros = [end for start, end in itertools.pairwise(ends) if set(code[start:end]) == {"0"}]
        if len(code) == 4 and zeros:
            return CodeLookup(None, reason=Words("code.region_prefecture_00"),
                              hint=Words("hint.did_you_mean", name=f'"{code[:2]}"'))
        if any(end < len(code) for end in zeros):
            return CodeLookup(None, reason=Words(f"code.region_zeros_{_LEVEL_NAMES[zeros[0]]}"))
        return CodeLookup(code)

    def verify(self, code: str) -> CodeLookup:
        """A canonical code checked against the official table down to its county (what
        the checker asks of a code written in a rule; records are read by ``lookup``)."""
        table = divisions()
        prefecture = code[:4]
        if len(code) >= 4 and prefecture not in table and not any(
                c.startswith(prefecture) for c in table):
            return self._missing(prefecture, code)
        if len(code) >= 6 and code[:6] not in table:
            return self._missing(code[:6], code)
        return CodeLookup(code)

    def _missing(self, part: str, code: str) -> CodeLookup:
        level = {4: "prefecture", 6: "county"}[len(part)]
        reason = Words(f"code.region_missing_{level}", code=part)
        near = self._nearest(part)
        if not near:
            return CodeLookup(None, reason=reason)
        shown = [f"{c}（{self.label(c)}）" if self.label(c) else c for c in near]
        return CodeLookup(None, reason=reason, hint=Words("hint.nearest_codes", codes=shown))

    def _nearest(self, part: str) -> list[str]:
        parent = part[:2] if len(part) == 4 else part[:4]
        same = [c for c in divisions() if len(c) == len(part) and c.startswith(parent)]
        return sorted(same, key=lambda c: (abs(int(c) - int(part)), c))[:NEAREST]

    def _not_a_code(self, raw: str) -> CodeLookup:
        by_name = self._names().by_name
        reason = Words("code.region_not_code")
        close = difflib.get_close_matches(raw, by_name, n=1, cutoff=0.5)
        if not close:
            return CodeLookup(None, reason=reason, hint=Words("hint.region_forms"))
        return CodeLookup(None, reason=reason, hint=Words(
            "hint.did_you_mean", name=f'"{close[0]}" ({by_name[close[0]]})'))

    def contains(self, outer: str, inner: str) -> bool:
        """Prefix containment: canonical codes spell their ancestors as prefixes."""
        return inner.startswith(outer)

    def label(self, code: str) -> str | None:
        """The full name (``"云南省"``, ``"五华区"``, a registered ``"华山街道"``)."""
        return self._names().names.get(code)

    def path(self, code: str) -> tuple[str, ...]:
        """``"530102003"`` → ``("53", "5301", "530102", "530102003")``."""
        return tuple(code[:end] for end in _LEVEL_ENDS if end <= len(code))

    # ---- the table, for editors (hover, completion) and tools ---------------------------

    def name_of(self, code: str) -> str | None:
        """The name of a code written any way ``lookup`` accepts; None if unknown or
        unnamed (a street no table registers)."""
        found = self.lookup(code).code
        return None if found is None else self.label(found)

    def children(self, code: str | None = None) -> list[str]:
        """The named codes one level below ``code`` (the provinces for None). Under a
        直辖市 the counties sit directly below the province's implied prefecture."""
        index = self._names()
        if code is not None and len(code) == 2:
            implied = {c[:4] for c in index.names if len(c) == 6 and c.startswith(code)}
            return sorted(set(index.by_parent.get(code, ())) | implied)
        return list(index.by_parent.get(code, ()))

    def codes(self) -> Iterator[str]:
        """Every named code: the official table, then the registered streets."""
        return iter(self._names().names)


REGION = RegionHierarchy()
