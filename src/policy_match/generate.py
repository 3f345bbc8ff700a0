"""A seeded, deterministic enterprise library (企业库) like an urban service district's.

The columns are the tags of the bundled ``rules/tags.rule``, named by tag. Everything is
sampled column-wise with numpy, so a million rows take seconds:

- 所属行业: the industry mix of a central urban district — mostly F 批发零售, L 商务服务,
  M 科技服务, I 软件, H 住宿餐饮, K 房地产, some C 制造业 and the rest — as 4-digit GB/T
  4754-2017 小类 codes, written with the 门类 letter (``"F5212"``) or without (``"5212"``);
- 所在区域: mostly the ten 街道 of 五华区 (530102001–530102010, see ``rules/tags.rule``),
  some in neighbouring districts;
- 从业人数, 营业收入, 资产总额: lognormal and correlated (revenue = staff × revenue per
  head), so most enterprises are 微型 and a few are large; 企业规模 is computed from them by
  统计上大中小微型企业划分办法（2017）国统字〔2017〕213号;
- 资质: rare (高新技术企业 ≈ 2 %, 科技型中小企业 ≈ 4 %, 专精特新 < 1 %), concentrated in I,
  M and C;
- tax and R&D fields missing for 10–20 % of the rows (a missing value is unknown, not 0);
- 统一社会信用代码: unique, valid GB 32100-2015 codes (the 9-digit 组织机构代码 part carries
  its own GB 11714 check character too).

With ``dirty=True`` a small share of cells is deliberately bad — money like ``"约300万"``,
impossible dates, values outside an enum or a code list, wrong check characters, a few
duplicate and missing keys — the mistakes a loader must report by row and column.
:func:`generate_table` with ``faults=True`` also returns where it put them.

Money is in yuan (plain numbers), ratios as fractions (``0.1234``), dates ``YYYY-MM-DD``,
bools ``是``/``否``, sets joined with ``、`` (``无`` for a known empty set); a missing value is
an empty cell (``null``).
"""

from __future__ import annotations

import datetime as dt
import json
import sys
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from .builtins.industry import SECTIONS
from .builtins.region import WUHUA_STREETS
from .builtins.uscc import ALPHABET

if TYPE_CHECKING:
    import pyarrow as pa

REFERENCE_DATE = dt.date(2025, 6, 30)
"""The data describe the enterprises as of this date: 上年度 is 2024."""

COLUMNS = (
    "统一社会信用代码", "企业名称", "成立日期", "所在区域", "所属行业", "经营范围",
    "企业规模", "从业人数", "资产总额", "入规日期",
    "营业收入", "前年营业收入", "营业收入增长率", "研发费用", "近两年研发费用均值",
    "近两年新增股权融资", "有效发明专利数", "细分市场年限",
    "应纳税所得额", "纳税额", "纳税信用等级", "限制禁止类行业企业",
    "资质", "高企认定类型", "高企认定日期", "专精特新认定日期", "专精特新评价得分", "所获荣誉",
    "失信被执行人", "欠薪欠保企业", "重大事故企业",
    "参保人数", "裁员率", "失业保险缴费额", "新招用重点群体人数", "创业担保贷款金额",
)
"""Every tag of ``rules/tags.rule``, in its order: the header of a generated table."""

QUALIFICATIONS = ("高新技术企业", "科技型中小企业", "创新型中小企业", "专精特新中小企业",
                  "专精特新小巨人", "技术先进型服务企业")

# ---- industries ---------------------------------------------------------------------------

# 门类 → share of the district's enterprises.
_SECTION_SHARE = {
    "F": 0.30, "L": 0.13, "M": 0.10, "I": 0.08, "H": 0.08, "E": 0.05, "O": 0.05,
    "K": 0.04, "C": 0.04, "R": 0.03, "G": 0.03, "J": 0.015, "P": 0.015, "Q": 0.01,
    "N": 0.01, "A": 0.005, "D": 0.003, "B": 0.002,
}
# 门类 → (大类, weight); K is drawn at 小类 level below.
_DIVISIONS: dict[str, list[tuple[int, float]]] = {
    "F": [(51, 0.55), (52, 0.45)],
    "L": [(71, 0.10), (72, 0.90)],
    "M": [(73, 0.15), (74, 0.40), (75, 0.45)],
    "I": [(63, 0.05), (64, 0.25), (65, 0.70)],
    "H": [(61, 0.20), (62, 0.80)],
    "E": [(47, 0.25), (48, 0.30), (49, 0.20), (50, 0.25)],
    "O": [(80, 0.45), (81, 0.35), (82, 0.20)],
    "R": [(86, 0.20), (87, 0.25), (88, 0.20), (89, 0.15), (90, 0.20)],
    "G": [(54, 0.60), (58, 0.15), (59, 0.15), (60, 0.10)],
    "J": [(66, 0.20), (67, 0.20), (68, 0.15), (69, 0.45)],
    "P": [(83, 1.0)],
    "Q": [(84, 0.80), (85, 0.20)],
    "N": [(77, 0.50), (78, 0.50)],
    "A": [(1, 0.4), (2, 0.2), (3, 0.2), (4, 0.1), (5, 0.1)],
    "D": [(44, 0.6), (45, 0.3), (46, 0.1)],
    "B": [(9, 0.5), (10, 0.5)],
    "C": [(d, 1.0) for d in range(13, 44)],
}
_K_CLASSES = [(7010, 0.35), (7020, 0.35), (7030, 0.20), (7040, 0.05), (7090, 0.05)]

# 门类 → (median staff, median revenue per head in yuan, median assets / revenue).
_ECONOMICS = {
    "F": (3, 600_000, 0.5), "L": (4, 250_000, 0.8), "M": (5, 220_000, 0.7),
    "I": (6, 280_000, 0.6), "H": (7, 150_000, 0.6), "E": (10, 400_000, 0.9),
    "K": (6, 500_000, 3.0), "C": (12, 400_000, 1.0), "G": (6, 300_000, 0.9),
    "J": (5, 400_000, 2.0), "D": (15, 600_000, 2.0), "B": (20, 500_000, 1.5),
}
_DEFAULT_ECONOMICS = (4, 180_000, 0.6)

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
_HONOURS = ("云南省科学技术进步奖", "昆明市文明单位", "云南省诚信示范企业",
            "全国守合同重信用企业", "云南省著名商标", "昆明市五一劳动奖状")

# ---- places -------------------------------------------------------------------------------

_STREET_SHARE = (0.14, 0.13, 0.12, 0.13, 0.10, 0.12, 0.10, 0.08, 0.05, 0.03)
assert len(_STREET_SHARE) == len(WUHUA_STREETS)
_WUHUA_SHARE = 0.85
# Other counties (neighbouring districts, a few farther away) and how many streets each has.
_OTHER_COUNTIES = (("530103", 12, 0.35), ("530111", 10, 0.25), ("530112", 10, 0.20),
                   ("530114", 6, 0.08), ("530181", 9, 0.07), ("510104", 6, 0.05))

# ---- the size table (国统字〔2017〕213号) ---------------------------------------------------

# row → [(indicator, (大型, 中型, 小型) lower bounds)], X in persons, Y and Z in 万元.
SIZE_TABLE: dict[str, list[tuple[str, tuple[float, float, float]]]] = {
    "农林牧渔业": [("Y", (20000, 500, 50))],
    "工业": [("X", (1000, 300, 20)), ("Y", (40000, 2000, 300))],
    "建筑业": [("Y", (80000, 6000, 300)), ("Z", (80000, 5000, 300))],
    "批发业": [("X", (200, 20, 5)), ("Y", (40000, 5000, 1000))],
    "零售业": [("X", (300, 50, 10)), ("Y", (20000, 500, 100))],
    "交通运输业": [("X", (1000, 300, 20)), ("Y", (30000, 3000, 200))],
    "仓储业": [("X", (200, 100, 20)), ("Y", (30000, 1000, 100))],
    "邮政业": [("X", (1000, 300, 20)), ("Y", (30000, 2000, 100))],
    "住宿和餐饮业": [("X", (300, 100, 10)), ("Y", (10000, 2000, 100))],
    "信息传输业": [("X", (2000, 100, 10)), ("Y", (100000, 1000, 100))],
    "软件和信息技术服务业": [("X", (300, 100, 10)), ("Y", (10000, 1000, 50))],
    "房地产开发经营": [("Y", (200000, 1000, 100)), ("Z", (10000, 5000, 2000))],
    "物业管理": [("X", (1000, 300, 100)), ("Y", (5000, 1000, 500))],
    "租赁和商务服务业": [("X", (300, 100, 10)), ("Z", (120000, 8000, 100))],
    "其他未列明行业": [("X", (300, 100, 10))],
}
SIZES = ("大型", "中型", "小型", "微型")


def size_row(code: str) -> str:
    """The row of the 2017 table for a canonical industry code (``"F5212"``)."""
    letter, digits = code[:1], code[1:]
    division = int(digits[:2]) if len(digits) >= 2 else -1
    if letter == "A":
        return "农林牧渔业"
    if letter in "BCD":
        return "工业"
    if letter == "E":
        return "建筑业"
    if division == 51:
        return "批发业"
    if division == 52:
        return "零售业"
    if 54 <= division <= 58:
        return "交通运输业"
    if division == 59:
        return "仓储业"
    if division == 60:
        return "邮政业"
    if letter == "H":
        return "住宿和餐饮业"
    if division in (63, 64):
        return "信息传输业"
    if division == 65:
        return "软件和信息技术服务业"
    if digits.startswith("701"):
        return "房地产开发经营"
    if digits.startswith("702"):
        return "物业管理"
    if letter == "L":
        return "租赁和商务服务业"
    return "其他未列明行业"


def classify_size(codes: np.ndarray, staff: np.ndarray, revenue_yuan: np.ndarray,
                  assets_yuan: np.ndarray) -> np.ndarray:
    """企业规模 per row (an object array of 大型/中型/小型/微型) from the 2017 table.

    Every indicator of the row must reach a band's lower bound; the band is the lowest that
    any indicator reaches (微型 needs only one indicator below the 小型 bound).
    """
    rows = np.array([size_row(c) for c in codes], dtype=object)
    indicators = {"X": staff.astype(float), "Y": revenue_yuan / 1e4, "Z": assets_yuan / 1e4}
    band = np.full(len(codes), 3, dtype=np.int8)
    for row, criteria in SIZE_TABLE.items():
        mask = rows == row
        if not mask.any():
            continue
        worst = np.zeros(int(mask.sum()), dtype=np.int8)
        for indicator, bounds in criteria:
            values = indicators[indicator][mask]
            reached = np.full(values.shape, 3, dtype=np.int8)
            for b in (2, 1, 0):  # 小型, 中型, 大型 lower bounds, climbing
                reached[values >= bounds[b]] = b
            worst = np.maximum(worst, reached)
        band[mask] = worst
    return np.array(SIZES, dtype=object)[band]


# ---- the unified social credit code -------------------------------------------------------

_ALPHA = np.array(list(ALPHABET))
_USCC_WEIGHTS = np.array([pow(3, i, 31) for i in range(17)], dtype=np.int64)
_ORG_WEIGHTS = np.array([3, 7, 9, 10, 5, 8, 4, 2], dtype=np.int64)
# GB 11714 values: digits 0–9, letters A=10 … Z=35; indexed by USCC alphabet position.
_ORG_VALUE = np.array([int(c, 36) for c in ALPHABET], dtype=np.int64)
_ORG_CHECK = {**{v: str(v) for v in range(10)}, 10: "X", 11: "0"}


def _uscc(rng: np.random.Generator, county: np.ndarray, new_style: np.ndarray) -> np.ndarray:
    """Unique valid codes: 91 + 登记机关 county + 组织机构代码 (8 + GB 11714 check) + check."""
    n = county.shape[0]
    idx = np.empty((n, 17), dtype=np.int64)
    idx[:, 0] = 9  # 工商
    idx[:, 1] = 1  # 企业
    county_digits = np.array([list(map(int, c)) for c in county.astype(str)], dtype=np.int64) \
        if n else np.empty((0, 6), dtype=np.int64)
    idx[:, 2:8] = county_digits
    # A distinct serial per row, scattered by an affine permutation; then the 8-character
    # organization code body: "MA" + 6 base-31 characters for new registrations, 8 digits
    # for old ones. Serials are unique, so codes are unique.
    serial = rng.permutation(n).astype(np.int64)
    new_body = (serial * 387_420_489 + 104_729) % (31**6)
    old_body = (serial * 387_420_489 + 3_141_593) % (10**8)
    for pos in range(6):
        new_body, digit = np.divmod(new_body, 31)
        idx[:, 15 - pos] = np.where(new_style, digit, 0)
    for pos in range(8):
        old_body, digit = np.divmod(old_body, 10)
        idx[:, 15 - pos] = np.where(new_style, idx[:, 15 - pos], digit)
    idx[:, 8] = np.where(new_style, ALPHABET.index("M"), idx[:, 8])
    idx[:, 9] = np.where(new_style, ALPHABET.index("A"), idx[:, 9])
    # GB 11714 check character of the organization code (positions 9–16).
    total = (_ORG_VALUE[idx[:, 8:16]] * _ORG_WEIGHTS).sum(axis=1)
    check = 11 - total % 11
    idx[:, 16] = np.array([ALPHABET.index(_ORG_CHECK[int(c)]) for c in range(12)])[check] \
        if n else idx[:, 16]
    # GB 32100 check character.
    last = (-(idx * _USCC_WEIGHTS).sum(axis=1)) % 31
    chars = np.empty((n, 18), dtype="<U1")
    chars[:, :17] = _ALPHA[idx]
    chars[:, 17] = _ALPHA[last]
    return chars.view("<U18").ravel()


def uscc_check_chars(bodies: Iterable[str]) -> list[str]:
    """GB 32100 check characters for 17-character bodies (a small helper for tests)."""
    out = []
    position = {c: i for i, c in enumerate(ALPHABET)}
    for body in bodies:
        total = sum(position[c] * w for c, w in zip(body, _USCC_WEIGHTS.tolist(), strict=True))
        out.append(ALPHABET[-total % 31])
    return out


# ---- sampling helpers ----------------------------------------------------------------------


def _choice(rng: np.random.Generator, options: list[Any] | tuple[Any, ...],
            weights: Iterable[float] | None, n: int) -> np.ndarray:
    p = None
    if weights is not None:
        w = np.asarray(list(weights), dtype=float)
        p = w / w.sum()
    return np.asarray(options, dtype=object)[rng.choice(len(options), size=n, p=p)]


def _days(dates: np.ndarray) -> np.ndarray:
    """datetime64[D] → ``YYYY-MM-DD`` strings (object array)."""
    return np.datetime_as_string(dates, unit="D").astype(object)


def _missing(rng: np.random.Generator, values: np.ndarray, share: float) -> np.ndarray:
    out = values.astype(object)
    out[rng.random(values.shape[0]) < share] = None
    return out


def _money(x: np.ndarray) -> np.ndarray:
    """Whole yuan as int64 (object arrays carry the missing values)."""
    return np.round(x).astype(np.int64)


# ---- the generator -------------------------------------------------------------------------


@dataclass(frozen=True)
class Fault:
    """One deliberately bad cell of a dirty table: 1-based data row, column, what is wrong."""

    row: int
    column: str
    kind: str
    value: str


def generate_columns(n: int, seed: int = 0) -> dict[str, np.ndarray]:
    """A clean library of ``n`` enterprises as column arrays (object arrays, ``None`` missing)."""
    if n < 0:
        raise ValueError("n must not be negative")
    rng = np.random.default_rng(seed)
    ref = np.datetime64(REFERENCE_DATE.isoformat(), "D")
    cols: dict[str, np.ndarray] = {}

    # -- industry: section, then division / class, then a 4-digit 小类 code -----------------
    letters = list(_SECTION_SHARE)
    section = _choice(rng, letters, _SECTION_SHARE.values(), n).astype("<U1")
    digits = np.empty(n, dtype="<U4")
    for letter in letters:
        mask = section == letter
        m = int(mask.sum())
        if not m:
            continue
        if letter == "K":
            classes = _choice(rng, [c for c, _ in _K_CLASSES], [w for _, w in _K_CLASSES], m)
            digits[mask] = classes.astype(str)
            continue
        divs = _choice(rng, [d for d, _ in _DIVISIONS[letter]],
                       [w for _, w in _DIVISIONS[letter]], m).astype(np.int64)
        group = rng.choice(np.arange(1, 10), size=m, p=_GROUP_WEIGHTS)
        klass = rng.integers(0, 10, size=m)
        digits[mask] = np.char.mod("%02d", divs) + group.astype(str) + klass.astype(str)
    canonical = np.char.add(section, digits)
    with_letter = rng.random(n) < 0.6
    cols["所属行业"] = np.where(with_letter, canonical, digits).astype(object)

    # -- place ---------------------------------------------------------------------------------
    in_wuhua = rng.random(n) < _WUHUA_SHARE
    street = rng.choice(np.arange(1, 11), size=n, p=np.array(_STREET_SHARE) / sum(_STREET_SHARE))
    others = rng.choice(len(_OTHER_COUNTIES), size=n,
                        p=np.array([w for *_, w in _OTHER_COUNTIES]) /
                        sum(w for *_, w in _OTHER_COUNTIES))
    other_county = np.array([c for c, _, _ in _OTHER_COUNTIES])[others]
    other_street = 1 + (rng.random(n) * np.array([s for _, s, _ in _OTHER_COUNTIES])[others]
                        ).astype(np.int64)
    county = np.where(in_wuhua, "530102", other_county)
    street_no = np.where(in_wuhua, street, other_street)
    cols["所在区域"] = np.char.add(county, np.char.mod("%03d", street_no)).astype(object)

    # -- age -----------------------------------------------------------------------------------
    age_days = np.minimum(rng.exponential(7 * 365.25, n), 40 * 365.25).astype(np.int64) + 30
    founded = ref - age_days.astype("timedelta64[D]")
    cols["成立日期"] = _days(founded)

    # -- staff, revenue, assets: correlated lognormals per industry ----------------------------
    econ = np.array([_ECONOMICS.get(s, _DEFAULT_ECONOMICS) for s in letters], dtype=float)
    order = np.argsort(letters)
    econ_row = econ[order][np.searchsorted(np.array(letters)[order], section)]
    staff = np.maximum(1, np.round(np.exp(rng.normal(np.log(econ_row[:, 0]), 1.15)))
                       ).astype(np.int64)
    per_head = np.exp(rng.normal(np.log(econ_row[:, 1]), 0.9))
    revenue = staff * per_head
    dormant = rng.random(n) < 0.05  # 新设 or dormant: no revenue last year
    revenue = np.where(dormant, 0.0, revenue)
    assets = np.where(dormant, np.exp(rng.normal(np.log(300_000), 1.0, n)),
                      revenue * np.exp(rng.normal(np.log(econ_row[:, 2]), 0.8)))
    revenue = _money(revenue)
    assets = _money(assets)
    cols["从业人数"] = staff.astype(object)
    cols["营业收入"] = revenue.astype(object)
    cols["资产总额"] = assets.astype(object)
    cols["企业规模"] = classify_size(canonical, staff, revenue.astype(float),
                                 assets.astype(float))

    # -- growth --------------------------------------------------------------------------------
    growth = np.exp(rng.normal(0.05, 0.25, n)) - 1
    prev = _money(revenue / (1 + growth))
    young = age_days < 2 * 365
    prev_obj = prev.astype(object)
    prev_obj[young] = None
    cols["前年营业收入"] = prev_obj
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = np.round(revenue / np.where(prev > 0, prev, 1) - 1, 4)
    rate_obj = rate.astype(object)
    rate_obj[young | (prev <= 0)] = None
    cols["营业收入增长率"] = rate_obj

    # -- R&D -----------------------------------------------------------------------------------
    tech_section = np.isin(section, ["I", "M", "C"])
    does_rd = (rng.random(n) < np.where(tech_section, 0.5, 0.04)) & (revenue > 0)
    intensity = np.minimum(np.exp(rng.normal(np.log(0.04), 0.8, n)), 0.9)
    rd = np.where(does_rd, _money(revenue * intensity), 0)
    cols["研发费用"] = _missing(rng, rd, 0.17)
    rd_avg = np.where(does_rd, _money(rd * rng.uniform(0.7, 1.1, n)), 0)
    cols["近两年研发费用均值"] = _missing(rng, rd_avg, 0.20)

    # -- qualifications ------------------------------------------------------------------------
    bigger = (staff >= 10) | (revenue >= 5_000_000)
    base = np.where(tech_section, 1.0, 0.04) * np.where(bigger, 3.0, 1.0) \
        * np.where(does_rd, 2.0, 0.5)

    def draw(share: float, weight: np.ndarray) -> np.ndarray:
        p = np.minimum(weight * (share / weight.mean()), 0.9)
        return rng.random(n) < p

    hnte = draw(0.02, base)
    tsme = draw(0.03, base) | (hnte & (rng.random(n) < 0.5))
    innov = draw(0.012, base * np.where(hnte | tsme, 4.0, 1.0))
    srdi = innov & draw(0.006, base * np.where(hnte, 6.0, 1.0) * np.where(innov, 10.0, 0.1))
    giant = srdi & (rng.random(n) < 0.08)
    advanced = draw(0.001, base * np.isin(section, ["I", "M"]))
    quals = np.empty(n, dtype=object)
    flags = (hnte, tsme, innov, srdi, giant, advanced)
    members = [np.where(f, q, "") for f, q in zip(flags, QUALIFICATIONS, strict=True)]
    joined = members[0]
    for m in members[1:]:
        joined = np.char.add(np.char.add(joined, np.where((joined != "") & (m != ""), "、", "")),
                             m)
    quals[:] = np.where(joined == "", "无", joined)
    quals[rng.random(n) < 0.03] = None
    cols["资质"] = quals

    cert_type = np.where(rng.random(n) < 0.55, "首次认定", "重新认定").astype(object)
    cert_type[~hnte] = None
    cols["高企认定类型"] = cert_type
    cert_day = _days(ref - rng.integers(10, 3 * 365, n).astype("timedelta64[D]"))
    cert_day[~hnte] = None
    cols["高企认定日期"] = cert_day
    srdi_day = _days(ref - rng.integers(10, 3 * 365, n).astype("timedelta64[D]"))
    srdi_day[~srdi] = None
    cols["专精特新认定日期"] = srdi_day
    score = np.round(rng.uniform(60, 95, n), 1).astype(object)
    score[~srdi] = None
    cols["专精特新评价得分"] = score
    niche = np.char.add(rng.integers(2, 16, n).astype(str), "年").astype(object)
    niche[~(srdi | innov)] = None
    cols["细分市场年限"] = niche

    patents = np.where(hnte | srdi, rng.poisson(4.0, n),
                       np.where(does_rd, rng.poisson(0.4, n), 0))
    cols["有效发明专利数"] = _missing(rng, patents, 0.10)
    equity = np.where(rng.random(n) < np.where(hnte | srdi, 0.2, 0.015),
                      _money(np.round(np.exp(rng.normal(np.log(8e6), 1.0, n)), -4)), 0)
    cols["近两年新增股权融资"] = _missing(rng, equity, 0.20)

    # -- 规上工业: 入规日期 ----------------------------------------------------------------------
    industrial = np.isin(section, ["B", "C", "D"]) & (revenue >= 20_000_000)
    span = np.maximum((age_days - 365), 30)
    entered = founded + (365 + (rng.random(n) * (span - 180).clip(1))).astype(
        "timedelta64[D]")
    entered_s = _days(np.minimum(entered, ref - np.timedelta64(180, "D")))
    entered_s[~industrial] = None
    cols["入规日期"] = entered_s

    # -- tax -----------------------------------------------------------------------------------
    margin = rng.normal(0.06, 0.10, n)
    cols["应纳税所得额"] = _missing(rng, _money(np.maximum(revenue * margin, 0)), 0.15)
    tax = _money(revenue * np.exp(rng.normal(np.log(0.03), 0.6, n)))
    cols["纳税额"] = _missing(rng, tax, 0.12)
    cols["纳税信用等级"] = _missing(
        rng, _choice(rng, ["A", "B", "M", "C", "D"], [0.30, 0.45, 0.15, 0.07, 0.03], n), 0.10)
    restricted = np.where(rng.random(n) < 0.01, "是", "否")
    cols["限制禁止类行业企业"] = _missing(rng, restricted, 0.12)

    # -- honours, credit -----------------------------------------------------------------------
    honours = _choice(rng, list(_HONOURS), None, n)
    second = _choice(rng, list(_HONOURS), None, n)
    two = (rng.random(n) < 0.3) & (second != honours)
    honours = np.where(two, np.char.add(np.char.add(honours.astype(str), "、"),
                                        second.astype(str)), honours).astype(object)
    honoured = rng.random(n) < np.where(bigger, 0.04, 0.004)
    honours[~honoured] = "无"
    honours[rng.random(n) < 0.05] = None
    cols["所获荣誉"] = honours
    cols["失信被执行人"] = _missing(rng, np.where(rng.random(n) < 0.004, "是", "否"), 0.05)
    cols["欠薪欠保企业"] = _missing(rng, np.where(rng.random(n) < 0.003, "是", "否"), 0.08)
    cols["重大事故企业"] = _missing(rng, np.where(rng.random(n) < 0.001, "是", "否"), 0.10)

    # -- employment and social insurance -------------------------------------------------------
    insured = np.round(staff * rng.uniform(0.5, 1.0, n)).astype(np.int64)
    insured_obj = _missing(rng, insured, 0.10)
    cols["参保人数"] = insured_obj
    layoff = np.where(rng.random(n) < 0.7, 0.0, np.round(rng.uniform(0, 0.2, n), 4))
    cols["裁员率"] = _missing(rng, layoff, 0.15)
    premium = _money(insured * np.exp(rng.normal(np.log(60_000), 0.4, n)) * 0.008)
    premium_obj = _missing(rng, premium, 0.12)
    premium_obj[insured_obj == None] = None  # noqa: E711 (elementwise on an object array)
    cols["失业保险缴费额"] = premium_obj
    hires = np.where(rng.random(n) < 0.05, rng.integers(1, 11, n), 0)
    cols["新招用重点群体人数"] = _missing(rng, np.minimum(hires, staff), 0.07)
    loan = np.where(rng.random(n) < 0.01, rng.integers(1, 31, n) * 100_000, 0)
    cols["创业担保贷款金额"] = _missing(rng, loan, 0.01)

    # -- name, scope, key ----------------------------------------------------------------------
    cols["企业名称"] = _names(rng, section)
    cols["经营范围"] = _scopes(rng, section)
    reg_county = np.where(rng.random(n) < 0.8, county, "530100")
    new_style = founded >= np.datetime64("2015-10-01")
    cols["统一社会信用代码"] = _uscc(rng, reg_county, new_style).astype(object)
    return {name: cols[name] for name in COLUMNS}


_GROUP_WEIGHTS = np.array([0.30, 0.22, 0.16, 0.11, 0.08, 0.05, 0.04, 0.02, 0.02])
_GROUP_WEIGHTS = _GROUP_WEIGHTS / _GROUP_WEIGHTS.sum()


def _names(rng: np.random.Generator, section: np.ndarray) -> np.ndarray:
    n = section.shape[0]
    chars = np.array(list(_BRAND_CHARS))
    brand = np.char.add(chars[rng.integers(0, len(chars), n)],
                        chars[rng.integers(0, len(chars), n)])
    prefix = _choice(rng, ["昆明", "云南", "", "昆明市五华区"], [0.45, 0.25, 0.20, 0.10],
                     n).astype(str)
    word = np.empty(n, dtype=object)
    for letter in np.unique(section):
        mask = section == letter
        options = _SECTION_WORDS.get(str(letter), ["商务服务"])
        word[mask] = _choice(rng, options, None, int(mask.sum()))
    suffix = _choice(rng, ["有限公司", "有限责任公司", "股份有限公司", "集团有限公司"],
                     [0.78, 0.17, 0.03, 0.02], n).astype(str)
    return np.char.add(np.char.add(np.char.add(prefix, brand), word.astype(str)),
                       suffix).astype(object)


def _scopes(rng: np.random.Generator, section: np.ndarray) -> np.ndarray:
    n = section.shape[0]
    out = np.empty(n, dtype=object)
    for letter in np.unique(section):
        mask = section == letter
        phrases = _SCOPES.get(str(letter), ["企业管理咨询", "市场营销策划"])
        m = int(mask.sum())
        first = rng.integers(0, len(phrases), m)
        second = (first + 1 + rng.integers(0, max(len(phrases) - 1, 1), m)) % len(phrases)
        texts = np.char.add(np.char.add(np.asarray(phrases)[first], "；"),
                            np.asarray(phrases)[second])
        one = (rng.random(m) < 0.3) | (first == second)
        texts = np.where(one, np.asarray(phrases)[first], texts)
        out[mask] = np.char.add(texts, "（依法须经批准的项目，经相关部门批准后方可开展经营活动）")
    return out


# ---- dirty data ----------------------------------------------------------------------------


def _inject_faults(rng: np.random.Generator, cols: dict[str, np.ndarray]) -> list[Fault]:
    """Put a small share of bad values into ``cols`` (in place); return where."""
    n = cols["统一社会信用代码"].shape[0]
    faults: list[Fault] = []
    used: set[int] = set()

    def rows(share: float, minimum: int = 1) -> list[int]:
        want = min(max(minimum, int(round(n * share))), max(n - len(used), 0))
        picked: list[int] = []
        while len(picked) < want:
            for r in rng.integers(0, n, size=want * 2).tolist():
                if r not in used and len(picked) < want:
                    used.add(r)
                    picked.append(r)
        return picked

    def put(column: str, row: int, value: str, kind: str, errors: int = 1) -> None:
        cols[column][row] = value
        faults.extend(Fault(row + 1, column, kind, value) for _ in range(errors))

    revenue = cols["营业收入"]
    for r in rows(0.002, 3):
        wan = max(1, int(revenue[r] or 0) // 10_000)
        value = [f"约{wan}万", f"{wan}万左右", "暂无数据", f"{wan}万-{wan * 2}万"][r % 4]
        put("营业收入", r, value, "non-numeric money")
    tax = cols["纳税额"]
    for r in rows(0.001, 2):
        put("纳税额", r, ["约5万", "见附表", "12.5.3万"][r % 3], "non-numeric money")
    for r in rows(0.001, 3):
        put("成立日期", r, ["2023-02-30", "2021-13-05", "2019/02/29", "2022-04-31"][r % 4],
            "impossible date")
    for r in rows(0.0005, 2):
        put("高企认定日期", r, "2024-06-31", "impossible date")
    for r in rows(0.001, 2):
        put("企业规模", r, ["特大型", "小微", "微小型"][r % 3], "unknown enum value")
    for r in rows(0.001, 2):
        put("纳税信用等级", r, ["AA", "A级", "E"][r % 3], "unknown enum value")
    for r in rows(0.0005, 2):
        put("所属行业", r, ["9901", "Z7210", "F6512", "软件业"][r % 4], "unknown industry code")
    for r in rows(0.0005, 2):
        put("所在区域", r, ["5301020", "990102001", "五华区华山"][r % 3], "unknown region code")
    for r in rows(0.0005, 2):
        put("资质", r, ["省级高新技术企业", "高新技术企业、瞪羚企业"][r % 2],
            "unknown set member")
    for r in rows(0.0005, 2):
        put("从业人数", r, ["十二", "-3", "12.5"][r % 3], "bad count")
    for r in rows(0.0005, 2):
        put("失信被执行人", r, ["待核实", "不确定"][r % 2], "not a yes/no value")
    for r in rows(0.0005, 2):
        put("营业收入增长率", r, ["增长较快", "12%%"][r % 2], "bad ratio")
    # keys: a wrong check character (a bad value, and then the row has no key: two reports),
    # duplicates (reported on the later row) and missing keys.
    keys = cols["统一社会信用代码"]
    for r in rows(0.001, 3):
        code = str(keys[r])
        wrong = ALPHABET[(ALPHABET.index(code[17]) + 1 + r % 29) % 31]
        put("统一社会信用代码", r, code[:17] + wrong, "bad check character", errors=2)
    for r in rows(0.0002, 2):
        keys[r] = None
        faults.append(Fault(r + 1, "统一社会信用代码", "missing key", ""))
    for later in rows(0.0002, 2):
        earlier = (later * 7 + 1) % n
        while earlier in used or earlier == later:
            earlier = (earlier + 1) % n
        if earlier > later:  # the loader reports the second occurrence
            earlier, later = later, earlier
            used.add(later)
        used.add(earlier)
        keys[later] = keys[earlier]
        faults.append(Fault(later + 1, "统一社会信用代码", "duplicate key", str(keys[later])))
    del tax
    faults.sort(key=lambda f: (f.row, f.column))
    return faults


# ---- public API ----------------------------------------------------------------------------


def generate_table(n: int, seed: int = 0, dirty: bool = False,
                   faults: bool = False) -> Any:
    """The library as a ``pyarrow.Table`` (fast for a million rows).

    Clean tables have typed columns (int64 money and counts, float64 ratios and scores,
    strings elsewhere); dirty ones are all strings. With ``faults=True`` returns
    ``(table, [Fault, ...])``.
    """
    import pyarrow as pa

    cols = generate_columns(n, seed)
    found: list[Fault] = []
    if dirty:
        found = _inject_faults(np.random.default_rng([seed, 1]), cols)
        arrays = {k: pa.array([None if v is None else str(v) for v in col], pa.string())
                  for k, col in cols.items()}
    else:
        arrays = {k: _arrow(k, col) for k, col in cols.items()}
    table = pa.table(arrays)
    return (table, found) if faults else table


_INT_COLUMNS = {"从业人数", "资产总额", "营业收入", "前年营业收入", "研发费用", "近两年研发费用均值",
                "近两年新增股权融资", "有效发明专利数", "应纳税所得额", "纳税额", "参保人数",
                "失业保险缴费额", "新招用重点群体人数", "创业担保贷款金额"}
_FLOAT_COLUMNS = {"营业收入增长率", "专精特新评价得分", "裁员率"}


def _arrow(name: str, col: np.ndarray) -> pa.Array:
    import pyarrow as pa

    if name in _INT_COLUMNS or name in _FLOAT_COLUMNS:
        kind = pa.int64() if name in _INT_COLUMNS else pa.float64()
        mask = np.fromiter((v is None for v in col), dtype=bool, count=col.shape[0])
        data = np.where(mask, 0, col).astype(np.int64 if name in _INT_COLUMNS else float)
        return pa.array(data, type=kind, mask=mask)
    return pa.array(col, type=pa.string(), from_pandas=True)


def generate(n: int, seed: int = 0, dirty: bool = False) -> list[dict[str, Any]]:
    """``n`` enterprises as records (``None`` for a missing value); same data as
    :func:`generate_table`. For large ``n`` prefer the table."""
    return generate_table(n, seed, dirty).to_pylist()  # type: ignore[no-any-return]


def write(data: Any, path: str | Path) -> int:
    """Write a table, a dict of columns or a list of records to ``.csv``, ``.jsonl`` (or
    ``.ndjson``) or ``.parquet``, by extension; returns the number of rows.

    CSV is UTF-8 with a header of tag names; a missing value is an empty cell. JSONL leaves
    missing fields out.
    """
    import pyarrow as pa

    path = Path(path)
    suffix = path.suffix.lower()
    if isinstance(data, pa.Table):
        table = data
    elif isinstance(data, Mapping):
        table = pa.table({k: (v if isinstance(v, pa.Array | pa.ChunkedArray)
                              else _arrow(k, np.asarray(v, dtype=object)))
                          for k, v in data.items()})
    else:
        table = pa.Table.from_pylist(list(data))
    if suffix == ".csv":
        from pyarrow import csv as pacsv

        pacsv.write_csv(table, path, pacsv.WriteOptions(quoting_style="needed"))
    elif suffix == ".parquet":
        import pyarrow.parquet as pq

        pq.write_table(table, path)
    elif suffix in (".jsonl", ".ndjson"):
        with open(path, "w", encoding="utf-8") as handle:
            for batch in table.to_batches(max_chunksize=65_536):
                for record in batch.to_pylist():
                    clean = {k: v for k, v in record.items() if v is not None}
                    handle.write(json.dumps(clean, ensure_ascii=False) + "\n")
    else:
        raise ValueError(f"{path}: unknown table format {suffix!r} (use .csv, .jsonl, .parquet)")
    return table.num_rows


def main_generate(n: int, out: str | Path, seed: int = 0, dirty: bool = False) -> int:
    """The ``policy-match generate --n N --out FILE [--seed S] [--dirty]`` command; exit 0."""
    start = time.perf_counter()
    if dirty:
        table, found = generate_table(n, seed, dirty=True, faults=True)
    else:
        table, found = generate_table(n, seed), []
    rows = write(table, out)
    took = time.perf_counter() - start
    extra = f", {len(found)} deliberately bad cell(s)" if dirty else ""
    print(f"wrote {rows:,} enterprises (seed {seed}{extra}) to {out} in {took:.1f}s",
          file=sys.stderr)
    return 0
