"""Who and where each enterprise is: 所在区域, 成立日期, 市场主体类型, 企业名称, 经营范围 and
the 统一社会信用代码 (unique, valid GB 32100-2015 codes whose 9-character 组织机构代码 part
carries its own GB 11714 check character too)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import numpy as np

from policy_match.plugins.builtins.region import sample_streets
from policy_match.plugins.builtins.uscc import ALPHABET
from policy_match.tools.generate.cells import dates, distinct_strings, join, pick, strings
from policy_match.tools.generate.columns import REFERENCE_DAY
from policy_match.tools.generate.draws import Founding, Industry, Place

if TYPE_CHECKING:
    import pyarrow as pa

# ---- places -------------------------------------------------------------------------------

_STREET_SHARE = (0.14, 0.13, 0.12, 0.13, 0.10, 0.12, 0.10, 0.08, 0.05, 0.03)
assert len(_STREET_SHARE) == len(sample_streets())  # the sample numbering 530102001–010
_WUHUA_SHARE = 0.85
# Other counties (neighbouring districts, a few farther away) and how many streets each has.
_OTHER_COUNTIES = (("530103", 12, 0.35), ("530111", 10, 0.25), ("530112", 10, 0.20),
                   ("530114", 6, 0.08), ("530181", 9, 0.07), ("510104", 6, 0.05))


def draw_place(rng: np.random.Generator, n: int, cols: dict[str, pa.Array]) -> Place:
    """Mostly the ten 街道 of 五华区, some neighbouring districts; writes 所在区域."""
    in_wuhua = rng.random(n) < _WUHUA_SHARE
    street = 1 + pick(rng, len(_STREET_SHARE), _STREET_SHARE, n)
    other = pick(rng, len(_OTHER_COUNTIES), [w for *_, w in _OTHER_COUNTIES], n)
    other_county = np.array([int(c) for c, _, _ in _OTHER_COUNTIES])[other]
    other_street = 1 + (rng.random(n) * np.array([s for _, s, _ in _OTHER_COUNTIES])[other]
                        ).astype(np.int64)
    county = np.where(in_wuhua, 530102, other_county)
    region = county * 1000 + np.where(in_wuhua, street, other_street)
    cols["所在区域"] = distinct_strings(region.astype(str))
    return Place(in_wuhua, street, county)


def draw_founding(rng: np.random.Generator, n: int, cols: dict[str, pa.Array]) -> Founding:
    """Ages exponential around seven years, at most forty; writes 成立日期."""
    age_days = np.minimum(rng.exponential(7 * 365.25, n), 40 * 365.25).astype(np.int64) + 30
    founded = REFERENCE_DAY - age_days
    cols["成立日期"] = dates(founded)
    return Founding(founded, age_days)


# ---- names and business scopes --------------------------------------------------------------

_SECTION_WORDS = {
    "A": ["农业开发", "生态农业", "种植"], "B": ["矿业", "矿产开发"],
    "C": ["机械制造", "食品", "生物科技", "电子科技", "医药", "新材料", "印务"],
    "D": ["能源", "电力工程", "燃气"], "E": ["建筑工程", "建设工程", "装饰工程", "市政工程"],
    "F": ["商贸", "贸易", "商行", "经贸", "百货", "医药连锁", "茶业"],
    "G": ["物流", "运输", "仓储", "快递"], "H": ["餐饮管理", "酒店管理", "餐饮", "食府"],
    "I": ["网络科技", "信息技术", "软件", "数据科技", "智能科技"],
    "J": ["投资", "资产管理", "融资担保", "保险代理"],
    "K": ["房地产开发", "物业服务", "房地产经纪", "置业"],
    "L": ["企业管理咨询", "商务咨询", "广告", "人力资源", "会展服务", "旅行社"],
    "M": ["科技", "工程设计", "检测技术", "环保科技", "生物技术"],
    "N": ["环境工程", "园林绿化", "市政环卫"], "O": ["家政服务", "汽车服务", "美容美发"],
    "P": ["教育咨询", "培训学校"], "Q": ["医疗", "健康管理", "诊所"],
    "R": ["文化传媒", "文化传播", "体育发展", "影视"],
}
_SCOPES = {
    "A": ["农作物种植", "农产品初加工", "农业技术推广服务"],
    "B": ["矿产资源勘查", "非金属矿物制品销售"],
    "C": ["通用设备制造", "食品生产", "电子元器件制造", "机械零件加工", "药品生产"],
    "D": ["电力供应", "热力生产和供应", "燃气经营"],
    "E": ["建设工程施工", "住宅室内装饰装修", "市政设施管理", "土石方工程施工"],
    "F": ["日用百货销售", "五金产品批发", "食品销售", "农副产品销售", "服装服饰零售",
          "电子产品销售", "建筑材料销售"],
    "G": ["道路货物运输", "普通货物仓储服务", "国内货物运输代理", "快递服务"],
    "H": ["餐饮服务", "住宿服务", "食品小作坊经营", "外卖递送服务"],
    "I": ["软件开发", "信息系统集成服务", "信息技术咨询服务", "数据处理和存储支持服务",
          "互联网信息服务"],
    "J": ["以自有资金从事投资活动", "融资咨询服务", "保险代理业务"],
    "K": ["房地产开发经营", "物业管理", "房地产经纪", "住房租赁"],
    "L": ["企业管理咨询", "广告设计、代理", "会议及展览服务", "人力资源服务", "市场营销策划",
          "旅行社服务网点旅游招徕、咨询服务"],
    "M": ["技术服务、技术开发、技术咨询、技术交流、技术转让、技术推广", "工程管理服务",
          "检验检测服务", "环保咨询服务", "专业设计服务"],
    "N": ["园林绿化工程施工", "城市绿化管理", "环境卫生公共设施安装服务"],
    "O": ["家政服务", "机动车修理和维护", "美容服务", "洗染服务"],
    "P": ["教育咨询服务", "业务培训", "体育培训"], "Q": ["医疗服务", "健康咨询服务"],
    "R": ["组织文化艺术交流活动", "文艺创作", "体育赛事策划", "电影放映"],
}
_BRAND_CHARS = ("华鑫盛泰达恒信通宏源嘉德汇丰瑞祥和兴隆昌安顺诚明志远正云滇春城翠湖金碧"
                "天宇博睿智创新锦绣百川鼎晟腾宸骏优佳美康乐众合开元万宝聚福永益惠民兆")
_SUFFIXES = ("有限公司", "有限责任公司", "股份有限公司", "集团有限公司",  # 企业
             "经营部", "店", "商行",  # 个体工商户
             "专业合作社")  # 农民专业合作社
_SCOPE_TAIL = "（依法须经批准的项目，经相关部门批准后方可开展经营活动）"
_ENTITIES = ("企业", "个体工商户", "农民专业合作社")
# codes of enterprises founded since this day are in the new style (组织机构代码 "MA…")
_NEW_STYLE_DAY = (dt.date(2015, 10, 1) - dt.date(1970, 1, 1)).days


def draw_identity(rng: np.random.Generator, industry: Industry, place: Place,
                  founding: Founding, cols: dict[str, pa.Array]) -> np.ndarray:
    """Writes 市场主体类型, 企业名称, 经营范围 and 统一社会信用代码; returns the entity type
    per row (0 企业, 1 个体工商户, 2 农民专业合作社)."""
    n = len(industry.section)
    section = industry.section
    individual = rng.random(n) < np.where(np.isin(section, ["F", "H", "O"]), 0.05, 0.01)
    cooperative = (section == "A") & (rng.random(n) < 0.4)
    entity = np.where(cooperative, 2, np.where(individual, 1, 0))
    cols["市场主体类型"] = strings(_ENTITIES, entity)
    cols["企业名称"] = _names(rng, industry, entity)
    cols["经营范围"] = _scopes(rng, industry)
    reg_county = np.where(rng.random(n) < 0.8, place.county, 530100)
    new_style = founding.founded >= _NEW_STYLE_DAY
    cols["统一社会信用代码"] = _uscc(rng, reg_county, new_style, entity + 1)
    return entity


def _names(rng: np.random.Generator, industry: Industry, entity: np.ndarray) -> pa.Array:
    """Prefix (place) + two brand characters + a word of the trade + the legal form."""
    n = len(industry.index)
    letters, section_ix = industry.letters, industry.index
    chars = list(_BRAND_CHARS)
    prefix = strings(["昆明", "云南", "", "昆明市五华区"],
                     pick(rng, 4, [0.45, 0.25, 0.20, 0.10], n))
    brand1 = strings(chars, np.asarray(rng.integers(0, len(chars), n)))
    brand2 = strings(chars, np.asarray(rng.integers(0, len(chars), n)))
    words = [w for letter in letters for w in _SECTION_WORDS.get(letter, ["商务服务"])]
    start = np.cumsum([0] + [len(_SECTION_WORDS.get(x, ["商务服务"])) for x in letters])
    count = np.diff(start)
    word = start[section_ix] + (rng.random(n) * count[section_ix]).astype(np.int64)
    company = pick(rng, 4, [0.78, 0.17, 0.03, 0.02], n)
    shop = 4 + pick(rng, 3, [0.4, 0.3, 0.3], n)
    suffix = strings(_SUFFIXES, np.where(entity == 2, 7, np.where(entity == 1, shop, company)))
    return join(prefix, brand1, brand2, strings(words, word), suffix)


def _scopes(rng: np.random.Generator, industry: Industry) -> pa.Array:
    """One phrase of the trade, or two joined by ``；``, and the standard tail."""
    n = len(industry.index)
    texts: list[str] = []
    start: list[int] = []
    for letter in industry.letters:
        phrases = _SCOPES.get(letter, ["企业管理咨询", "市场营销策划"])
        start.append(len(texts))
        texts += phrases + [f"{a}；{b}" for a in phrases for b in phrases if a != b]
    start.append(len(texts))
    bounds = np.array(start)
    sizes = np.diff(bounds)
    index = bounds[industry.index] + (rng.random(n) * sizes[industry.index]).astype(np.int64)
    return strings([t + _SCOPE_TAIL for t in texts], index)


# ---- the unified social credit code -------------------------------------------------------

_ALPHA_BYTES = np.frombuffer(ALPHABET.encode("ascii"), dtype=np.uint8)
_USCC_WEIGHTS = np.array([pow(3, i, 31) for i in range(17)], dtype=np.int64)
_ORG_WEIGHTS = np.array([3, 7, 9, 10, 5, 8, 4, 2], dtype=np.int64)
# GB 11714 values: digits 0–9, letters A=10 … Z=35; indexed by USCC alphabet position.
_ORG_VALUE = np.array([int(c, 36) for c in ALPHABET], dtype=np.int64)
# 11 - (Σ mod 11): 1–9 as digits, 10 as X, 11 as 0; as USCC alphabet positions.
_ORG_CHECK = np.array([ALPHABET.index({10: "X", 11: "0"}.get(c, str(c % 10)))
                       for c in range(12)], dtype=np.int64)


def _uscc(rng: np.random.Generator, county: np.ndarray, new_style: np.ndarray,
          category: np.ndarray) -> pa.Array:
    """Unique valid codes: 9 (工商) + category (1 企业, 2 个体工商户, 3 农民专业合作社) +
    登记机关 county + 组织机构代码 (8 + GB 11714 check) + GB 32100 check."""
    n = len(county)
    pos: list[np.ndarray] = [np.full(n, 9, dtype=np.int64), category.astype(np.int64)]
    pos += _county_digits(county)
    pos += _organization_body(rng, new_style)
    total = sum(_ORG_VALUE[p] * int(w) for p, w in zip(pos[8:16], _ORG_WEIGHTS, strict=True))
    pos.append(_ORG_CHECK[11 - total % 11])  # GB 11714 check of the organization code
    check = sum(p * int(w) for p, w in zip(pos, _USCC_WEIGHTS, strict=True))
    pos.append(np.asarray(-check % 31))  # GB 32100
    return _code_strings(pos)


def _county_digits(county: np.ndarray) -> list[np.ndarray]:
    """The six digits of each county code, most significant first."""
    place = county.astype(np.int64)
    digits: list[np.ndarray] = []
    for _ in range(6):
        place, digit = np.divmod(place, 10)
        digits.append(np.asarray(digit))
    return digits[::-1]


def _organization_body(rng: np.random.Generator, new_style: np.ndarray) -> list[np.ndarray]:
    """The 8 characters of the 组织机构代码 body, as USCC alphabet positions.

    A distinct serial per row, scattered by an affine permutation; then "MA" + 6 base-31
    characters for new registrations, 8 digits for old ones. Serials are unique, so codes
    are unique.
    """
    n = len(new_style)
    serial = rng.permutation(n).astype(np.int64)
    new_body = (serial * 387_420_489 + 104_729) % (31**6)
    old_body = (serial * 387_420_489 + 3_141_593) % (10**8)
    body = []
    for k in range(8):
        old_body, old_digit = np.divmod(old_body, 10)
        if k < 6:
            new_body, new_digit = np.divmod(new_body, 31)
        else:
            new_digit = np.full(n, ALPHABET.index("A" if k == 6 else "M"), dtype=np.int64)
        body.append(np.where(new_style, new_digit, old_digit))
    return body[::-1]


def _code_strings(pos: list[np.ndarray]) -> pa.Array:
    """18 alphabet positions per row → an arrow string column, built from raw buffers (a
    million codes in milliseconds)."""
    import pyarrow as pa

    n = len(pos[0])
    chars = np.empty((n, 18), dtype=np.uint8)
    for k, p in enumerate(pos):
        chars[:, k] = _ALPHA_BYTES[p]
    offsets = np.arange(0, 18 * (n + 1), 18, dtype=np.int32)
    return pa.Array.from_buffers(pa.string(), n, [None, pa.py_buffer(offsets),
                                                  pa.py_buffer(chars.tobytes())])
