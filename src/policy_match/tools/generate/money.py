"""The money columns: size (从业人数, 营业收入, 资产总额 and the 企业规模 they give), growth,
R&D, taxes, equipment, loans and the later money tags.

Staff, revenue and assets are correlated lognormals per industry (revenue = staff × revenue
per head), so most enterprises are 微型 and a few are large. Tax and R&D fields are missing
for 10–20 % of the rows: a missing value is unknown, not 0.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from policy_match.tools.generate.cells import (
    chance,
    dates,
    money,
    number,
    pick,
    strings,
    whole,
    yes_no,
)
from policy_match.tools.generate.columns import REFERENCE_DAY
from policy_match.tools.generate.draws import (
    Draws,
    Founding,
    Industry,
    Property,
    Research,
    Scale,
    Taxes,
)
from policy_match.tools.generate.sizes import SIZES, classify_size

if TYPE_CHECKING:
    import pyarrow as pa

# 门类 → (median staff, median revenue per head in yuan, median assets / revenue).
_ECONOMICS = {
    "F": (3, 600_000, 0.5), "L": (4, 250_000, 0.8), "M": (5, 220_000, 0.7),
    "I": (6, 280_000, 0.6), "H": (7, 150_000, 0.6), "E": (10, 400_000, 0.9),
    "K": (6, 500_000, 3.0), "C": (12, 400_000, 1.0), "G": (6, 300_000, 0.9),
    "J": (5, 400_000, 2.0), "D": (15, 600_000, 2.0), "B": (20, 500_000, 1.5),
}
_DEFAULT_ECONOMICS = (4, 180_000, 0.6)
_DORMANT = 0.05  # 新设 or dormant: no revenue last year


# ---- the first stream ----------------------------------------------------------------------


def draw_scale(rng: np.random.Generator, industry: Industry, cols: dict[str, pa.Array]
               ) -> Scale:
    """Writes 从业人数, 营业收入, 资产总额 and 企业规模 (by the 2017 table)."""
    n = len(industry.index)
    econ = np.array([_ECONOMICS.get(s, _DEFAULT_ECONOMICS) for s in industry.letters],
                    dtype=float)
    econ_row = econ[industry.index]
    staff = np.maximum(1, np.round(np.exp(rng.normal(np.log(econ_row[:, 0]), 1.15)))
                       ).astype(np.int64)
    per_head = np.exp(rng.normal(np.log(econ_row[:, 1]), 0.9))
    dormant = rng.random(n) < _DORMANT
    revenue = money(np.where(dormant, 0.0, staff * per_head))
    assets = money(np.where(dormant, np.exp(rng.normal(np.log(300_000), 1.0, n)),
                            revenue * np.exp(rng.normal(np.log(econ_row[:, 2]), 0.8))))
    cols["从业人数"] = number(staff)
    cols["营业收入"] = number(revenue)
    cols["资产总额"] = number(assets)
    band = classify_size(industry.section, industry.digits, staff, revenue.astype(float),
                         assets.astype(float))
    cols["企业规模"] = strings(SIZES, band)
    return Scale(staff, revenue, assets, band)


def draw_growth(rng: np.random.Generator, scale: Scale, founding: Founding,
                cols: dict[str, pa.Array]) -> np.ndarray:
    """Writes 前年营业收入 and 营业收入增长率 (unknown for the young); returns the growth."""
    n = len(scale.revenue)
    revenue = scale.revenue
    growth = np.exp(rng.normal(0.05, 0.25, n)) - 1
    prev = money(revenue / (1 + growth))
    young = founding.age_days < 2 * 365
    cols["前年营业收入"] = number(prev, young)
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = np.round(revenue / np.where(prev > 0, prev, 1) - 1, 4)
    cols["营业收入增长率"] = number(rate, young | (prev <= 0))
    return growth


def draw_research(rng: np.random.Generator, industry: Industry, scale: Scale,
                  cols: dict[str, pa.Array]) -> Research:
    """Writes 研发费用 and 近两年研发费用均值: half of I, M, C do R&D, few others."""
    n = len(scale.revenue)
    tech_section = np.isin(industry.section, ["I", "M", "C"])
    does_rd = (rng.random(n) < np.where(tech_section, 0.5, 0.04)) & (scale.revenue > 0)
    intensity = np.minimum(np.exp(rng.normal(np.log(0.04), 0.8, n)), 0.9)
    rd = np.where(does_rd, money(scale.revenue * intensity), 0)
    cols["研发费用"] = number(rd, rng.random(n) < 0.17)
    rd_avg = np.where(does_rd, money(rd * rng.uniform(0.7, 1.1, n)), 0)
    cols["近两年研发费用均值"] = number(rd_avg, rng.random(n) < 0.20)
    return Research(tech_section, does_rd, rd)


def draw_taxes(rng: np.random.Generator, scale: Scale, cols: dict[str, pa.Array]) -> Taxes:
    """Writes 应纳税所得额, 纳税额, 纳税信用等级 and 限制禁止类行业企业."""
    n = len(scale.revenue)
    revenue = scale.revenue
    margin = rng.normal(0.06, 0.10, n)
    cols["应纳税所得额"] = number(money(np.maximum(revenue * margin, 0)), rng.random(n) < 0.15)
    tax = money(revenue * np.exp(rng.normal(np.log(0.03), 0.6, n)))
    cols["纳税额"] = number(tax, rng.random(n) < 0.12)
    cols["纳税信用等级"] = strings(["A", "B", "M", "C", "D"],
                                 pick(rng, 5, [0.30, 0.45, 0.15, 0.07, 0.03], n),
                                 rng.random(n) < 0.10)
    cols["限制禁止类行业企业"] = yes_no(rng, 0.01, 0.12, n)
    return Taxes(margin, tax)


def draw_equipment(rng: np.random.Generator, industry: Industry,
                   cols: dict[str, pa.Array]) -> None:
    """Writes 设备投资额: a third of the industrial enterprises invest, few others."""
    n = len(industry.section)
    industrial = np.isin(industry.section, ["B", "C", "D"])
    invests = np.where(industrial, 0.3, 0.05) > rng.random(n)
    scale = np.where(industrial, np.log(2e6), np.log(2e5))
    cols["设备投资额"] = number(np.where(invests, money(np.exp(np.asarray(rng.normal(scale, 1.0)))),
                                         0), rng.random(n) < 0.15)


def draw_tax_regime(rng: np.random.Generator, scale: Scale, taxes: Taxes,
                    cols: dict[str, pa.Array]) -> None:
    """Writes 企业所得税征收方式, 增值税纳税人类型 and 六税两费应纳税额."""
    n = len(scale.revenue)
    assessed = rng.random(n) < np.where(scale.band == 3, 0.2, 0.05)
    cols["企业所得税征收方式"] = strings(["查账征收", "核定征收"], assessed, rng.random(n) < 0.08)
    general = (scale.revenue >= 5_000_000) | (rng.random(n) < 0.1)
    cols["增值税纳税人类型"] = strings(["小规模纳税人", "一般纳税人"], general,
                                     rng.random(n) < 0.05)
    cols["六税两费应纳税额"] = number(money(taxes.tax * rng.uniform(0.05, 0.15, n)),
                                    rng.random(n) < 0.15)


def draw_loans(rng: np.random.Generator, founding: Founding, cols: dict[str, pa.Array]
               ) -> None:
    """Writes the first loan (首贷) and the loan falling due in the next half year."""
    n = len(founding.founded)
    borrowed = rng.random(n) < 0.15
    cols["首贷日期"] = dates(
        founding.founded + (rng.random(n) * (founding.age_days - 1)).astype(np.int64), ~borrowed)
    cols["首贷金额"] = number(money(np.round(np.exp(rng.normal(np.log(5e5), 1.0, n)), -4)),
                            ~borrowed)
    maturing = rng.random(n) < 0.08
    cols["贷款到期日"] = dates(REFERENCE_DAY + rng.integers(0, 181, n), ~maturing)
    cols["到期贷款金额"] = number(money(np.round(np.exp(rng.normal(np.log(2e6), 1.0, n)), -4)),
                              ~maturing)
    cols["已获续贷承诺"] = strings(["否", "是"], rng.random(n) < 0.4, ~maturing)


# ---- the later stream ----------------------------------------------------------------------


def draw_costs(rng: np.random.Generator, d: Draws, cols: dict[str, pa.Array]) -> None:
    """Writes 成本费用总额: revenue less the margin, at least the R&D spent."""
    n = d.n
    cost = np.where(d.selling, d.scale.revenue * np.clip(1 - d.margin, 0.5, 1.5),
                    np.exp(rng.normal(np.log(150_000), 1.0, n)))
    cols["成本费用总额"] = number(money(np.maximum(cost, d.research.rd * 1.05)),
                                chance(rng, 0.18, n))


def draw_three_year_equity(rng: np.random.Generator, d: Draws, cols: dict[str, pa.Array]
                           ) -> None:
    """Writes 近三年新增股权融资: 近三年 ⊇ 近两年, an older round now and then; unknown where
    近两年 mostly is."""
    n = d.n
    older = np.where(rng.random(n) < np.where(d.rated, 0.12, 0.01),
                     np.round(np.exp(rng.normal(np.log(5e6), 1.0, n)), -4), 0)
    cols["近三年新增股权融资"] = number(
        whole(d.recognition.equity + older),
        (d.recognition.no_equity & chance(rng, 0.8, n)) | chance(rng, 0.05, n))


def draw_digital(rng: np.random.Generator, d: Draws, cols: dict[str, pa.Array]) -> None:
    """Writes 数字化改造投入: manufacturers mostly, the bigger ones more."""
    n = d.n
    section = d.industry.section
    digital = d.selling & (rng.random(n) < np.where(
        d.manufacturing, np.where(d.scale.bigger, 0.40, 0.15),
        np.where(np.isin(section, ["I", "F", "G", "H"]), 0.04, 0.015)))
    spend = np.maximum(d.scale.revenue * np.exp(rng.normal(np.log(0.015), 0.8, n)), 20_000)
    cols["数字化改造投入"] = number(whole(np.where(digital, np.round(spend, -2), 0)),
                                  chance(rng, 0.18, n))


def draw_sole_trader_taxes(rng: np.random.Generator, d: Draws, cols: dict[str, pa.Array]
                           ) -> None:
    """Writes 个体工商户应缴税费 (blank for everyone else): 增值税 1 % above 10万 a month,
    个人所得税 核定 on the turnover."""
    n = d.n
    revenue = d.scale.revenue
    taxes = revenue * (np.where(revenue > 1_200_000, 0.01, 0.0) + rng.uniform(0.002, 0.012, n))
    cols["个体工商户应缴税费"] = number(money(taxes), ~d.person | chance(rng, 0.15, n))


def draw_backed_loans(rng: np.random.Generator, d: Draws, ip: Property,
                      cols: dict[str, pa.Array]) -> None:
    """Writes 知识产权质押 loans and interest, and 拟申请担保金额 (政府性融资担保)."""
    n = d.n
    pledged = d.selling & (rng.random(n) < np.where(
        ip.class1 + ip.class2 + ip.trademarks > 0,
        np.where(d.rated, 0.12, np.where(d.scale.bigger, 0.04, 0.015)), 0.0))
    loan = np.round(np.exp(rng.normal(np.log(3e6), 0.8, n)), -4)
    interest = loan * rng.uniform(0.028, 0.045, n) * rng.uniform(0.25, 1.0, n)
    no_pledge_data = chance(rng, 0.15, n)
    cols["知识产权质押贷款金额"] = number(whole(np.where(pledged, loan, 0)), no_pledge_data)
    cols["知识产权质押贷款利息"] = number(np.where(pledged, money(interest), 0), no_pledge_data)
    guaranteed = rng.random(n) < np.where(d.scale.band >= 2, 0.05, 0.02)
    cols["拟申请担保金额"] = number(whole(np.where(
        guaranteed, np.round(np.exp(rng.normal(np.log(2e6), 0.9, n)), -4), 0)),
        chance(rng, 0.20, n))
