"""The public API of shared/spec/architecture.md, exactly as it is written there."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

import policy_match as pm

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def book() -> pm.Rulebook:
    return pm.load(ROOT / "rules")


def test_the_contract_as_written(book: pm.Rulebook) -> None:
    record = json.loads((ROOT / "examples" / "enterprise.json").read_text("utf-8"))
    policy = book.policies["WH-KJ-2024-003"]
    assert isinstance(policy, pm.Policy) and policy.name
    assert isinstance(book.tags["营业收入"], pm.TagSpec)
    day = dt.date(2024, 7, 1)
    verdict = book.evaluate(record, "WH-KJ-2024-003", as_of=day)
    assert verdict in (pm.Verdict.ELIGIBLE, pm.Verdict.INELIGIBLE, pm.Verdict.UNKNOWN,
                       pm.Verdict.INACTIVE)
    ex = book.explain(record, "WH-KJ-2024-003", as_of=day)
    assert ex.verdict is verdict
    assert isinstance(ex.missing, list) and isinstance(ex.failed, list)
    assert isinstance(ex.gap, list)
    assert json.loads(ex.to_json())["policy_id"] == "WH-KJ-2024-003"
    assert ex.render("zh").startswith("WH-KJ-2024-003")
    labels = book.profile(record)
    assert set(labels) == set(book.defines)
    assert "资质包含“高新技术企业”" in book.describe("WH-KJ-2024-003", lang="zh")
    amount = book.benefit(record, "WH-GX-2024-001", as_of=day)
    assert amount is None or amount is pm.UNKNOWN or amount > 0

    table = pm.EnterpriseTable.from_csv(ROOT / "data" / "enterprises-2000.csv", book)
    assert table.errors == []
    result = book.match(table, as_of=dt.date(2025, 6, 30))
    assert isinstance(result, pm.MatchResult)
    pid = "WH-SW-2024-001"
    eligible = result.eligible(pid)
    assert eligible and result.verdict(eligible[0], pid) is pm.Verdict.ELIGIBLE
    assert isinstance(result.unknown(pid), list)
    assert result.for_enterprise(eligible[0])[pid] is pm.Verdict.ELIGIBLE


def test_a_bad_rulebook_raises_rule_error_with_diagnostics(tmp_path: Path) -> None:
    (tmp_path / "a.rule").write_text("tag 营业收入: money\ndefine x = 营业收人 > 1\n", "utf-8")
    with pytest.raises(pm.RuleError) as caught:
        pm.load(tmp_path)
    assert [d.code.value for d in caught.value.diagnostics] == ["E-NAME"]
