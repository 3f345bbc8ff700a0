""""Did you mean …?" for names, Chinese ones included.

difflib's ratio works on characters, which suits Chinese names (营业收人 → 营业收入); a name
that contains or is contained in a known one (收入 → 营业收入) is offered too.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable


def closest(word: str, candidates: Iterable[str], *, limit: int = 1) -> list[str]:
    pool = sorted(set(candidates))
    found = difflib.get_close_matches(word, pool, n=limit, cutoff=0.6)
    if len(found) < limit and len(word) >= 2:
        found += [c for c in pool if (word in c or c in word) and len(c) >= 2 and c not in found]
    if len(found) < limit:
        found += [c for c in difflib.get_close_matches(word, pool, n=limit, cutoff=0.45)
                  if c not in found]
    return found[:limit]


def did_you_mean(word: str, candidates: Iterable[str]) -> str:
    found = closest(word, candidates)
    return f"did you mean {found[0]}?" if found else ""
