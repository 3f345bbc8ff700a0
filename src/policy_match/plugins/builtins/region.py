"""The ``region`` hierarchy: Chinese administrative division codes (行政区划代码).

Canonical codes keep only the digits that name a level: 2 (province), 4 (prefecture),
6 (county), 9 (township or street) and 12 (village). The six-digit GB/T 2260 form pads higher
levels with zeros (``"530100"`` is 昆明市) and the twelve-digit statistical form pads further
(``"530102003000"``); both are shortened so that a code is inside another exactly when the
other is its prefix. A nine-digit code is never shortened, even when it ends in ``000``.

Any structurally valid code under a real province-level code is known, because rules name
streets and villages this library has no table for (``"530102011"``). Names are known only
for the provinces, 昆明市, 五华区 and the ten 街道 of 五华区, numbered 530102001–530102010 in
the order of the sample data; a deployment with the official street codes should register
its own hierarchy instead.
"""

from __future__ import annotations

import difflib
import itertools
import unicodedata

from policy_match.dsl.vocabulary import CodeLookup

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

WUHUA_STREETS = ("华山", "护国", "大观", "龙翔", "丰宁", "莲华", "红云", "黑林铺", "普吉", "西翥")

PLACES: dict[str, tuple[str, str]] = {
    "5301": ("昆明市", "昆明"),
    "530102": ("五华区", "五华"),
    **{
        f"530102{i:03d}": (f"{street}街道", street)
        for i, street in enumerate(WUHUA_STREETS, start=1)
    },
}
"""Below province level, the places this library can name (full name, short name)."""

_LABELS = {code: full for code, (full, _) in (PROVINCES | PLACES).items()}
_CODE_BY_NAME = {name: code for code, names in (PROVINCES | PLACES).items() for name in names}
_LEVEL_ENDS = (2, 4, 6, 9, 12)
_LEVEL_NAMES = {2: "province", 4: "prefecture", 6: "county", 9: "township", 12: "village"}


def _unknown(reason: str, hint: str = "") -> CodeLookup:
    return CodeLookup(None, reason=reason, hint=hint)


def _strip_padding(digits: str) -> str:
    """Drop the zero groups that pad a 6- or 12-digit code up to its full width."""
    if len(digits) not in (6, 12):
        return digits
    ends = [end for end in _LEVEL_ENDS if end <= len(digits)]
    while len(ends) > 1 and set(digits[ends[-2] : ends[-1]]) == {"0"}:
        ends.pop()
    return digits[: ends[-1]]


class RegionHierarchy:
    """Administrative division codes as a :class:`~policy_match.dsl.vocabulary.Hierarchy`."""

    name = "region"

    def lookup(self, text: str) -> CodeLookup:
        """Canonicalize a code (any of the widths above, padded or not) or a known name."""
        raw = unicodedata.normalize("NFKC", text).strip()
        if not raw:
            return _unknown("a region code is empty")
        if raw in _CODE_BY_NAME:
            return CodeLookup(_CODE_BY_NAME[raw])
        if not (raw.isascii() and raw.isdigit()):
            return self._not_a_code(raw)
        if len(raw) not in _LEVEL_ENDS:
            return _unknown(f'"{raw}" has {len(raw)} digits: a region code has 2, 4, 6, 9 or 12')
        code = _strip_padding(raw)
        if code[:2] not in PROVINCES:
            return _unknown(f'"{raw}": {code[:2]} is not a province-level code')
        ends = [end for end in _LEVEL_ENDS if end <= len(code)]
        zeros = [end for start, end in itertools.pairwise(ends) if set(code[start:end]) == {"0"}]
        if len(code) == 4 and zeros:
            return _unknown(
                f'"{raw}": prefecture 00 does not exist', hint=f'did you mean "{code[:2]}"?'
            )
        if any(end < len(code) for end in zeros):
            level = _LEVEL_NAMES[zeros[0]]
            return _unknown(f'"{raw}": its {level} part is all zeros, yet a lower level follows')
        return CodeLookup(code)

    def _not_a_code(self, raw: str) -> CodeLookup:
        reason = f'"{raw}" is neither a region code nor a place name this library knows'
        close = difflib.get_close_matches(raw, _CODE_BY_NAME, n=1, cutoff=0.5)
        if not close:
            return _unknown(reason, hint='write the division code, e.g. "530102" for 五华区')
        return _unknown(reason, hint=f'did you mean "{close[0]}" ({_CODE_BY_NAME[close[0]]})?')

    def contains(self, outer: str, inner: str) -> bool:
        """Prefix containment: canonical codes spell their ancestors as prefixes."""
        return inner.startswith(outer)

    def label(self, code: str) -> str | None:
        """The full name (``"云南省"``, ``"华山街道"``) where this library knows one."""
        return _LABELS.get(code)

    def path(self, code: str) -> tuple[str, ...]:
        """``"530102003"`` → ``("53", "5301", "530102", "530102003")``."""
        return tuple(code[:end] for end in _LEVEL_ENDS if end <= len(code))


REGION = RegionHierarchy()
