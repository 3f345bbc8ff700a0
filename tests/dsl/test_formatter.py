"""The formatter: canonical text that means what the tree means, keeps every comment, and is
a fixed point of itself.

AST equality ignores spans, so "parse → format → parse gives an equal module" is the whole
statement of "formatting never changes meaning" — including keyword spellings and
parentheses, which the tree keeps. Hand-written files pin down every construct and the
comment placements; hypothesis builds random trees (in the shape the parser produces) and
random comment placements to cover the combinations nobody would write by hand.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from policy_match.dsl import ast
from policy_match.dsl.formatter import display_width, format_module, format_source
from policy_match.dsl.parser import KEYWORDS, PAIRS, parse

ROOT = Path(__file__).resolve().parents[2]

# ---- helpers ----------------------------------------------------------------------------


def parse_ok(text: str) -> ast.Module:
    result = parse(text, "t.rule")
    assert result.diagnostics == (), [d.message for d in result.diagnostics]
    return result.module


def fmt(text: str) -> str:
    out = format_source(text, "t.rule")
    assert out is not None, "the input has syntax errors"
    return out


def comment_texts(module: ast.Module) -> list[str]:
    return [c.text.rstrip() for c in module.comments]


def assert_formats_well(text: str) -> str:
    """The three properties every input must have; returns the canonical text."""
    before = parse_ok(text)
    out = fmt(text)
    after = parse_ok(out)
    assert after.decls == before.decls, out
    assert comment_texts(after) == comment_texts(before), out
    assert fmt(out) == out
    return out


# ---- hand-written files covering every construct ----------------------------------------

EVERY_CONSTRUCT = """\
# 文件头注释
# 第二行

# ---- 企业库 ----
tag 统一社会信用代码: uscc key "统一社会信用代码"   # 主键
tag 企业名称：text
tag 所属行业: code(industry)  “国民经济行业分类 GB/T 4754-2017”
tag 所在区域: code（region）
tag 从业人数: count(人) "年末从业人员数"
tag 营业收入: money
tag 研发费用: money
tag 营业收入增长率: ratio
tag 成立日期: date
tag 经营年限: duration
tag 备注: text
tag 分值: number
tag 企业规模: enum["大型"，"中型", "小型", "微型",]
tag 空枚举: enum[]
tag 资质: set["高新技术企业", "科技型中小企业", "创新型中小企业"]
tag 所获荣誉: set[text]
tag 失信被执行人: bool
tag revenue: money "English name"

# 企业画像
define 小型微利 = 营业收入 <= 300万 and 从业人数 <= 300人 且 资产总额 ≤ 5000万
define 大企业 = 营业收入 ≥ 1.5亿元 或 从业人数 >= 1000人 or 营业收入 > 2000万
define 非失信 = 非 失信被执行人 and not 失信被执行人
define 占比 = 研发费用 / 营业收入
define 算式 = -营业收入 + 2 * (研发费用 - 3) / 4 - -5 - (1 - 2)
define 比较 = 营业收入 ≠ 0 and 营业收入 == 1 and 分值 < 3.5 and 分值 > 2.5
define 行业 = 所属行业 in ["C", "I65"] and 所属行业 属于 ["C"，] and 所在区域 not in ["530102011"]
define 区域 = 所在区域 不属于 ["530103"]
define 资质们 = 资质 has "高新技术企业" and 资质 包含 “科技型中小企业”
define 任一资质 = 资质 has any ["高新技术企业"] or 资质 包含任一 ["科技型中小企业"]
define 全部资质 = 资质 has all ["高新技术企业"] and 资质 包含全部 ["科技型中小企业", "创新企业"]
define 已知量 = known(营业收入) and 已知（研发费用）
define 老企业 = 成立日期 <= today - 3年 and 成立日期 <= 评估日 - 6个月 and 成立日期 < 2024-07-01
define 计数 = all of [a, b] and 全部满足 [a, b] and any of [a] and 任一满足 [b]
define 至少 = at least 2 of [a, b, c] or 至少满足 2 项 [a, b, c] or 至少满足3项[a, b, c, d]
define 真假 = true and false or 是 and 否
define 函数 = min(5%, 3% + 1%) + max(1, 2,) + abs(-3) + 10% + 20个工作日 + 30天 + 5个
define 档位 = case { 营业收入 >= 5亿: 30万; 营业收入 >= 1亿: 10万; else: 0 }
define 档位二 = case {
    营业收入 <= 5000万: 研发费用 / 营业收入 >= 5%   # 小
    营业收入 <= 2亿:    研发费用 / 营业收入 >= 4%
    # 大
    否则:               研发费用 / 营业收入 >= 3%
}
define 分号 = case { a: b; -c > 0: 1; d: f; (e): 2 ; 否则: 3 }
define 无默认 = case { a: 1 }
define 嵌套 = ((a and b) and c) or (not (a or b))
define 引号 = "含\\"引号\\"与\\\\反斜杠\\n换行\\t制表" == “含"号”

# 政策
policy "WH-KJ-2024-003" {   # 跟在花括号后
    # 字段前
    事项名称: "高新技术企业首次认定奖励"
    事项依据: "第五条"
    适用时间: 2024-01-01 至 2026-12-31
    推送方式: 精准  # 只推送给持有高企资质的企业
    免申即享: 是
    申请条件: 全部满足 [
        # 列表项前
        资质 包含 "高新技术企业",
        成立日期 <= 评估日 - 1年,   # 列表项后
        所在区域 属于 ["530102"]
        # 列表末尾
    ]
    申请材料：["申请表"，"高新技术企业证书"]
    办结时限: 20个工作日
    兑付标准: case {
        营业收入 >= 5亿: 30万   # 分支后
        # 分支前
        else: 20万
    }
    示例 "首次认定的高企" {
        评估日 2024-07-01
        给定 { 资质: ["高新技术企业"], 所在区域: "530102003" 失信被执行人: 否 }
        预期 符合
        兑付 20万
    }
    示例 "多行给定" {
        # 示例项前
        给定 {
            资质: ["高新技术企业"],   # 给定项后
            # 给定项前
            所在区域: "530102003",
        }
        预期 不符合
        # 示例末尾
    }
    # 政策末尾
}   # 政策后

policy "EN-1" {
    name: "English aliases"
    basis: "basis"
    content: "content"
    target: "target"
    valid: 2024-01-01 ..
    eligible: revenue >= 2000万 and
        # inside a condition
        revenue <= 5亿   # trailing inside
    materials: ["a", "b"]
    channel: "online"
    deadline: 20个工作日
    category: "奖补类"
    url: "https://example.gov.cn/x#frag"
    department: "dept"
    contact: "Li"
    phone: "0871"
    push: 普惠
    group: "g"
    no_application: false
    benefit: min(revenue * 10%, 100万)
    published: 2024-01-01
    online: 2024-03-15
    example "as of" {
        as of 2024-07-01
        given { revenue: 3000万 }
        expect eligible
        benefit 100万
    }
    example "today" {
        today 2024-07-01
        given {}
        expect unknown
    }
}

policy "P3" { name: "c" valid: 2024-1-1 .. 2025-12-31 eligible: true }
# 文件末尾
"""


def test_every_construct_round_trips() -> None:
    assert_formats_well(EVERY_CONSTRUCT)


def _parses_cleanly(path: Path) -> bool:
    return not parse(path.read_text(encoding="utf-8"), str(path)).diagnostics


SHIPPED = sorted((ROOT / "rules").glob("*.rule")) + sorted(
    (ROOT / "tests" / "rulebooks").rglob("*.rule"))


def test_the_deliberately_broken_files_are_the_mistakes() -> None:
    broken = [p for p in SHIPPED if not _parses_cleanly(p)]
    assert broken and all("mistakes" in p.parts for p in broken)


@pytest.mark.parametrize("path", [p for p in SHIPPED if _parses_cleanly(p)],
                         ids=lambda p: str(p.relative_to(ROOT)))
def test_shipped_rule_files_round_trip(path: Path) -> None:
    assert_formats_well(path.read_text(encoding="utf-8"))


def test_every_construct_canonical_form() -> None:
    out = fmt(EVERY_CONSTRUCT)
    lines = out.splitlines()
    # Full-width punctuation and Chinese quotes are gone; ≥ ≤ ≠ are written in ASCII.
    for ch in "：，；（）“”≥≤≠":
        assert ch not in out, ch
    assert 'tag 企业名称: text' in lines
    assert 'tag 所属行业: code(industry) "国民经济行业分类 GB/T 4754-2017"' in lines
    assert 'tag 企业规模: enum["大型", "中型", "小型", "微型"]' in lines
    assert 'tag 空枚举: enum[]' in lines
    assert 'tag 统一社会信用代码: uscc key "统一社会信用代码"  # 主键' in lines
    # One And node holds one spelling (the chain's first); a mixed chain reads uniformly.
    assert "define 小型微利 = 营业收入 <= 300万 and 从业人数 <= 300人 and 资产总额 <= 5000万" in (
        lines
    )
    assert "define 大企业 = 营业收入 >= 1.5亿元 或 从业人数 >= 1000人 或 营业收入 > 2000万" in (
        lines
    )
    assert "define 非失信 = 非 失信被执行人 and not 失信被执行人" in lines
    assert "define 算式 = -营业收入 + 2 * (研发费用 - 3) / 4 - -5 - (1 - 2)" in lines
    assert "define 已知量 = known(营业收入) and 已知(研发费用)" in lines
    assert (
        "define 至少 = at least 2 of [a, b, c] or 至少满足 2 项 [a, b, c]"
        " or 至少满足 3 项 [a, b, c, d]"
    ) in lines
    assert (
        "define 函数 = min(5%, 3% + 1%) + max(1, 2) + abs(-3) + 10% + 20个工作日 + 30天 + 5个"
    ) in lines
    assert 'define 引号 = "含\\"引号\\"与\\\\反斜杠\\n换行\\t制表" == "含\\"号"' in lines
    # A case is one branch per line, else last, ';' only where a branch would run on.
    i = lines.index("define 分号 = case {")
    assert lines[i + 1: i + 7] == [
        "    a: b;", "    -c > 0: 1", "    d: f;", "    (e): 2", "    否则: 3", "}",
    ]
    i = lines.index("define 档位 = case {")
    assert lines[i + 1: i + 5] == ["    营业收入 >= 5亿: 30万", "    营业收入 >= 1亿: 10万",
                                   "    else: 0", "}"]
    # Validity in its three forms, examples with their date keyword.
    assert "    适用时间: 2024-01-01 至 2026-12-31" in lines
    assert "    valid: 2024-01-01 .." in lines
    assert "    valid: 2024-1-1 .. 2025-12-31" in lines
    assert "        as of 2024-07-01" in lines
    assert "        评估日 2024-07-01" in lines
    assert "        today 2024-07-01" in lines
    given_line = '        给定 { 资质: ["高新技术企业"], 所在区域: "530102003", 失信被执行人: 否 }'
    assert given_line in lines
    assert "        given {}" in lines


def test_comment_placement() -> None:
    out = fmt(EVERY_CONSTRUCT)
    lines = out.splitlines()
    assert lines[:5] == ["# 文件头注释", "# 第二行", "", "# ---- 企业库 ----",
                         'tag 统一社会信用代码: uscc key "统一社会信用代码"  # 主键']
    # A blank line sets a commented declaration apart; the comment stays on top of it.
    i = lines.index("# 企业画像")
    assert lines[i - 1] == "" and lines[i + 1].startswith("define 小型微利 =")
    # Own-line comments keep their place and take the indentation of what follows.
    assert lines[lines.index('policy "WH-KJ-2024-003" {  # 跟在花括号后') + 1] == "    # 字段前"
    i = lines.index("    申请条件: 全部满足 [")
    assert lines[i + 1: i + 7] == [
        "        # 列表项前",
        '        资质 包含 "高新技术企业",',
        "        成立日期 <= 评估日 - 1年,  # 列表项后",
        '        所在区域 属于 ["530102"],',
        "        # 列表末尾",
        "    ]",
    ]
    i = lines.index("    兑付标准: case {")
    assert lines[i + 1: i + 5] == [
        "        营业收入 >= 5亿: 30万  # 分支后",
        "        # 分支前",
        "        else: 20万",
        "    }",
    ]
    i = lines.index("        # 示例项前")
    assert lines[i + 1: i + 10] == [
        "        给定 {",
        '            资质: ["高新技术企业"],  # 给定项后',
        "            # 给定项前",
        '            所在区域: "530102003",',
        "        }",
        "        预期 不符合",
        "        # 示例末尾",
        "    }",
        "    # 政策末尾",
    ]
    assert lines[i + 10] == "}  # 政策后"
    # A comment inside an and-chain keeps the chain broken, one operand per line.
    i = lines.index("    eligible: revenue >= 2000万")
    assert lines[i + 1: i + 3] == ["        # inside a condition",
                                   "        and revenue <= 5亿  # trailing inside"]
    # A case branch comment written beside it stays beside it.
    assert "    营业收入 <= 5000万: 研发费用 / 营业收入 >= 5%  # 小" in lines
    assert lines[-2:] == ["", "# 文件末尾"]


def test_comments_inside_a_flattened_expression_land_after_its_line() -> None:
    """A comment inside something printed on one line cannot stay inside: it follows it."""
    text = "define x = min(1,  # one\n  2)\ndefine y = min(\n  # lead\n  1, 2)\ndefine z = 1\n"
    out = assert_formats_well(text)
    assert out == "define x = min(1, 2)  # one\ndefine y = min(1, 2)\n\n# lead\ndefine z = 1\n"


def test_two_trailing_comments_on_one_printed_line() -> None:
    text = "define x = a +  # one\n    b  # two\n"
    out = assert_formats_well(text)
    assert out == "define x = a + b  # one\n# two\n"


def test_comment_only_file_and_empty_file() -> None:
    assert fmt("") == ""
    assert fmt("# only\n\n# comments\n") == "# only\n\n# comments\n"


def test_syntax_error_gives_none() -> None:
    assert format_source("define x = (1 + \n", "t.rule") is None
    assert format_source('policy "p" { 事项名称: }', "t.rule") is None


# ---- layout -----------------------------------------------------------------------------


def test_spacing_and_blank_lines() -> None:
    text = (
        'tag a:money\ntag b :count(人)\ndefine c=a>=1\ndefine d=(a+b)*-2\n'
        'policy "p"{事项名称:"n" 申请条件:c}\ndefine e=1\n'
    )
    assert assert_formats_well(text) == (
        "tag a: money\ntag b: count(人)\n\ndefine c = a >= 1\ndefine d = (a + b) * -2\n\n"
        'policy "p" {\n    事项名称: "n"\n    申请条件: c\n}\n\ndefine e = 1\n'
    )


def test_long_conditions_break_before_each_keyword() -> None:
    item = "营业收入增长率 >= 10%"
    text = f"define x = {' and '.join([item] * 6)} or 失信被执行人\n"
    out = assert_formats_well(text)
    lines = out.splitlines()
    assert lines[0] == "define x = 营业收入增长率 >= 10%"
    assert lines[1] == "    and 营业收入增长率 >= 10%"
    assert lines[-1] == "    or 失信被执行人"
    assert all(display_width(line) <= 100 for line in lines)


def test_long_or_of_ands_breaks_outer_first() -> None:
    left = " and ".join(["营业收入 >= 2000万"] * 3)
    text = f"define x = {left} or {left}\n"
    out = assert_formats_well(text)
    assert out.splitlines() == [f"define x = {left}", f"    or {left}"]


def test_long_lists_one_item_per_line_with_trailing_commas() -> None:
    items = ", ".join(f'"第{i}项材料名称"' for i in range(8))
    out = assert_formats_well(f'policy "p" {{ 事项名称: "n" 申请材料: [{items}] }}\n')
    lines = out.splitlines()
    assert lines[2] == "    申请材料: ["
    assert lines[3] == '        "第0项材料名称",'
    assert lines[10] == '        "第7项材料名称",'
    assert lines[11] == "    ]"


def test_short_list_stays_inline() -> None:
    assert fmt("define x = a in [\n  1,\n  2,\n]\n") == "define x = a in [1, 2]\n"


def test_given_breaks_when_too_wide_cjk_counting_double() -> None:
    # 42 CJK characters of value take 84 columns: too wide once indented.
    value = "很" * 42
    text = f'policy "p" {{ 示例 "e" {{ 给定 {{ 甲: "{value}", 乙: 1 }} }} }}\n'
    lines = assert_formats_well(text).splitlines()
    assert lines[2:7] == ["        给定 {", f'            甲: "{value}",', "            乙: 1,",
                          "        }", "    }"]


def test_display_width() -> None:
    assert display_width("ab") == 2
    assert display_width("营业收入") == 8
    assert display_width("：") == 2


def test_case_nested_in_arithmetic() -> None:
    text = "define x = min(case { a: 1; else: 2 }, 3) * 2\n"
    out = assert_formats_well(text)
    assert out == "define x = min(case {\n    a: 1\n    else: 2\n}, 3) * 2\n"


# ---- hand-built trees: the formatter adds the parentheses the tree needs ----------------


def N(name: str) -> ast.Name:
    return ast.Name(name)


@pytest.mark.parametrize(
    ("expr", "text"),
    [
        (ast.Arith("-", N("a"), ast.Arith("-", N("b"), N("c"))), "a - (b - c)"),
        (ast.Arith("*", ast.Arith("+", N("a"), N("b")), N("c")), "(a + b) * c"),
        (ast.Arith("/", N("a"), ast.Arith("*", N("b"), N("c"))), "a / (b * c)"),
        (ast.Neg(ast.Arith("+", N("a"), N("b"))), "-(a + b)"),
        (ast.Not(ast.And((N("a"), N("b")))), "not (a and b)"),
        (ast.And((ast.And((N("a"), N("b"))), N("c"))), "(a and b) and c"),
        (ast.And((ast.Or((N("a"), N("b"))), N("c"))), "(a or b) and c"),
        (ast.Compare(">", ast.Compare(">", N("a"), N("b")), N("c")), "(a > b) > c"),
    ],
)
def test_hand_built_trees_keep_their_meaning(expr: ast.Expr, text: str) -> None:
    module = ast.Module("t.rule", (ast.DefineDecl(N("x"), expr),))
    out = format_module(module)
    assert out == f"define x = {text}\n"
    # Re-parsed, the tree is the same once the parser's own Paren nodes are taken out.
    reparsed = parse_ok(out).decls[0]
    assert isinstance(reparsed, ast.DefineDecl)
    assert _unparen(reparsed.expr) == expr


@pytest.mark.parametrize(
    ("expr", "text"),
    [
        (ast.In(N("a"), ast.ListExpr(()), negated=True), "a not in []"),
        (ast.Has(N("a"), "any", ast.ListExpr((N("b"),))), "a has any [b]"),
        (ast.Bool(False), "false"),
        (ast.Today("now"), "today"),
    ],
)
def test_hand_built_keyword_that_does_not_fit_the_node_falls_back_to_english(
    expr: ast.Expr, text: str
) -> None:
    """The default ``kw`` of a node built by hand must not print a different meaning."""
    module = ast.Module("t.rule", (ast.DefineDecl(N("x"), expr),))
    assert format_module(module) == f"define x = {text}\n"


def _unparen(e: object) -> object:
    import dataclasses

    if isinstance(e, ast.Paren):
        return _unparen(e.inner)
    if isinstance(e, tuple):
        return tuple(_unparen(x) for x in e)
    if dataclasses.is_dataclass(e) and not isinstance(e, type):
        changes = {f.name: _unparen(getattr(e, f.name)) for f in dataclasses.fields(e)
                   if f.name != "span"}
        return dataclasses.replace(e, **changes)
    return e


# ---- generated rulebooks ----------------------------------------------------------------

_RESERVED = set(KEYWORDS) | {word for pair in PAIRS for word in pair}
_SAMPLE_NAMES = [
    "营业收入", "研发费用", "资质", "所在区域", "从业人数", "成立日期", "失信被执行人", "a", "b",
    "revenue", "x_1", "_private", "事项名称", "name", "eligible", "给定", "示例", "符合",
    "min", "max", "abs", "是否", "非常", "包含者", "属于者", "至今", "否则然", "any_thing",
    "allx", "atx", "年", "万元", "元",
]


def _is_name(word: str) -> bool:
    return (
        re.fullmatch(r"[^\W\d]\w*", word) is not None
        and word not in _RESERVED
        and "至少满足" not in word
    )


assert all(_is_name(n) for n in _SAMPLE_NAMES)

names = st.one_of(
    st.sampled_from(_SAMPLE_NAMES),
    st.text(
        alphabet=st.sampled_from("abcxyzAZ_营业收入资质区域是否非且或至包含属于"), min_size=1,
        max_size=6,
    ).flatmap(lambda head: st.text(alphabet="abc019_年万", max_size=3).map(lambda t: head + t)),
).filter(_is_name).map(ast.Name)

_digits = st.from_regex(r"[0-9]{1,6}(\.[0-9]{1,3})?", fullmatch=True)
numbers = _digits.map(ast.Number)
quantities = st.builds(
    ast.Quantity,
    _digits,
    st.sampled_from(["万", "亿", "元", "万元", "亿元", "人", "个", "家", "%", "年", "个月", "天",
                     "个工作日"]),
)
dates = st.builds(
    lambda y, m, d, pad: ast.DateLit(f"{y:04d}-{m:02d}-{d:02d}" if pad else f"{y}-{m}-{d}"),
    st.integers(1990, 2099), st.integers(1, 12), st.integers(1, 28), st.booleans(),
)
strings = st.text(
    alphabet=st.sampled_from('ab 中文"\\\n\t#“”：，,;}{[]()\u3000\r'), max_size=8,
).map(ast.String)
bools = st.sampled_from([ast.Bool(True, "true"), ast.Bool(True, "是"), ast.Bool(False, "false"),
                         ast.Bool(False, "否")])
todays = st.sampled_from([ast.Today("today"), ast.Today("评估日")])
knowns = st.builds(ast.Known, names, st.sampled_from(["known", "已知"]))

# Binding levels, loosest first, as in the grammar.
OR, AND, NOT, CMP, SUM, PROD, UNARY, PRIMARY = range(8)

_LEAVES = st.one_of(numbers, quantities, dates, strings, bools, names, todays, knowns)
_COMPARE_OPS = ["<", "<=", ">", ">=", "==", "!="]
_IN_SPELLINGS = [(False, "in"), (False, "属于"), (True, "not in"), (True, "不属于")]
_HAS_SPELLINGS = [("one", "has"), ("one", "包含"), ("any", "has any"), ("any", "包含任一"),
                  ("all", "has all"), ("all", "包含全部")]


def _tuple(draw: st.DrawFn, item: st.SearchStrategy, lo: int = 0, hi: int = 3) -> tuple:
    return tuple(draw(st.lists(item, min_size=lo, max_size=hi)))


@st.composite
def exprs(draw: st.DrawFn, level: int = OR, depth: int = 3) -> ast.Expr:
    """A random expression binding at least as tightly as ``level``, shaped as parsed.

    The parser never puts an ``and`` directly inside an ``and`` (it flattens the chain),
    never a comparison directly under a comparison, and so on: each operand is drawn at
    the level the grammar gives that position, and anything looser appears only inside a
    ``Paren`` (a primary, allowed everywhere).
    """
    kinds = ["leaf"]
    if depth > 0:
        kinds += ["call", "paren", "list", "all_of", "any_of", "at_least", "case"]
        kinds += ["neg"] if level <= UNARY else []
        kinds += ["product"] if level <= PROD else []
        kinds += ["sum"] if level <= SUM else []
        kinds += ["compare", "in", "has"] if level <= CMP else []
        kinds += ["not"] if level <= NOT else []
        kinds += ["and"] if level <= AND else []
        kinds += ["or"] if level <= OR else []
    kind = draw(st.sampled_from(kinds))
    d = depth - 1

    def sub(lvl: int = OR) -> ast.Expr:
        return draw(exprs(lvl, d))

    def some(lvl: int, lo: int = 0, hi: int = 3) -> tuple[ast.Expr, ...]:
        return _tuple(draw, exprs(lvl, d), lo, hi)

    def a_list() -> ast.ListExpr:
        return ast.ListExpr(some(OR))

    match kind:
        case "leaf":
            return draw(_LEAVES)
        case "call":
            return ast.Call(draw(names), some(OR))
        case "paren":
            return ast.Paren(sub())
        case "list":
            return a_list()
        case "all_of":
            return ast.AllOf(a_list(), draw(st.sampled_from(["all of", "全部满足"])))
        case "any_of":
            return ast.AnyOf(a_list(), draw(st.sampled_from(["any of", "任一满足"])))
        case "at_least":
            return ast.AtLeast(draw(st.integers(0, 12)), a_list(), draw(st.booleans()))
        case "case":
            branches = tuple(ast.CaseBranch(sub(), sub())
                             for _ in range(draw(st.integers(1, 3))))
            if draw(st.booleans()):
                return ast.Case(branches, sub(), draw(st.sampled_from(["else", "否则"])))
            return ast.Case(branches, None)  # the parser says "else" when there is none
        case "neg":
            return ast.Neg(sub(UNARY))
        case "product":
            return ast.Arith(draw(st.sampled_from("*/")), sub(PROD), sub(UNARY))
        case "sum":
            return ast.Arith(draw(st.sampled_from("+-")), sub(SUM), sub(PROD))
        case "compare":
            return ast.Compare(draw(st.sampled_from(_COMPARE_OPS)), sub(SUM), sub(SUM))
        case "in":
            negated, kw = draw(st.sampled_from(_IN_SPELLINGS))
            return ast.In(sub(SUM), a_list(), negated, kw)
        case "has":
            mode, kw = draw(st.sampled_from(_HAS_SPELLINGS))
            value = sub(SUM)
            leftmost = value
            while isinstance(leftmost, ast.Arith):
                leftmost = leftmost.left
            if kw == "has" and getattr(leftmost, "kw", "") in ("all of", "any of"):
                value = ast.Paren(value)  # `has all of [...]` lexes as `has all` + `of`
            return ast.Has(sub(SUM), mode, value, kw)
        case "not":
            return ast.Not(sub(NOT), draw(st.sampled_from(["not", "非"])))
        case "and":
            return ast.And(some(NOT, 2, 3), draw(st.sampled_from(["and", "且"])))
        case _:
            return ast.Or(some(AND, 2, 3), draw(st.sampled_from(["or", "或"])))


def _lists(items: st.SearchStrategy, lo: int = 0, hi: int = 3) -> st.SearchStrategy:
    return st.lists(items, min_size=lo, max_size=hi).map(tuple)


type_exprs = st.one_of(
    st.builds(ast.TypeExpr, names),
    st.builds(ast.TypeExpr, names, names),
    st.builds(ast.TypeExpr, names, st.none(), _lists(st.one_of(strings, names))),
)
tags = st.builds(ast.TagDecl, names, type_exprs, st.booleans(), st.none() | strings)
defines = st.builds(ast.DefineDecl, names, exprs())
validities = st.one_of(
    st.builds(ast.Validity, dates, dates, st.sampled_from(["至", ".."])),
    st.builds(ast.Validity, dates, st.none(), st.sampled_from(["至", ".."])),
)
fields = st.builds(ast.Field, names, st.one_of(exprs(OR, 2), validities))
example_items = st.one_of(
    st.builds(ast.Given, names, _lists(st.builds(ast.Entry, names, exprs(OR, 2)))),
    st.builds(ast.ExampleStmt, names, exprs(OR, 2)),
    st.builds(ast.ExampleDate, dates, st.sampled_from(["评估日", "today", "as of"])),
)
examples = st.builds(ast.Example, names, strings, _lists(example_items, 0, 3))
policies = st.builds(ast.PolicyDecl, strings, _lists(st.one_of(fields, fields, examples), 0, 4))
modules = _lists(st.one_of(tags, defines, policies), 0, 4).map(
    lambda decls: ast.Module("gen.rule", decls)
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(modules)
def test_generated_trees_round_trip(module: ast.Module) -> None:
    """Random trees of every node kind print to text that parses back to the same tree."""
    out = format_module(module)
    result = parse(out, "gen.rule")
    assert result.diagnostics == (), (out, [d.message for d in result.diagnostics])
    assert result.module.decls == module.decls, out
    assert format_module(result.module) == out


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(modules, st.data())
def test_generated_text_with_comments(module: ast.Module, data: st.DataObject) -> None:
    """Text side: sprinkle comments over canonical text; formatting keeps them all, in order.

    Every line end lies outside any string (strings cannot span lines), so a comment may
    be appended to any line or put on a line of its own anywhere.
    """
    lines = format_module(module).split("\n")[:-1]  # strings may hold a raw \r
    noisy: list[str] = []
    n = 0
    for line in lines:
        if data.draw(st.booleans(), label="own-line comment"):
            noisy.append(f"  # own {n}")
            n += 1
        if data.draw(st.booleans(), label="trailing comment"):
            line += f"   # trail {n}"
            n += 1
        noisy.append(line)
    if data.draw(st.booleans(), label="comment at end"):
        noisy.append(f"# end {n}")
    text = "\n".join(noisy) + "\n"
    out = fmt(text)
    reparsed = parse_ok(out)
    assert reparsed.decls == module.decls, out
    assert comment_texts(reparsed) == comment_texts(parse_ok(text)), out
    assert fmt(out) == out


_STRING_OR_COUNT = re.compile(r'"(?:\\.|[^"\\\n])*"|至少满足 \d+ 项')


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(modules, st.data())
def test_generated_text_with_comments_between_tokens(
    module: ast.Module, data: st.DataObject
) -> None:
    """Comments cut into the middle of expressions, lists, cases and headers.

    Any space outside a string (and outside the single token ``至少满足 N 项``) separates
    two tokens, so it may become ``# comment`` plus a line break without changing meaning.
    """
    text = format_module(module)
    protected = [m.span() for m in _STRING_OR_COUNT.finditer(text)]
    spaces = [
        i for i, ch in enumerate(text)
        if ch == " " and not any(a <= i < b for a, b in protected)
    ]
    if not spaces:
        return
    chosen = sorted(set(data.draw(st.lists(st.sampled_from(spaces), max_size=6))))
    pieces, last = [], 0
    for n, i in enumerate(chosen):
        pieces += [text[last:i], f" # c{n}\n"]
        last = i + 1
    noisy = "".join([*pieces, text[last:]])
    out = fmt(noisy)
    reparsed = parse_ok(out)
    assert reparsed.decls == module.decls, (noisy, out)
    assert comment_texts(reparsed) == [f"# c{n}" for n in range(len(chosen))], out
    assert fmt(out) == out, (noisy, out)


def test_crlf_and_bom_give_plain_lines() -> None:
    text = "\ufeff# head\r\ntag a: money  # m\r\ndefine b = a >= 1\r\n"
    assert fmt(text) == "# head\ntag a: money  # m\n\ndefine b = a >= 1\n"
