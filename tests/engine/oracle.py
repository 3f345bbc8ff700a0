"""A reference evaluator over the typed IR, and random rulebooks to compare it with.

The evaluator walks ``ir`` expressions directly (no normalization, no interning, no
memo) and spells out §5 of the rule language literally: a missing value or a division by
zero is unknown (``None``), ``and``/``or``/``not``/``all of``/``any of``/``at least N of``
follow Kleene, and a ``case`` whose first non-false test is unknown is unknown. It is meant
to be obviously right, so it is slow and repetitive on purpose.

The strategies write rulebook TEXT (so the parser, the checker and the normalizer all take
part) together with records given as raw values (as a portal form would send them) and the
values the oracle should see once those raw values are read.
"""

from __future__ import annotations

import calendar
import datetime as dt
import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from hypothesis import strategies as st

from policy_match.core.loading import load_sources
from policy_match.core.rulebook import Rulebook
from policy_match.dsl import ir
from policy_match.dsl.values import Duration

Truth = bool | None

# ---- the reference evaluator ---------------------------------------------------------------

_CMP: dict[str, Callable[[Any, Any], bool]] = {
    "<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge,
    "==": operator.eq, "!=": operator.ne,
}


def kleene_not(a: Truth) -> Truth:
    return None if a is None else not a


def kleene_and(items: list[Truth]) -> Truth:
    if any(i is False for i in items):
        return False
    if any(i is None for i in items):
        return None
    return True


def kleene_or(items: list[Truth]) -> Truth:
    if any(i is True for i in items):
        return True
    if any(i is None for i in items):
        return None
    return False


def kleene_at_least(n: int, items: list[Truth]) -> Truth:
    true = sum(1 for i in items if i is True)
    could_be = sum(1 for i in items if i is not False)
    if true >= n:
        return True
    if could_be < n:
        return False
    return None


def shift_date(day: dt.date, duration: Duration, sign: int) -> dt.date:
    """Calendar arithmetic for whole years, months and days (a missing day → month end)."""
    assert duration.amount.denominator == 1, "the generator writes whole durations only"
    amount = int(duration.amount) * sign
    if duration.unit == "天":
        return day + dt.timedelta(days=amount)
    months = amount * 12 if duration.unit == "年" else amount
    assert duration.unit in ("年", "个月"), duration.unit
    year = day.year + (day.month - 1 + months) // 12
    month = (day.month - 1 + months) % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


class Oracle:
    """Evaluates one program on one record (values already read) on one date."""

    def __init__(self, program: ir.Program, values: Mapping[str, Any], as_of: dt.date) -> None:
        self.program = program
        self.values = values
        self.as_of = as_of

    def eval(self, e: ir.Expr) -> Any:  # one branch per IR node, on purpose
        if isinstance(e, ir.Const):
            return e.value
        if isinstance(e, ir.TagRef):
            return self.values.get(e.name)
        if isinstance(e, ir.DefineRef):
            return self.eval(self.program.defines[e.name].expr)
        if isinstance(e, ir.TodayRef):
            return self.as_of
        if isinstance(e, ir.Known):
            return self.eval(e.ref) is not None
        if isinstance(e, ir.Neg):
            v = self.eval(e.operand)
            return None if v is None else -v
        if isinstance(e, ir.Arith):
            a, b = self.eval(e.left), self.eval(e.right)
            if a is None or b is None:
                return None
            if isinstance(a, dt.date):
                assert isinstance(b, Duration)
                return shift_date(a, b, 1 if e.op == "+" else -1)
            if e.op == "+":
                return a + b
            if e.op == "-":
                return a - b
            if e.op == "*":
                return a * b
            assert e.op == "/"
            return None if b == 0 else Fraction(a) / Fraction(b)
        if isinstance(e, ir.Call):
            args = [self.eval(a) for a in e.args]
            if any(a is None for a in args):
                return None
            return {"min": min, "max": max, "abs": lambda x: abs(x)}[e.func](*args)
        if isinstance(e, ir.Compare):
            a, b = self.eval(e.left), self.eval(e.right)
            if a is None or b is None:
                return None
            return _CMP[e.op](a, b)
        if isinstance(e, ir.Member):
            v = self.eval(e.operand)
            if v is None:
                return None
            if e.hierarchy is None:
                found = v in e.options
            else:
                assert e.hierarchy == "industry", e.hierarchy
                # canonical industry codes spell their ancestors as prefixes: C ⊃ C39 ⊃ C3911
                found = any(v.startswith(option) for option in e.options)
            return not found if e.negated else found
        if isinstance(e, ir.Has):
            v = self.eval(e.operand)
            if v is None:
                return None
            if e.mode == "all":
                return all(x in v for x in e.values)
            return any(x in v for x in e.values)
        if isinstance(e, ir.Not):
            return kleene_not(self.eval(e.operand))
        if isinstance(e, ir.And):
            return kleene_and([self.eval(i) for i in e.items])
        if isinstance(e, ir.Or):
            return kleene_or([self.eval(i) for i in e.items])
        if isinstance(e, ir.AtLeast):
            return kleene_at_least(e.n, [self.eval(i) for i in e.items])
        if isinstance(e, ir.Case):
            for test, value in e.branches:
                t = self.eval(test)
                if t is None:
                    return None  # the first non-false test is unknown
                if t:
                    return self.eval(value)
            return self.eval(e.default)
        raise TypeError(f"the oracle does not know {type(e).__name__}")

    def verdict(self, policy: ir.Policy) -> ir.Verdict:
        if policy.valid_from is not None and self.as_of < policy.valid_from:
            return ir.Verdict.INACTIVE
        if policy.valid_to is not None and self.as_of > policy.valid_to:
            return ir.Verdict.INACTIVE
        outcome = self.eval(policy.eligible)
        if outcome is None:
            return ir.Verdict.UNKNOWN
        return ir.Verdict.ELIGIBLE if outcome else ir.Verdict.INELIGIBLE


# ---- random rulebooks ------------------------------------------------------------------------

TAGS = """\
tag 营业收入: money
tag 研发费用: money
tag 资产总额: money
tag 从业人数: count(人)
tag 专利数: count
tag 增长率: ratio
tag 评价得分: number
tag 成立日期: date
tag 企业规模: enum["大型", "中型", "小型", "微型"]
tag 资质: set["高新技术企业", "科技型中小企业", "创新型中小企业"]
tag 荣誉: set[text]
tag 所属行业: code(industry)
tag 失信: bool
tag 出口: bool
"""

NUMERIC_TAGS = {
    "money": ["营业收入", "研发费用", "资产总额"],
    "count": ["从业人数", "专利数"],
    "ratio": ["增长率"],
    "number": ["评价得分"],
}
SIZES = ["大型", "中型", "小型", "微型"]
QUALIFICATIONS = ["高新技术企业", "科技型中小企业", "创新型中小企业"]
HONOURS = ["守合同重信用", "纳税百强", "质量奖"]
# rule literals, each typed as the checker types it (万/亿 alone are plain numbers, §3)
LITERALS = {
    "money": ["500元", "20万元", "2000万元"],
    "count": ["20人", "300人", "5个"],  # 5个 is a count without unit: still a count
    "ratio": ["3%", "5%", "10%", "3.5%"],
    "number": ["0", "1", "2", "60", "85.5", "300", "20", "2000万", "1亿", "1.5亿", "0.1",
               "0.05", "20万"],
}
DIVISORS = ["2", "4", "5", "10", "0"]
# an industry option as written in a rule
INDUSTRY_OPTIONS = ["C", "C39", "39", "391", "3911", "I65", "I", "制造业", "A", "C13"]
# an industry code as recorded: (raw, canonical)
INDUSTRY_VALUES = [("C3911", "C3911"), ("3911", "C3911"), ("c3912", "C3912"),
                   ("C1310", "C1310"), ("I6510", "I6510"), ("6510", "I6510"),
                   ("A0111", "A0111"), ("制造业", "C"), ("F51", "F51")]
DURATIONS = ["1年", "3年", "6个月", "1个月", "30天"]


@dataclass
class Scope:
    """Defines written so far, by result kind (a define may use any earlier one)."""

    defines: dict[str, list[str]] = field(default_factory=lambda: {
        "bool": [], "money": [], "ratio": [], "count": [], "number": []})


def _unify(a: str, b: str) -> str | None:
    if a == b:
        return a
    if a == "number":
        return b
    if b == "number":
        return a
    return None


@st.composite
def numeric(draw: st.DrawFn, kind: str, depth: int, scope: Scope,
            allow_plain: bool = True) -> tuple[str, str]:
    """An expression whose checked type is ``kind`` (or a plain number, when allowed).

    Returns (text, actual kind).
    """
    leaves: list[tuple[str, str]] = [(t, kind) for t in NUMERIC_TAGS[kind]]
    leaves += [(d, kind) for d in scope.defines[kind]]
    leaves += [(lit, kind) for lit in LITERALS[kind]]
    if allow_plain and kind != "number":
        leaves += [(lit, "number") for lit in LITERALS["number"]]
    if depth <= 0 or draw(st.integers(0, 2)) == 0:
        return draw(st.sampled_from(leaves))
    shape = draw(st.sampled_from(["addsub", "scale", "div", "minmax", "case", "paren"]
                                 + (["share"] if kind == "ratio" else [])
                                 + (["abs", "neg", "perhead"] if kind == "money" else [])))
    sub = depth - 1
    if shape == "addsub":
        a, ak = draw(numeric(kind, sub, scope, allow_plain=False))
        b, bk = draw(numeric(kind, sub, scope))
        op = draw(st.sampled_from("+-"))
        return f"({a} {op} {b})", _unify(ak, bk) or ak
    if shape == "scale":  # x * ratio or x * number keeps x's kind
        a, ak = draw(numeric(kind, sub, scope, allow_plain=False))
        b, _ = draw(numeric("ratio", sub, scope)) if draw(st.booleans()) else \
            draw(st.sampled_from([(lit, "number") for lit in LITERALS["number"]]))
        return (f"({a} * {b})", ak) if draw(st.booleans()) else (f"({b} * {a})", ak)
    if shape == "div":
        a, ak = draw(numeric(kind, sub, scope, allow_plain=False))
        return f"({a} / {draw(st.sampled_from(DIVISORS))})", ak
    if shape == "share":  # money / money, count / count: a ratio
        over = draw(st.sampled_from(["money", "count", "ratio"]))
        a, _ = draw(numeric(over, sub, scope, allow_plain=False))
        b, _ = draw(numeric(over, sub, scope, allow_plain=False))
        return f"({a} / {b})", "ratio"
    if shape == "perhead":  # money / count is money
        a, _ = draw(numeric("money", sub, scope, allow_plain=False))
        b, _ = draw(numeric("count", sub, scope, allow_plain=False))
        return f"({a} / {b})", "money"
    if shape == "minmax":
        a, ak = draw(numeric(kind, sub, scope, allow_plain=False))
        rest = draw(st.lists(numeric(kind, sub, scope), min_size=1, max_size=2))
        func = draw(st.sampled_from(["min", "max"]))
        return f"{func}({', '.join([a, *(r for r, _ in rest)])})", ak
    if shape == "abs":
        a, ak = draw(numeric(kind, sub, scope, allow_plain=False))
        return f"abs({a})", ak
    if shape == "neg":
        a, ak = draw(numeric(kind, sub, scope, allow_plain=False))
        return f"-{a}" if a.startswith("(") else f"-({a})", ak
    if shape == "paren":
        a, ak = draw(numeric(kind, sub, scope, allow_plain=allow_plain))
        return f"({a})", ak
    # a case yielding values of this kind
    n = draw(st.integers(1, 2))
    branches = []
    first, fk = draw(numeric(kind, sub, scope, allow_plain=False))
    for i in range(n):
        test = draw(condition(sub, scope))
        value = first if i == 0 else draw(numeric(kind, sub, scope))[0]
        branches.append(f"{test}: {value}")
    default, _ = draw(numeric(kind, sub, scope))
    # Branches may be separated by line breaks alone (§4), but a branch whose test opens
    # with "(" or "-" would continue the previous value (x\n(y) reads as a call, x\n-y as a
    # subtraction), so those keep their ";".
    text = branches[0]
    for branch in branches[1:]:
        loose = branch[0] not in "(-" and draw(st.booleans())
        text += ("\n    " if loose else "; ") + branch
    return "case { " + text + f"; else: {default} }}", fk


@st.composite
def date_expr(draw: st.DrawFn, depth: int) -> str:
    leaves = ["成立日期", "today", "2020-01-01", "2023-07-01",
              *(f"today - {d}" for d in DURATIONS), *(f"评估日 - {d}" for d in DURATIONS[:1])]
    if depth > 0 and draw(st.integers(0, 3)) == 0:
        func = draw(st.sampled_from(["min", "max"]))
        return f"{func}({draw(date_expr(depth - 1))}, {draw(date_expr(depth - 1))})"
    return draw(st.sampled_from(leaves))


COMPARE_OPS = ["<", "<=", ">", ">=", "==", "!=", "≥", "≤", "≠"]


@st.composite
def atom(draw: st.DrawFn, depth: int, scope: Scope) -> str:
    shape = draw(st.sampled_from([
        "cmp", "cmp", "cmp", "date", "enum", "code", "has", "known", "bool", "booleq",
        *(["define"] if scope.defines["bool"] else []),
    ]))
    op = draw(st.sampled_from(COMPARE_OPS))
    if shape == "cmp":
        kind = draw(st.sampled_from(["money", "money", "ratio", "count", "number"]))
        a, _ = draw(numeric(kind, depth, scope, allow_plain=False))
        b, _ = draw(numeric(kind, depth, scope))
        return f"{a} {op} {b}" if draw(st.booleans()) else f"{b} {op} {a}"
    if shape == "date":
        return f"{draw(date_expr(1))} {op} {draw(date_expr(1))}"
    if shape == "enum":
        if draw(st.booleans()):
            op = draw(st.sampled_from(["==", "!="]))
            return f'企业规模 {op} "{draw(st.sampled_from(SIZES))}"'
        options = draw(st.lists(st.sampled_from(SIZES), min_size=1, max_size=3))
        word = draw(st.sampled_from(["in", "not in", "属于", "不属于"]))
        return f"企业规模 {word} [{', '.join(f'{chr(34)}{o}{chr(34)}' for o in options)}]"
    if shape == "code":
        options = draw(st.lists(st.sampled_from(INDUSTRY_OPTIONS), min_size=1, max_size=3))
        word = draw(st.sampled_from(["in", "not in"]))
        return f"所属行业 {word} [{', '.join(f'{chr(34)}{o}{chr(34)}' for o in options)}]"
    if shape == "has":
        tag, pool = draw(st.sampled_from([("资质", QUALIFICATIONS), ("荣誉", HONOURS)]))
        mode = draw(st.sampled_from(["has", "has any", "has all", "包含", "包含任一", "包含全部"]))
        if mode in ("has", "包含"):
            return f'{tag} {mode} "{draw(st.sampled_from(pool))}"'
        values = draw(st.lists(st.sampled_from(pool), min_size=1, max_size=3))
        return f"{tag} {mode} [{', '.join(f'{chr(34)}{v}{chr(34)}' for v in values)}]"
    if shape == "known":
        names = ["营业收入", "增长率", "成立日期", "资质", "失信", "所属行业", "企业规模",
                 *scope.defines["money"], *scope.defines["ratio"], *scope.defines["bool"]]
        word = draw(st.sampled_from(["known", "已知"]))
        return f"{word}({draw(st.sampled_from(names))})"
    if shape == "bool":
        return draw(st.sampled_from(["失信", "出口"]))
    if shape == "booleq":  # a bool compared with a constant, a condition or a bool define
        rights = ["是", "否", "true", "false", *scope.defines["bool"]]
        right = draw(st.sampled_from(rights)) if draw(st.integers(0, 2)) else \
            f"({draw(condition(max(depth - 1, 0), scope))})"
        return (f"{draw(st.sampled_from(['失信', '出口']))} {draw(st.sampled_from(['==', '!=']))} "
                f"{right}")
    return draw(st.sampled_from(scope.defines["bool"]))


@st.composite
def condition(draw: st.DrawFn, depth: int, scope: Scope) -> str:
    """A random condition; sub-conditions are parenthesized where precedence would bite."""
    if depth <= 0 or draw(st.integers(0, 2)) == 0:
        return draw(atom(max(depth, 0), scope))
    sub = depth - 1
    shape = draw(st.sampled_from(["not", "and", "or", "all", "any", "atleast", "case",
                                  "const"]))
    if shape == "not":
        word = draw(st.sampled_from(["not", "非"]))
        return f"{word} ({draw(condition(sub, scope))})"
    if shape in ("and", "or"):
        items = draw(st.lists(condition(sub, scope), min_size=2, max_size=3))
        word = draw(st.sampled_from([shape, {"and": "且", "or": "或"}[shape]]))
        return f" {word} ".join(f"({i})" for i in items)
    if shape in ("all", "any", "atleast"):
        items = draw(st.lists(condition(sub, scope), min_size=1, max_size=4))
        listed = ", ".join(items)
        if shape == "atleast":
            n = draw(st.integers(1, len(items)))
            head = draw(st.sampled_from([f"at least {n} of", f"至少满足 {n} 项"]))
            return f"{head} [{listed}]"
        word = draw(st.sampled_from({"all": ["all of", "全部满足"],
                                     "any": ["any of", "任一满足"]}[shape]))
        return f"{word} [{listed}]"
    if shape == "case":
        n = draw(st.integers(1, 2))
        branches = [f"{draw(condition(sub, scope))}: {draw(condition(sub, scope))}"
                    for _ in range(n)]
        word = draw(st.sampled_from(["else", "否则"]))
        return "case { " + "; ".join(branches) + f"; {word}: {draw(condition(sub, scope))} }}"
    return draw(st.sampled_from(["true", "false"]))


@dataclass(frozen=True)
class Generated:
    text: str
    defines: tuple[str, ...]
    policies: tuple[str, ...]


@st.composite
def rulebooks(draw: st.DrawFn, depth: int = 3) -> Generated:
    """Rulebook text: the tags, up to 4 defines (each may use earlier ones), 1–3 policies."""
    scope = Scope()
    lines = [TAGS]
    names: list[str] = []
    for i in range(draw(st.integers(0, 4))):
        name = f"画像{i}"
        kind = draw(st.sampled_from(["bool", "bool", "money", "ratio"]))
        if kind == "bool":
            body = draw(condition(depth - 1, scope))
        else:
            body, _ = draw(numeric(kind, depth - 1, scope, allow_plain=False))
        lines.append(f"define {name} = {body}")
        scope.defines[kind].append(name)
        names.append(name)
    pids = []
    for i in range(draw(st.integers(1, 3))):
        pid = f"G-{i}"
        pids.append(pid)
        fields = [f'事项名称: "随机事项{i}"', f"申请条件: {draw(condition(depth, scope))}"]
        window = draw(st.sampled_from([None, "2024-01-01 至 2024-12-31", "2024-03-01 ..",
                                       "2020-01-01 .. 2023-12-31"]))
        if window:
            fields.append(f"适用时间: {window}")
        if draw(st.booleans()):
            amount, _ = draw(numeric("money", depth - 1, scope))
            fields.append(f"兑付标准: {amount}")
        lines.append(f'policy "{pid}" {{\n    ' + "\n    ".join(fields) + "\n}")
    return Generated("\n".join(lines) + "\n", tuple(names), tuple(pids))


# ---- random records ------------------------------------------------------------------------

MONEY_VALUES: list[tuple[Any, Fraction]] = [
    (0, Fraction(0)), (500, Fraction(500)), ("20万", Fraction(200_000)),
    ("100万元", Fraction(1_000_000)), (19_999_999, Fraction(19_999_999)),
    ("2000万", Fraction(20_000_000)), (Fraction(20_000_001), Fraction(20_000_001)),
    ("3,200万元", Fraction(32_000_000)), ("1亿", Fraction(10**8)),
    ("1.5亿元", Fraction(150_000_000)), (Fraction(1_000_000), Fraction(1_000_000)),
]
COUNT_VALUES: list[tuple[Any, Fraction]] = [
    (0, Fraction(0)), (19, Fraction(19)), (20, Fraction(20)), ("21", Fraction(21)),
    (300, Fraction(300)), ("301", Fraction(301)), (5, Fraction(5)),
]
RATIO_VALUES: list[tuple[Any, Fraction]] = [
    (0, Fraction(0)), ("3%", Fraction(3, 100)), ("5%", Fraction(1, 20)), (0.1, Fraction(1, 10)),
    ("10%", Fraction(1, 10)), ("3.5%", Fraction(7, 200)), ("-2%", Fraction(-1, 50)),
]
NUMBER_VALUES: list[tuple[Any, Fraction]] = [
    (0, Fraction(0)), (60, Fraction(60)), ("85.5", Fraction(171, 2)), (300, Fraction(300)),
]
BOOL_VALUES: list[tuple[Any, bool]] = [
    (True, True), (False, False), ("是", True), ("否", False), ("true", True),
]
MISSING_RAW = [None, "", "未知"]


@st.composite
def records(draw: st.DrawFn, as_of: dt.date) -> tuple[dict[str, Any], dict[str, Any]]:
    """(raw record, the values the oracle should see); each tag may be missing."""
    one_year = shift_date(as_of, Duration(Fraction(1), "年"), -1)
    date_values = [one_year, one_year - dt.timedelta(days=1), one_year + dt.timedelta(days=1),
                   dt.date(2020, 1, 1), as_of, dt.date(2023, 7, 1)]
    domains: dict[str, list[tuple[Any, Any]]] = {
        **{t: MONEY_VALUES for t in NUMERIC_TAGS["money"]},
        **{t: COUNT_VALUES for t in NUMERIC_TAGS["count"]},
        "增长率": RATIO_VALUES,
        "评价得分": NUMBER_VALUES,
        "成立日期": [(d, d) for d in date_values] + [(d.isoformat(), d) for d in date_values[:1]]
        + [(f"{d.year}年{d.month}月{d.day}日", d) for d in date_values[1:2]],
        "企业规模": [(s, s) for s in SIZES],
        "所属行业": INDUSTRY_VALUES,
        "失信": BOOL_VALUES,
        "出口": BOOL_VALUES,
    }
    raw: dict[str, Any] = {}
    values: dict[str, Any] = {}
    for tag, domain in domains.items():
        if draw(st.integers(0, 3)) == 0:
            missing = draw(st.sampled_from([*MISSING_RAW, "absent"]))
            if missing != "absent":
                raw[tag] = missing
            continue
        raw[tag], values[tag] = draw(st.sampled_from(domain))
    for tag, pool in (("资质", QUALIFICATIONS), ("荣誉", HONOURS)):
        if draw(st.integers(0, 3)) == 0:
            continue  # a missing set
        chosen = draw(st.lists(st.sampled_from(pool), unique=True, max_size=len(pool)))
        form = draw(st.sampled_from(["list", "semicolon", "dun"]))
        if form == "list" or not chosen:
            raw[tag] = chosen
        else:
            raw[tag] = (";" if form == "semicolon" else "、").join(chosen)
        values[tag] = frozenset(chosen)
    return raw, values


# values a hair either side of the rules' thresholds (LITERALS: 2000万元, 20万元, 500元, 3%,
# 3.5%, 5%, 10%): within DECIMAL(38, 4) for money and DECIMAL(38, 10) for ratios (DuckDB,
# Spark), and with up to 30 significant digits (PostgreSQL's NUMERIC, Spark's text columns)
Edges = dict[str, list[str]]
EDGES_BOUNDED: Edges = {
    "money": ["19999999.9999", "20000000.0001", "199999.9999", "200000.0001", "499.9999",
              "500.0001", "123456789012345.1234"],
    "ratio": ["0.0299999999", "0.0300000001", "0.0349999999", "0.0350000001", "0.0499999999",
              "0.1000000001", "-0.0000000001"],
}
EDGES_LONG: Edges = {
    "money": ["19999999.9999999999999999999999", "20000000.0000000000000000000001",
              "199999.999999999999999999999999", "500.000000000000000000000000001",
              "999999999999999999.999999999999"],
    "ratio": ["0.0299999999999999999999999999999", "0.0300000000000000000000000000001",
              "0.0350000000000000000000000000001", "0.100000000000000000000000000001"],
}


@st.composite
def edged_records(draw: st.DrawFn, as_of: dt.date, edges: Edges) -> dict[str, Any]:
    """A raw record of :func:`records` in which each money tag and the ratio may hold one of
    ``edges``' values instead (the oracle's view is not kept: backends are compared)."""
    raw, _ = draw(records(as_of))
    for tag in NUMERIC_TAGS["money"]:
        if draw(st.integers(0, 3)) == 0:
            raw[tag] = draw(st.sampled_from(edges["money"]))
    if draw(st.integers(0, 3)) == 0:
        raw["增长率"] = draw(st.sampled_from(edges["ratio"]))
    return raw


AS_OF_DATES = [dt.date(2024, 7, 1), dt.date(2024, 2, 29), dt.date(2024, 3, 31),
               dt.date(2023, 12, 31)]


def load(text: str) -> Rulebook:
    """The rulebook of a generated text, which must load without an error."""
    result = load_sources({"g.rule": text})
    assert result.rulebook is not None, [d.message for d in result.diagnostics]
    return result.rulebook
