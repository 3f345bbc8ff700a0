""""Did you mean …?" for names, Chinese ones included.

difflib's ratio works on characters, which suits Chinese names (营业收人 → 营业收入); a name
that contains or is contained in a known one (收入 → 营业收入) is offered too.

Cost. One lookup scans the candidates once (the ratio is computed once per candidate that
could reach the lower cutoff, not once per cutoff), skipping by length those whose ratio
cannot reach it. A file with thousands of unknown names against thousands of declared ones
would still be quadratic, so a :class:`Suggester` (one per check) remembers each word's
answer and stops suggesting once it has compared ``WORK_BUDGET`` word–candidate pairs: the
errors are all still reported, only their "did you mean" is left out.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

from policy_match.dsl.words import Words

HIGH_CUTOFF = 0.6
LOW_CUTOFF = 0.45
WORK_BUDGET = 200_000  # word–candidate comparisons per check (100 lookups in 2,000 names)


def _reachable(word_len: int, cand_len: int, cutoff: float) -> bool:
    """difflib's ``real_quick_ratio`` bound: the ratio cannot exceed 2·min/(sum)."""
    total = word_len + cand_len
    return total > 0 and 2 * min(word_len, cand_len) / total >= cutoff


def _scores(word: str, pool: list[str]) -> list[tuple[float, str]]:
    """(ratio, candidate) for each candidate whose ratio reaches ``LOW_CUTOFF``, computed
    exactly as ``difflib.get_close_matches`` does (the word is the matcher's second
    sequence)."""
    matcher = difflib.SequenceMatcher()
    matcher.set_seq2(word)
    out = []
    for cand in pool:
        if not _reachable(len(word), len(cand), LOW_CUTOFF):
            continue
        matcher.set_seq1(cand)
        if matcher.quick_ratio() >= LOW_CUTOFF and (score := matcher.ratio()) >= LOW_CUTOFF:
            out.append((score, cand))
    return out


def _best(scored: list[tuple[float, str]], cutoff: float, limit: int,
          found: list[str]) -> list[str]:
    """The ``limit`` best at or above ``cutoff``, as ``get_close_matches`` orders them
    (score, then the candidate itself, both descending), leaving out those in ``found``."""
    kept = sorted((s for s in scored if s[0] >= cutoff), reverse=True)
    return [c for _, c in kept if c not in found][:limit]


def closest(word: str, candidates: Iterable[str], *, limit: int = 1) -> list[str]:
    pool = sorted(set(candidates))
    scored = _scores(word, pool)
    found = _best(scored, HIGH_CUTOFF, limit, [])
    if len(found) < limit and len(word) >= 2:
        found += [c for c in pool if (word in c or c in word) and len(c) >= 2 and c not in found]
    if len(found) < limit:
        found += _best(scored, LOW_CUTOFF, limit, found)
    return found[:limit]


def did_you_mean(word: str, candidates: Iterable[str]) -> str:
    """"did you mean X?" as :class:`Words` (English as a string), or "" when nothing is close."""
    found = closest(word, candidates)
    return Words("hint.did_you_mean", name=found[0]) if found else ""


class Suggester:
    """``did_you_mean`` with a memory and a budget, for one check of a rulebook.

    Each (word, pool) answer is kept, so a name misspelt the same way a hundred times is
    looked up once; once ``budget`` comparisons have been spent, new words get no
    suggestion (an empty hint) and the check stays near linear however many names are
    unknown.
    """

    def __init__(self, budget: int = WORK_BUDGET) -> None:
        self.left = budget
        self._answers: dict[tuple[str, frozenset[str]], list[str]] = {}

    def closest(self, word: str, candidates: Iterable[str]) -> list[str]:
        """The one closest candidate (or none), within the budget."""
        pool = candidates if isinstance(candidates, frozenset) else frozenset(candidates)
        key = (word, pool)
        if key in self._answers:
            return self._answers[key]
        if self.left < len(pool):
            self.left = 0
            return []
        self.left -= len(pool)
        answer = closest(word, pool)
        self._answers[key] = answer
        return answer

    def did_you_mean(self, word: str, candidates: Iterable[str]) -> str:
        found = self.closest(word, candidates)
        return Words("hint.did_you_mean", name=found[0]) if found else ""
