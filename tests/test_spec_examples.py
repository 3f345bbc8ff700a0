"""Every example of the language reference (rule-language.md) parses, checks and — where it
is a worked example — passes: tests/rulebooks/spec_examples assembles them."""

from __future__ import annotations

import re
from pathlib import Path

import policy_match as pm
from policy_match.core.examples import run_examples

ROOT = Path(__file__).resolve().parents[1]
BOOK = ROOT / "tests" / "rulebooks" / "spec_examples"
# The reference as this checkout knows it; the shared original, when it sits beside the
# checkout (the workplace layout), must be the same text.
SPEC = ROOT / "tests" / "fixtures" / "spec" / "rule-language.md"
SHARED_SPEC = ROOT.parent / "shared" / "spec" / "rule-language.md"


def test_the_spec_examples_rulebook_loads_and_its_examples_pass() -> None:
    book = pm.load(BOOK)
    assert "WH-KJ-2024-003" in book.policies  # §8's policy, verbatim
    outcomes = run_examples(book)
    assert outcomes and all(o.passed for o in outcomes), [
        (o.policy.id, o.example.title, o.problems) for o in outcomes if not o.passed]


def _code_lines(markdown: str) -> list[str]:
    blocks = re.findall(r"```[^\n]*\n(.*?)```", markdown, flags=re.S)
    lines = []
    for block in blocks:
        for line in block.splitlines():
            code = line.split("#", 1)[0].strip() if '"' not in line.split("#", 1)[0] \
                else line.strip()
            if code and not code.startswith("rules/") and "|" not in code[:6] \
                    and not code.startswith("help:") and not code.startswith("^"):
                lines.append(code)
    return lines


def test_the_copy_of_the_spec_is_current() -> None:
    assert SPEC.read_text("utf-8").strip()
    if SHARED_SPEC.exists():  # in a bare clone there is only the copy
        assert SPEC.read_text("utf-8") == SHARED_SPEC.read_text("utf-8")


def test_every_code_line_of_the_spec_is_in_the_rulebook() -> None:
    text = "\n".join(p.read_text("utf-8") for p in sorted(BOOK.rglob("*.rule")))
    squashed = re.sub(r"\s+", " ", text)
    missing = [line for line in _code_lines(SPEC.read_text("utf-8"))
               if re.sub(r"\s+", " ", line) not in squashed]
    assert missing == []
