"""The parser: rule text → AST (spec §1–§4, §8), spans, and syntax errors (§9).

AST nodes compare without their spans, so expected trees are written as plain node values;
keyword spellings (``and`` / ``且``) are part of the node and so are checked too.
"""

from __future__ import annotations

import pytest

from policy_match.dsl import ast
from policy_match.dsl.diagnostics import Code
from policy_match.dsl.parser import parse

# ---- helpers ----------------------------------------------------------------------------


def N(name: str) -> ast.Name:
    return ast.Name(name)


def S(value: str) -> ast.String:
    return ast.String(value)


def L(*items: ast.Expr) -> ast.ListExpr:
    return ast.ListExpr(tuple(items))


def parse_ok(text: str, path: str = "t.rule") -> ast.Module:
    result = parse(text, path)
    assert result.diagnostics == (), [d.message for d in result.diagnostics]
    return result.module


def expr_of(source: str) -> ast.Expr:
    """The expression of ``define x = <source>``."""
    module = parse_ok(f"define x = {source}\n")
    assert len(module.decls) == 1
    decl = module.decls[0]
    assert isinstance(decl, ast.DefineDecl)
    assert decl.name == N("x")
    return decl.expr


def syntax_errors(text: str, path: str = "t.rule") -> list:
    result = parse(text, path)
    assert result.diagnostics, "expected a syntax error"
    assert all(d.code is Code.SYNTAX for d in result.diagnostics)
    return list(result.diagnostics)


# ---- literals (§3) ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("300", ast.Number("300")),
        ("2.5", ast.Number("2.5")),
        ("2000万", ast.Quantity("2000", "万")),
        ("1.5亿", ast.Quantity("1.5", "亿")),
        ("20万元", ast.Quantity("20", "万元")),
        ("500元", ast.Quantity("500", "元")),
        ("1.5亿元", ast.Quantity("1.5", "亿元")),
        ("300人", ast.Quantity("300", "人")),
        ("5个", ast.Quantity("5", "个")),
        ("10%", ast.Quantity("10", "%")),
        ("3.5%", ast.Quantity("3.5", "%")),
        ("3年", ast.Quantity("3", "年")),
        ("6个月", ast.Quantity("6", "个月")),
        ("30天", ast.Quantity("30", "天")),
        ("20个工作日", ast.Quantity("20", "个工作日")),
        ("2024-07-01", ast.DateLit("2024-07-01")),
        ('"高新技术企业"', S("高新技术企业")),
        ("“高新技术企业”", S("高新技术企业")),
        (r'"say \"hi\""', S('say "hi"')),
        ("true", ast.Bool(True, "true")),
        ("false", ast.Bool(False, "false")),
        ("是", ast.Bool(True, "是")),
        ("否", ast.Bool(False, "否")),
        ('["a", "b", "c"]', L(S("a"), S("b"), S("c"))),
        ("[a, b, c,]", L(N("a"), N("b"), N("c"))),
        ("[]", L()),
        ("-5", ast.Neg(ast.Number("5"))),
        ("营业收入", N("营业收入")),
        ("revenue_2", N("revenue_2")),
        ("_x", N("_x")),
    ],
)
def test_literal_forms(source: str, expected: ast.Expr) -> None:
    assert expr_of(source) == expected


def test_quantity_text_round_trips() -> None:
    node = expr_of("20个工作日")
    assert isinstance(node, ast.Quantity)
    assert node.text == "20个工作日"


def test_full_width_punctuation_and_chinese_quotes() -> None:
    assert expr_of("资质 包含任一 [“甲”，“乙”]") == ast.Has(
        N("资质"), "any", L(S("甲"), S("乙")), "包含任一"
    )
    assert expr_of("min（1，2）") == ast.Call(N("min"), (ast.Number("1"), ast.Number("2")))
    assert expr_of("（a 或 b） 且 c") == ast.And(
        (ast.Paren(ast.Or((N("a"), N("b")), "或")), N("c")), "且"
    )
    assert expr_of("case { 失信：1；否则：0 }") == ast.Case(
        (ast.CaseBranch(N("失信"), ast.Number("1")),), ast.Number("0"), "否则"
    )
    tag = parse_ok("tag 从业人数：count（人）\n").decls[0]
    assert tag == ast.TagDecl(N("从业人数"), ast.TypeExpr(N("count"), N("人")))


def test_full_width_punctuation_parses_like_ascii() -> None:
    ascii_text = 'define x = case { a: min(1, 2); else: 0 }\ntag t: count(人) "x"\n'
    wide_text = "define x = case { a：min（1，2）；else：0 }\ntag t：count（人） “x”\n"
    assert parse_ok(ascii_text) == parse_ok(wide_text)


def test_comparison_operators_and_their_symbols() -> None:
    for written, op in [(">=", ">="), ("≥", ">="), ("<=", "<="), ("≤", "<="), ("!=", "!="),
                        ("≠", "!="), ("==", "=="), ("<", "<"), (">", ">")]:
        assert expr_of(f"a {written} 1") == ast.Compare(op, N("a"), ast.Number("1")), written


# ---- keywords and their Chinese aliases (§4) ---------------------------------------------


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("a and b", ast.And((N("a"), N("b")), "and")),
        ("a 且 b", ast.And((N("a"), N("b")), "且")),
        ("a or b", ast.Or((N("a"), N("b")), "or")),
        ("a 或 b", ast.Or((N("a"), N("b")), "或")),
        ("not a", ast.Not(N("a"), "not")),
        ("非 a", ast.Not(N("a"), "非")),
        ('x in ["A"]', ast.In(N("x"), L(S("A")), False, "in")),
        ('x 属于 ["A"]', ast.In(N("x"), L(S("A")), False, "属于")),
        ('x not in ["A"]', ast.In(N("x"), L(S("A")), True, "not in")),
        ('x not\n    in ["A"]', ast.In(N("x"), L(S("A")), True, "not in")),
        ('x 不属于 ["A"]', ast.In(N("x"), L(S("A")), True, "不属于")),
        ('x has "A"', ast.Has(N("x"), "one", S("A"), "has")),
        ('x 包含 "A"', ast.Has(N("x"), "one", S("A"), "包含")),
        ('x has any ["A"]', ast.Has(N("x"), "any", L(S("A")), "has any")),
        ('x 包含任一 ["A"]', ast.Has(N("x"), "any", L(S("A")), "包含任一")),
        ('x has all ["A"]', ast.Has(N("x"), "all", L(S("A")), "has all")),
        ('x 包含全部 ["A"]', ast.Has(N("x"), "all", L(S("A")), "包含全部")),
        ("all of [a, b]", ast.AllOf(L(N("a"), N("b")), "all of")),
        ("全部满足 [a, b]", ast.AllOf(L(N("a"), N("b")), "全部满足")),
        ("any of [a, b]", ast.AnyOf(L(N("a"), N("b")), "any of")),
        ("任一满足 [a, b]", ast.AnyOf(L(N("a"), N("b")), "任一满足")),
        ("at least 2 of [a, b, c]", ast.AtLeast(2, L(N("a"), N("b"), N("c")), False)),
        ("至少满足 2 项 [a, b, c]", ast.AtLeast(2, L(N("a"), N("b"), N("c")), True)),
        ("至少满足2项 [a, b, c]", ast.AtLeast(2, L(N("a"), N("b"), N("c")), True)),
        ("known(a)", ast.Known(N("a"), "known")),
        ("已知(a)", ast.Known(N("a"), "已知")),
        ("已知（a）", ast.Known(N("a"), "已知")),
        ("today", ast.Today("today")),
        ("评估日", ast.Today("评估日")),
        ("case { a: 1; else: 0 }",
         ast.Case((ast.CaseBranch(N("a"), ast.Number("1")),), ast.Number("0"), "else")),
        ("case { a: 1; 否则: 0 }",
         ast.Case((ast.CaseBranch(N("a"), ast.Number("1")),), ast.Number("0"), "否则")),
    ],
)
def test_keyword_and_alias(source: str, expected: ast.Expr) -> None:
    assert expr_of(source) == expected


def test_first_word_of_a_two_word_keyword_alone_is_a_name() -> None:
    # `all`, `any`, `at`, `as` and `has`/`not` only become keywords with their second word.
    assert expr_of("all + any") == ast.Arith("+", N("all"), N("any"))
    assert expr_of("at and as") == ast.And((N("at"), N("as")), "and")


def test_today_minus_a_duration() -> None:
    assert expr_of("成立日期 <= 评估日 - 1年") == ast.Compare(
        "<=", N("成立日期"), ast.Arith("-", ast.Today("评估日"), ast.Quantity("1", "年"))
    )


# ---- precedence -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("not a and b", ast.And((ast.Not(N("a")), N("b")))),
        ("a or b and c", ast.Or((N("a"), ast.And((N("b"), N("c")))))),
        ("a and b or not c", ast.Or((ast.And((N("a"), N("b"))), ast.Not(N("c"))))),
        ("not a or b", ast.Or((ast.Not(N("a")), N("b")))),
        ("not not a", ast.Not(ast.Not(N("a")))),
        ("a and b and c", ast.And((N("a"), N("b"), N("c")))),
        ("a or b or c", ast.Or((N("a"), N("b"), N("c")))),
        ("(a or b) and c", ast.And((ast.Paren(ast.Or((N("a"), N("b")))), N("c")))),
        ("not x >= 1", ast.Not(ast.Compare(">=", N("x"), ast.Number("1")))),
        ("x >= 1 and y < 2",
         ast.And((ast.Compare(">=", N("x"), ast.Number("1")),
                  ast.Compare("<", N("y"), ast.Number("2"))))),
    ],
)
def test_boolean_precedence(source: str, expected: ast.Expr) -> None:
    assert expr_of(source) == expected


def one(n: str) -> ast.Number:
    return ast.Number(n)


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("1 + 2 * 3", ast.Arith("+", one("1"), ast.Arith("*", one("2"), one("3")))),
        ("1 * 2 + 3", ast.Arith("+", ast.Arith("*", one("1"), one("2")), one("3"))),
        ("1 - 2 - 3", ast.Arith("-", ast.Arith("-", one("1"), one("2")), one("3"))),
        ("8 / 4 / 2", ast.Arith("/", ast.Arith("/", one("8"), one("4")), one("2"))),
        ("(1 + 2) * 3", ast.Arith("*", ast.Paren(ast.Arith("+", one("1"), one("2"))), one("3"))),
        ("-a * b", ast.Arith("*", ast.Neg(N("a")), N("b"))),
        ("a - -b", ast.Arith("-", N("a"), ast.Neg(N("b")))),
        ("研发费用 / 营业收入 >= 5%",
         ast.Compare(">=", ast.Arith("/", N("研发费用"), N("营业收入")), ast.Quantity("5", "%"))),
        ("研发费用 / 营业收入 >= min(5%, 3% + 1%)",
         ast.Compare(">=", ast.Arith("/", N("研发费用"), N("营业收入")),
                     ast.Call(N("min"), (ast.Quantity("5", "%"),
                                         ast.Arith("+", ast.Quantity("3", "%"),
                                                   ast.Quantity("1", "%")))))),
        ("a + 1 >= b * 2 and c",
         ast.And((ast.Compare(">=", ast.Arith("+", N("a"), one("1")),
                              ast.Arith("*", N("b"), one("2"))), N("c")))),
    ],
)
def test_arithmetic_precedence(source: str, expected: ast.Expr) -> None:
    assert expr_of(source) == expected


# ---- case, line breaks ---------------------------------------------------------------------

CASE_BRANCHES = (
    ast.CaseBranch(ast.Compare(">=", N("营业收入"), ast.Quantity("5", "亿")),
                   ast.Quantity("30", "万")),
    ast.CaseBranch(ast.Compare(">=", N("营业收入"), ast.Quantity("1", "亿")),
                   ast.Quantity("10", "万")),
)


def test_case_with_semicolons() -> None:
    got = expr_of("case { 营业收入 >= 5亿: 30万; 营业收入 >= 1亿: 10万; else: 0 }")
    assert got == ast.Case(CASE_BRANCHES, ast.Number("0"), "else")


def test_case_with_line_breaks_reads_like_the_one_with_semicolons() -> None:
    got = expr_of("case {\n    营业收入 >= 5亿: 30万\n    营业收入 >= 1亿: 10万\n    否则: 0\n}")
    assert got == ast.Case(CASE_BRANCHES, ast.Number("0"), "否则")


def test_case_with_trailing_semicolon_and_full_width_one() -> None:
    got = expr_of("case { 营业收入 >= 5亿: 30万； 营业收入 >= 1亿: 10万; else: 0; }")
    assert got == ast.Case(CASE_BRANCHES, ast.Number("0"), "else")


def test_spec_case_of_conditions_over_lines() -> None:
    text = (
        "define 高企研发达标 = case {\n"
        "    营业收入 <= 5000万: 研发费用 / 营业收入 >= 5%\n"
        "    营业收入 <= 2亿:    研发费用 / 营业收入 >= 4%\n"
        "    else:               研发费用 / 营业收入 >= 3%\n"
        "}\n"
    )
    decl = parse_ok(text).decls[0]
    assert isinstance(decl, ast.DefineDecl)
    assert isinstance(decl.expr, ast.Case)
    share = ast.Arith("/", N("研发费用"), N("营业收入"))
    assert [b.value for b in decl.expr.branches] == [
        ast.Compare(">=", share, ast.Quantity("5", "%")),
        ast.Compare(">=", share, ast.Quantity("4", "%")),
    ]
    assert [b.test for b in decl.expr.branches] == [
        ast.Compare("<=", N("营业收入"), ast.Quantity("5000", "万")),
        ast.Compare("<=", N("营业收入"), ast.Quantity("2", "亿")),
    ]
    assert decl.expr.default == ast.Compare(">=", share, ast.Quantity("3", "%"))


def test_case_inside_arithmetic_and_min() -> None:
    got = expr_of("失业保险缴费额 * case { a: 30%; else: 60% } + min(case { b: 1; else: 2 }, 3)")
    assert isinstance(got, ast.Arith)
    assert got.op == "+"
    assert isinstance(got.left, ast.Arith)
    assert isinstance(got.left.right, ast.Case)
    assert isinstance(got.right, ast.Call)
    assert isinstance(got.right.args[0], ast.Case)


def test_a_condition_continues_over_several_lines() -> None:
    one_line = parse_ok(
        'define 规上 = 所属行业 in ["B", "C"] and 营业收入 >= 2000万 or not 失信\n'
    )
    many_lines = parse_ok(
        "define 规上 = 所属行业 in [\n"
        '        "B",\n'
        '        "C"\n'
        "    ]\n"
        "    and 营业收入\n"
        "        >= 2000万   # a comment in the middle\n"
        "    or\n"
        "    not 失信\n"
        "define 下一个 = 1\n"
    )
    assert many_lines.decls[0] == one_line.decls[0]
    assert many_lines.decls[1] == ast.DefineDecl(N("下一个"), ast.Number("1"))


def test_policy_fields_are_separated_by_line_breaks_even_when_a_condition_spans_lines() -> None:
    module = parse_ok(
        'policy "P" {\n'
        '    事项名称: "n"\n'
        "    申请条件: a\n"
        "        and b\n"
        "        or c\n"
        '    申请材料: ["x"]\n'
        "}\n"
    )
    decl = module.decls[0]
    assert isinstance(decl, ast.PolicyDecl)
    assert [f.name.name for f in decl.items] == ["事项名称", "申请条件", "申请材料"]
    assert decl.items[1].value == ast.Or((ast.And((N("a"), N("b"))), N("c")))


# ---- declarations (§2, §7, §8) -----------------------------------------------------------

SPEC_TAGS = """\
tag 统一社会信用代码: uscc key      "统一社会信用代码"
tag 企业名称: text
tag 所属行业: code(industry)        "国民经济行业分类 GB/T 4754-2017"
tag 所在区域: code(region)          "行政区划代码，街道到 9 位"
tag 从业人数: count(人)              "年末从业人员数"
tag 营业收入: money                 "上年度营业收入"
tag 营业收入增长率: ratio
tag 成立日期: date
tag 企业规模: enum["大型", "中型", "小型", "微型"]
tag 资质: set["高新技术企业", "科技型中小企业"]
tag 所获荣誉: set[text]
tag 失信被执行人: bool
"""


def test_spec_tags_parse() -> None:
    decls = parse_ok(SPEC_TAGS).decls
    assert len(decls) == 12
    assert all(isinstance(d, ast.TagDecl) for d in decls)
    by = {d.name.name: d for d in decls}
    assert by["统一社会信用代码"] == ast.TagDecl(
        N("统一社会信用代码"), ast.TypeExpr(N("uscc")), True, S("统一社会信用代码")
    )
    assert by["企业名称"] == ast.TagDecl(N("企业名称"), ast.TypeExpr(N("text")))
    assert by["所属行业"].type == ast.TypeExpr(N("code"), N("industry"))
    assert by["从业人数"].type == ast.TypeExpr(N("count"), N("人"))
    assert by["从业人数"].label == S("年末从业人员数")
    assert by["企业规模"].type == ast.TypeExpr(
        N("enum"), None, (S("大型"), S("中型"), S("小型"), S("微型"))
    )
    assert by["所获荣誉"].type == ast.TypeExpr(N("set"), None, (N("text"),))
    assert not by["资质"].key


SPEC_POLICY = """\
policy "WH-KJ-2024-003" {
    事项名称: "高新技术企业首次认定奖励"
    事项依据: "五华区支持科技创新若干措施 第五条"
    申请材料: ["申请表", "高新技术企业证书"]
    办结时限: 20个工作日
    适用时间: 2024-01-01 至 2026-12-31
    推送方式: 精准                  # 精准 (targeted push) | 普惠 (broad push)
    免申即享: 是
    申请条件: 资质 has "高新技术企业" and 所在区域 in ["530102"]
    兑付标准: 20万

    示例 "首次认定的高企" {
        评估日 2024-07-01
        给定 { 资质: ["高新技术企业"], 所在区域: "530102003" }
        预期 符合
        兑付 20万
    }
}
"""


def test_spec_policy_parses() -> None:
    decl = parse_ok(SPEC_POLICY).decls[0]
    assert isinstance(decl, ast.PolicyDecl)
    assert decl.id == S("WH-KJ-2024-003")
    fields = {i.name.name: i.value for i in decl.items if isinstance(i, ast.Field)}
    assert fields["事项名称"] == S("高新技术企业首次认定奖励")
    assert fields["申请材料"] == L(S("申请表"), S("高新技术企业证书"))
    assert fields["办结时限"] == ast.Quantity("20", "个工作日")
    assert fields["适用时间"] == ast.Validity(
        ast.DateLit("2024-01-01"), ast.DateLit("2026-12-31"), "至"
    )
    assert fields["推送方式"] == N("精准")
    assert fields["免申即享"] == ast.Bool(True, "是")
    assert fields["申请条件"] == ast.And((
        ast.Has(N("资质"), "one", S("高新技术企业")),
        ast.In(N("所在区域"), L(S("530102"))),
    ))
    assert fields["兑付标准"] == ast.Quantity("20", "万")
    (example,) = [i for i in decl.items if isinstance(i, ast.Example)]
    assert example.keyword == N("示例")
    assert example.title == S("首次认定的高企")
    assert example.items == (
        ast.ExampleDate(ast.DateLit("2024-07-01"), "评估日"),
        ast.Given(N("给定"), (
            ast.Entry(N("资质"), L(S("高新技术企业"))),
            ast.Entry(N("所在区域"), S("530102003")),
        )),
        ast.ExampleStmt(N("预期"), N("符合")),
        ast.ExampleStmt(N("兑付"), ast.Quantity("20", "万")),
    )


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("2024-01-01 至 2026-12-31",
         ast.Validity(ast.DateLit("2024-01-01"), ast.DateLit("2026-12-31"), "至")),
        ("2024-01-01 ..", ast.Validity(ast.DateLit("2024-01-01"), None, "..")),
        ("2024-01-01 .. 2026-12-31",
         ast.Validity(ast.DateLit("2024-01-01"), ast.DateLit("2026-12-31"), "..")),
    ],
)
def test_validity_forms(written: str, expected: ast.Validity) -> None:
    decl = parse_ok(f'policy "P" {{\n    valid: {written}\n    name: "x"\n}}\n').decls[0]
    assert isinstance(decl, ast.PolicyDecl)
    assert decl.items[0] == ast.Field(N("valid"), expected)


def test_english_example_block() -> None:
    text = (
        'policy "P" {\n'
        '    example "e" { given { 资质: ["高新技术企业"] } expect eligible  benefit 20万 }\n'
        "}\n"
    )
    decl = parse_ok(text).decls[0]
    assert isinstance(decl, ast.PolicyDecl)
    (example,) = decl.items
    assert isinstance(example, ast.Example)
    assert example.keyword == N("example")
    assert example.items == (
        ast.Given(N("given"), (ast.Entry(N("资质"), L(S("高新技术企业"))),)),
        ast.ExampleStmt(N("expect"), N("eligible")),
        ast.ExampleStmt(N("benefit"), ast.Quantity("20", "万")),
    )


def test_comments_are_dropped_by_the_parser_but_kept_on_the_module() -> None:
    text = '# 头注释\ntag a: text "有 # 的标签"  # 尾注释\n'
    module = parse_ok(text)
    assert module.decls[0] == ast.TagDecl(N("a"), ast.TypeExpr(N("text")), False, S("有 # 的标签"))
    assert [c.text for c in module.comments] == ["# 头注释", "# 尾注释"]
    assert (module.comments[1].span.line, module.comments[1].span.column) == (2, 24)
    assert text.splitlines()[1][23:] == "# 尾注释"


def test_empty_and_comment_only_files_parse_to_no_declarations() -> None:
    assert parse_ok("").decls == ()
    assert parse_ok("# 只有注释\n\n   \n").decls == ()
    assert parse_ok("\ufefftag a: text\n").decls == (ast.TagDecl(N("a"), ast.TypeExpr(N("text"))),)


# ---- spans -----------------------------------------------------------------------------------


def span_text(text: str, span) -> str:
    return text[span.start:span.end]


SPAN_TEXT = (
    "# 注释\n"
    "tag 营业收入: money\n"
    "define 规上 = 营业收入 >= 2000万 且\n"
    "    营业收入 < 1亿\n"
)


def test_spans_are_one_based_character_columns() -> None:
    module = parse_ok(SPAN_TEXT, "x.rule")
    tag, define = module.decls
    assert tag.span.path == "x.rule"
    assert (tag.span.line, tag.span.column) == (2, 1)
    assert (tag.name.span.line, tag.name.span.column) == (2, 5)
    assert (tag.name.span.end_line, tag.name.span.end_column) == (2, 9)  # exclusive end
    assert isinstance(define, ast.DefineDecl)
    assert (define.name.span.line, define.name.span.column) == (3, 8)
    cond = define.expr
    assert isinstance(cond, ast.And)
    first, second = cond.items
    assert isinstance(first, ast.Compare)
    # "define 规上 = 营业收入 >= " is 20 characters (not bytes, not display cells)
    quantity = first.right
    assert (quantity.span.line, quantity.span.column) == (3, 21)
    assert (quantity.span.end_line, quantity.span.end_column) == (3, 26)
    assert span_text(SPAN_TEXT, quantity.span) == "2000万"
    # the whole multi-line condition
    assert (cond.span.line, cond.span.column) == (3, 13)
    assert (cond.span.end_line, cond.span.end_column) == (4, 14)
    assert span_text(SPAN_TEXT, cond.span) == "营业收入 >= 2000万 且\n    营业收入 < 1亿"
    assert (second.span.line, second.span.column) == (4, 5)
    assert (define.span.line, define.span.end_line) == (3, 4)


def test_every_node_span_covers_its_own_text() -> None:
    module = parse_ok(SPEC_POLICY, "p.rule")
    decl = module.decls[0]
    assert isinstance(decl, ast.PolicyDecl)
    assert span_text(SPEC_POLICY, decl.id.span) == '"WH-KJ-2024-003"'
    assert (decl.span.line, decl.span.column) == (1, 1)
    lines = SPEC_POLICY.splitlines()
    for item in decl.items:
        if not isinstance(item, ast.Field):
            continue
        s = item.name.span
        assert span_text(SPEC_POLICY, s) == item.name.name
        assert lines[s.line - 1][s.column - 1:s.end_column - 1] == item.name.name
        assert s.column == 5


def test_spans_stay_right_after_an_earlier_syntax_error() -> None:
    # A syntax error makes the parser resume declaration by declaration; the declarations
    # after it must still carry their true lines, columns and offsets.
    text = "define 坏 = a = 1\n\ntag 营业收入: money\ndefine 好 = 营业收入 >= 2000万\n"
    result = parse(text, "t.rule")
    assert [d.code for d in result.diagnostics] == [Code.SYNTAX]
    good = result.module.decls[-1]
    assert isinstance(good, ast.DefineDecl)
    assert isinstance(good.expr, ast.Compare)
    q = good.expr.right
    assert (q.span.line, q.span.column) == (4, 20)
    assert span_text(text, q.span) == "2000万"
    assert span_text(text, good.name.span) == "好"


# ---- syntax errors (§9) --------------------------------------------------------------------

BROKEN = """\
# 一个文件，三处语法错误，三条正确的声明
tag 营业收入: money
define 坏一 = 营业收入 = 2000万
tag 从业人数 count(人)
define 好一 = 营业收入 >= 2000万
policy "P-1" {
    事项名称: "名称"
    申请条件 好一
}
define 好二 = 从业人数 <= 300
"""


def test_every_broken_declaration_is_reported_and_good_ones_survive() -> None:
    result = parse(BROKEN, "broken.rule")
    assert [d.code for d in result.diagnostics] == [Code.SYNTAX] * 3
    assert [d.span.line for d in result.diagnostics] == [3, 4, 8]
    assert all(d.span.path == "broken.rule" for d in result.diagnostics)
    assert all(d.span.column >= 1 and d.message for d in result.diagnostics)
    names = [d.name.name if not isinstance(d, ast.PolicyDecl) else d.id.value
             for d in result.module.decls]
    assert names == ["营业收入", "好一", "好二"]
    assert {"坏一", "从业人数"} <= result.unparsed_names


def test_error_columns_point_at_the_offending_token() -> None:
    result = parse(BROKEN, "broken.rule")
    lines = BROKEN.splitlines()
    first, second, third = result.diagnostics
    assert lines[2][first.span.column - 1] == "="
    assert first.span.column == lines[2].index("= 2000万") + 1
    assert lines[3][second.span.column - 1:].startswith("count")
    # a field name without its colon is named as such, at the name (issue 14)
    assert third.span.column == lines[7].index("申请条件") + 1
    assert third.message == "missing `:` after the field name 申请条件"
    assert "申请条件: " in third.hint


def test_broken_declarations_that_reach_their_end_are_each_reported() -> None:
    text = "define a = (\ndefine b = [1,\ndefine c = 1 +\ntag d: money\n"
    result = parse(text)
    assert [d.span.line for d in result.diagnostics] == [1, 2, 3]
    assert result.module.decls == (ast.TagDecl(N("d"), ast.TypeExpr(N("money"))),)


def test_indented_declarations_recover_like_unindented_ones() -> None:
    # Indentation is only whitespace to the grammar, so an indented file must recover from
    # its syntax errors declaration by declaration just the same.
    text = "  define a = (\n  define b = (\n  define c = 1\n"
    result = parse(text)
    assert [d.span.line for d in result.diagnostics] == [1, 2]
    assert result.module.decls == (ast.DefineDecl(N("c"), ast.Number("1")),)


def test_unclosed_bracket_is_reported_inside_its_own_declaration() -> None:
    # The error belongs to line 3: not to the blank line or the comment that introduces the
    # next declaration (which is where the file piece happens to end).
    text = (
        "tag a: money\n"
        "\n"
        "define b = (a >= 1   # 注释\n"
        "\n"
        "# 下一条声明\n"
        "define c = a >= 2\n"
    )
    result = parse(text)
    (diag,) = result.diagnostics
    assert diag.code is Code.SYNTAX
    assert diag.span.line == 3, diag
    assert [d.name.name for d in result.module.decls] == ["a", "c"]


def test_hint_for_single_equals() -> None:
    (diag,) = syntax_errors('policy "P" {\n    事项名称: "x"\n    申请条件: 企业规模 = "小型"\n}\n')
    assert diag.span.line == 3
    assert diag.span.column == len("    申请条件: 企业规模 =")
    assert "==" in diag.hint


def test_hint_for_a_keyword_glued_to_a_name() -> None:
    (diag,) = syntax_errors('define x = 资质包含 "高新技术企业"\n')
    assert diag.span.line == 1
    assert "包含" in diag.hint
    assert "资质包含" in diag.hint
    assert "space" in diag.hint


def test_hint_for_a_keyword_glued_to_the_following_name() -> None:
    (diag,) = syntax_errors("define x = a >= 1 且从业人数 <= 300\n")
    assert "且" in diag.hint
    assert "space" in diag.hint


@pytest.mark.parametrize("quote", ['"', "“"])
def test_hint_for_an_unterminated_string(quote: str) -> None:
    text = f'tag a: text\npolicy "P" {{\n    事项名称: {quote}没有结束\n    申请条件: 是\n}}\n'
    (diag,) = syntax_errors(text)
    assert diag.message == "unterminated string"
    assert diag.span.line == 3
    assert diag.span.column == 11
    assert "close" in diag.hint


def test_a_missing_closing_brace_is_hinted() -> None:
    diags = syntax_errors('policy "P" {\n    事项名称: "x"\n')
    assert any("}" in d.hint for d in diags)


def test_unexpected_character_is_reported_with_its_place() -> None:
    (diag,) = syntax_errors("define x = 1\ndefine y = a @ b\n")
    assert (diag.span.line, diag.span.column) == (2, 14)
    assert "@" in diag.message


def test_parse_never_raises_and_keeps_the_path() -> None:
    for text in ["{", "}", "policy", "tag", "define =", "“", '"', "至少满足 2 项", "\x00", "　"]:
        result = parse(text, "odd.rule")
        for d in result.diagnostics:
            assert d.span.path == "odd.rule"
            assert d.span.line >= 1 and d.span.column >= 1
