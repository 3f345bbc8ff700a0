"""The pieces of ``policy-match demo``: where the bundled rulebook and sample are, and which
enterprises of a match tell the story best.

The bundled data are looked for, in order, inside the installed package (``bundled/rules``
and ``bundled/enterprises-2000.csv`` next to this module, for a wheel that ships them) and
in the source checkout the package was installed from (the repository's ``rules/`` and
``data/enterprises-2000.csv``). Nothing is downloaded or generated behind the user's back:
when neither exists, the caller says so and how to pass ``--rules``/``--data``.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from .dsl.ir import Verdict
from .engine.explain import Explainer, match_degree
from .engine.scalar import ScalarEvaluator

if TYPE_CHECKING:
    from .engine.explain import Explanation
    from .match import MatchResult
    from .rulebook import Rulebook
    from .table import EnterpriseTable

SAMPLE_NAME = "enterprises-2000.csv"
DEMO_DATE = dt.date(2025, 6, 30)
"""The sample describes its enterprises as of this day (``generate.REFERENCE_DATE``)."""

_PACKAGE = Path(__file__).resolve().parent


def _checkout() -> Path | None:
    """The repository root when the package runs from a source checkout (``src/`` layout)."""
    root = _PACKAGE.parents[1]
    return root if (root / "pyproject.toml").is_file() else None


def bundled_rules() -> Path | None:
    """The bundled rulebook folder, or None when this installation has none."""
    candidates = [_PACKAGE / "bundled" / "rules"]
    if (root := _checkout()) is not None:
        candidates.append(root / "rules")
    return next((p for p in candidates if p.is_dir()), None)


def bundled_sample() -> Path | None:
    """The bundled 2,000-enterprise sample, or None when this installation has none."""
    candidates = [_PACKAGE / "bundled" / SAMPLE_NAME]
    if (root := _checkout()) is not None:
        candidates.append(root / "data" / SAMPLE_NAME)
    return next((p for p in candidates if p.is_file()), None)


# ---- summaries -----------------------------------------------------------------------------


@dataclass
class DepartmentSummary:
    department: str
    items: int = 0
    active: int = 0
    eligible: int = 0  # (enterprise, item) pairs
    unknown: int = 0
    reached: set[str] = field(default_factory=set)  # enterprises eligible for one item or more


def by_department(book: Rulebook, result: MatchResult) -> list[DepartmentSummary]:
    """Per 执行部门: items, items in force, eligible and unknown pairs, enterprises reached."""
    found: dict[str, DepartmentSummary] = {}
    counts = result.counts()
    for pid, policy in book.policies.items():
        name = policy.department or "（未填执行部门）"
        s = found.setdefault(name, DepartmentSummary(name))
        s.items += 1
        if pid not in counts or not policy.active_on(result.as_of):
            continue
        s.active += 1
        s.eligible += counts[pid][Verdict.ELIGIBLE]
        s.unknown += counts[pid][Verdict.UNKNOWN]
        s.reached.update(result.eligible(pid))
    return list(found.values())


# ---- three enterprises -----------------------------------------------------------------------

Kind = Literal["several", "unknown", "near_miss"]


@dataclass(frozen=True)
class Showcase:
    """One enterprise of the sample and the explanations that make its point."""

    kind: Kind
    row: int
    enterprise_id: str
    name: str
    explanations: tuple[Explanation, ...]  # the ones to show, most telling first
    verdicts: dict[Verdict, int]  # over the items in force


def _name(table: EnterpriseTable, row: int) -> str:
    value = table.row(row).get("企业名称")
    return str(value) if value else table.ids[row]


def _tally(result: MatchResult) -> tuple[Counter[int], Counter[int]]:
    eligible: Counter[int] = Counter()
    unknown: Counter[int] = Counter()
    for pid in result.policy_ids:
        for eid in result.eligible(pid):
            eligible[result.table.index_of(eid)] += 1
        for eid in result.unknown(pid):
            unknown[result.table.index_of(eid)] += 1
    return eligible, unknown


def _verdicts(result: MatchResult, row: int) -> dict[Verdict, int]:
    found = Counter(result.for_enterprise(result.table.ids[row]).values())
    return {v: found[v] for v in (Verdict.ELIGIBLE, Verdict.UNKNOWN, Verdict.INELIGIBLE)}


def pick_showcase(book: Rulebook, result: MatchResult,
                  step: Callable[[int, int], None] | None = None) -> list[Showcase]:
    """Three different enterprises, each chosen by a fixed rule (so the demo is stable):

    - ``several``: eligible for the most items (the first such row);
    - ``unknown``: the most items left 待补充信息 for want of data (ties: fewest missing tags
      on its best item), shown with the unknown items that need the fewest tags;
    - ``near_miss``: ineligible for a targeted (精准) item by a single unmet test (a gap of
      one), preferring items that pay money, then the highest match degree, then the rarest
      item (fewest eligible enterprises). Every row's gaps are computed, so ``step`` is
      told the progress (done, total).
    """
    table, as_of = result.table, result.as_of
    eligible, unknown = _tally(result)
    picked: list[Showcase] = []
    used: set[int] = set()

    def record(row: int) -> dict[str, object]:
        return table.row(row)

    if eligible:
        row = min(eligible, key=lambda r: (-eligible[r], r))
        found = [e for e in book.explain_all(record(row), as_of=as_of)
                 if e.verdict is Verdict.ELIGIBLE]
        picked.append(Showcase("several", row, table.ids[row], _name(table, row),
                               tuple(found), _verdicts(result, row)))
        used.add(row)

    candidates = [r for r in unknown if r not in used]
    if candidates:
        top = max(unknown[r] for r in candidates)
        best: tuple[int, int, list[Explanation]] | None = None
        for row in sorted(r for r in candidates if unknown[r] == top):
            found = sorted((e for e in book.explain_all(record(row), as_of=as_of)
                            if e.verdict is Verdict.UNKNOWN),
                           key=lambda e: (len(e.missing), e.policy_id))
            fewest = len(found[0].missing) if found else 99
            if best is None or fewest < best[1]:
                best = (row, fewest, found)
        assert best is not None
        row, _, found = best
        picked.append(Showcase("unknown", row, table.ids[row], _name(table, row),
                               tuple(found), _verdicts(result, row)))
        used.add(row)

    rarity = {pid: len(result.eligible(pid)) for pid in result.policy_ids}
    targeted = [p.id for p in book.policies.values() if p.push == "精准" and p.active_on(as_of)]
    ineligible = {pid: {table.index_of(e) for e in result.ineligible(pid)} for pid in targeted}
    atom_ids = {a: i for i, a in enumerate(book.dag.atoms)}
    best_near: tuple[tuple[object, ...], int, str] | None = None
    n = len(table)
    for row in range(n):
        if step is not None and row % 100 == 0:
            step(row, n)
        wanted = [pid for pid in targeted if row in ineligible[pid]]
        if row in used or not wanted:
            continue
        # only the gap is needed here, not a whole explanation: one evaluator per row
        values = book.read_record(record(row), "missing").values
        explainer = Explainer(ScalarEvaluator(book.dag, book.vocabulary, values, as_of),
                              atom_ids)
        for pid in wanted:
            choice = explainer.gap(book.dag.conditions[pid])
            if choice.gap is None or len(choice.gap) != 1:
                continue
            key = (book.dag.benefits[pid] is None, -match_degree(choice), rarity[pid], row)
            if best_near is None or key < best_near[0]:
                best_near = (key, row, pid)
    if step is not None:
        step(n, n)
    if best_near is not None:
        _, row, pid = best_near
        e = book.explain(record(row), pid, as_of=as_of)
        picked.append(Showcase("near_miss", row, table.ids[row], _name(table, row), (e,),
                               _verdicts(result, row)))
    return picked


__all__ = ["DEMO_DATE", "SAMPLE_NAME", "DepartmentSummary", "Showcase", "bundled_rules",
           "bundled_sample", "by_department", "pick_showcase"]
