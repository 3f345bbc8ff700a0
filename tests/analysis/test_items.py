"""W-SAME, W-GROUP and W-INCOMPLETE: whole items."""

from __future__ import annotations

from lint_helpers import FIELDS, codes, item, lint_text

from policy_match.dsl.diagnostics import Code


def test_equivalent_conditions_through_a_define() -> None:
    text = ("define 小微 = 企业规模 属于 [\"小型\", \"微型\"]\n"
            + item("A", "小微 且 非 失信被执行人")
            + item("B", "非 失信被执行人 且 企业规模 属于 [\"微型\", \"小型\"]"))
    report = lint_text(text)
    assert [d.code for d in report.diagnostics] == [Code.LINT_SAME]
    d = report.diagnostics[0]
    assert "B" in d.text("en") and d.related and d.related[0].span.line < d.span.line


def test_a_new_edition_in_another_window_is_not_a_copy() -> None:
    text = (item("A", "营业收入 >= 1000万", "    适用时间: 2023-01-01 至 2023-12-31\n")
            + item("B", "营业收入 >= 1000万", "    适用时间: 2024-01-01 至 2024-12-31\n"))
    assert codes(lint_text(text)) == []


def test_equivalence_is_three_valued() -> None:
    """Both hold for the same enterprises when every value is known, but with 研发费用
    missing and revenue 1000万 or more, A is unknown and B true: not the same item."""
    text = (item("A", "营业收入 >= 1000万 且 研发费用 >= 0")
            + item("B", "营业收入 >= 1000万 或 (营业收入 >= 2000万 且 研发费用 < 0)"))
    assert [c for c, _ in codes(lint_text(text))] == ["W-ALWAYS", "W-REDUNDANT"]  # no W-SAME


def test_a_group_whose_members_can_meet_is_clean() -> None:
    text = (item("A", "营业收入 >= 1000万", "    互斥组: \"g\"\n")
            + item("B", "从业人数 >= 10", "    互斥组: \"g\"\n"))
    assert codes(lint_text(text)) == []


def test_a_group_of_disjoint_members() -> None:
    text = (item("A", "营业收入 >= 1000万", "    互斥组: \"g\"\n")
            + item("B", "营业收入 < 500万", "    互斥组: \"g\"\n"))
    report = lint_text(text)
    assert codes(report) == [("W-GROUP", 12)]
    assert [r.span.line for r in report.diagnostics[0].related] == [
        report.diagnostics[0].span.line + 2]


def test_a_group_of_members_in_force_at_different_times() -> None:
    text = (item("A", "营业收入 >= 1000万",
                 "    互斥组: \"g\"\n    适用时间: 2023-01-01 至 2023-12-31\n")
            + item("B", "从业人数 >= 10",
                   "    互斥组: \"g\"\n    适用时间: 2024-01-01 ..\n"))
    assert [c for c, _ in codes(lint_text(text))] == ["W-GROUP"]


def test_missing_fields_are_named_in_order() -> None:
    bare = ('policy "P" {\n    事项名称: "P"\n    申请条件: 营业收入 >= 1万\n'
            '    执行部门: "区测试局"\n}\n')
    report = lint_text(bare)
    assert codes(report) == [("W-INCOMPLETE", 1)]
    assert report.diagnostics[0].text("zh").endswith(
        "事项依据、申请材料、申请方式、办结时限、公布网址、联系人、联系方式")


def test_an_item_redeemed_without_application_needs_no_deadline() -> None:
    fields = FIELDS.replace("    办结时限: 10个工作日\n", "")
    text = (f'policy "P" {{\n    事项名称: "P"\n{fields}    申请条件: 营业收入 >= 1万\n'
            "    免申即享: 是\n}\n")
    assert codes(lint_text(text)) == []
    assert codes(lint_text(text.replace("    免申即享: 是\n", ""))) == [("W-INCOMPLETE", 1)]
