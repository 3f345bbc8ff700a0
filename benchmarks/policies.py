"""Realistic benchmark policies over the bundled tags, each in four equivalent forms.

A policy's condition is built as a small tree (:class:`Cond` nodes) from templates modelled
on district 惠企政策 (高企奖励, 研发后补助, 规上工业, 限上商贸, 小微普惠, 稳岗返还, 楼宇总部,
专精特新, 新设企业 …) with round thresholds (300万/2000万/1亿), industry and region lists,
qualifications (``has``/``has any``), ``any of``, ``at least 2 of``, negation and missing data.
The tree renders to

- ``.rule`` text for policy_match;
- one **Polars** expression (``&``/``|``/``~`` on nullable booleans are Kleene, comparisons
  with null are null, so the expression is true/false/null exactly as the rule is
  eligible/ineligible/unknown);
- one **DuckDB** SQL expression (SQL NULL logic is Kleene too);
- two **rule-engine** expressions, one true exactly when the rule is true and one exactly when
  it is false (rule-engine is two-valued: a comparison with ``null`` is an error, so every
  atom guards its operands).

``at least k of`` becomes "true count ≥ k → true; possible count < k → false; else null".
Division by zero is unknown (null), as in the rule language.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from typing import Any

from policy_match.plugins.builtins.industry import SECTIONS

AS_OF = dt.date(2025, 6, 30)
"""The evaluation date of every benchmark run (the generator's reference date)."""

ALIAS = {  # ASCII symbol names for rule-engine
    "营业收入": "revenue", "前年营业收入": "revenue_prev", "营业收入增长率": "growth",
    "研发费用": "rd", "有效发明专利数": "patents", "近两年新增股权融资": "equity",
    "从业人数": "staff", "资产总额": "assets", "应纳税所得额": "taxable", "纳税额": "tax",
    "纳税信用等级": "credit", "限制禁止类行业企业": "restricted", "企业规模": "size",
    "所属行业": "industry", "所在区域": "region", "资质": "quals", "高企认定类型": "hnte_type",
    "高企认定日期": "hnte_date", "专精特新认定日期": "srdi_date", "成立日期": "founded",
    "失信被执行人": "dishonest", "欠薪欠保企业": "arrears", "重大事故企业": "accident",
    "参保人数": "insured", "裁员率": "layoff", "失业保险缴费额": "premium",
    "新招用重点群体人数": "hires", "创业担保贷款金额": "loan",
}
NUMERIC = {"营业收入", "前年营业收入", "营业收入增长率", "研发费用", "有效发明专利数",
           "近两年新增股权融资", "从业人数", "资产总额", "应纳税所得额", "纳税额", "参保人数",
           "裁员率", "失业保险缴费额", "新招用重点群体人数", "创业担保贷款金额"}
DATES = {"高企认定日期", "专精特新认定日期", "成立日期"}
BOOLS = {"限制禁止类行业企业", "失信被执行人", "欠薪欠保企业", "重大事故企业"}
SETS = {"资质"}
CODES = {"所属行业", "所在区域"}
ENUMS = {"纳税信用等级", "企业规模", "高企认定类型"}
USED = sorted(NUMERIC | DATES | BOOLS | SETS | CODES | ENUMS)

_OPS = {">=": "<", ">": "<=", "<=": ">", "<": ">=", "==": "!=", "!=": "=="}


# ---- the condition tree ---------------------------------------------------------------------


class Cond:
    def rule(self) -> str:
        raise NotImplementedError

    def polars(self) -> Any:
        raise NotImplementedError

    def sql(self) -> str:
        raise NotImplementedError

    def re_true(self) -> str:
        raise NotImplementedError

    def re_false(self) -> str:
        raise NotImplementedError


def _q(tag: str) -> str:
    return f'"{tag}"'


def _sql_num(value: float) -> str:
    return f"CAST('{value!r}' AS DOUBLE)"


def _re_num(value: float) -> str:
    return repr(float(value))


@dataclass(frozen=True)
class Num(Cond):
    """``tag op value``; ``text`` is the literal as written in the rule (``2000万``, ``10%``)."""

    tag: str
    op: str
    value: float
    text: str

    def rule(self) -> str:
        return f"{self.tag} {self.op} {self.text}"

    def polars(self) -> Any:
        import polars as pl

        return _pl_cmp(pl.col(self.tag), self.op, pl.lit(self.value, dtype=pl.Float64))

    def sql(self) -> str:
        op = "=" if self.op == "==" else self.op
        return f"({_q(self.tag)} {op} {_sql_num(self.value)})"

    def _re(self, op: str) -> str:
        a = ALIAS[self.tag]
        return f"({a} != null and {a} {op} {_re_num(self.value)})"

    def re_true(self) -> str:
        return self._re(self.op)

    def re_false(self) -> str:
        return self._re(_OPS[self.op])


@dataclass(frozen=True)
class Ratio(Cond):
    """``num / den op value``: unknown when either is missing or ``den`` is 0."""

    num: str
    den: str
    op: str
    value: float
    text: str

    def rule(self) -> str:
        return f"{self.num} / {self.den} {self.op} {self.text}"

    def polars(self) -> Any:
        import polars as pl

        den = pl.col(self.den)
        quotient = pl.when(den != 0).then(pl.col(self.num) / den)
        return _pl_cmp(quotient, self.op, pl.lit(self.value, dtype=pl.Float64))

    def sql(self) -> str:
        return (f"({_q(self.num)} / NULLIF({_q(self.den)}, CAST(0 AS DOUBLE)) {self.op} "
                f"{_sql_num(self.value)})")

    def _re(self, op: str) -> str:
        a, b = ALIAS[self.num], ALIAS[self.den]
        guard = f"{a} != null and {b} != null and {b} != 0"
        return f"({guard} and {a} / {b} {op} {_re_num(self.value)})"

    def re_true(self) -> str:
        return self._re(self.op)

    def re_false(self) -> str:
        return self._re(_OPS[self.op])


def _pl_cmp(left: Any, op: str, right: Any) -> Any:
    return {">=": left >= right, ">": left > right, "<=": left <= right, "<": left < right,
            "==": left == right, "!=": left != right}[op]


@dataclass(frozen=True)
class Code(Cond):
    """``tag in [...]`` on a hierarchical code: prefix containment of canonical codes.

    ``options`` are canonical (``"F51"``, ``"530102"``); ``written`` how the rule spells them
    (a 门类 may be named by its Chinese name, a street by its code)."""

    tag: str
    options: tuple[str, ...]
    written: tuple[str, ...]
    negated: bool = False

    def rule(self) -> str:
        words = ", ".join(f'"{w}"' for w in self.written)
        return f"{self.tag} {'not in' if self.negated else 'in'} [{words}]"

    def polars(self) -> Any:
        import polars as pl

        col = pl.col(self.tag)
        found = col.str.starts_with(self.options[0])
        for option in self.options[1:]:
            found = found | col.str.starts_with(option)
        return ~found if self.negated else found

    def sql(self) -> str:
        found = " OR ".join(f"starts_with({_q(self.tag)}, '{o}')" for o in self.options)
        return f"(NOT ({found}))" if self.negated else f"({found})"

    def _re(self, inside: bool) -> str:
        a = ALIAS[self.tag]
        pattern = "|".join(self.options)
        test = f'{a} =~ "({pattern}).*"'
        return f"({a} != null and {test})" if inside else f"({a} != null and not {test})"

    def re_true(self) -> str:
        return self._re(not self.negated)

    def re_false(self) -> str:
        return self._re(self.negated)


@dataclass(frozen=True)
class Enum(Cond):
    """``tag in [...]`` (or ``== "x"`` for one value) on an enum."""

    tag: str
    options: tuple[str, ...]
    negated: bool = False

    def rule(self) -> str:
        if len(self.options) == 1:
            return f'{self.tag} {"!=" if self.negated else "=="} "{self.options[0]}"'
        words = ", ".join(f'"{w}"' for w in self.options)
        return f"{self.tag} {'not in' if self.negated else 'in'} [{words}]"

    def polars(self) -> Any:
        import polars as pl

        found = pl.col(self.tag).is_in(list(self.options))
        return ~found if self.negated else found

    def sql(self) -> str:
        words = ", ".join(f"'{w}'" for w in self.options)
        return f"({_q(self.tag)} {'NOT IN' if self.negated else 'IN'} ({words}))"

    def _re(self, inside: bool) -> str:
        a = ALIAS[self.tag]
        words = ", ".join(f'"{w}"' for w in self.options)
        test = f"{a} in [{words}]"
        return f"({a} != null and {test})" if inside else f"({a} != null and not {test})"

    def re_true(self) -> str:
        return self._re(not self.negated)

    def re_false(self) -> str:
        return self._re(self.negated)


@dataclass(frozen=True)
class Has(Cond):
    """``资质 has "x"`` / ``has any [...]`` / ``has all [...]``."""

    tag: str
    mode: str  # one | any | all
    values: tuple[str, ...]

    def rule(self) -> str:
        if self.mode == "one":
            return f'{self.tag} has "{self.values[0]}"'
        words = ", ".join(f'"{w}"' for w in self.values)
        return f"{self.tag} has {self.mode} [{words}]"

    def polars(self) -> Any:
        import polars as pl

        parts = [pl.col(self.tag).list.contains(v) for v in self.values]
        out = parts[0]
        for p in parts[1:]:
            out = (out & p) if self.mode == "all" else (out | p)
        return out

    def sql(self) -> str:
        joiner = " AND " if self.mode == "all" else " OR "
        return "(" + joiner.join(f"list_contains({_q(self.tag)}, '{v}')"
                                 for v in self.values) + ")"

    def _tests(self) -> list[str]:
        a = ALIAS[self.tag]
        return [f'"{v}" in {a}' for v in self.values]

    def re_true(self) -> str:
        a = ALIAS[self.tag]
        joiner = " and " if self.mode == "all" else " or "
        return f"({a} != null and ({joiner.join(self._tests())}))"

    def re_false(self) -> str:
        a = ALIAS[self.tag]
        joiner = " and " if self.mode == "all" else " or "
        return f"({a} != null and not ({joiner.join(self._tests())}))"


@dataclass(frozen=True)
class Flag(Cond):
    """A bool tag, or ``not`` it."""

    tag: str
    negated: bool = True

    def rule(self) -> str:
        return f"not {self.tag}" if self.negated else self.tag

    def polars(self) -> Any:
        import polars as pl

        return ~pl.col(self.tag) if self.negated else pl.col(self.tag)

    def sql(self) -> str:
        return f"(NOT {_q(self.tag)})" if self.negated else f"({_q(self.tag)})"

    def re_true(self) -> str:
        return f"({ALIAS[self.tag]} == {'false' if self.negated else 'true'})"

    def re_false(self) -> str:
        return f"({ALIAS[self.tag]} == {'true' if self.negated else 'false'})"


@dataclass(frozen=True)
class DateCmp(Cond):
    """``tag op date``; ``text`` is ``today - 3年`` or ``2023-01-01``; ``day`` its value."""

    tag: str
    op: str
    day: dt.date
    text: str

    def rule(self) -> str:
        return f"{self.tag} {self.op} {self.text}"

    def polars(self) -> Any:
        import polars as pl

        return _pl_cmp(pl.col(self.tag), self.op, pl.lit(self.day, dtype=pl.Date))

    def sql(self) -> str:
        return f"({_q(self.tag)} {self.op} DATE '{self.day.isoformat()}')"

    def _re(self, op: str) -> str:
        a = ALIAS[self.tag]
        return f'({a} != null and {a} {op} d"{self.day.isoformat()}")'

    def re_true(self) -> str:
        return self._re(self.op)

    def re_false(self) -> str:
        return self._re(_OPS[self.op])


@dataclass(frozen=True)
class Known(Cond):
    tag: str

    def rule(self) -> str:
        return f"known({self.tag})"

    def polars(self) -> Any:
        import polars as pl

        return pl.col(self.tag).is_not_null()

    def sql(self) -> str:
        return f"({_q(self.tag)} IS NOT NULL)"

    def re_true(self) -> str:
        return f"({ALIAS[self.tag]} != null)"

    def re_false(self) -> str:
        return f"({ALIAS[self.tag]} == null)"


@dataclass(frozen=True)
class All(Cond):
    items: tuple[Cond, ...]

    def rule(self) -> str:
        return "all of [" + ", ".join(i.rule() for i in self.items) + "]"

    def polars(self) -> Any:
        out = self.items[0].polars()
        for i in self.items[1:]:
            out = out & i.polars()
        return out

    def sql(self) -> str:
        return "(" + " AND ".join(i.sql() for i in self.items) + ")"

    def re_true(self) -> str:
        return "(" + " and ".join(i.re_true() for i in self.items) + ")"

    def re_false(self) -> str:
        return "(" + " or ".join(i.re_false() for i in self.items) + ")"


@dataclass(frozen=True)
class AnyOf(Cond):
    items: tuple[Cond, ...]

    def rule(self) -> str:
        return "any of [" + ", ".join(i.rule() for i in self.items) + "]"

    def polars(self) -> Any:
        out = self.items[0].polars()
        for i in self.items[1:]:
            out = out | i.polars()
        return out

    def sql(self) -> str:
        return "(" + " OR ".join(i.sql() for i in self.items) + ")"

    def re_true(self) -> str:
        return "(" + " or ".join(i.re_true() for i in self.items) + ")"

    def re_false(self) -> str:
        return "(" + " and ".join(i.re_false() for i in self.items) + ")"


@dataclass(frozen=True)
class AtLeast(Cond):
    k: int
    items: tuple[Cond, ...]

    def rule(self) -> str:
        return f"at least {self.k} of [" + ", ".join(i.rule() for i in self.items) + "]"

    def polars(self) -> Any:
        import polars as pl

        exprs = [i.polars() for i in self.items]
        true = pl.sum_horizontal([e.fill_null(False).cast(pl.Int32) for e in exprs])
        possible = pl.sum_horizontal([e.fill_null(True).cast(pl.Int32) for e in exprs])
        return (pl.when(true >= self.k).then(pl.lit(True))
                .when(possible < self.k).then(pl.lit(False))
                .otherwise(pl.lit(None, dtype=pl.Boolean)))

    def sql(self) -> str:
        parts = [i.sql() for i in self.items]
        true = " + ".join(f"CAST(COALESCE({p}, FALSE) AS INTEGER)" for p in parts)
        possible = " + ".join(f"CAST(COALESCE({p}, TRUE) AS INTEGER)" for p in parts)
        return (f"(CASE WHEN ({true}) >= {self.k} THEN TRUE "
                f"WHEN ({possible}) < {self.k} THEN FALSE ELSE NULL END)")

    def re_true(self) -> str:
        total = " + ".join(f"({i.re_true()} ? 1 : 0)" for i in self.items)
        return f"(({total}) >= {self.k})"

    def re_false(self) -> str:
        total = " + ".join(f"({i.re_false()} ? 1 : 0)" for i in self.items)
        return f"(({total}) > {len(self.items) - self.k})"


@dataclass(frozen=True)
class Not(Cond):
    item: Cond

    def rule(self) -> str:
        return f"not ({self.item.rule()})"

    def polars(self) -> Any:
        return ~self.item.polars()

    def sql(self) -> str:
        return f"(NOT {self.item.sql()})"

    def re_true(self) -> str:
        return self.item.re_false()

    def re_false(self) -> str:
        return self.item.re_true()


# ---- policies ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class BenchPolicy:
    pid: str
    name: str
    department: str
    valid_from: dt.date
    valid_to: dt.date
    cond: Cond

    def active(self, day: dt.date = AS_OF) -> bool:
        return self.valid_from <= day <= self.valid_to

    def rule_text(self) -> str:
        return (f'policy "{self.pid}" {{\n'
                f'    事项名称: "{self.name}"\n'
                f'    执行部门: "{self.department}"\n'
                f"    适用时间: {self.valid_from.isoformat()} 至 {self.valid_to.isoformat()}\n"
                f"    申请条件: {self.cond.rule()}\n"
                f"}}\n")


def _wan(amount_wan: float) -> tuple[float, str]:
    """A money threshold in 万元 → (yuan, literal)."""
    if amount_wan >= 10_000 and amount_wan % 10_000 == 0:
        return amount_wan * 10_000, f"{int(amount_wan // 10_000)}亿"
    text = f"{amount_wan:g}万"
    return amount_wan * 10_000, text


def money(tag: str, op: str, amount_wan: float) -> Num:
    value, text = _wan(amount_wan)
    return Num(tag, op, value, text)


def count(tag: str, op: str, value: int, unit: str = "") -> Num:
    return Num(tag, op, float(value), f"{value}{unit}")


def percent(tag: str, op: str, pct: float) -> Num:
    return Num(tag, op, pct / 100, f"{pct:g}%")


def rd_ratio(op: str, pct: float) -> Ratio:
    return Ratio("研发费用", "营业收入", op, pct / 100, f"{pct:g}%")


def years_ago(tag: str, op: str, years: int) -> DateCmp:
    day = AS_OF.replace(year=AS_OF.year - years)
    return DateCmp(tag, op, day, f"today - {years}年")


def on_or_after(tag: str, day: dt.date) -> DateCmp:
    return DateCmp(tag, ">=", day, day.isoformat())


_STREETS = tuple(f"530102{i:03d}" for i in range(1, 11))
_STREET_NAMES = ("华山街道", "护国街道", "大观街道", "龙翔街道", "丰宁街道", "莲华街道", "红云街道",
                 "黑林铺街道", "普吉街道", "西翥街道")
_NAME_OF = {letter: name for letter, (name, _, _) in SECTIONS.items()}


def region(rng: random.Random) -> Code:
    roll = rng.random()
    if roll < 0.6:
        return Code("所在区域", ("530102",), ("530102",) if rng.random() < 0.8 else ("五华区",))
    k = rng.choice((1, 2, 3))
    picked = sorted(rng.sample(range(10), k))
    named = rng.random() < 0.3
    return Code("所在区域", tuple(_STREETS[i] for i in picked),
                tuple((_STREET_NAMES if named else _STREETS)[i] for i in picked))


def industry(options: tuple[str, ...], rng: random.Random, negated: bool = False) -> Code:
    written = tuple(_NAME_OF[o] if len(o) == 1 and rng.random() < 0.3 else o for o in options)
    return Code("所属行业", options, written, negated)


def _credit(rng: random.Random) -> Cond:
    return rng.choice([Enum("纳税信用等级", ("C", "D"), negated=True),
                       Enum("纳税信用等级", ("A", "B")),
                       Enum("纳税信用等级", ("A", "B", "M")),
                       Enum("纳税信用等级", ("A",))])


def _clean_record(rng: random.Random) -> list[Cond]:
    out: list[Cond] = [Flag("失信被执行人")]
    if rng.random() < 0.4:
        out.append(Flag("欠薪欠保企业"))
    if rng.random() < 0.2:
        out.append(Flag("重大事故企业"))
    return out


TECH = ("高新技术企业", "科技型中小企业", "创新型中小企业")
SRDI = ("专精特新中小企业", "专精特新小巨人")


def _t_hnte(rng: random.Random) -> tuple[str, str, Cond]:
    items: list[Cond] = [region(rng), Has("资质", "one", ("高新技术企业",))]
    if rng.random() < 0.6:
        items.append(Enum("高企认定类型", (rng.choice(["首次认定", "重新认定"]),)))
    items.append(years_ago("高企认定日期", ">=", rng.choice((1, 2))))
    items += _clean_record(rng)
    return "高新技术企业认定奖励", "区科学技术局", All(tuple(items))


def _t_rd(rng: random.Random) -> tuple[str, str, Cond]:
    excluded = rng.choice([("C16", "H", "F", "K", "L", "R90"), ("F", "K", "L"), ("H", "F")])
    items: list[Cond] = [
        region(rng), industry(excluded, rng, negated=True),
        money("研发费用", ">=", rng.choice((20, 50, 100, 200, 500))), _credit(rng),
        Flag("失信被执行人"),
        AtLeast(2, (rd_ratio(">=", rng.choice((3, 4, 5))),
                    Has("资质", "any", tuple(rng.sample(TECH, rng.choice((2, 3))))),
                    count("有效发明专利数", ">=", rng.choice((1, 2, 3, 5)), "件"))),
    ]
    return "企业研发投入后补助", "区科学技术局", All(tuple(items))


def _t_industrial(rng: random.Random) -> tuple[str, str, Cond]:
    items: list[Cond] = [industry(rng.choice([("B", "C", "D"), ("C",)]), rng),
                         money("营业收入", ">=", 2000),
                         percent("营业收入增长率", ">=", rng.choice((5, 8, 10, 15, 20))),
                         region(rng)]
    if rng.random() < 0.5:
        items.append(Flag("重大事故企业"))
    return "规上工业企业增产增效奖励", "区工业和信息化局", All(tuple(items))


def _t_trade(rng: random.Random) -> tuple[str, str, Cond]:
    branches: list[Cond] = [
        All((industry(("F51",), rng), money("营业收入", ">=", rng.choice((2000, 5000))))),
        All((industry(("F52",), rng), money("营业收入", ">=", rng.choice((500, 1000))))),
        All((industry(("H",), rng), money("营业收入", ">=", rng.choice((200, 500))))),
    ]
    items: list[Cond] = [AnyOf(tuple(rng.sample(branches, rng.choice((2, 3))))), region(rng)]
    if rng.random() < 0.7:
        items.append(percent("营业收入增长率", ">=", rng.choice((0, 5, 10))))
    return "限额以上商贸企业稳增长奖励", "区商务局", All(tuple(items))


def _t_small(rng: random.Random) -> tuple[str, str, Cond]:
    sizes = rng.choice([("小型", "微型"), ("中型", "小型", "微型"), ("微型",)])
    items: list[Cond] = [Enum("企业规模", sizes), _credit(rng), *_clean_record(rng), region(rng)]
    if rng.random() < 0.3:
        items.append(years_ago("成立日期", "<=", rng.choice((1, 2, 3))))
    return "中小微企业普惠扶持", "区财政局", All(tuple(items))


def _t_micro_profit(rng: random.Random) -> tuple[str, str, Cond]:
    items: list[Cond] = [money("应纳税所得额", "<=", 300), count("从业人数", "<=", 300),
                         money("资产总额", "<=", 5000), Flag("限制禁止类行业企业")]
    if rng.random() < 0.5:
        items.append(region(rng))
    return "小型微利企业所得税优惠辅导", "区税务局", All(tuple(items))


def _t_jobs(rng: random.Random) -> tuple[str, str, Cond]:
    items: list[Cond] = [count("参保人数", ">=", rng.choice((1, 5, 10, 20)), "人"),
                         Not(percent("裁员率", ">", rng.choice((3, 5, 5.5)))),
                         Flag("欠薪欠保企业"), Flag("失信被执行人"), Known("失业保险缴费额")]
    if rng.random() < 0.5:
        items.append(region(rng))
    return "失业保险稳岗返还", "区人力资源和社会保障局", All(tuple(items))


def _t_new(rng: random.Random) -> tuple[str, str, Cond]:
    sections = tuple(sorted(rng.sample(["I", "M", "L", "R", "O", "H", "F"], rng.choice((2, 3, 4)))))
    items: list[Cond] = [years_ago("成立日期", ">=", rng.choice((1, 2, 3))), region(rng),
                         industry(sections, rng)]
    if rng.random() < 0.5:
        items.append(count("从业人数", ">=", rng.choice((3, 5, 10)), "人"))
    return "新设企业落户奖励", "区投资促进局", All(tuple(items))


def _t_hq(rng: random.Random) -> tuple[str, str, Cond]:
    items: list[Cond] = [money("纳税额", ">=", rng.choice((100, 300, 500, 1000))),
                         industry(tuple(sorted(rng.sample(["L72", "M", "I", "J", "K70"], 2))), rng),
                         region(rng), Flag("重大事故企业"), Known("纳税额")]
    return "楼宇经济总部企业奖励", "区投资促进局", All(tuple(items))


def _t_srdi(rng: random.Random) -> tuple[str, str, Cond]:
    items: list[Cond] = [
        Has("资质", "any", SRDI),
        AnyOf((money("营业收入", ">=", rng.choice((1000, 2000))),
               money("近两年新增股权融资", ">=", 2000))),
        on_or_after("专精特新认定日期", rng.choice((dt.date(2023, 1, 1), dt.date(2024, 1, 1)))),
        region(rng)]
    return "专精特新企业认定奖励", "区工业和信息化局", All(tuple(items))


def _t_tsme(rng: random.Random) -> tuple[str, str, Cond]:
    items: list[Cond] = [Has("资质", "any", ("科技型中小企业", "创新型中小企业")),
                         money("研发费用", ">=", rng.choice((10, 20, 50))),
                         industry(("I", "M", "C"), rng), _credit(rng)]
    if rng.random() < 0.3:
        items.append(Has("资质", "all", ("高新技术企业", "科技型中小企业")))
    return "科技型中小企业研发奖励", "区科学技术局", All(tuple(items))


def _t_loan(rng: random.Random) -> tuple[str, str, Cond]:
    items: list[Cond] = [money("创业担保贷款金额", ">=", rng.choice((10, 50, 100))),
                         count("新招用重点群体人数", ">=", rng.choice((1, 2, 3)), "人"),
                         Enum("企业规模", ("小型", "微型")), Flag("失信被执行人")]
    return "小微企业创业担保贷款贴息", "区人力资源和社会保障局", All(tuple(items))


def _t_catering(rng: random.Random) -> tuple[str, str, Cond]:
    items: list[Cond] = [industry(rng.choice([("H",), ("H62",), ("H61",)]), rng),
                         money("营业收入", ">=", rng.choice((100, 200, 500))), region(rng)]
    if rng.random() < 0.5:
        items.append(percent("营业收入增长率", ">=", rng.choice((0, 10))))
    return "住宿餐饮业促消费奖励", "区商务局", All(tuple(items))


def _t_software(rng: random.Random) -> tuple[str, str, Cond]:
    items: list[Cond] = [
        industry(rng.choice([("I65",), ("I64", "I65"), ("I",)]), rng),
        money("营业收入", ">=", rng.choice((500, 1000, 5000, 10000))),
        AtLeast(2, (Has("资质", "one", ("高新技术企业",)),
                    count("有效发明专利数", ">=", 1, "件"),
                    rd_ratio(">=", rng.choice((5, 6, 8))),
                    percent("营业收入增长率", ">=", rng.choice((15, 20, 30))))),
        region(rng)]
    return "软件和信息技术服务业发展奖励", "区工业和信息化局", All(tuple(items))


def _t_property(rng: random.Random) -> tuple[str, str, Cond]:
    items: list[Cond] = [industry(("K7020",), rng),
                         count("从业人数", ">=", rng.choice((20, 50, 100)), "人"),
                         Enum("纳税信用等级", ("A", "B")), region(rng)]
    return "物业服务企业规范化奖励", "区住房和城乡建设局", All(tuple(items))


TEMPLATES = (_t_hnte, _t_rd, _t_industrial, _t_trade, _t_small, _t_micro_profit, _t_jobs,
             _t_new, _t_hq, _t_srdi, _t_tsme, _t_loan, _t_catering, _t_software, _t_property)


def generate_policies(p: int, seed: int = 0, prefix: str = "BM") -> list[BenchPolicy]:
    """``p`` policies drawn from the templates; 5 % of them expired before :data:`AS_OF`."""
    rng = random.Random(seed)
    out = []
    for i in range(p):
        template = TEMPLATES[i % len(TEMPLATES)] if i < len(TEMPLATES) else rng.choice(TEMPLATES)
        name, department, cond = template(rng)
        expired = rng.random() < 0.05
        start, end = ((dt.date(2021, 1, 1), dt.date(2023, 12, 31)) if expired
                      else (dt.date(2024, 1, 1), dt.date(2026, 12, 31)))
        out.append(BenchPolicy(f"{prefix}-{i + 1:05d}", f"{name}（{i + 1}）", department,
                               start, end, cond))
    return out


def new_policy() -> BenchPolicy:
    """The one policy added to a loaded rulebook: some atoms shared, some new."""
    cond = All((Code("所在区域", ("530102003", "530102006"), ("530102003", "530102006")),
                Code("所属行业", ("I65", "M75"), ("I65", "M75")),
                money("营业收入", ">=", 3500), rd_ratio(">=", 6),
                Has("资质", "any", ("高新技术企业", "科技型中小企业")),
                Flag("失信被执行人")))
    return BenchPolicy("BM-NEW-00001", "数字经济企业研发投入奖励（新增）", "区科学技术局",
                       dt.date(2025, 1, 1), dt.date(2027, 12, 31), cond)


def rulebook_text(policies: list[BenchPolicy]) -> str:
    return "# 基准测试政策（benchmarks/policies.py 生成）\n\n" + "\n".join(
        p.rule_text() for p in policies)
