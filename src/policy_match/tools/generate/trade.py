"""Trade: 规上工业 and 限上批零住餐 (入规日期, 入限日期), online retail for shops and
restaurants, exports for some manufacturers and wholesalers (and a few farms), 首店 for a few
retailers, restaurants and venues, and the night-time economy."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from policy_match.tools.generate.cells import chance, dates, money, number, pick, strings
from policy_match.tools.generate.columns import REFERENCE_DAY
from policy_match.tools.generate.draws import Draws, Founding, Industry, Scale

if TYPE_CHECKING:
    import pyarrow as pa

_FIRST_STORES = ("全球首店", "亚洲首店", "全国首店", "西南首店", "云南首店", "昆明首店")
_FIRST_STORE_SHARE = (0.01, 0.02, 0.07, 0.15, 0.30, 0.45)


# ---- the first stream ----------------------------------------------------------------------


def draw_above_scale_industry(rng: np.random.Generator, industry: Industry, scale: Scale,
                              founding: Founding, cols: dict[str, pa.Array]) -> None:
    """Writes 入规日期 for 规上工业 (B, C, D with 2000万 revenue)."""
    industrial = np.isin(industry.section, ["B", "C", "D"]) & (scale.revenue >= 20_000_000)
    cols["入规日期"] = _entry_dates(rng, founding, ~industrial)


def draw_above_quota_trade(rng: np.random.Generator, industry: Industry, scale: Scale,
                           founding: Founding, cols: dict[str, pa.Array]) -> None:
    """Writes 入限日期 for 限上 批发 (2000万), 零售 (500万) and 住宿餐饮 (200万)."""
    division, revenue = industry.division, scale.revenue
    above = (((division == 51) & (revenue >= 20_000_000))
             | ((division == 52) & (revenue >= 5_000_000))
             | ((industry.section == "H") & (revenue >= 2_000_000)))
    cols["入限日期"] = _entry_dates(rng, founding, ~above)


def _entry_dates(rng: np.random.Generator, founding: Founding, missing: np.ndarray
                 ) -> pa.Array:
    """A day from a year after founding to half a year before the reference date."""
    n = len(founding.founded)
    entered = founding.founded + 365 + (
        rng.random(n) * np.maximum(founding.age_days - 545, 1)).astype(np.int64)
    return dates(np.minimum(entered, REFERENCE_DAY - 180), missing)


# ---- the later stream ----------------------------------------------------------------------


def draw_online_retail(rng: np.random.Generator, d: Draws, cols: dict[str, pa.Array]) -> None:
    """Writes 网络零售额: mostly shops and restaurants, a share of their revenue."""
    n = d.n
    section, division = d.industry.section, d.industry.division
    online = d.selling & (rng.random(n) < np.select(
        [division == 52, section == "H", division == 51, np.isin(section, ["C", "I"])],
        [0.30, 0.35, 0.08, 0.05], 0.01))
    online_share = np.select([division == 52, section == "H"],
                             [rng.beta(1.5, 3.0, n), rng.beta(2.0, 3.0, n)], rng.beta(1.0, 4.0, n))
    cols["网络零售额"] = number(np.where(online, money(d.scale.revenue * online_share), 0),
                             chance(rng, 0.20, n))


def draw_exports(rng: np.random.Generator, d: Draws, cols: dict[str, pa.Array]) -> None:
    """Writes 出口额 (a share of revenue) and 出口信用保险保费 (only on exports)."""
    n = d.n
    division, bigger = d.industry.division, d.scale.bigger
    exporter = d.selling & (rng.random(n) < np.select(
        [d.manufacturing, division == 51, d.industry.section == "A"],
        [np.where(bigger, 0.25, 0.06), np.where(bigger, 0.10, 0.02), 0.03], 0.0))
    export_share = np.where(d.manufacturing, rng.beta(1.5, 4.0, n), rng.beta(2.0, 2.0, n))
    exports = np.where(exporter, money(d.scale.revenue * export_share), 0)
    insured = (exports > 0) & (rng.random(n) < np.where(bigger, 0.5, 0.3))
    premium = np.where(insured, np.maximum(money(exports * rng.uniform(0.0008, 0.003, n)), 500),
                       0)
    cols["出口额"] = number(exports, chance(rng, 0.10, n))
    cols["出口信用保险保费"] = number(premium, chance(rng, 0.12, n))


def draw_first_stores(rng: np.random.Generator, d: Draws, cols: dict[str, pa.Array]) -> None:
    """Writes 首店级别 and 首店开业日期 (after founding) for a few consumer businesses."""
    n = d.n
    first_store = d.consumer & (rng.random(n) < np.where(d.scale.bigger, 0.06, 0.01))
    cols["首店级别"] = strings(_FIRST_STORES, pick(rng, len(_FIRST_STORES),
                                                 _FIRST_STORE_SHARE, n),
                             ~first_store | chance(rng, 0.10, n))
    cols["首店开业日期"] = dates(np.maximum(REFERENCE_DAY - rng.integers(0, 3 * 365, n),
                                         d.founding.founded + 30),
                             ~first_store | chance(rng, 0.08, n))


def draw_night_trade(rng: np.random.Generator, d: Draws, cols: dict[str, pa.Array]) -> None:
    """Writes 夜间延时经营: restaurants, shops and venues, more in the centre."""
    n = d.n
    section, division = d.industry.section, d.industry.division
    central = d.place.in_wuhua & (d.place.street <= 3)  # 华山、护国、大观: the night-time economy
    late = rng.random(n) < np.select(
        [section == "H", division == 52, section == "R", section == "O"],
        [0.35, 0.15, 0.25, 0.05], 0.0) * np.where(central, 1.5, 1.0)
    cols["夜间延时经营"] = strings(["否", "是"], late.astype(np.int32),
                               chance(rng, np.where(d.consumer | (section == "O"), 0.25, 0.10), n))
