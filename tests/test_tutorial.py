"""The rule author's tutorial (docs/tutorial.md) stays true: its rulebook checks, its examples
pass, and the outputs it quotes are what the commands print."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

import policy_match as pm
from policy_match.apps.publishing import listing as publish
from policy_match.core.examples import run_examples
from policy_match.dsl.ir import Verdict

REPO = Path(__file__).resolve().parents[1]
TUTORIAL = REPO / "docs" / "tutorial.md"
RULES = REPO / "docs" / "tutorial" / "rules"


def quoted_output(command: str) -> str:
    """The output printed under ``$ <command>`` in a fenced block of the tutorial."""
    text = TUTORIAL.read_text(encoding="utf-8")
    start = text.index(f"$ {command}\n") + len(command) + 3
    end = min(i for i in (text.find("\n$ ", start), text.find("\n```", start)) if i != -1)
    return text[start:end]


def test_the_tutorial_rulebook_loads_cleanly_and_is_formatted() -> None:
    result = pm.inspect(RULES)
    assert result.rulebook is not None
    assert result.diagnostics == ()
    from policy_match.dsl.formatter import format_source

    for path in RULES.glob("*.rule"):
        text = path.read_text(encoding="utf-8")
        assert format_source(text, str(path)) == text


def test_the_tutorial_examples_pass_and_cover_every_verdict() -> None:
    book = pm.load(RULES)
    outcomes = run_examples(book)
    assert outcomes and all(o.passed for o in outcomes)
    assert {o.verdict for o in outcomes} == set(Verdict)


def test_the_quoted_describe_output_is_current() -> None:
    book = pm.load(RULES)
    assert quoted_output("policy-match describe docs/tutorial/rules") == \
        book.describe("SW-2023-12-3")


def test_the_quoted_explain_outputs_are_current() -> None:
    book = pm.load(RULES)
    record = {"企业名称": "云南某某软件有限公司", "应纳税所得额": "320万", "从业人数": 45,
              "资产总额": "1800万", "限制禁止类行业企业": "否"}
    day = dt.date(2025, 6, 30)
    shown = quoted_output("policy-match explain docs/tutorial/rules --record 企业.json "
                          "--as-of 2025-06-30")
    assert shown == book.explain(record, "SW-2023-12-3", as_of=day).render("zh")
    partial = {"应纳税所得额": "120万", "从业人数": 45, "限制禁止类行业企业": "否"}
    assert book.explain(partial, "SW-2023-12-3", as_of=day).render("zh") in \
        TUTORIAL.read_text(encoding="utf-8")


def test_the_generated_target_quoted_in_the_tutorial() -> None:
    book = pm.load(RULES)
    target = publish.target_text(book, book.policy("SW-2023-12-3"))
    assert f"“{target}”" in TUTORIAL.read_text(encoding="utf-8")


def test_the_statutory_reading_of_the_quoted_bundled_item() -> None:
    book = pm.load(REPO / "rules")
    shown = quoted_output("policy-match describe rules/ WH-KJ-2024-003")
    assert shown == book.describe("WH-KJ-2024-003")
    assert re.search(r"距评估日在1年以内", shown)


def test_the_quoted_failing_test_output_is_current(tmp_path: Path) -> None:
    """Section 7 breaks the rulebook (``<=`` → ``<``, 兑付 40万 → 50万) and quotes what
    ``policy-match test --lang zh`` prints then: 未通过 in Chinese, not FAIL."""
    import subprocess
    import sys

    rules = tmp_path / "docs" / "tutorial" / "rules"
    shutil.copytree(RULES, rules)
    broken = rules / "小微企业所得税.rule"
    text = broken.read_text(encoding="utf-8")
    text = text.replace("应纳税所得额 <= 300万", "应纳税所得额 < 300万", 1)
    broken.write_text(text.replace("兑付 40万", "兑付 50万", 1), encoding="utf-8")
    script = Path(sys.executable).with_name("policy-match")
    proc = subprocess.run([str(script), "test", "docs/tutorial/rules", "--lang", "zh"],
                          cwd=tmp_path, capture_output=True, text=True, encoding="utf-8",
                          timeout=120)
    assert proc.returncode == 1, proc.stderr
    tutorial = TUTORIAL.read_text(encoding="utf-8")
    start = tutorial.index(f"{broken.relative_to(tmp_path)}:26:5: 未通过")
    quoted = tutorial[start:tutorial.index("\n```", start)]
    assert proc.stdout.rstrip("\n") == quoted
    assert "FAIL" not in quoted
