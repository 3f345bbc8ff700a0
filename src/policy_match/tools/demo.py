"""The pieces of ``policy-match demo``: where the bundled rulebook and sample are, what the
rulebook and the match add up to, which enterprises of a match tell the story best, and what
gets published. Everything returns data; the command prints it.

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
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from policy_match.dsl.ir import Verdict
from policy_match.engine.explain import Explainer, match_degree
from policy_match.engine.scalar import ScalarEvaluator

if TYPE_CHECKING:
    from policy_match.core.match import MatchResult
    from policy_match.core.rulebook import Rulebook
    from policy_match.data.table import EnterpriseTable
    from policy_match.engine.explain import Explanation

SAMPLE_NAME = "enterprises-2000.csv"
DEMO_DATE = dt.date(2025, 6, 30)
"""The sample describes its enterprises as of this day (``generate.REFERENCE_DATE``)."""
LIST_NAME = "惠企政策兑现事项清单"
SHEETS_DIR = "一表读懂"

_PACKAGE = Path(__file__).resolve().parents[1]  # the policy_match package
_VERDICTS = (Verdict.ELIGIBLE, Verdict.UNKNOWN, Verdict.INELIGIBLE)


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


# ---- 1. the rulebook -------------------------------------------------------------------------


@dataclass(frozen=True)
class RulebookCheck:
    """What ``check`` and ``test`` say about a rulebook that loads."""

    files: int
    tags: int
    defines: int
    policies: int
    warnings: int
    examples_passed: int
    examples_failed: int


def check_rulebook(rules: Path, book: Rulebook) -> RulebookCheck:
    """Count the rulebook ``book`` loaded from ``rules``, its warnings and its worked
    examples' outcomes."""
    from policy_match.core.examples import run_examples
    from policy_match.core.loading import inspect

    found = inspect(rules)
    outcomes = run_examples(book)
    failed = sum(not o.passed for o in outcomes)
    return RulebookCheck(len(found.files), len(book.tags), len(book.defines),
                         len(book.policies), len(found.diagnostics), len(outcomes) - failed,
                         failed)


# ---- 2. summaries of a match -----------------------------------------------------------------


@dataclass(frozen=True)
class PolicySummary:
    """One item's verdict counts; ``counts`` is None when the item is not in force."""

    policy_id: str
    name: str
    department: str
    counts: tuple[int, int, int] | None  # 符合, 待补充信息, 不符合


def by_policy(book: Rulebook, result: MatchResult) -> list[PolicySummary]:
    """Per item matched, in the match's order."""
    found = []
    for pid, c in result.counts().items():
        policy = book.policies[pid]
        counts = ((c[Verdict.ELIGIBLE], c[Verdict.UNKNOWN], c[Verdict.INELIGIBLE])
                  if policy.active_on(result.as_of) else None)
        found.append(PolicySummary(pid, policy.name, policy.department or "", counts))
    return found


@dataclass(frozen=True)
class DepartmentSummary:
    department: str
    items: int
    active: int  # items in force
    eligible: int  # (enterprise, item) pairs
    unknown: int
    reached: frozenset[str]  # enterprises eligible for one item or more


def by_department(book: Rulebook, result: MatchResult) -> list[DepartmentSummary]:
    """Per 执行部门: items, items in force, eligible and unknown pairs, enterprises reached."""
    groups: dict[str, list[str]] = {}
    for pid, policy in book.policies.items():
        groups.setdefault(policy.department or "（未填执行部门）", []).append(pid)
    counts = result.counts()
    found = []
    for name, pids in groups.items():
        active = [pid for pid in pids
                  if pid in counts and book.policies[pid].active_on(result.as_of)]
        found.append(DepartmentSummary(
            name, len(pids), len(active),
            sum(counts[pid][Verdict.ELIGIBLE] for pid in active),
            sum(counts[pid][Verdict.UNKNOWN] for pid in active),
            frozenset().union(*(result.eligible(pid) for pid in active))))
    return found


def reached(result: MatchResult) -> frozenset[str]:
    """The enterprises eligible for at least one item (in force: others have no verdicts)."""
    return frozenset().union(*(result.eligible(pid) for pid in result.policy_ids))


# ---- 3. three enterprises -----------------------------------------------------------------------

Kind = Literal["several", "unknown", "near_miss"]

TITLES: dict[Kind, str] = {"several": "同时符合多项政策", "unknown": "数据不全，待补充信息",
                           "near_miss": "差一项就符合"}


@dataclass(frozen=True)
class Showcase:
    """One enterprise of the sample and the explanations that make its point."""

    kind: Kind
    row: int
    enterprise_id: str
    name: str
    explanations: tuple[Explanation, ...]  # the ones to show, most telling first
    verdicts: dict[Verdict, int]  # over the items in force


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
    eligible, unknown = _tally(result)
    several = _most_eligible(book, result, eligible)
    used = {several.row} if several is not None else set()
    gaps = _most_unknown(book, result, unknown, used)
    if gaps is not None:
        used.add(gaps.row)
    near = _near_miss(book, result, used, step)
    return [s for s in (several, gaps, near) if s is not None]


def _showcase(kind: Kind, result: MatchResult, row: int,
              explanations: list[Explanation]) -> Showcase:
    table = result.table
    seen = Counter(result.for_enterprise(table.ids[row]).values())
    return Showcase(kind, row, table.ids[row], _name(table, row), tuple(explanations),
                    {v: seen[v] for v in _VERDICTS})


def _name(table: EnterpriseTable, row: int) -> str:
    value = table.row(row).get("企业名称")
    return str(value) if value else table.ids[row]


def _tally(result: MatchResult) -> tuple[Counter[int], Counter[int]]:
    """Per row: how many items it is eligible for, and how many are unknown."""
    eligible: Counter[int] = Counter()
    unknown: Counter[int] = Counter()
    for pid in result.policy_ids:
        for eid in result.eligible(pid):
            eligible[result.table.index_of(eid)] += 1
        for eid in result.unknown(pid):
            unknown[result.table.index_of(eid)] += 1
    return eligible, unknown


def _most_eligible(book: Rulebook, result: MatchResult, eligible: Counter[int]
                   ) -> Showcase | None:
    if not eligible:
        return None
    row = min(eligible, key=lambda r: (-eligible[r], r))
    found = [e for e in book.explain_all(result.table.row(row), as_of=result.as_of)
             if e.verdict is Verdict.ELIGIBLE]
    return _showcase("several", result, row, found)


def _most_unknown(book: Rulebook, result: MatchResult, unknown: Counter[int],
                  used: set[int]) -> Showcase | None:
    candidates = [r for r in unknown if r not in used]
    if not candidates:
        return None
    top = max(unknown[r] for r in candidates)
    best: tuple[int, int, list[Explanation]] | None = None
    for row in sorted(r for r in candidates if unknown[r] == top):
        found = sorted((e for e in book.explain_all(result.table.row(row), as_of=result.as_of)
                        if e.verdict is Verdict.UNKNOWN),
                       key=lambda e: (len(e.missing), e.policy_id))
        fewest = len(found[0].missing) if found else 99
        if best is None or fewest < best[1]:
            best = (row, fewest, found)
    assert best is not None  # candidates is not empty
    return _showcase("unknown", result, best[0], best[2])


def _near_miss(book: Rulebook, result: MatchResult, used: set[int],
               step: Callable[[int, int], None] | None) -> Showcase | None:
    table, as_of = result.table, result.as_of
    rarity = {pid: len(result.eligible(pid)) for pid in result.policy_ids}
    targeted = [p.id for p in book.policies.values() if p.push == "精准" and p.active_on(as_of)]
    ineligible = {pid: {table.index_of(e) for e in result.ineligible(pid)} for pid in targeted}
    atom_ids = {a: i for i, a in enumerate(book.dag.atoms)}
    best: tuple[tuple[object, ...], int, str] | None = None
    n = len(table)
    for row in range(n):
        if step is not None and row % 100 == 0:
            step(row, n)
        wanted = [pid for pid in targeted if row in ineligible[pid]]
        if row in used or not wanted:
            continue
        # only the gap is needed here, not a whole explanation: one evaluator per row
        values = book.read_record(table.row(row), "missing").values
        explainer = Explainer(ScalarEvaluator(book.dag, book.vocabulary, values, as_of),
                              atom_ids)
        for pid in wanted:
            choice = explainer.gap(book.dag.conditions[pid])
            if choice.gap is None or len(choice.gap) != 1:
                continue
            key = (book.dag.benefits[pid] is None, -match_degree(choice), rarity[pid], row)
            if best is None or key < best[0]:
                best = (key, row, pid)
    if step is not None:
        step(n, n)
    if best is None:
        return None
    _, row, pid = best
    return _showcase("near_miss", result, row, [book.explain(table.row(row), pid, as_of=as_of)])


def showcase_heading(number: int, s: Showcase) -> str:
    """``1. 同时符合多项政策：name（id）——符合 8 项，…``."""
    v = s.verdicts
    return (f"{number}. {TITLES[s.kind]}：{s.name}（{s.enterprise_id}）——符合 "
            f"{v[Verdict.ELIGIBLE]} 项，待补充信息 {v[Verdict.UNKNOWN]} 项，"
            f"不符合 {v[Verdict.INELIGIBLE]} 项")


def showcase_lines(s: Showcase) -> list[str]:
    """The text under a showcase's heading, indented three spaces."""
    if s.kind == "several":
        return [f"   ✓ {e.policy_id} {e.policy_name}{_amount(e)}"
                + (f"（互斥组：{e.group}，就高不重复）" if e.group else "")
                for e in s.explanations]
    first, *rest = s.explanations
    lines = ["   " + line for line in first.render("zh").splitlines()]
    lines += [f"   ? {e.policy_id} {e.policy_name}：需补充 {'、'.join(e.missing)}"
              for e in rest[:4]]
    if len(rest) > 4:
        lines.append(f"   … 另有 {len(rest) - 4} 项待补充信息")
    if s.kind == "unknown":
        wanted = Counter(tag for e in s.explanations for tag in e.missing)
        lines.append("   最该补充的数据：" + "、".join(
            f"{tag}（{n} 项）" for tag, n in wanted.most_common(3)))
    return lines


def _amount(e: Explanation) -> str:
    if e.benefit:
        return f"，兑付 {e.benefit}"
    if e.benefit_missing:
        return "，兑付金额待补充 " + "、".join(e.benefit_missing)
    return ""


# ---- 4. publishing ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Published:
    """The 清单 and the 一表读懂 pages written into one folder."""

    xlsx: Path
    csv: Path
    sheets: Path  # the folder of 一表读懂 pages
    items: int  # items listed (one page each)
    pending: int  # listed, not yet in force
    left_out: int  # expired, not listed
    files: int  # files written into ``sheets``, the index and the print version included


def publish(book: Rulebook, out: Path, as_of: dt.date) -> Published:
    """Write the 清单 (.xlsx and .csv) and the HTML 一表读懂 pages into ``out`` (created);
    an OSError is the caller's to report."""
    from policy_match.apps.publishing.listing import list_rows, write_csv, write_xlsx
    from policy_match.apps.publishing.sheet import write_sheets

    out.mkdir(parents=True, exist_ok=True)
    rows = list_rows(book, as_of)
    xlsx, csv_path = out / f"{LIST_NAME}.xlsx", out / f"{LIST_NAME}.csv"
    write_xlsx(rows, xlsx, as_of)
    write_csv(rows, csv_path)
    pages = write_sheets(book, [r.policy_id for r in rows], out / SHEETS_DIR, ("html",), as_of)
    return Published(xlsx, csv_path, out / SHEETS_DIR, len(rows),
                     sum(r.status == "pending" for r in rows), len(book.policies) - len(rows),
                     len(pages))


__all__ = ["DEMO_DATE", "LIST_NAME", "SAMPLE_NAME", "SHEETS_DIR", "TITLES", "DepartmentSummary",
           "PolicySummary", "Published", "RulebookCheck", "Showcase", "bundled_rules",
           "bundled_sample", "by_department", "by_policy", "check_rulebook", "pick_showcase",
           "publish", "reached", "showcase_heading", "showcase_lines"]
