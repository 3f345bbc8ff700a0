"""所属行业: the industry mix of a central urban district, as GB/T 4754-2017 小类 codes."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from policy_match.tools.generate.cells import distinct_strings, pick
from policy_match.tools.generate.draws import Industry

if TYPE_CHECKING:
    import pyarrow as pa

# 门类 → share of the district's enterprises.
_SECTION_SHARE = {
    "F": 0.30, "L": 0.13, "M": 0.10, "I": 0.08, "H": 0.08, "E": 0.05, "O": 0.05,
    "K": 0.04, "C": 0.04, "R": 0.03, "G": 0.03, "J": 0.015, "P": 0.015, "Q": 0.01,
    "N": 0.01, "A": 0.005, "D": 0.003, "B": 0.002,
}
# 门类 → (大类, weight); K is drawn at 小类 level below.
_DIVISIONS: dict[str, list[tuple[int, float]]] = {
    "F": [(51, 0.55), (52, 0.45)],
    "L": [(71, 0.10), (72, 0.90)],
    "M": [(73, 0.15), (74, 0.40), (75, 0.45)],
    "I": [(63, 0.05), (64, 0.25), (65, 0.70)],
    "H": [(61, 0.20), (62, 0.80)],
    "E": [(47, 0.25), (48, 0.30), (49, 0.20), (50, 0.25)],
    "O": [(80, 0.45), (81, 0.35), (82, 0.20)],
    "R": [(86, 0.20), (87, 0.25), (88, 0.20), (89, 0.15), (90, 0.20)],
    "G": [(54, 0.60), (58, 0.15), (59, 0.15), (60, 0.10)],
    "J": [(66, 0.20), (67, 0.20), (68, 0.15), (69, 0.45)],
    "P": [(83, 1.0)],
    "Q": [(84, 0.80), (85, 0.20)],
    "N": [(77, 0.50), (78, 0.50)],
    "A": [(1, 0.4), (2, 0.2), (3, 0.2), (4, 0.1), (5, 0.1)],
    "D": [(44, 0.6), (45, 0.3), (46, 0.1)],
    "B": [(9, 0.5), (10, 0.5)],
    "C": [(d, 1.0) for d in range(13, 44)],
}
_K_CLASSES = [(7010, 0.35), (7020, 0.35), (7030, 0.20), (7040, 0.05), (7090, 0.05)]
# 中类 (third digit) 1–9 within a 大类: the first ones are the common ones.
_GROUP_WEIGHTS = (0.30, 0.22, 0.16, 0.11, 0.08, 0.05, 0.04, 0.02, 0.02)
_WITH_LETTER = 0.6  # share of codes written with the 门类 letter (``"F5212"``, not ``"5212"``)


def draw_industry(rng: np.random.Generator, n: int, cols: dict[str, pa.Array]) -> Industry:
    """门类, then 大类 (K: 小类), then a 4-digit 小类 code; writes 所属行业."""
    letters = tuple(_SECTION_SHARE)
    section_ix = pick(rng, len(letters), _SECTION_SHARE.values(), n)
    section = np.array(letters)[section_ix]
    code4 = np.zeros(n, dtype=np.int64)
    for s, letter in enumerate(letters):
        mask = section_ix == s
        m = int(mask.sum())
        if m:
            code4[mask] = _class_codes(rng, letter, m)
    digits = np.char.zfill(code4.astype(str), 4)
    with_letter = rng.random(n) < _WITH_LETTER
    cols["所属行业"] = distinct_strings(np.where(with_letter, np.char.add(section, digits),
                                                 digits))
    return Industry(letters, section_ix, section, code4, digits)


def _class_codes(rng: np.random.Generator, letter: str, m: int) -> np.ndarray:
    """``m`` 小类 codes (as numbers) of the 门类 ``letter``."""
    if letter == "K":
        classes = np.array([c for c, _ in _K_CLASSES])
        return classes[pick(rng, len(classes), [w for _, w in _K_CLASSES], m)]
    options = _DIVISIONS[letter]
    divs = np.array([d for d, _ in options])[pick(rng, len(options), [w for _, w in options], m)]
    group = 1 + pick(rng, len(_GROUP_WEIGHTS), _GROUP_WEIGHTS, m)
    return divs * 100 + group * 10 + rng.integers(0, 10, m)
