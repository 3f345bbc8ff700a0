"""Syntax errors that say what is missing and where it began (issue 14)."""

from __future__ import annotations

from policy_match.dsl.diagnostics import Code, render_text
from policy_match.dsl.parser import parse
from policy_match.dsl.syntax_errors import never_closed

UNCLOSED = """\
policy "A" {
    事项名称: "x"
    申请条件: (营业收入 >= 5000万 且
        营业收入 < 100万
    兑付标准: 10万
}
"""


def test_an_unclosed_paren_is_reported_where_it_was_opened() -> None:
    (d,) = parse(UNCLOSED, "a.rule").diagnostics
    assert d.code is Code.SYNTAX
    assert (d.span.line, d.span.column) == (3, 11)  # the "(" itself
    assert d.message == "the ( opened at 3:11 is never closed"
    assert d.message.in_("zh") == "第3行第11列的 ( 没有闭合"
    (noticed,) = d.related  # where the parser noticed, as a note
    assert (noticed.span.line, noticed.span.column) == (5, 5)
    assert "兑付标准" in noticed.message
    assert ")" in d.hint_text("zh") and ")" in d.hint_text("en")


def test_the_rendering_points_at_the_opener_in_either_language() -> None:
    result = parse(UNCLOSED, "a.rule")
    zh = render_text(result.diagnostics, {"a.rule": UNCLOSED}, lang="zh")
    assert "a.rule:3:11: 错误[E-SYNTAX]: 第3行第11列的 ( 没有闭合" in zh
    assert "参见: a.rule:5:5: 此处不应出现名称 `兑付标准`" in zh
    en = render_text(result.diagnostics, {"a.rule": UNCLOSED}, lang="en")
    assert "a.rule:3:11: error[E-SYNTAX]: the ( opened at 3:11 is never closed" in en


def test_an_unclosed_brace_at_the_end_of_the_file() -> None:
    text = 'policy "A" {\n    事项名称: "x"\n    申请条件: 营业收入 >= 1\n'
    (d,) = parse(text, "b.rule").diagnostics
    assert (d.span.line, d.span.column) == (1, 12)
    assert d.message.in_("zh") == "第1行第12列的 { 没有闭合"


def test_a_paren_closed_later_is_not_called_unclosed() -> None:
    text = 'define x = (营业收入 >= 1 营业收入 < 2)\n'
    (d,) = parse(text, "c.rule").diagnostics
    assert "never closed" not in d.message
    assert d.message.startswith("unexpected name `营业收入`")


def test_never_closed_skips_strings_comments_and_full_width_brackets() -> None:
    assert never_closed('a = ("(" # (\n)') == []
    assert never_closed("a = （1 + 2") == [4]
    assert never_closed("{ a: ( b }") == [5]  # the } closes the ( inside it


def test_a_field_without_its_colon_is_named_as_such() -> None:
    text = 'policy "A" {\n    事项名称 "x"\n    申请条件: 营业收入 >= 5000万\n}\n'
    (d,) = parse(text, "d.rule").diagnostics
    assert (d.span.line, d.span.column, d.span.end_column) == (2, 5, 9)  # 事项名称
    assert d.message == "missing `:` after the field name 事项名称"
    assert d.message.in_("zh") == "字段名 事项名称 后缺少冒号 `:`"
    assert "expected `{`" not in d.message
    assert d.hint_text("zh") == "字段写作 `事项名称: 值`"


def test_a_field_without_its_colon_before_an_expression() -> None:
    text = 'policy "A" {\n    事项名称: "x"\n    申请条件 营业收入 >= 5000万\n}\n'
    (d,) = parse(text, "e.rule").diagnostics
    assert (d.span.line, d.span.column) == (3, 5)
    assert d.message == "missing `:` after the field name 申请条件"


def test_a_given_entry_without_its_colon() -> None:
    text = ('policy "A" {\n    事项名称: "x"\n    申请条件: 是\n'
            '    示例 "e" { 给定 { 企业规模 "小型" } 预期 符合 }\n}\n')
    (d,) = parse(text, "f.rule").diagnostics
    assert d.message == "missing `:` after 企业规模"


def test_other_syntax_errors_render_in_chinese() -> None:
    (d,) = parse('define x = 企业规模 = "小型"\n', "g.rule").diagnostics
    assert d.message.in_("zh").startswith("此处不应出现`=`；此处应为")
    assert d.hint_text("zh") == "比较请用 `==`；单个 `=` 只用于定义"
    (s,) = parse('define x = "abc\n', "h.rule").diagnostics
    assert s.message.in_("zh") == "字符串没有结束引号"
