"""The underlying draws that one group of columns hands to the next.

A column is a draw with some values masked as missing; the columns drawn after it must
depend on the draw, not on the masked column, or a missing 营业收入 would make its
enterprise's taxes, scores and exports up out of nothing. These records carry the draws from
one step of :func:`~policy_match.tools.generate.library.generate_columns` to the next.
(``eq=False``: numpy arrays have no truth value, and nothing compares two draws.)
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np


@dataclass(frozen=True, eq=False)
class Industry:
    """门类 and 4-digit 小类 code per row."""

    letters: tuple[str, ...]  # the 门类 letters, in the order of their shares
    index: np.ndarray  # into ``letters``
    section: np.ndarray  # the 门类 letter
    code4: np.ndarray  # the 小类 as a number (``5212``)
    digits: np.ndarray  # the 小类 as 4 characters (``"0111"``)

    @cached_property
    def division(self) -> np.ndarray:
        """The 大类 (two digits) as a number."""
        return self.code4 // 100


@dataclass(frozen=True, eq=False)
class Place:
    in_wuhua: np.ndarray
    street: np.ndarray  # 1-based 街道 of 五华区 (meaningful where ``in_wuhua``)
    county: np.ndarray  # the 6-digit county code


@dataclass(frozen=True, eq=False)
class Founding:
    founded: np.ndarray  # days since 1970-01-01
    age_days: np.ndarray


@dataclass(frozen=True, eq=False)
class Scale:
    staff: np.ndarray
    revenue: np.ndarray  # yuan, int64
    assets: np.ndarray
    band: np.ndarray  # index into SIZES: 0 大型 … 3 微型

    @cached_property
    def bigger(self) -> np.ndarray:
        """Above the smallest: ten staff or 500万 revenue (qualifications favour them)."""
        return (self.staff >= 10) | (self.revenue >= 5_000_000)


@dataclass(frozen=True, eq=False)
class Research:
    tech_section: np.ndarray  # I, M or C: where R&D is common
    does_rd: np.ndarray
    rd: np.ndarray  # 研发费用, yuan


@dataclass(frozen=True, eq=False)
class Taxes:
    margin: np.ndarray  # taxable income / revenue
    tax: np.ndarray  # 纳税额, yuan


@dataclass(frozen=True, eq=False)
class Recognition:
    """Qualifications held, and the patents and equity that go with them."""

    hnte: np.ndarray  # 高新技术企业
    tsme: np.ndarray  # 科技型中小企业
    innov: np.ndarray  # 创新型中小企业
    srdi: np.ndarray  # 专精特新中小企业
    giant: np.ndarray  # 专精特新小巨人
    patents: np.ndarray
    no_patent_stock: np.ndarray
    equity: np.ndarray
    no_equity: np.ndarray


@dataclass(frozen=True, eq=False)
class Draws:
    """Everything of the first random stream that the later tags depend on."""

    industry: Industry
    place: Place
    founding: Founding
    scale: Scale
    growth: np.ndarray  # 营业收入增长率 as drawn
    research: Research
    recognition: Recognition
    margin: np.ndarray  # taxable income / revenue
    entity: np.ndarray  # 0 企业, 1 个体工商户, 2 农民专业合作社

    @property
    def n(self) -> int:
        return int(self.industry.section.shape[0])

    @cached_property
    def selling(self) -> np.ndarray:
        return self.scale.revenue > 0

    @cached_property
    def manufacturing(self) -> np.ndarray:
        return self.industry.section == "C"

    @cached_property
    def software(self) -> np.ndarray:
        return self.industry.division == 65

    @cached_property
    def rated(self) -> np.ndarray:
        """高企 or 专精特新: the most innovative."""
        return self.recognition.hnte | self.recognition.srdi

    @cached_property
    def company(self) -> np.ndarray:
        return self.entity == 0

    @cached_property
    def person(self) -> np.ndarray:
        """个体工商户."""
        return self.entity == 1

    @cached_property
    def consumer(self) -> np.ndarray:
        """零售、餐饮、文娱."""
        section = self.industry.section
        return (self.industry.division == 52) | (section == "H") | (section == "R")


@dataclass(frozen=True, eq=False)
class Property:
    """Knowledge property and trademarks (later stream), used by scores, loans and honours."""

    class1: np.ndarray  # Ⅰ类知识产权
    class2: np.ndarray  # Ⅱ类知识产权
    trademarks: np.ndarray


@dataclass(frozen=True, eq=False)
class FirstOfKind:
    """首台（套）首批次首版次 products (later stream); the honours follow them."""

    kind: np.ndarray  # index into the kinds: 0 装备, 1 新材料, 2 软件
    provincial: np.ndarray  # recognised by the province
