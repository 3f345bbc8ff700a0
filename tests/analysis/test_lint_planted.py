"""``lint`` end to end: the planted rulebook gets exactly its planted findings, every
witness is an enterprise the public API agrees with, the bundled rulebook is clean, and a
witness the scalar evaluator rejects drops its finding (counted)."""

from __future__ import annotations

import re
import subprocess
import sys
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest
from lint_helpers import TODAY, item, lint_text

from policy_match.analysis import analyse, lint
from policy_match.core.loading import LoadResult, inspect, load_sources
from policy_match.dsl.diagnostics import Code, Diagnostic, Severity
from policy_match.dsl.ir import Verdict
from policy_match.dsl.types import MONEY
from policy_match.dsl.vocabulary import FunctionSpec, fixed_signature
from policy_match.plugins.loader import load_vocabulary

REPO = Path(__file__).resolve().parents[2]
PLANTED = REPO / "tests" / "rulebooks" / "planted"
EXPECT = re.compile(r"#\s*expect:\s*(W-[A-Z]+)")


@pytest.fixture(scope="module")
def planted() -> LoadResult:
    result = inspect(PLANTED)
    assert result.rulebook is not None
    return result


@pytest.fixture(scope="module")
def planted_findings(planted: LoadResult) -> tuple[Diagnostic, ...]:
    return lint(planted, today=TODAY)


def _expected() -> list[tuple[str, int, str]]:
    """(file, line, code) of every ``# expect: W-…`` marker in the planted rulebook."""
    out = []
    for path in sorted(PLANTED.glob("*.rule")):
        for n, line in enumerate(path.read_text(encoding="utf-8").split("\n"), start=1):
            out += [(path.name, n, code) for code in EXPECT.findall(line)]
    return out


def test_planted_rulebook_gets_exactly_the_planted_findings(
        planted_findings: tuple[Diagnostic, ...]) -> None:
    found = sorted((Path(d.span.path).name, d.span.line, d.code.value)
                   for d in planted_findings)
    assert found == sorted(_expected())


def test_planted_rulebook_has_one_of_every_code(
        planted_findings: tuple[Diagnostic, ...]) -> None:
    lint_codes = {c for c in Code if c.name.startswith("LINT_")}
    assert {d.code for d in planted_findings} == lint_codes
    assert all(d.severity is Severity.WARNING and d.hint for d in planted_findings)


def _one(findings: tuple[Diagnostic, ...], code: Code, line_text: str,
         planted: LoadResult) -> Diagnostic:
    for d in findings:
        line = planted.sources[d.span.path].split("\n")[d.span.line - 1]
        if d.code is code and line_text in line:
            return d
    raise AssertionError(f"no {code} on a line with {line_text!r}")


def test_overlap_witness_is_paid_by_the_first_tier(
        planted: LoadResult, planted_findings: tuple[Diagnostic, ...]) -> None:
    d = _one(planted_findings, Code.LINT_TIERS, "<= 30%", planted)
    book, record = planted.rulebook, dict(d.witness)
    assert book is not None
    assert book.read_record(record).values["营业收入增长率"] == Fraction(3, 10)
    assert book.evaluate(record, "PL-TIERS", as_of=TODAY) is Verdict.ELIGIBLE
    assert book.benefit(record, "PL-TIERS", as_of=TODAY) == Decimal(500000)


def test_gap_witness_falls_to_the_else_branch(
        planted: LoadResult, planted_findings: tuple[Diagnostic, ...]) -> None:
    d = _one(planted_findings, Code.LINT_TIERS, ">= 1亿", planted)
    book, record = planted.rulebook, dict(d.witness)
    assert book is not None
    assert record["营业收入"] == "5000万"
    assert book.evaluate(record, "PL-GAP", as_of=TODAY) is Verdict.ELIGIBLE
    assert book.benefit(record, "PL-GAP", as_of=TODAY) == Decimal(0)


def test_unreachable_witness_takes_the_earlier_branch(
        planted: LoadResult, planted_findings: tuple[Diagnostic, ...]) -> None:
    d = _one(planted_findings, Code.LINT_UNREACHABLE, ">= 5000万: 20万", planted)
    book, record = planted.rulebook, dict(d.witness)
    assert book is not None
    assert book.read_record(record).values["营业收入"] >= 50_000_000  # the branch's test holds
    assert book.benefit(record, "PL-UNREACHABLE", as_of=TODAY) == Decimal(100000)
    assert d.related and d.related[0].span.line == d.span.line - 1


def test_every_witness_is_a_record_that_parses(
        planted: LoadResult, planted_findings: tuple[Diagnostic, ...]) -> None:
    book = planted.rulebook
    assert book is not None
    with_witness = [d for d in planted_findings if d.witness]
    assert len(with_witness) == 3
    for d in with_witness:
        parsed = book.read_record(dict(d.witness), on_error="missing")
        assert not parsed.errors and set(parsed.values) == {t for t, _ in d.witness}


def test_messages_in_both_languages(planted_findings: tuple[Diagnostic, ...]) -> None:
    d = next(d for d in planted_findings if d.code is Code.LINT_INCOMPLETE)
    assert d.text("zh") == "事项 PL-INCOMPLETE 缺少发布清单所需的字段：公布网址、联系人"
    assert "url (公布网址), contact (联系人)" in d.text("en")
    assert d.hint_text("zh") != d.hint_text("en")


def test_bundled_rulebook_has_no_findings() -> None:
    result = inspect(REPO / "rules")
    report = analyse(result.rulebook, today=TODAY)  # type: ignore[arg-type]
    assert [f"{d.span.path}:{d.span.line} {d.code.value} {d.text('zh')}"
            for d in report.diagnostics] == []
    assert report.undecided == 0 and report.queries > 500


def test_a_rulebook_with_errors_is_not_linted() -> None:
    result = load_sources({"t.rule": "tag a: money\ndefine b = a >= 5000万 且 a < 1"
                                      " 且 c\n"})
    assert any(d.is_error for d in result.diagnostics)
    assert lint(result) == ()


def _doubling_vocabulary():  # type: ignore[no-untyped-def]
    vocabulary = load_vocabulary(entry_points=False)
    vocabulary.add_function(FunctionSpec("double", fixed_signature([MONEY], MONEY),
                                         impl=lambda x: 2 * x), source="test")
    return vocabulary


def test_a_witness_the_evaluator_rejects_drops_its_finding() -> None:
    """z3 cannot see inside a plug-in function, so it models ``double(营业收入)`` as any
    value: the gap between the tiers is solved for that value alone and the record it
    reads back does not put ``double(营业收入)`` in the gap. The scalar evaluator says so;
    the finding is dropped and counted, never reported."""
    text = item("P", "营业收入 >= 100万", """\
    兑付标准: case {
        double(营业收入) >= 1000万: 2万
        double(营业收入) >= 10万 且 double(营业收入) < 500万: 1万
        否则: 0元
    }
""")
    report = lint_text(text, _doubling_vocabulary())
    assert [d for d in report.diagnostics if d.code is Code.LINT_TIERS] == []
    assert report.dropped == 1


def test_the_same_gap_on_a_tag_is_reported() -> None:
    text = item("P", "营业收入 >= 100万", """\
    兑付标准: case {
        营业收入 >= 1000万: 2万
        营业收入 >= 10万 且 营业收入 < 500万: 1万
        否则: 0元
    }
""")
    report = lint_text(text)
    assert [d.code for d in report.diagnostics] == [Code.LINT_TIERS]
    assert dict(report.diagnostics[0].witness) == {"营业收入": "500万"}
    assert report.dropped == 0


def test_a_plugin_function_never_gives_a_false_finding() -> None:
    """``double(x) >= 10 and x < 1`` can never hold, but z3 does not know ``double``: the
    condition is not reported (missed, never false)."""
    report = lint_text(item("P", "double(营业收入) >= 10万 且 营业收入 < 1万"),
                       _doubling_vocabulary())
    assert report.diagnostics == ()


def test_the_findings_shown_in_the_docs_are_what_lint_prints() -> None:
    """docs/lint.md quotes the planted rulebook's findings: each quoted line is printed by
    the command (run as a reader runs it)."""
    script = Path(sys.executable).with_name("policy-match")
    printed = subprocess.run([str(script), "lint", "tests/rulebooks/planted", "--lang", "zh",
                              "--as-of", TODAY.isoformat()], cwd=REPO, capture_output=True,
                             text=True, encoding="utf-8", timeout=120).stdout
    page = (REPO / "docs" / "lint.md").read_text(encoding="utf-8")
    quoted = re.findall(r"^(planted\.rule:\d+:\d+: 警告\[W-[A-Z]+\]: .*)$|^   (例如这家企业: .*)$",
                        page, re.M)
    assert len(quoted) >= 11
    for heading, witness in quoted:
        assert (heading or witness) in printed
