"""Staff and hiring: social insurance, 重点群体 and graduates hired, 残疾人就业保障金,
就业见习基地 and the keeper of a 个体工商户."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from policy_match.tools.generate.cells import chance, money, number, strings, whole
from policy_match.tools.generate.draws import Draws, Research, Scale

if TYPE_CHECKING:
    import pyarrow as pa

_DISABLED_QUOTA = 0.015  # 云南省规定的安排残疾人就业比例
_AVERAGE_WAGE = 105_000  # 当地社会平均工资（元）：残保金的工资基数至多是它的 2 倍


# ---- the first stream ----------------------------------------------------------------------


def draw_employment(rng: np.random.Generator, scale: Scale, cols: dict[str, pa.Array]) -> None:
    """Writes 参保人数, 裁员率, 失业保险缴费额 (稳岗返还), 新招用重点群体人数 and the
    创业担保贷款 that hiring them may bring."""
    staff = scale.staff
    n = len(staff)
    insured = np.round(staff * rng.uniform(0.5, 1.0, n)).astype(np.int64)
    no_insured = rng.random(n) < 0.10
    cols["参保人数"] = number(insured, no_insured)
    layoff = np.where(rng.random(n) < 0.7, 0.0, np.round(rng.uniform(0, 0.2, n), 4))
    cols["裁员率"] = number(layoff, rng.random(n) < 0.15)
    premium = money(insured * np.exp(rng.normal(np.log(60_000), 0.4, n)) * 0.008)
    cols["失业保险缴费额"] = number(premium, no_insured | (rng.random(n) < 0.05))
    hires = np.where(rng.random(n) < 0.05, rng.integers(1, 11, n), 0)
    cols["新招用重点群体人数"] = number(np.minimum(hires, staff), rng.random(n) < 0.07)
    loan = np.where(rng.random(n) < 0.01, rng.integers(1, 31, n) * 100_000, 0)
    cols["创业担保贷款金额"] = number(loan, rng.random(n) < 0.01)


def draw_hiring(rng: np.random.Generator, scale: Scale, research: Research,
                cols: dict[str, pa.Array]) -> None:
    """Writes 新招用扩岗对象人数 and the graduates hired (more in I, M, C) with their
    social insurance."""
    staff = scale.staff
    n = len(staff)
    cols["新招用扩岗对象人数"] = number(
        np.minimum(np.where(rng.random(n) < 0.04, rng.integers(1, 6, n), 0), staff),
        rng.random(n) < 0.08)
    grads = np.minimum(np.where(rng.random(n) < np.where(research.tech_section, 0.12, 0.05),
                                rng.integers(1, 9, n), 0), staff)
    no_grad_data = rng.random(n) < 0.08
    cols["新招用高校毕业生人数"] = number(grads, no_grad_data)
    cols["高校毕业生单位社保缴费额"] = number(money(grads * 12 * rng.uniform(600, 1400, n)),
                                       no_grad_data)


# ---- the later stream ----------------------------------------------------------------------


def draw_disability_levy(rng: np.random.Generator, d: Draws, cols: dict[str, pa.Array]
                         ) -> None:
    """Writes 在职职工年平均人数, 残疾人就业比例 and 残保金应缴费额 (before any relief;
    个体工商户 and 合作社 pay none)."""
    n = d.n
    employees = whole(np.maximum(np.round(d.scale.staff * rng.uniform(0.8, 1.0, n)), 1))
    disabled = np.where(rng.random(n) < np.select([employees >= 100, employees >= 30,
                                                   employees >= 10], [0.6, 0.25, 0.04], 0.01),
                        1 + rng.poisson(employees * 0.01), 0)
    disabled = np.minimum(disabled, employees)
    wage = np.minimum(np.exp(rng.normal(np.log(85_000), 0.35, n)), 2 * _AVERAGE_WAGE)
    levy = np.where(d.company, np.maximum(employees * _DISABLED_QUOTA - disabled, 0) * wage, 0)
    no_staff_data = chance(rng, 0.15, n)
    cols["在职职工年平均人数"] = number(employees, no_staff_data)
    cols["残疾人就业比例"] = number(np.round(disabled / employees, 4),
                                  no_staff_data | chance(rng, 0.05, n))
    cols["残保金应缴费额"] = number(money(levy), no_staff_data | chance(rng, 0.05, n))


def draw_keeper(rng: np.random.Generator, d: Draws, cols: dict[str, pa.Array]) -> None:
    """Writes 经营者为重点群体 for 个体工商户 (blank for everyone else); more among the young."""
    n = d.n
    keeper = rng.random(n) < np.where(d.founding.age_days < 3 * 365, 0.20, 0.10)
    cols["经营者为重点群体"] = strings(["否", "是"], keeper.astype(np.int32),
                                   ~d.person | chance(rng, 0.20, n))


def draw_trainees(rng: np.random.Generator, d: Draws, cols: dict[str, pa.Array]) -> None:
    """Writes 见习基地, 就业见习人月数 and 见习留用率 (only where there were trainees)."""
    n = d.n
    staff = d.scale.staff
    base = d.company & (rng.random(n) < np.where(d.scale.bigger, 0.05, 0.004) * np.where(
        np.isin(d.industry.section, ["I", "M", "L", "F", "H", "C"]), 1.5, 0.7))
    trainees = np.where(base & (rng.random(n) < 0.85),
                        1 + rng.poisson(np.where(staff >= 50, 6.0, 2.0)), 0)
    kept = rng.binomial(trainees, rng.beta(4.0, 4.0, n))
    cols["见习基地"] = strings(["否", "是"], base.astype(np.int32), chance(rng, 0.05, n))
    cols["就业见习人月数"] = number(whole(np.round(trainees * rng.uniform(3, 12, n))),
                                  chance(rng, 0.10, n))
    cols["见习留用率"] = number(np.round(kept / np.maximum(trainees, 1), 4),
                              (trainees == 0) | chance(rng, 0.10, n))
