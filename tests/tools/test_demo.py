"""The library half of ``policy-match demo`` (policy_match.tools.demo): the numbers and texts
the command prints, computed from the bundled rulebook and sample."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

import policy_match as pm
from policy_match.core.examples import run_examples
from policy_match.core.match import MatchResult
from policy_match.data.table import EnterpriseTable
from policy_match.dsl.ir import Verdict
from policy_match.tools import demo

ROOT = Path(__file__).resolve().parents[2]
RULES = ROOT / "rules"
SAMPLE = ROOT / "data" / "enterprises-2000.csv"
AS_OF = demo.DEMO_DATE


@pytest.fixture(scope="module")
def book() -> pm.Rulebook:
    return pm.load(RULES)


@pytest.fixture(scope="module")
def matched(book: pm.Rulebook) -> MatchResult:
    return book.match(EnterpriseTable.load(SAMPLE, book), as_of=AS_OF)


def test_the_check_counts_the_rulebook(book: pm.Rulebook) -> None:
    check = demo.check_rulebook(RULES, book)
    assert check.files == len(list(RULES.rglob("*.rule")))
    assert (check.tags, check.defines, check.policies) == \
        (len(book.tags), len(book.defines), len(book.policies))
    outcomes = run_examples(book)
    assert check.examples_passed + check.examples_failed == len(outcomes) > 0
    assert check.examples_failed == sum(not o.passed for o in outcomes)


def test_by_policy_has_every_item_and_none_for_those_not_in_force(
        book: pm.Rulebook, matched: MatchResult) -> None:
    rows = demo.by_policy(book, matched)
    assert [r.policy_id for r in rows] == list(matched.counts())
    for r in rows:
        policy = book.policies[r.policy_id]
        assert (r.counts is None) == (not policy.active_on(AS_OF))
        if r.counts is not None:
            assert sum(r.counts) == len(matched.table)
            assert r.counts[0] == len(matched.eligible(r.policy_id))
    assert any(r.counts is None for r in rows)  # the sample's date leaves some out


def test_reached_is_the_union_of_the_departments(book: pm.Rulebook,
                                                 matched: MatchResult) -> None:
    reached = demo.reached(matched)
    departments = demo.by_department(book, matched)
    assert reached == frozenset().union(*(d.reached for d in departments))
    assert 0 < len(reached) <= len(matched.table)
    for eid in list(reached)[:50]:
        assert Verdict.ELIGIBLE in matched.for_enterprise(eid).values()


def test_the_showcase_texts(book: pm.Rulebook, matched: MatchResult) -> None:
    several, unknown, near = demo.pick_showcase(book, matched)
    heading = demo.showcase_heading(1, several)
    assert heading.startswith(f"1. 同时符合多项政策：{several.name}（{several.enterprise_id}）")
    assert f"符合 {several.verdicts[Verdict.ELIGIBLE]} 项" in heading
    lines = demo.showcase_lines(several)
    assert len(lines) == len(several.explanations)
    assert all(line.startswith("   ✓ ") for line in lines)
    paid = [e for e in several.explanations if e.benefit]
    assert sum("，兑付 " in line for line in lines) == len(paid)

    lines = demo.showcase_lines(unknown)
    assert lines[-1].startswith("   最该补充的数据：")
    first = unknown.explanations[0]
    assert lines[0] == "   " + first.render("zh").splitlines()[0]
    assert sum(line.startswith("   ? ") for line in lines) == min(len(unknown.explanations) - 1, 4)

    lines = demo.showcase_lines(near)
    assert demo.showcase_heading(3, near).startswith("3. 差一项就符合：")
    assert lines == ["   " + line for line in near.explanations[0].render("zh").splitlines()]


def test_publish_writes_the_list_and_the_pages(book: pm.Rulebook, tmp_path: Path) -> None:
    from policy_match.apps.publishing.listing import list_rows, read_xlsx

    out = tmp_path / "out"
    published = demo.publish(book, out, AS_OF)
    rows = list_rows(book, AS_OF)
    assert published.items == len(rows) > 0
    assert published.left_out == len(book.policies) - len(rows)
    assert published.pending == sum(r.status == "pending" for r in rows)
    assert read_xlsx(published.xlsx) == [r.file_dict() for r in rows]
    assert published.csv.is_file() and published.csv.parent == out
    pages = sorted(p.stem for p in published.sheets.glob("WH-*.html"))
    assert pages == sorted(r.policy_id for r in rows)
    assert published.files == len(list(published.sheets.iterdir()))


def test_publish_into_a_file_is_an_os_error(book: pm.Rulebook, tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    with pytest.raises(OSError):
        demo.publish(book, blocker, dt.date(2025, 6, 30))
