"""Shared by the lint tests (imported by them; not a test module): a small schema and a
way to lint a snippet of rules."""

from __future__ import annotations

import datetime as dt

from policy_match.analysis import LintReport, analyse
from policy_match.core.loading import load_sources
from policy_match.dsl.vocabulary import Vocabulary

TODAY = dt.date(2025, 6, 1)

TAGS = """\
tag 统一社会信用代码: uscc key
tag 营业收入: money
tag 研发费用: money
tag 应纳税所得额: money signed
tag 从业人数: count(人)
tag 营业收入增长率: ratio
tag 成立日期: date
tag 失信被执行人: bool
tag 企业规模: enum["大型", "中型", "小型", "微型"]
tag 所属行业: code(industry)
tag 所在区域: code(region)
tag 资质: set["高新技术企业", "科技型中小企业"]
tag 所获荣誉: set[text]
tag 企业名称: text
tag 细分市场年限: duration
"""

FIELDS = """\
    事项依据: "依据"
    申请材料: ["申请表"]
    申请方式: "线上"
    办结时限: 10个工作日
    公布网址: "https://example.gov.cn/p"
    执行部门: "区测试局"
    联系人: "张三"
    联系方式: "0871-00000000"
"""


def item(pid: str, condition: str, extra: str = "") -> str:
    """A policy with every 清单 field, the condition and any extra lines."""
    return (f'policy "{pid}" {{\n    事项名称: "{pid}"\n{FIELDS}    申请条件: {condition}\n'
            f"{extra}}}\n")


def lint_text(text: str, vocabulary: Vocabulary | None = None,
              today: dt.date | None = TODAY) -> LintReport:
    """Lint the tags above plus ``text``; ``today=None``: 评估日 is any day."""
    result = load_sources({"t.rule": TAGS + text}, vocabulary)
    assert result.rulebook is not None, [str(d) for d in result.diagnostics if d.is_error]
    return analyse(result.rulebook, today=today)


def codes(report: LintReport) -> list[tuple[str, int]]:
    """(code, line in the snippet after the tags) of every finding."""
    skip = TAGS.count("\n")
    return [(d.code.value, d.span.line - skip) for d in report.diagnostics]
