"""资质, patents, honours and the credit record: what an enterprise is recognised (or blamed)
for.

Qualifications are rare (高新技术企业 ≈ 2 %, 科技型中小企业 ≈ 4 %, 专精特新 < 1 %) and
concentrated in I, M and C, among the bigger enterprises doing R&D. Knowledge property (Ⅰ类,
Ⅱ类) and trademarks are mostly 0 with a lognormal tail; the evaluation scores (高企创新能力,
创新型中小企业) are built from the figures they grade.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from policy_match.tools.generate.cells import (
    chance,
    dates,
    money,
    number,
    strings,
    whole,
    yes_no,
)
from policy_match.tools.generate.columns import REFERENCE_DAY
from policy_match.tools.generate.draws import (
    Draws,
    FirstOfKind,
    Industry,
    Property,
    Recognition,
    Research,
    Scale,
)

if TYPE_CHECKING:
    import pyarrow as pa

QUALIFICATIONS = ("高新技术企业", "科技型中小企业", "创新型中小企业", "专精特新中小企业",
                  "专精特新小巨人", "技术先进型服务企业")
_HONOURS = ("云南省科学技术进步奖", "昆明市文明单位", "云南省诚信示范企业",
            "全国守合同重信用企业", "云南省著名商标", "昆明市五一劳动奖状")
_FIRST_KINDS = ("首台（套）重大技术装备", "首批次新材料", "首版次软件")
_FIRST_HONOURS = ("云南省首台（套）重大技术装备", "云南省首批次新材料", "云南省首版次软件")


# ---- the first stream ----------------------------------------------------------------------


def draw_recognition(rng: np.random.Generator, industry: Industry, scale: Scale,
                     research: Research, cols: dict[str, pa.Array]) -> Recognition:
    """Writes 资质 and what goes with it: 高企 and 专精特新 dates and scores, 细分市场年限,
    有效发明专利数, 近两年新增股权融资."""
    n = len(scale.staff)
    hnte, tsme, innov, srdi, giant = _qualifications(rng, industry, scale, research, cols)
    cols["高企认定类型"] = strings(["首次认定", "重新认定"], (rng.random(n) >= 0.55), ~hnte)
    cols["高企认定日期"] = dates(REFERENCE_DAY - rng.integers(10, 3 * 365, n), ~hnte)
    cols["专精特新认定日期"] = dates(REFERENCE_DAY - rng.integers(10, 3 * 365, n), ~srdi)
    cols["专精特新评价得分"] = number(np.round(rng.uniform(60, 95, n), 1), ~srdi)
    cols["细分市场年限"] = strings([f"{y}年" for y in range(2, 16)],
                                 np.asarray(rng.integers(0, 14, n)), ~(srdi | innov))
    patents = np.where(hnte | srdi, rng.poisson(4.0, n),
                       np.where(research.does_rd, rng.poisson(0.4, n), 0))
    no_patent_stock = rng.random(n) < 0.10
    cols["有效发明专利数"] = number(patents, no_patent_stock)
    equity = np.where(rng.random(n) < np.where(hnte | srdi, 0.2, 0.015),
                      money(np.round(np.exp(rng.normal(np.log(8e6), 1.0, n)), -4)), 0)
    no_equity = rng.random(n) < 0.20
    cols["近两年新增股权融资"] = number(equity, no_equity)
    return Recognition(hnte, tsme, innov, srdi, giant, patents, no_patent_stock, equity,
                       no_equity)


def _qualifications(rng: np.random.Generator, industry: Industry, scale: Scale,
                    research: Research, cols: dict[str, pa.Array]
                    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Writes 资质; returns 高企, 科技型中小, 创新型中小, 专精特新, 小巨人 per row."""
    n = len(scale.staff)
    base = np.where(research.tech_section, 1.0, 0.04) * np.where(scale.bigger, 3.0, 1.0) \
        * np.where(research.does_rd, 2.0, 0.5)

    def draw(share: float, weight: np.ndarray) -> np.ndarray:
        # ``share`` of all rows on average, each row in proportion to its weight
        p = np.minimum(weight * (share / max(float(weight.mean()), 1e-12)), 0.9)
        return np.asarray(rng.random(n) < p)

    hnte = draw(0.02, base)
    tsme = draw(0.03, base) | (hnte & (rng.random(n) < 0.5))
    innov = draw(0.012, base * np.where(hnte | tsme, 4.0, 1.0))
    srdi = innov & draw(0.006, base * np.where(hnte, 6.0, 1.0) * np.where(innov, 10.0, 0.1))
    giant = srdi & (rng.random(n) < 0.08)
    advanced = draw(0.001, base * np.isin(industry.section, ["I", "M"]))
    flags = np.stack([hnte, tsme, innov, srdi, giant, advanced], axis=1)
    bits = (flags * (1 << np.arange(flags.shape[1]))).sum(axis=1)
    combos = ["、".join(q for i, q in enumerate(QUALIFICATIONS) if b >> i & 1) or "无"
              for b in range(1 << len(QUALIFICATIONS))]
    cols["资质"] = strings(combos, bits, rng.random(n) < 0.03)
    return hnte, tsme, innov, srdi, giant


def draw_honours(rng: np.random.Generator, scale: Scale, cols: dict[str, pa.Array]) -> None:
    """Writes 所获荣誉: one or two honours for a few, more often the bigger."""
    n = len(scale.staff)
    k = len(_HONOURS)
    first, second = rng.integers(0, k, n), rng.integers(0, k, n)
    two = (rng.random(n) < 0.3) & (second != first)
    honoured = rng.random(n) < np.where(scale.bigger, 0.04, 0.004)
    index = np.where(honoured, 1 + first + np.where(two, (second + 1) * k, 0), 0)
    honour_texts = ["无"] + [_HONOURS[i % k] + ("、" + _HONOURS[i // k - 1] if i >= k else "")
                             for i in range(k * (k + 1))]
    cols["所获荣誉"] = strings(honour_texts, index, rng.random(n) < 0.05)


def draw_credit_record(rng: np.random.Generator, n: int, cols: dict[str, pa.Array]) -> None:
    """Writes the blacklists: 失信被执行人, 欠薪欠保企业, 重大事故企业 (rarely yes)."""
    cols["失信被执行人"] = yes_no(rng, 0.004, 0.05, n)
    cols["欠薪欠保企业"] = yes_no(rng, 0.003, 0.08, n)
    cols["重大事故企业"] = yes_no(rng, 0.001, 0.10, n)


def draw_granted_patents(rng: np.random.Generator, research: Research,
                         recognition: Recognition, cols: dict[str, pa.Array]) -> None:
    """Writes 新授权发明专利数 (last year) and the 官费 paid for them."""
    n = len(research.does_rd)
    granted = np.where(recognition.hnte | recognition.srdi, rng.poisson(1.5, n),
                       np.where(research.does_rd, rng.poisson(0.3, n), 0))
    no_patent_data = rng.random(n) < 0.10
    cols["新授权发明专利数"] = number(granted, no_patent_data)
    cols["发明专利授权官费"] = number(money(granted * rng.uniform(3000, 4500, n)), no_patent_data)


# ---- the later stream ----------------------------------------------------------------------


def draw_science_staff(rng: np.random.Generator, d: Draws, cols: dict[str, pa.Array]) -> None:
    """Writes 科技人员占比: high where rated, fair where doing R&D, rarely elsewhere."""
    n = d.n
    staff, does_rd = d.scale.staff, d.research.does_rd
    share = np.where(d.rated, 0.12 + 0.6 * rng.beta(2.0, 3.5, n),
                     np.where(does_rd,
                              np.where(np.isin(d.industry.section, ["I", "M"]),
                                       rng.beta(2.5, 4.0, n), rng.beta(1.5, 6.0, n)),
                              np.where(rng.random(n) < 0.15, rng.beta(1.0, 12.0, n), 0.0)))
    scientists = np.minimum(np.round(staff * share), staff)
    cols["科技人员占比"] = number(np.round(scientists / staff, 4),
                                chance(rng, np.where(does_rd | d.rated, 0.12, 0.18), n))


def draw_property(rng: np.random.Generator, d: Draws, cols: dict[str, pa.Array]) -> Property:
    """Writes 一类知识产权数, 二类知识产权数 and 注册商标数.

    Ⅰ类: the invention patents behind the main products, now and then a 植物新品种 or a
    集成电路布图设计; Ⅱ类 (实用新型、外观设计、软件著作权): lognormal, so heavy tailed.
    """
    n = d.n
    does_rd = d.research.does_rd
    other_class1 = np.where(rng.random(n) < np.where(does_rd, 0.03, 0.002),
                            rng.geometric(0.5, n), 0)
    class1 = whole(rng.binomial(d.recognition.patents, 0.85) + other_class1)
    cols["一类知识产权数"] = number(class1, d.recognition.no_patent_stock | chance(rng, 0.05, n))
    holds2 = rng.random(n) < np.where(d.rated, 0.95, np.where(
        does_rd, 0.55, np.where(d.research.tech_section, 0.06, 0.015)))
    median2 = np.where(d.rated, 10.0, np.where(does_rd, 3.0, 1.0))
    class2 = whole(np.where(holds2, np.minimum(
        1 + np.floor(np.exp(rng.normal(np.log(median2), 1.0))), 5000), 0))
    cols["二类知识产权数"] = number(class2, chance(rng, 0.15, n))
    trademarks = whole(np.where(
        rng.random(n) < np.where(d.person, 0.06, np.where(d.scale.bigger, 0.45, 0.15)),
        np.minimum(1 + np.floor(np.exp(rng.normal(np.log(1.5), 1.1, n))), 999), 0))
    cols["注册商标数"] = number(trademarks, chance(rng, 0.12, n))
    return Property(class1, class2, trademarks)


def draw_hitech_share(rng: np.random.Generator, d: Draws, cols: dict[str, pa.Array]) -> None:
    """Writes 高新技术产品收入占比: most of a 高企's revenue, some of an R&D house's."""
    n = d.n
    does_rd, hnte = d.research.does_rd, d.recognition.hnte
    hitech = np.where(hnte, 0.45 + 0.55 * rng.beta(4.0, 2.0, n),
                      np.where(does_rd & d.research.tech_section, rng.beta(2.5, 2.5, n),
                               np.where(does_rd, rng.beta(1.2, 4.0, n), 0.0)))
    cols["高新技术产品收入占比"] = number(
        np.round(hitech, 4), ~d.selling | chance(rng, np.where(does_rd | hnte, 0.15, 0.25), n))


def draw_scores(rng: np.random.Generator, d: Draws, ip: Property, cols: dict[str, pa.Array]
                ) -> None:
    """Writes the evaluation scores, from the data the evaluations read, plus judgement."""
    n = d.n
    does_rd, hnte = d.research.does_rd, d.recognition.hnte
    # 高企创新能力评价: 知识产权 30, 成果转化 30, 研发组织管理 20, 成长性 20; a 高企 passed it.
    ip_points = np.minimum(30.0, 6 * ip.class1 + 1.5 * ip.class2) * rng.uniform(0.7, 1.0, n)
    transfer = np.where(does_rd, rng.uniform(8, 28, n), rng.uniform(0, 8, n))
    organisation = np.where(does_rd, rng.uniform(8, 20, n), rng.uniform(0, 6, n))
    growth_points = np.clip(10 + 40 * d.growth, 0, 20)
    score = np.where(hnte, np.clip(rng.normal(79, 6, n), 55, 100),
                     ip_points + transfer + organisation + growth_points)
    cols["高企创新能力评价得分"] = number(np.round(np.clip(score, 0, 100), 1),
                                    chance(rng, np.where(does_rd | hnte, 0.12, 0.25), n))
    # 创新型中小企业评价: 创新能力 40, 成长性 30, 专业化 30; a 创新型中小企业 scored 60 or more.
    intensity = np.divide(d.research.rd, d.scale.revenue, out=np.zeros(n), where=d.selling)
    score = (np.minimum(20.0, 5 * ip.class1 + ip.class2 + 0.5 * ip.trademarks)
             + np.minimum(20.0, 400 * intensity) + np.clip(15 + 60 * d.growth, 0, 30)
             + rng.uniform(5, 25, n))
    score = np.where(d.recognition.innov, np.clip(rng.normal(73, 7, n), 60, 100), score)
    cols["创新型中小企业评价得分"] = number(np.round(np.clip(score, 0, 100), 1),
                                      chance(rng, np.where(does_rd | d.rated, 0.12, 0.22), n))


def draw_first_of_kind(rng: np.random.Generator, d: Draws, cols: dict[str, pa.Array]
                       ) -> FirstOfKind:
    """Writes 首台（套）首批次首版次: a few manufacturers doing R&D, a few software houses."""
    n = d.n
    division, does_rd = d.industry.division, d.research.does_rd
    equipment = d.manufacturing & (division >= 34) & (division <= 40)
    materials = d.manufacturing & np.isin(division, [26, 28, 29, 30, 31, 32, 33])
    first = (rng.random(n) < np.where(
        (equipment | materials) & does_rd,
        np.where(d.rated, 0.5, np.where(d.scale.bigger, 0.2, 0.06)),
        np.where(d.software & does_rd, np.where(d.rated, 0.3, 0.06), 0.0))) \
        & (d.founding.age_days > 2 * 365)
    kind = np.where(d.software, 2, np.where(equipment, 0, 1))
    first_sale = np.maximum(REFERENCE_DAY - rng.integers(15, 3 * 365, n),
                            d.founding.founded + 365)
    provincial = first & (first_sale <= REFERENCE_DAY - 120) & (rng.random(n) < 0.7)  # 省级认定
    sales = np.minimum(np.round(np.exp(rng.normal(np.log(3e6), 0.9, n)), -4),
                       np.round(d.scale.revenue * 0.8, -4))
    cols["首台套产品类型"] = strings(_FIRST_KINDS, kind, ~first | chance(rng, 0.05, n))
    cols["首台套首次销售日期"] = dates(first_sale, ~first | chance(rng, 0.08, n))
    cols["首台套销售额"] = number(whole(np.where(provincial, sales, 0)),
                               ~first | chance(rng, 0.10, n))
    return FirstOfKind(kind, provincial)


def draw_later_honours(rng: np.random.Generator, d: Draws, ip: Property, first: FirstOfKind,
                       cols: dict[str, pa.Array]) -> None:
    """Adds to 所获荣誉 the honours that the later policies ask about.

    (Not KJ-2025-001's "主导制定国际标准、国家标准或行业标准": it holds the set separator 、,
    so a cell cannot carry it whole.)
    """
    n = d.n
    section, division = d.industry.section, d.industry.division
    rated, does_rd = d.rated, d.research.does_rd
    provincial, kind = first.provincial, first.kind
    old_shop = ((division == 52) | (section == "H") | np.isin(division, [13, 14, 15])) \
        & (d.founding.age_days > 20 * 365)
    extras = [
        (provincial & (kind == 0), _FIRST_HONOURS[0]),
        (provincial & (kind == 1), _FIRST_HONOURS[1]),
        (provincial & (kind == 2), _FIRST_HONOURS[2]),
        (rng.random(n) < np.where(rated, 0.10, np.where(does_rd, 0.01, 0.0)),
         "省部级以上研发机构"),
        (rng.random(n) < np.where(rated, 0.04, np.where(does_rd, 0.005, 0.0)),
         "省级科技奖励（排名前三）"),
        (d.recognition.hnte & (ip.class1 >= 3) & (rng.random(n) < 0.10), "知识产权优势企业"),
        (d.recognition.giant & (rng.random(n) < 0.20), "国家级技术创新示范企业"),
        (old_shop & (rng.random(n) < 0.04), "云南老字号"),
        (old_shop & (rng.random(n) < 0.005), "中华老字号"),
        ((d.consumer | np.isin(division, [13, 14, 15])) & (rng.random(n) < 0.003),
         "非物质文化遗产代表性项目"),
    ]
    cols["所获荣誉"] = _add_honours(cols["所获荣誉"], extras)


def _add_honours(honours: pa.Array, extras: list[tuple[np.ndarray, str]]) -> pa.Array:
    """``honours`` with each row's ``extras`` (where its mask is set) appended."""
    import pyarrow as pa
    import pyarrow.compute as pc

    flags = np.stack([mask for mask, _ in extras], axis=1)
    rows = np.flatnonzero(flags.any(axis=1))
    texts: list[str | None] = []
    for row, before in zip(rows.tolist(), honours.take(pa.array(rows)).to_pylist(),
                           strict=True):
        added = "、".join(text for (_, text), on in zip(extras, flags[row], strict=True) if on)
        # a missing set stays missing: the new honours are not all of them
        texts.append(None if before is None else added if before == "无"
                     else f"{before}、{added}")
    changed = np.zeros(len(honours), dtype=bool)
    changed[rows] = True
    return pc.replace_with_mask(honours, pa.array(changed), pa.array(texts, pa.string()))
