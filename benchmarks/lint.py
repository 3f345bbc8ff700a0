"""How long ``policy-match lint`` takes, beside ``check`` (what every author already runs).

    .venv/bin/python -m benchmarks.lint [--quick] [--repeat N]

1. **cross-checks** before timing: the bundled rulebook ``rules/`` gets no finding and the
   planted rulebook ``tests/rulebooks/planted/`` gets exactly its planted ones (the
   ``# expect: W-…`` markers), every witness confirmed (exit 1 otherwise);
2. times, for each rulebook, loading and checking it (``inspect``: the peer) and linting the
   loaded book (``analyse``), both with 评估日 free and on one fixed day, ``N`` times each;
3. prints the median seconds, the solver queries, and lint's cost as a multiple of check's.

Goal (issue 14): lint finishes the bundled rulebook in seconds (≤ 10 s on one core).
``--quick`` runs once: it proves the run works, not the figures.
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import statistics
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from policy_match.analysis import LintReport, analyse
from policy_match.core.loading import LoadResult, inspect

ROOT = Path(__file__).resolve().parents[1]
BOOKS = {"rules/": ROOT / "rules", "planted": ROOT / "tests" / "rulebooks" / "planted"}
GOAL_SECONDS = 10.0
DAY = dt.date(2025, 6, 1)
EXPECT = re.compile(r"#\s*expect:\s*(W-[A-Z]+)")


def _timed(run: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = run()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def _planted(folder: Path) -> list[tuple[str, int, str]]:
    out = []
    for path in sorted(folder.glob("*.rule")):
        for n, line in enumerate(path.read_text(encoding="utf-8").split("\n"), start=1):
            out += [(path.name, n, code) for code in EXPECT.findall(line)]
    return sorted(out)


def cross_check() -> bool:
    bundled = inspect(BOOKS["rules/"])
    assert bundled.rulebook is not None
    clean = analyse(bundled.rulebook).diagnostics == () and \
        analyse(bundled.rulebook, today=DAY).diagnostics == ()
    planted = inspect(BOOKS["planted"])
    assert planted.rulebook is not None
    report = analyse(planted.rulebook, today=DAY)
    found = sorted((Path(d.span.path).name, d.span.line, d.code.value)
                   for d in report.diagnostics)
    exact = found == _planted(BOOKS["planted"]) and report.dropped == 0
    print(f"bundled rulebook clean: {clean}; planted findings exact: {exact}")
    return clean and exact


def measure(repeat: int) -> list[tuple[str, float, float, float, LintReport]]:
    rows = []
    for name, folder in BOOKS.items():
        check_s, result = _timed(lambda f=folder: inspect(f), repeat)  # type: ignore[misc]
        loaded: LoadResult = result
        assert loaded.rulebook is not None
        book = loaded.rulebook
        free_s, report = _timed(lambda b=book: analyse(b), repeat)  # type: ignore[misc]
        day_s, _ = _timed(lambda b=book: analyse(b, today=DAY), repeat)  # type: ignore[misc]
        rows.append((name, check_s, free_s, day_s, report))
    return rows


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="one run of each")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    if not cross_check():
        print("CROSS-CHECK FAILED")
        return 1
    print("CROSS-CHECK PASSED")
    rows = measure(1 if args.quick else args.repeat)
    print("\n| rulebook | check (peer) s | lint, any day s | lint, one day s | queries "
          "| lint ÷ check |")
    print("|---|---|---|---|---|---|")
    for name, check_s, free_s, day_s, report in rows:
        print(f"| {name} | {check_s:.2f} | {free_s:.2f} | {day_s:.2f} | {report.queries} "
              f"| {free_s / check_s:.1f}× |")
    worst = max(max(r[2], r[3]) for r in rows if r[0] == "rules/")
    verdict = "met" if worst <= GOAL_SECONDS else "NOT met"
    print(f"\ngoal: lint of rules/ ≤ {GOAL_SECONDS:.0f} s — {worst:.2f} s, {verdict}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
