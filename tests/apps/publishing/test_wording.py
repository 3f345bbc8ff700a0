"""Words for the public: the engine's 评估日 becomes the day that counts for the enterprise."""

from __future__ import annotations

from pathlib import Path

import pytest

import policy_match as pm
from policy_match.apps.publishing.wording import first_case, public, public_gap, tier_table
from policy_match.core.rulebook import Rulebook

RULES = Path(__file__).resolve().parents[3] / "rules"


@pytest.fixture(scope="module")
def book() -> Rulebook:
    return pm.load(RULES)


def test_the_day_is_the_application_day_or_the_review_day(book: Rulebook) -> None:
    applied, automatic = book.policy("WH-GX-2024-001"), book.policy("WH-KJ-2024-003")
    assert public("入规日期距评估日已满1年", applied) == "入规日期距申请之日已满1年"
    assert public("高企认定日期距评估日在1年以内", automatic) == "高企认定日期距审核之日在1年以内"


@pytest.mark.parametrize(("line", "said"), [
    ("✗ 入规日期 2025年3月1日，要求不晚于2024年6月30日（评估日 - 1年）",
     "入规日期 2025年3月1日，要求不晚于2024年6月30日（申请之日前1年）"),
    ("✗ 贷款到期日 2025年9月1日，要求不晚于2025年7月30日（评估日 + 30天）",
     "贷款到期日 2025年9月1日，要求不晚于2025年7月30日（申请之日后30天）"),
    ("✗ 营业收入 1000万元，要求2000万元以上", "营业收入 1000万元，要求2000万元以上"),
])
def test_a_missed_condition_reads_without_engine_marks(book: Rulebook, line: str,
                                                       said: str) -> None:
    assert public_gap(line, book.policy("WH-GX-2024-001")) == said


def test_only_amounts_with_tiers_get_a_table(book: Rulebook) -> None:
    for policy in book.policies.values():
        has_case = policy.benefit is not None and first_case(policy.benefit) is not None
        table = tier_table(book, policy)
        assert (table is not None) is has_case, policy.id
        if table is not None:
            assert table.rows[-1][0] == "其他情形"
            assert "评估日" not in table.lead + "".join(a + b for a, b in table.rows)
