"""Every diagnostic of ``check`` renders in Chinese and in English, from the catalogue, once,
at the edge (``render_text``/``render_json`` with ``lang=``)."""

from __future__ import annotations

import json
import re

import pytest

from policy_match.core.loading import LoadResult, load_sources, read_sources
from policy_match.dsl.diagnostics import Code, Diagnostic, render_json, render_text
from policy_match.dsl.words import Words

TAGS = """\
tag 统一社会信用代码: uscc key
tag 营业收入: money
tag 从业人数: count(人)
tag 企业规模: enum["大型", "中型", "小型", "微型"]
tag 所属行业: code(industry)
tag 失信被执行人: bool
tag 得分: number
"""


def policy(condition: str, extra: str = "") -> str:
    return f'policy "P" {{\n    事项名称: "x"\n    申请条件: {condition}\n{extra}}}\n'


# One mistake per code: the text of a.rule (beside TAGS) and the code it must produce.
MISTAKES: list[tuple[Code, str]] = [
    (Code.SYNTAX, "define x = (营业收入 >= 1\n"),
    (Code.NAME, "define x = 营业收人 >= 1\n"),
    (Code.TYPE, "define x = 营业收入 + 失信被执行人\n"),
    (Code.UNIT, "define x = 营业收入 >= 300人\n"),
    (Code.ENUM, 'define x = 企业规模 == "中形"\n'),
    (Code.CODE, 'define x = 所属行业 in ["C3999"]\n'),
    (Code.HIERARCHY, "tag 地区: code(place)\n"),
    (Code.DUP, "tag 营业收入: money\n"),
    (Code.FIELD, policy("是", "    事项明称: \"y\"\n")),
    (Code.REQUIRED, 'policy "P" {\n    事项名称: "x"\n}\n'),
    (Code.VALID, policy("是", "    适用时间: 2025-01-01 至 2024-01-01\n")),
    (Code.CYCLE, "define a = b\ndefine b = a\n"),
    (Code.FUNC, "define x = mni(营业收入, 1万) >= 1\n"),
    (Code.LITERAL, "define x = 营业收入 >= " + "9" * 41 + "\n"),
    (Code.KEY, "tag 编号: text key\n"),
    (Code.CASE, "define x = case { 营业收入 >= 1万: 1 }\n"),
    (Code.EXAMPLE, policy("是", '    示例 "e" { 给定 { 营业收入: 1万 } }\n')),
    (Code.BIDI, "define x = 营业收入 >= 1 # \u202e\n"),
    (Code.RANGE, "define v1 = 得分\n" + "".join(
        f"define v{i} = v{i - 1} * v{i - 1}\n" for i in range(2, 9))),
    (Code.COST, "define x1 = 营业收入 > 1\n" + "".join(
        f"define x{i} = x{i - 1} and 营业收入 > {i}\n" for i in range(2, 1100))),
    (Code.CONFUSABLE, "tag ハ号: number\ntag 八号: number\n"),
]


def check(text: str) -> LoadResult:
    return load_sources({"tags.rule": TAGS, "a.rule": text})


@pytest.mark.parametrize(("code", "text"), MISTAKES, ids=[c.value for c, _ in MISTAKES])
def test_each_code_renders_in_chinese_and_english(code: Code, text: str) -> None:
    result = check(text)
    found = [d for d in result.diagnostics if d.code is code]
    assert found, [f"{d.code.value} {d.message}" for d in result.diagnostics]
    d = found[0]
    assert isinstance(d.message, Words)  # a key and fields, rendered at the edge
    zh, en = d.text("zh"), d.text("en")
    assert zh != en
    assert re.search(r"[\u4e00-\u9fff]", zh), zh
    assert en == str(d.message)
    if d.hint:
        assert d.hint_text("zh") and d.hint_text("en")
    shown_zh = render_text([d], result.sources, lang="zh")
    shown_en = render_text([d], result.sources, lang="en")
    assert f"[{code.value}]: {zh}" in shown_zh and f"[{code.value}]: {en}" in shown_en
    assert ("错误" if d.is_error else "警告") in shown_zh


def test_read_problems_render_in_both_languages(tmp_path: object) -> None:
    _, problems = read_sources("/no/such/folder")
    (d,) = problems
    assert d.code is Code.IO
    assert d.text("zh") == "/no/such/folder 不存在"
    assert d.text("en") == "/no/such/folder does not exist"


def test_render_json_carries_the_code_the_key_and_the_words() -> None:
    result = check("define x = 营业收人 >= 1\n")
    (zh,) = json.loads(render_json(result.diagnostics, lang="zh"))
    assert zh["code"] == "E-NAME"
    assert zh["message_key"] == "check.unknown_name"
    assert zh["message"] == "未定义的名称 营业收人"
    assert zh["hint"] == "是否应为 营业收入？"
    (en,) = json.loads(render_json(result.diagnostics))  # English without lang=
    assert en["message"] == "unknown name 营业收人" and en["hint"] == "did you mean 营业收入?"


def test_a_plain_string_message_is_shown_as_it_is_in_both() -> None:
    from policy_match.dsl.span import Span

    d = Diagnostic(Code.PLUGIN, "plug-in x: broken", Span.whole_file("<plug-ins>"))
    assert d.text("zh") == d.text("en") == "plug-in x: broken"
    assert render_text([d], {}, "zh").startswith("<plug-ins>:1:1: 错误[E-PLUGIN]: plug-in x")


def test_the_default_rendering_stays_english() -> None:
    result = check("define x = 营业收人 >= 1\n")
    shown = render_text(result.diagnostics, result.sources)
    assert "error[E-NAME]: unknown name 营业收人" in shown
    assert "help: did you mean 营业收入?" in shown


def test_lifecycle_warnings_render_in_both_languages() -> None:
    import datetime as dt

    from policy_match.apps.lifecycle.status import lifecycle_warnings

    text = policy("是", "    适用时间: 2020-01-01 至 2020-12-31\n"
                  "    发布日期: 2020-01-06\n    上线日期: 2020-03-02\n")
    result = check(text)
    assert result.rulebook is not None
    found = {d.code: d for d in lifecycle_warnings(result.rulebook, dt.date(2021, 6, 1))}
    expired, late = found[Code.EXPIRED], found[Code.LATE]
    assert expired.text("zh").startswith('事项 "P" 已于 2020-12-31 到期（152 天前，约 5 个月')
    assert expired.text("en").startswith('policy "P" expired on 2020-12-31 (152 days ago')
    assert late.text("zh").startswith('事项 "P"：发布后第')
    assert "个工作日内上线" in late.hint_text("zh") and "working days" in late.hint_text("en")
    assert late.related and late.related[0].message == "issued 2020-01-06"
    assert isinstance(late.related[0].message, Words)
    assert late.related[0].message.in_("zh") == "发布日期 2020-01-06"
