"""Acceptance: a rulebook full of mistakes is reported in full, by the library and the CLI.

``tests/rulebooks/mistakes/`` holds several files with at least eight different mistakes:
a typo in a tag name, a unit error, an undeclared enum value, an unknown policy field, a
define cycle, a syntax error, a duplicate policy id and an unknown industry code (plus one
more after the syntax error, to show the rest of that file is still checked).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

import policy_match as pm
from policy_match.core.loading import inspect, load_sources, read_sources
from policy_match.dsl.diagnostics import Code

REPO = Path(__file__).resolve().parents[1]
MISTAKES = REPO / "tests" / "rulebooks" / "mistakes"
MISTAKES_REL = "tests/rulebooks/mistakes"

# (file, line, code, the text the diagnostic's column points at)
EXPECTED = [
    ("defines.rule", 4, "E-NAME", "营业收人"),  # typo in a tag name
    ("defines.rule", 7, "E-ENUM", '"超微型"'),  # enum value not declared
    ("defines.rule", 10, "E-CYCLE", "甲 = "),  # 甲 → 乙 → 丙 → 甲
    ("gx.rule", 8, "E-SYNTAX", "= 2000万"),  # `=` for `==`
    ("gx.rule", 12, "E-ENUM", '"专精特新"'),  # after the syntax error, same file
    ("kj.rule", 5, "E-UNIT", "300人"),  # money vs a count
    ("kj.rule", 6, "E-FIELD", "执行部分"),  # unknown policy field
    ("kj.rule", 12, "E-CODE", '"C99"'),  # unknown industry code
    ("kj.rule", 16, "E-DUP", '"MK-001"'),  # duplicate policy id (first in gx.rule)
]


def expected_column(file: str, line: int, needle: str) -> int:
    text = (MISTAKES / file).read_text(encoding="utf-8").splitlines()[line - 1]
    assert needle in text, (file, line, needle)
    return text.index(needle) + 1


EXPECTED_FULL = {
    (file, line, expected_column(file, line, needle), code)
    for file, line, code, needle in EXPECTED
}


def cli() -> str:
    script = Path(sys.executable).with_name("policy-match")
    assert script.exists(), f"console script missing: {script} (pip install -e .)"
    return str(script)


def run_cli(*args: str, cwd: Path = REPO) -> subprocess.CompletedProcess[str]:
    return subprocess.run([cli(), *args], cwd=cwd, capture_output=True, text=True, timeout=120,
                          encoding="utf-8")


def key(path: str) -> str:
    """A diagnostic's path as the name of the file inside the mistakes folder."""
    p = Path(path)
    if not p.is_absolute():
        p = Path.cwd() / p
    return str(p.resolve().relative_to(MISTAKES.resolve()))


# ---- the library -----------------------------------------------------------------------------


def test_the_rulebook_has_several_files_and_eight_kinds_of_mistake() -> None:
    files = sorted(p.name for p in MISTAKES.glob("*.rule"))
    assert len(files) >= 3
    assert {code for _, _, code, _ in EXPECTED} >= {
        "E-NAME", "E-UNIT", "E-ENUM", "E-FIELD", "E-CYCLE", "E-SYNTAX", "E-DUP", "E-CODE"
    }


def test_every_mistake_is_reported_with_file_line_and_code() -> None:
    result = inspect(MISTAKES)
    assert result.rulebook is None
    got = {(key(d.span.path), d.span.line, d.code.value) for d in result.diagnostics}
    assert got == {(f, line, code) for f, line, code, _ in EXPECTED}
    assert len(result.diagnostics) == len(EXPECTED)  # no duplicates, no cascades


def test_every_mistake_is_reported_at_its_column() -> None:
    result = inspect(MISTAKES)
    got = {(key(d.span.path), d.span.line, d.span.column, d.code.value)
           for d in result.diagnostics}
    assert got == EXPECTED_FULL


def test_messages_and_hints() -> None:
    by_code: dict[str, list[pm.Diagnostic]] = {}
    for d in inspect(MISTAKES).diagnostics:
        by_code.setdefault(d.code.value, []).append(d)
    assert "did you mean 营业收入?" in by_code["E-NAME"][0].hint
    assert "did you mean 执行部门?" in by_code["E-FIELD"][0].hint
    assert "甲 → 乙 → 丙 → 甲" in by_code["E-CYCLE"][0].message
    assert by_code["E-UNIT"][0].message.startswith("营业收入 is money, but 300人 is a count")
    assert "==" in by_code["E-SYNTAX"][0].hint
    (dup,) = by_code["E-DUP"]
    assert [(key(r.span.path), r.span.line) for r in dup.related] == [("gx.rule", 3)]


def test_pm_load_raises_with_every_diagnostic() -> None:
    with pytest.raises(pm.RuleError) as caught:
        pm.load(MISTAKES)
    codes = sorted(d.code.value for d in caught.value.diagnostics)
    assert codes == sorted(code for _, _, code, _ in EXPECTED)


def test_a_syntax_error_in_one_file_does_not_hide_the_others() -> None:
    sources, problems = read_sources(MISTAKES)
    assert problems == []
    with_error = load_sources(sources)
    fixed = dict(sources)
    (gx,) = [p for p in fixed if p.endswith("gx.rule")]
    fixed[gx] = fixed[gx].replace("营业收入 = 2000万", "营业收入 == 2000万")
    without_error = load_sources(fixed)
    assert Code.SYNTAX not in {d.code for d in without_error.diagnostics}

    def places(result: pm.LoadResult) -> set[tuple[str, int, str]]:
        return {(key(d.span.path), d.span.line, d.code.value) for d in result.diagnostics
                if d.code is not Code.SYNTAX}

    assert places(with_error) == places(without_error)
    assert ("kj.rule", 5, "E-UNIT") in places(with_error)


def test_a_syntax_error_in_one_file_still_lets_other_files_be_checked_in_memory() -> None:
    result = load_sources({
        "a.rule": "tag 营业收入: money\ndefine 坏 = (营业收入 >= \n",
        "b.rule": "define 好 = 营业收人 >= 1\ndefine 也好 = 营业收入 >= 300人\n",
    })
    got = {(d.span.path, d.span.line, d.code) for d in result.diagnostics}
    assert got == {("a.rule", 2, Code.SYNTAX), ("b.rule", 1, Code.NAME),
                   ("b.rule", 2, Code.UNIT)}
    assert result.rulebook is None


# ---- the command line ----------------------------------------------------------------------

LOCATION = re.compile(
    r"^(?P<path>[^\s:][^:]*):(?P<line>\d+):(?P<column>\d+): error\[(?P<code>E-[A-Z]+)\]:",
    re.MULTILINE,
)


def test_cli_check_reports_everything_and_exits_1() -> None:
    proc = run_cli("check", MISTAKES_REL)
    output = proc.stdout + proc.stderr
    assert proc.returncode == 1, output
    assert "Traceback" not in output
    got = {
        (str(Path(m["path"]).relative_to(MISTAKES_REL)), int(m["line"]), int(m["column"]),
         m["code"])
        for m in LOCATION.finditer(proc.stdout)
    }
    assert got == EXPECTED_FULL
    assert f"{len(EXPECTED)} error(s)" in proc.stdout
    # each report quotes its line and carries the hint
    assert "   5 |     申请条件: 营业收入 >= 300人" in proc.stdout
    assert "help: did you mean 执行部门?" in proc.stdout


def test_cli_check_json_lists_the_same_diagnostics() -> None:
    proc = run_cli("check", MISTAKES_REL, "--format", "json")
    assert proc.returncode == 1
    assert "Traceback" not in proc.stdout + proc.stderr
    data = json.loads(proc.stdout)
    assert data["ok"] is False
    assert data["errors"] == len(EXPECTED)
    diagnostics = data["diagnostics"]
    assert sorted(d["code"] for d in diagnostics) == sorted(code for _, _, code, _ in EXPECTED)
    got = {(str(Path(d["path"]).relative_to(MISTAKES_REL)), d["line"], d["column"], d["code"])
           for d in diagnostics}
    assert got == EXPECTED_FULL
    for d in diagnostics:
        assert d["severity"] == "error"
        assert d["message"]


def test_cli_check_from_another_directory_with_an_absolute_path(tmp_path: Path) -> None:
    proc = run_cli("check", str(MISTAKES), cwd=tmp_path)
    assert proc.returncode == 1
    assert "Traceback" not in proc.stdout + proc.stderr
    got = {(Path(m["path"]).name, int(m["line"]), m["code"])
           for m in LOCATION.finditer(proc.stdout)}
    assert got == {(f, line, code) for f, line, code, _ in EXPECTED}
