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
- the rarer administrative fields are missing for 10–30 %; fields that only some
  enterprises have are blank for the rest: 首台（套）首批次首版次 for a few manufacturers
  doing R&D (and a few software houses), 首店 for a few retailers, restaurants and
  entertainment venues, the keeper and the taxes of a 个体工商户 for 个体工商户 only,
  见习留用率 for 见习基地 that took trainees;
- exports for some manufacturers and wholesalers (and a few farms), a share of revenue;
  online retail mostly for shops and restaurants; knowledge property (Ⅰ类, Ⅱ类) and
  trademarks mostly 0 with a lognormal tail, concentrated in the enterprises doing R&D;
  the evaluation scores (高企创新能力, 创新型中小企业) built from the figures they grade;
- 统一社会信用代码: unique, valid GB 32100-2015 codes (the 9-digit 组织机构代码 part carries
  its own GB 11714 check character too).

The tags added to ``rules/tags.rule`` after the first version are drawn from a second
random stream, so the earlier columns keep their values for a given seed (所获荣誉 only
gains the honours that the later policies ask about).

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

from .builtins.region import WUHUA_STREETS
from .builtins.uscc import ALPHABET

if TYPE_CHECKING:
    import pyarrow as pa

REFERENCE_DATE = dt.date(2025, 6, 30)
"""The data describe the enterprises as of this date: 上年度 is 2024."""

COLUMNS = (
    "统一社会信用代码", "企业名称", "成立日期", "所在区域", "所属行业", "经营范围",
    "企业规模", "从业人数", "资产总额", "入规日期", "入限日期", "市场主体类型",
    "营业收入", "前年营业收入", "营业收入增长率", "研发费用", "近两年研发费用均值",
    "近两年新增股权融资", "有效发明专利数", "新授权发明专利数", "发明专利授权官费", "设备投资额",
    "细分市场年限", "成本费用总额", "科技人员占比", "一类知识产权数", "二类知识产权数",
    "高新技术产品收入占比", "数字化改造投入", "首台套产品类型", "首台套首次销售日期",
    "首台套销售额",
    "应纳税所得额", "纳税额", "纳税信用等级", "限制禁止类行业企业", "企业所得税征收方式",
    "增值税纳税人类型", "六税两费应纳税额", "在职职工年平均人数", "残疾人就业比例",
    "残保金应缴费额", "经营者为重点群体", "个体工商户应缴税费",
    "资质", "高企认定类型", "高企认定日期", "专精特新认定日期", "专精特新评价得分", "所获荣誉",
    "高企创新能力评价得分", "创新型中小企业评价得分", "近三年新增股权融资", "网络零售额",
    "注册商标数",
    "失信被执行人", "欠薪欠保企业", "重大事故企业",
    "参保人数", "裁员率", "失业保险缴费额", "新招用重点群体人数", "创业担保贷款金额",
    "新招用扩岗对象人数", "新招用高校毕业生人数", "高校毕业生单位社保缴费额",
    "见习基地", "就业见习人月数", "见习留用率",
    "首贷日期", "首贷金额", "贷款到期日", "到期贷款金额", "已获续贷承诺",
    "知识产权质押贷款金额", "知识产权质押贷款利息", "拟申请担保金额",
    "出口额", "出口信用保险保费", "首店级别", "首店开业日期", "夜间延时经营",
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
    return _SIZE_ROWS[int(_size_row_ids(np.array([code[:1]]), np.array([code[1:]]))[0])]


_SIZE_ROWS = tuple(SIZE_TABLE)


def _size_row_ids(letters: np.ndarray, digits: np.ndarray) -> np.ndarray:
    """Row index into :data:`SIZE_TABLE` per (门类 letter, digits) pair, vectorized."""
    distinct, inverse = np.unique(digits, return_inverse=True)
    value = np.array([int(d) if d else -1 for d in distinct.tolist()], dtype=np.int64)[inverse]
    width = np.char.str_len(digits.astype(str))
    division = np.where(width >= 2, value // 10 ** np.maximum(width - 2, 0), -1)
    group = np.where(width >= 3, value // 10 ** np.maximum(width - 3, 0), -1)
    row = np.full(letters.shape[0], _SIZE_ROWS.index("其他未列明行业"), dtype=np.int64)

    def put(mask: np.ndarray, name: str) -> None:
        row[mask & (row == _SIZE_ROWS.index("其他未列明行业"))] = _SIZE_ROWS.index(name)

    put(letters == "A", "农林牧渔业")
    put(np.isin(letters, ["B", "C", "D"]), "工业")
    put(letters == "E", "建筑业")
    put(division == 51, "批发业")
    put(division == 52, "零售业")
    put((division >= 54) & (division <= 58), "交通运输业")
    put(division == 59, "仓储业")
    put(division == 60, "邮政业")
    put(letters == "H", "住宿和餐饮业")
    put(np.isin(division, [63, 64]), "信息传输业")
    put(division == 65, "软件和信息技术服务业")
    put(group == 701, "房地产开发经营")
    put(group == 702, "物业管理")
    put(letters == "L", "租赁和商务服务业")
    return row


def classify_size(letters: np.ndarray, digits: np.ndarray, staff: np.ndarray,
                  revenue_yuan: np.ndarray, assets_yuan: np.ndarray) -> np.ndarray:
    """企业规模 per row as an index into :data:`SIZES` (0 大型 … 3 微型), by the 2017 table.

    Every indicator of the row must reach a band's lower bound; the band is the lowest that
    any indicator reaches (微型 needs only one indicator below the 小型 bound).
    """
    rows = _size_row_ids(letters, digits)
    indicators = {"X": staff.astype(float), "Y": revenue_yuan / 1e4, "Z": assets_yuan / 1e4}
    band = np.full(letters.shape[0], 3, dtype=np.int8)
    for r, criteria in enumerate(SIZE_TABLE.values()):
        mask = rows == r
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
    return band


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
    import pyarrow as pa

    n = county.shape[0]
    pos: list[np.ndarray] = [np.full(n, 9, dtype=np.int64), category.astype(np.int64)]
    place = county.astype(np.int64)
    digits = []
    for _ in range(6):
        place, digit = np.divmod(place, 10)
        digits.append(digit)
    pos += digits[::-1]
    # A distinct serial per row, scattered by an affine permutation; then the 8-character
    # organization code body: "MA" + 6 base-31 characters for new registrations, 8 digits
    # for old ones. Serials are unique, so codes are unique.
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
    pos += body[::-1]
    total = sum(_ORG_VALUE[p] * int(w) for p, w in zip(pos[8:16], _ORG_WEIGHTS, strict=True))
    pos.append(_ORG_CHECK[11 - total % 11])  # GB 11714 check of the organization code
    check = sum(p * int(w) for p, w in zip(pos, _USCC_WEIGHTS, strict=True))
    pos.append(-check % 31)  # GB 32100
    chars = np.empty((n, 18), dtype=np.uint8)
    for k, p in enumerate(pos):
        chars[:, k] = _ALPHA_BYTES[p]
    offsets = np.arange(0, 18 * (n + 1), 18, dtype=np.int32)
    return pa.Array.from_buffers(pa.string(), n, [None, pa.py_buffer(offsets),
                                                  pa.py_buffer(chars.tobytes())])


# ---- column helpers --------------------------------------------------------------------------


def _pick(rng: np.random.Generator, k: int, weights: Iterable[float] | None, n: int
          ) -> np.ndarray:
    p = None
    if weights is not None:
        w = np.asarray(list(weights), dtype=float)
        p = w / w.sum()
    return rng.choice(k, size=n, p=p)


def _strings(options: Iterable[str], index: np.ndarray, missing: np.ndarray | None = None
             ) -> pa.Array:
    """A string column from an index into ``options`` (dictionary-decoded by arrow)."""
    import pyarrow as pa

    indices = pa.array(index.astype(np.int32), mask=missing)
    return pa.DictionaryArray.from_arrays(indices, pa.array(list(options), pa.string())
                                          ).cast(pa.string())


def _distinct_strings(values: np.ndarray, missing: np.ndarray | None = None) -> pa.Array:
    """A string column from a numpy string array with few distinct values."""
    distinct, inverse = np.unique(values, return_inverse=True)
    return _strings(distinct.tolist(), inverse, missing)


def _number(values: np.ndarray, missing: np.ndarray | None = None) -> pa.Array:
    import pyarrow as pa

    return pa.array(values, mask=missing if missing is not None and missing.any() else None)


def _dates(days: np.ndarray, missing: np.ndarray | None = None) -> pa.Array:
    """Days since 1970-01-01 → ``YYYY-MM-DD`` strings."""
    import pyarrow as pa

    return pa.array(days.astype(np.int32), type=pa.int32(), mask=missing
                    ).cast(pa.date32()).cast(pa.string())


def _join(*parts: pa.Array) -> pa.Array:
    import pyarrow.compute as pc

    return pc.binary_join_element_wise(*parts, "")


def _money(x: np.ndarray) -> np.ndarray:
    """Whole yuan."""
    return np.round(x).astype(np.int64)


def _yes_no(rng: np.random.Generator, p_yes: float, p_missing: float, n: int) -> pa.Array:
    return _strings(["否", "是"], (rng.random(n) < p_yes).astype(np.int32),
                    rng.random(n) < p_missing)


# ---- the generator -------------------------------------------------------------------------


@dataclass(frozen=True)
class Fault:
    """One deliberately bad cell of a dirty table: 1-based data row, column, what is wrong."""

    row: int
    column: str
    kind: str
    value: str


_GROUP_WEIGHTS = (0.30, 0.22, 0.16, 0.11, 0.08, 0.05, 0.04, 0.02, 0.02)


def generate_columns(n: int, seed: int = 0) -> dict[str, pa.Array]:
    """A clean library of ``n`` enterprises as arrow arrays, one per tag (null = missing)."""

    if n < 0:
        raise ValueError("n must not be negative")
    if n == 0:
        return {k: v.slice(0, 0) for k, v in generate_columns(1, seed).items()}
    rng = np.random.default_rng(seed)
    ref = (REFERENCE_DATE - dt.date(1970, 1, 1)).days
    cols: dict[str, pa.Array] = {}

    # -- industry: 门类, then 大类 (K: 小类), then a 4-digit 小类 code -------------------------
    letters = list(_SECTION_SHARE)
    section_ix = _pick(rng, len(letters), _SECTION_SHARE.values(), n)
    section = np.array(letters)[section_ix]
    code4 = np.zeros(n, dtype=np.int64)
    for s, letter in enumerate(letters):
        mask = section_ix == s
        m = int(mask.sum())
        if not m:
            continue
        if letter == "K":
            classes = np.array([c for c, _ in _K_CLASSES])
            code4[mask] = classes[_pick(rng, len(classes), [w for _, w in _K_CLASSES], m)]
            continue
        options = _DIVISIONS[letter]
        divs = np.array([d for d, _ in options])[_pick(rng, len(options),
                                                       [w for _, w in options], m)]
        group = 1 + _pick(rng, len(_GROUP_WEIGHTS), _GROUP_WEIGHTS, m)
        code4[mask] = divs * 100 + group * 10 + rng.integers(0, 10, m)
    digits = np.char.zfill(code4.astype(str), 4)
    with_letter = rng.random(n) < 0.6
    cols["所属行业"] = _distinct_strings(np.where(with_letter, np.char.add(section, digits),
                                                  digits))

    # -- place ---------------------------------------------------------------------------------
    in_wuhua = rng.random(n) < _WUHUA_SHARE
    street = 1 + _pick(rng, len(_STREET_SHARE), _STREET_SHARE, n)
    other = _pick(rng, len(_OTHER_COUNTIES), [w for *_, w in _OTHER_COUNTIES], n)
    other_county = np.array([int(c) for c, _, _ in _OTHER_COUNTIES])[other]
    other_street = 1 + (rng.random(n) * np.array([s for _, s, _ in _OTHER_COUNTIES])[other]
                        ).astype(np.int64)
    county = np.where(in_wuhua, 530102, other_county)
    region = county * 1000 + np.where(in_wuhua, street, other_street)
    cols["所在区域"] = _distinct_strings(region.astype(str))

    # -- age -----------------------------------------------------------------------------------
    age_days = np.minimum(rng.exponential(7 * 365.25, n), 40 * 365.25).astype(np.int64) + 30
    founded = ref - age_days
    cols["成立日期"] = _dates(founded)

    # -- staff, revenue, assets: correlated lognormals per industry ----------------------------
    econ = np.array([_ECONOMICS.get(s, _DEFAULT_ECONOMICS) for s in letters], dtype=float)
    econ_row = econ[section_ix]
    staff = np.maximum(1, np.round(np.exp(rng.normal(np.log(econ_row[:, 0]), 1.15)))
                       ).astype(np.int64)
    per_head = np.exp(rng.normal(np.log(econ_row[:, 1]), 0.9))
    dormant = rng.random(n) < 0.05  # 新设 or dormant: no revenue last year
    revenue = _money(np.where(dormant, 0.0, staff * per_head))
    assets = _money(np.where(dormant, np.exp(rng.normal(np.log(300_000), 1.0, n)),
                             revenue * np.exp(rng.normal(np.log(econ_row[:, 2]), 0.8))))
    cols["从业人数"] = _number(staff)
    cols["营业收入"] = _number(revenue)
    cols["资产总额"] = _number(assets)
    band = classify_size(section, digits, staff, revenue.astype(float), assets.astype(float))
    cols["企业规模"] = _strings(SIZES, band)

    # -- growth --------------------------------------------------------------------------------
    growth = np.exp(rng.normal(0.05, 0.25, n)) - 1
    prev = _money(revenue / (1 + growth))
    young = age_days < 2 * 365
    cols["前年营业收入"] = _number(prev, young)
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = np.round(revenue / np.where(prev > 0, prev, 1) - 1, 4)
    cols["营业收入增长率"] = _number(rate, young | (prev <= 0))

    # -- R&D -----------------------------------------------------------------------------------
    tech_section = np.isin(section, ["I", "M", "C"])
    does_rd = (rng.random(n) < np.where(tech_section, 0.5, 0.04)) & (revenue > 0)
    intensity = np.minimum(np.exp(rng.normal(np.log(0.04), 0.8, n)), 0.9)
    rd = np.where(does_rd, _money(revenue * intensity), 0)
    cols["研发费用"] = _number(rd, rng.random(n) < 0.17)
    rd_avg = np.where(does_rd, _money(rd * rng.uniform(0.7, 1.1, n)), 0)
    cols["近两年研发费用均值"] = _number(rd_avg, rng.random(n) < 0.20)

    # -- qualifications ------------------------------------------------------------------------
    bigger = (staff >= 10) | (revenue >= 5_000_000)
    base = np.where(tech_section, 1.0, 0.04) * np.where(bigger, 3.0, 1.0) \
        * np.where(does_rd, 2.0, 0.5)

    def draw(share: float, weight: np.ndarray) -> np.ndarray:
        p = np.minimum(weight * (share / max(float(weight.mean()), 1e-12)), 0.9)
        return rng.random(n) < p

    hnte = draw(0.02, base)
    tsme = draw(0.03, base) | (hnte & (rng.random(n) < 0.5))
    innov = draw(0.012, base * np.where(hnte | tsme, 4.0, 1.0))
    srdi = innov & draw(0.006, base * np.where(hnte, 6.0, 1.0) * np.where(innov, 10.0, 0.1))
    giant = srdi & (rng.random(n) < 0.08)
    advanced = draw(0.001, base * np.isin(section, ["I", "M"]))
    flags = np.stack([hnte, tsme, innov, srdi, giant, advanced], axis=1)
    bits = (flags * (1 << np.arange(flags.shape[1]))).sum(axis=1)
    combos = ["、".join(q for i, q in enumerate(QUALIFICATIONS) if b >> i & 1) or "无"
              for b in range(1 << len(QUALIFICATIONS))]
    cols["资质"] = _strings(combos, bits, rng.random(n) < 0.03)

    cols["高企认定类型"] = _strings(["首次认定", "重新认定"], (rng.random(n) >= 0.55), ~hnte)
    cols["高企认定日期"] = _dates(ref - rng.integers(10, 3 * 365, n), ~hnte)
    cols["专精特新认定日期"] = _dates(ref - rng.integers(10, 3 * 365, n), ~srdi)
    cols["专精特新评价得分"] = _number(np.round(rng.uniform(60, 95, n), 1), ~srdi)
    cols["细分市场年限"] = _strings([f"{y}年" for y in range(2, 16)], rng.integers(0, 14, n),
                                  ~(srdi | innov))
    patents = np.where(hnte | srdi, rng.poisson(4.0, n),
                       np.where(does_rd, rng.poisson(0.4, n), 0))
    no_patent_stock = rng.random(n) < 0.10
    cols["有效发明专利数"] = _number(patents, no_patent_stock)
    equity = np.where(rng.random(n) < np.where(hnte | srdi, 0.2, 0.015),
                      _money(np.round(np.exp(rng.normal(np.log(8e6), 1.0, n)), -4)), 0)
    no_equity = rng.random(n) < 0.20
    cols["近两年新增股权融资"] = _number(equity, no_equity)

    # -- 规上工业: 入规日期 ----------------------------------------------------------------------
    industrial = np.isin(section, ["B", "C", "D"]) & (revenue >= 20_000_000)
    entered = founded + 365 + (rng.random(n) * np.maximum(age_days - 545, 1)).astype(np.int64)
    cols["入规日期"] = _dates(np.minimum(entered, ref - 180), ~industrial)

    # -- tax -----------------------------------------------------------------------------------
    margin = rng.normal(0.06, 0.10, n)
    cols["应纳税所得额"] = _number(_money(np.maximum(revenue * margin, 0)),
                                 rng.random(n) < 0.15)
    tax = _money(revenue * np.exp(rng.normal(np.log(0.03), 0.6, n)))
    cols["纳税额"] = _number(tax, rng.random(n) < 0.12)
    cols["纳税信用等级"] = _strings(["A", "B", "M", "C", "D"],
                                  _pick(rng, 5, [0.30, 0.45, 0.15, 0.07, 0.03], n),
                                  rng.random(n) < 0.10)
    cols["限制禁止类行业企业"] = _yes_no(rng, 0.01, 0.12, n)

    # -- honours, credit -----------------------------------------------------------------------
    k = len(_HONOURS)
    first, second = rng.integers(0, k, n), rng.integers(0, k, n)
    two = (rng.random(n) < 0.3) & (second != first)
    honoured = rng.random(n) < np.where(bigger, 0.04, 0.004)
    index = np.where(honoured, 1 + first + np.where(two, (second + 1) * k, 0), 0)
    honour_texts = ["无"] + [_HONOURS[i % k] + ("、" + _HONOURS[i // k - 1] if i >= k else "")
                             for i in range(k * (k + 1))]
    cols["所获荣誉"] = _strings(honour_texts, index, rng.random(n) < 0.05)
    cols["失信被执行人"] = _yes_no(rng, 0.004, 0.05, n)
    cols["欠薪欠保企业"] = _yes_no(rng, 0.003, 0.08, n)
    cols["重大事故企业"] = _yes_no(rng, 0.001, 0.10, n)

    # -- employment and social insurance -------------------------------------------------------
    insured = np.round(staff * rng.uniform(0.5, 1.0, n)).astype(np.int64)
    no_insured = rng.random(n) < 0.10
    cols["参保人数"] = _number(insured, no_insured)
    layoff = np.where(rng.random(n) < 0.7, 0.0, np.round(rng.uniform(0, 0.2, n), 4))
    cols["裁员率"] = _number(layoff, rng.random(n) < 0.15)
    premium = _money(insured * np.exp(rng.normal(np.log(60_000), 0.4, n)) * 0.008)
    cols["失业保险缴费额"] = _number(premium, no_insured | (rng.random(n) < 0.05))
    hires = np.where(rng.random(n) < 0.05, rng.integers(1, 11, n), 0)
    cols["新招用重点群体人数"] = _number(np.minimum(hires, staff), rng.random(n) < 0.07)
    loan = np.where(rng.random(n) < 0.01, rng.integers(1, 31, n) * 100_000, 0)
    cols["创业担保贷款金额"] = _number(loan, rng.random(n) < 0.01)

    # -- 限上批零住餐: 入限日期 ------------------------------------------------------------------
    division = code4 // 100
    above = (((division == 51) & (revenue >= 20_000_000))
             | ((division == 52) & (revenue >= 5_000_000))
             | ((section == "H") & (revenue >= 2_000_000)))
    entered = founded + 365 + (rng.random(n) * np.maximum(age_days - 545, 1)).astype(np.int64)
    cols["入限日期"] = _dates(np.minimum(entered, ref - 180), ~above)

    # -- patents granted last year, equipment ----------------------------------------------------
    granted = np.where(hnte | srdi, rng.poisson(1.5, n), np.where(does_rd, rng.poisson(0.3, n), 0))
    no_patent_data = rng.random(n) < 0.10
    cols["新授权发明专利数"] = _number(granted, no_patent_data)
    cols["发明专利授权官费"] = _number(_money(granted * rng.uniform(3000, 4500, n)), no_patent_data)
    invests = np.where(np.isin(section, ["B", "C", "D"]), 0.3, 0.05) > rng.random(n)
    scale = np.where(np.isin(section, ["B", "C", "D"]), np.log(2e6), np.log(2e5))
    cols["设备投资额"] = _number(np.where(invests, _money(np.exp(rng.normal(scale, 1.0))), 0),
                                rng.random(n) < 0.15)

    # -- tax regime ------------------------------------------------------------------------------
    assessed = rng.random(n) < np.where(band == 3, 0.2, 0.05)
    cols["企业所得税征收方式"] = _strings(["查账征收", "核定征收"], assessed, rng.random(n) < 0.08)
    general = (revenue >= 5_000_000) | (rng.random(n) < 0.1)
    cols["增值税纳税人类型"] = _strings(["小规模纳税人", "一般纳税人"], general,
                                      rng.random(n) < 0.05)
    cols["六税两费应纳税额"] = _number(_money(tax * rng.uniform(0.05, 0.15, n)),
                                     rng.random(n) < 0.15)

    # -- hiring ----------------------------------------------------------------------------------
    cols["新招用扩岗对象人数"] = _number(
        np.minimum(np.where(rng.random(n) < 0.04, rng.integers(1, 6, n), 0), staff),
        rng.random(n) < 0.08)
    grads = np.minimum(np.where(rng.random(n) < np.where(tech_section, 0.12, 0.05),
                                rng.integers(1, 9, n), 0), staff)
    no_grad_data = rng.random(n) < 0.08
    cols["新招用高校毕业生人数"] = _number(grads, no_grad_data)
    cols["高校毕业生单位社保缴费额"] = _number(_money(grads * 12 * rng.uniform(600, 1400, n)),
                                        no_grad_data)

    # -- loans -----------------------------------------------------------------------------------
    borrowed = rng.random(n) < 0.15
    cols["首贷日期"] = _dates(founded + (rng.random(n) * (age_days - 1)).astype(np.int64),
                            ~borrowed)
    cols["首贷金额"] = _number(_money(np.round(np.exp(rng.normal(np.log(5e5), 1.0, n)), -4)),
                            ~borrowed)
    maturing = rng.random(n) < 0.08
    cols["贷款到期日"] = _dates(ref + rng.integers(0, 181, n), ~maturing)
    cols["到期贷款金额"] = _number(_money(np.round(np.exp(rng.normal(np.log(2e6), 1.0, n)), -4)),
                              ~maturing)
    cols["已获续贷承诺"] = _strings(["否", "是"], rng.random(n) < 0.4, ~maturing)

    # -- entity type, name, scope, key -----------------------------------------------------------
    individual = rng.random(n) < np.where(np.isin(section, ["F", "H", "O"]), 0.05, 0.01)
    cooperative = (section == "A") & (rng.random(n) < 0.4)
    entity = np.where(cooperative, 2, np.where(individual, 1, 0))
    cols["市场主体类型"] = _strings(["企业", "个体工商户", "农民专业合作社"], entity)
    cols["企业名称"] = _names(rng, section_ix, letters, entity)
    cols["经营范围"] = _scopes(rng, section_ix, letters)
    reg_county = np.where(rng.random(n) < 0.8, county, 530100)
    new_style = founded >= (dt.date(2015, 10, 1) - dt.date(1970, 1, 1)).days
    cols["统一社会信用代码"] = _uscc(rng, reg_county, new_style, entity + 1)

    # Tags added to rules/tags.rule later draw from a stream of their own, so every column
    # above keeps its values for a given seed.
    _more_columns(np.random.default_rng([seed, 2]), cols, _Draws(
        ref=ref, section=section, division=division, in_wuhua=in_wuhua, street=street,
        founded=founded, age_days=age_days, staff=staff, revenue=revenue, band=band,
        bigger=bigger, growth=growth, margin=margin, does_rd=does_rd, rd=rd, hnte=hnte,
        innov=innov, srdi=srdi, giant=giant, patents=patents,
        no_patent_stock=no_patent_stock, equity=equity, no_equity=no_equity, entity=entity))
    return {name: cols[name] for name in COLUMNS}


# ---- tags added to the rulebook later ------------------------------------------------------


@dataclass(frozen=True)
class _Draws:
    """The underlying draws (before any value was masked as missing) that the later tags
    depend on, so that they stay consistent with the earlier ones."""

    ref: int
    section: np.ndarray
    division: np.ndarray
    in_wuhua: np.ndarray
    street: np.ndarray
    founded: np.ndarray
    age_days: np.ndarray
    staff: np.ndarray
    revenue: np.ndarray
    band: np.ndarray
    bigger: np.ndarray
    growth: np.ndarray
    margin: np.ndarray
    does_rd: np.ndarray
    rd: np.ndarray
    hnte: np.ndarray
    innov: np.ndarray
    srdi: np.ndarray
    giant: np.ndarray
    patents: np.ndarray
    no_patent_stock: np.ndarray
    equity: np.ndarray
    no_equity: np.ndarray
    entity: np.ndarray


_FIRST_KINDS = ("首台（套）重大技术装备", "首批次新材料", "首版次软件")
_FIRST_HONOURS = ("云南省首台（套）重大技术装备", "云南省首批次新材料", "云南省首版次软件")
_FIRST_STORES = ("全球首店", "亚洲首店", "全国首店", "西南首店", "云南首店", "昆明首店")
_FIRST_STORE_SHARE = (0.01, 0.02, 0.07, 0.15, 0.30, 0.45)
_DISABLED_QUOTA = 0.015  # 云南省规定的安排残疾人就业比例
_AVERAGE_WAGE = 105_000  # 当地社会平均工资（元）：残保金的工资基数至多是它的 2 倍


def _more_columns(rng: np.random.Generator, cols: dict[str, pa.Array], d: _Draws) -> None:
    """The columns of the tags added to ``rules/tags.rule`` later, into ``cols``."""
    import pyarrow as pa
    import pyarrow.compute as pc

    n = d.section.shape[0]
    ref, section, division = d.ref, d.section, d.division
    staff, revenue = d.staff, d.revenue
    selling = revenue > 0
    manufacturing = section == "C"
    software = division == 65
    tech_section = np.isin(section, ["I", "M", "C"])
    rated = d.hnte | d.srdi  # 高企 or 专精特新: the most innovative
    company = d.entity == 0
    person = d.entity == 1  # 个体工商户
    consumer = (division == 52) | (section == "H") | (section == "R")  # 零售、餐饮、文娱

    def missing(share: float | np.ndarray) -> np.ndarray:
        return rng.random(n) < share

    def integer(x: np.ndarray) -> np.ndarray:
        return np.asarray(x).astype(np.int64)

    # -- costs, science staff, intellectual property (科技型中小企业评价, 高企认定) ----------------
    cost = np.where(selling, revenue * np.clip(1 - d.margin, 0.5, 1.5),
                    np.exp(rng.normal(np.log(150_000), 1.0, n)))
    cols["成本费用总额"] = _number(_money(np.maximum(cost, d.rd * 1.05)), missing(0.18))

    share = np.where(rated, 0.12 + 0.6 * rng.beta(2.0, 3.5, n),
                     np.where(d.does_rd,
                              np.where(np.isin(section, ["I", "M"]), rng.beta(2.5, 4.0, n),
                                       rng.beta(1.5, 6.0, n)),
                              np.where(rng.random(n) < 0.15, rng.beta(1.0, 12.0, n), 0.0)))
    scientists = np.minimum(np.round(staff * share), staff)
    cols["科技人员占比"] = _number(np.round(scientists / staff, 4),
                                missing(np.where(d.does_rd | rated, 0.12, 0.18)))

    # Ⅰ类: the invention patents behind the main products, now and then a 植物新品种 or a
    # 集成电路布图设计; Ⅱ类 (实用新型、外观设计、软件著作权): lognormal, so heavy tailed.
    other_class1 = np.where(rng.random(n) < np.where(d.does_rd, 0.03, 0.002),
                            rng.geometric(0.5, n), 0)
    class1 = integer(rng.binomial(d.patents, 0.85) + other_class1)
    cols["一类知识产权数"] = _number(class1, d.no_patent_stock | missing(0.05))
    holds2 = rng.random(n) < np.where(rated, 0.95, np.where(d.does_rd, 0.55,
                                                            np.where(tech_section, 0.06, 0.015)))
    median2 = np.where(rated, 10.0, np.where(d.does_rd, 3.0, 1.0))
    class2 = integer(np.where(holds2, np.minimum(
        1 + np.floor(np.exp(rng.normal(np.log(median2), 1.0))), 5000), 0))
    cols["二类知识产权数"] = _number(class2, missing(0.15))
    trademarks = integer(np.where(
        rng.random(n) < np.where(person, 0.06, np.where(d.bigger, 0.45, 0.15)),
        np.minimum(1 + np.floor(np.exp(rng.normal(np.log(1.5), 1.1, n))), 999), 0))
    cols["注册商标数"] = _number(trademarks, missing(0.12))

    hitech = np.where(d.hnte, 0.45 + 0.55 * rng.beta(4.0, 2.0, n),
                      np.where(d.does_rd & tech_section, rng.beta(2.5, 2.5, n),
                               np.where(d.does_rd, rng.beta(1.2, 4.0, n), 0.0)))
    cols["高新技术产品收入占比"] = _number(
        np.round(hitech, 4), ~selling | missing(np.where(d.does_rd | d.hnte, 0.15, 0.25)))

    # -- evaluation scores: from the data the evaluations read, plus judgement ----------------
    # 高企创新能力评价: 知识产权 30, 成果转化 30, 研发组织管理 20, 成长性 20; a 高企 passed it.
    ip_points = np.minimum(30.0, 6 * class1 + 1.5 * class2) * rng.uniform(0.7, 1.0, n)
    transfer = np.where(d.does_rd, rng.uniform(8, 28, n), rng.uniform(0, 8, n))
    organisation = np.where(d.does_rd, rng.uniform(8, 20, n), rng.uniform(0, 6, n))
    growth_points = np.clip(10 + 40 * d.growth, 0, 20)
    score = np.where(d.hnte, np.clip(rng.normal(79, 6, n), 55, 100),
                     ip_points + transfer + organisation + growth_points)
    cols["高企创新能力评价得分"] = _number(np.round(np.clip(score, 0, 100), 1),
                                    missing(np.where(d.does_rd | d.hnte, 0.12, 0.25)))
    # 创新型中小企业评价: 创新能力 40, 成长性 30, 专业化 30; a 创新型中小企业 scored 60 or more.
    intensity = np.divide(d.rd, revenue, out=np.zeros(n), where=selling)
    score = (np.minimum(20.0, 5 * class1 + class2 + 0.5 * trademarks)
             + np.minimum(20.0, 400 * intensity) + np.clip(15 + 60 * d.growth, 0, 30)
             + rng.uniform(5, 25, n))
    score = np.where(d.innov, np.clip(rng.normal(73, 7, n), 60, 100), score)
    cols["创新型中小企业评价得分"] = _number(np.round(np.clip(score, 0, 100), 1),
                                      missing(np.where(d.does_rd | rated, 0.12, 0.22)))
    # 近三年 ⊇ 近两年: an older round now and then; unknown where 近两年 mostly is.
    older = np.where(rng.random(n) < np.where(rated, 0.12, 0.01),
                     np.round(np.exp(rng.normal(np.log(5e6), 1.0, n)), -4), 0)
    cols["近三年新增股权融资"] = _number(integer(d.equity + older),
                                     (d.no_equity & missing(0.8)) | missing(0.05))

    # -- 数字化改造, 首台（套）首批次首版次: manufacturers (and a few software houses) ------------
    digital = selling & (rng.random(n) < np.where(
        manufacturing, np.where(d.bigger, 0.40, 0.15),
        np.where(np.isin(section, ["I", "F", "G", "H"]), 0.04, 0.015)))
    spend = np.maximum(revenue * np.exp(rng.normal(np.log(0.015), 0.8, n)), 20_000)
    cols["数字化改造投入"] = _number(integer(np.where(digital, np.round(spend, -2), 0)),
                                  missing(0.18))
    equipment = manufacturing & (division >= 34) & (division <= 40)
    materials = manufacturing & np.isin(division, [26, 28, 29, 30, 31, 32, 33])
    first = (rng.random(n) < np.where(
        (equipment | materials) & d.does_rd,
        np.where(rated, 0.5, np.where(d.bigger, 0.2, 0.06)),
        np.where(software & d.does_rd, np.where(rated, 0.3, 0.06), 0.0))) \
        & (d.age_days > 2 * 365)
    kind = np.where(software, 2, np.where(equipment, 0, 1))
    first_sale = np.maximum(ref - rng.integers(15, 3 * 365, n), d.founded + 365)
    provincial = first & (first_sale <= ref - 120) & (rng.random(n) < 0.7)  # 省级认定
    sales = np.minimum(np.round(np.exp(rng.normal(np.log(3e6), 0.9, n)), -4),
                       np.round(revenue * 0.8, -4))
    cols["首台套产品类型"] = _strings(_FIRST_KINDS, kind, ~first | missing(0.05))
    cols["首台套首次销售日期"] = _dates(first_sale, ~first | missing(0.08))
    cols["首台套销售额"] = _number(integer(np.where(provincial, sales, 0)),
                                ~first | missing(0.10))

    # -- 残疾人就业保障金: 在职职工, 安排比例, 应缴费额 (减免前; 个体工商户、合作社不缴) ----------
    employees = integer(np.maximum(np.round(staff * rng.uniform(0.8, 1.0, n)), 1))
    disabled = np.where(rng.random(n) < np.select([employees >= 100, employees >= 30,
                                                   employees >= 10], [0.6, 0.25, 0.04], 0.01),
                        1 + rng.poisson(employees * 0.01), 0)
    disabled = np.minimum(disabled, employees)
    wage = np.minimum(np.exp(rng.normal(np.log(85_000), 0.35, n)), 2 * _AVERAGE_WAGE)
    levy = np.where(company, np.maximum(employees * _DISABLED_QUOTA - disabled, 0) * wage, 0)
    no_staff_data = missing(0.15)
    cols["在职职工年平均人数"] = _number(employees, no_staff_data)
    cols["残疾人就业比例"] = _number(np.round(disabled / employees, 4),
                                  no_staff_data | missing(0.05))
    cols["残保金应缴费额"] = _number(_money(levy), no_staff_data | missing(0.05))

    # -- 个体工商户: the keeper and the taxes (blank for everyone else) ------------------------
    keeper = rng.random(n) < np.where(d.age_days < 3 * 365, 0.20, 0.10)
    cols["经营者为重点群体"] = _strings(["否", "是"], keeper.astype(np.int32),
                                    ~person | missing(0.20))
    # 增值税 1 % above 10万 a month, 个人所得税 核定 on the turnover.
    taxes = revenue * (np.where(revenue > 1_200_000, 0.01, 0.0) + rng.uniform(0.002, 0.012, n))
    cols["个体工商户应缴税费"] = _number(_money(taxes), ~person | missing(0.15))

    # -- online retail, exports, first stores, night trade -------------------------------------
    online = selling & (rng.random(n) < np.select(
        [division == 52, section == "H", division == 51, np.isin(section, ["C", "I"])],
        [0.30, 0.35, 0.08, 0.05], 0.01))
    online_share = np.select([division == 52, section == "H"],
                             [rng.beta(1.5, 3.0, n), rng.beta(2.0, 3.0, n)], rng.beta(1.0, 4.0, n))
    cols["网络零售额"] = _number(np.where(online, _money(revenue * online_share), 0),
                              missing(0.20))
    exporter = selling & (rng.random(n) < np.select(
        [manufacturing, division == 51, section == "A"],
        [np.where(d.bigger, 0.25, 0.06), np.where(d.bigger, 0.10, 0.02), 0.03], 0.0))
    export_share = np.where(manufacturing, rng.beta(1.5, 4.0, n), rng.beta(2.0, 2.0, n))
    exports = np.where(exporter, _money(revenue * export_share), 0)
    insured = (exports > 0) & (rng.random(n) < np.where(d.bigger, 0.5, 0.3))
    premium = np.where(insured, np.maximum(_money(exports * rng.uniform(0.0008, 0.003, n)), 500),
                       0)
    cols["出口额"] = _number(exports, missing(0.10))
    cols["出口信用保险保费"] = _number(premium, missing(0.12))
    first_store = consumer & (rng.random(n) < np.where(d.bigger, 0.06, 0.01))
    cols["首店级别"] = _strings(_FIRST_STORES, _pick(rng, len(_FIRST_STORES),
                                                  _FIRST_STORE_SHARE, n),
                              ~first_store | missing(0.10))
    cols["首店开业日期"] = _dates(np.maximum(ref - rng.integers(0, 3 * 365, n), d.founded + 30),
                              ~first_store | missing(0.08))
    central = d.in_wuhua & (d.street <= 3)  # 华山、护国、大观: the night-time economy
    late = rng.random(n) < np.select(
        [section == "H", division == 52, section == "R", section == "O"],
        [0.35, 0.15, 0.25, 0.05], 0.0) * np.where(central, 1.5, 1.0)
    cols["夜间延时经营"] = _strings(["否", "是"], late.astype(np.int32),
                                missing(np.where(consumer | (section == "O"), 0.25, 0.10)))

    # -- 就业见习基地 ---------------------------------------------------------------------------
    base = company & (rng.random(n) < np.where(d.bigger, 0.05, 0.004) * np.where(
        np.isin(section, ["I", "M", "L", "F", "H", "C"]), 1.5, 0.7))
    trainees = np.where(base & (rng.random(n) < 0.85),
                        1 + rng.poisson(np.where(staff >= 50, 6.0, 2.0)), 0)
    kept = rng.binomial(trainees, rng.beta(4.0, 4.0, n))
    cols["见习基地"] = _strings(["否", "是"], base.astype(np.int32), missing(0.05))
    cols["就业见习人月数"] = _number(integer(np.round(trainees * rng.uniform(3, 12, n))),
                                  missing(0.10))
    cols["见习留用率"] = _number(np.round(kept / np.maximum(trainees, 1), 4),
                              (trainees == 0) | missing(0.10))

    # -- loans: 知识产权质押, 政府性融资担保 -----------------------------------------------------
    pledged = selling & (rng.random(n) < np.where(
        class1 + class2 + trademarks > 0,
        np.where(rated, 0.12, np.where(d.bigger, 0.04, 0.015)), 0.0))
    loan = np.round(np.exp(rng.normal(np.log(3e6), 0.8, n)), -4)
    interest = loan * rng.uniform(0.028, 0.045, n) * rng.uniform(0.25, 1.0, n)
    no_pledge_data = missing(0.15)
    cols["知识产权质押贷款金额"] = _number(integer(np.where(pledged, loan, 0)), no_pledge_data)
    cols["知识产权质押贷款利息"] = _number(np.where(pledged, _money(interest), 0), no_pledge_data)
    guaranteed = rng.random(n) < np.where(d.band >= 2, 0.05, 0.02)
    cols["拟申请担保金额"] = _number(integer(np.where(
        guaranteed, np.round(np.exp(rng.normal(np.log(2e6), 0.9, n)), -4), 0)), missing(0.20))

    # -- honours that the later policies ask about ----------------------------------------------
    # (not KJ-2025-001's "主导制定国际标准、国家标准或行业标准": it holds the set separator 、,
    # so a cell cannot carry it whole)
    old_shop = ((division == 52) | (section == "H") | np.isin(division, [13, 14, 15])) \
        & (d.age_days > 20 * 365)
    extras = [
        (provincial & (kind == 0), _FIRST_HONOURS[0]),
        (provincial & (kind == 1), _FIRST_HONOURS[1]),
        (provincial & (kind == 2), _FIRST_HONOURS[2]),
        (rng.random(n) < np.where(rated, 0.10, np.where(d.does_rd, 0.01, 0.0)),
         "省部级以上研发机构"),
        (rng.random(n) < np.where(rated, 0.04, np.where(d.does_rd, 0.005, 0.0)),
         "省级科技奖励（排名前三）"),
        (d.hnte & (class1 >= 3) & (rng.random(n) < 0.10), "知识产权优势企业"),
        (d.giant & (rng.random(n) < 0.20), "国家级技术创新示范企业"),
        (old_shop & (rng.random(n) < 0.04), "云南老字号"),
        (old_shop & (rng.random(n) < 0.005), "中华老字号"),
        ((consumer | np.isin(division, [13, 14, 15])) & (rng.random(n) < 0.003),
         "非物质文化遗产代表性项目"),
    ]
    flags = np.stack([mask for mask, _ in extras], axis=1)
    rows = np.flatnonzero(flags.any(axis=1))
    honours = cols["所获荣誉"]
    texts: list[str | None] = []
    for row, before in zip(rows.tolist(), honours.take(pa.array(rows)).to_pylist(),
                           strict=True):
        added = "、".join(text for (_, text), on in zip(extras, flags[row], strict=True) if on)
        # a missing set stays missing: the new honours are not all of them
        texts.append(None if before is None else added if before == "无"
                     else f"{before}、{added}")
    changed = np.zeros(n, dtype=bool)
    changed[rows] = True
    cols["所获荣誉"] = pc.replace_with_mask(honours, pa.array(changed),
                                          pa.array(texts, pa.string()))


_SUFFIXES = ("有限公司", "有限责任公司", "股份有限公司", "集团有限公司",  # 企业
             "经营部", "店", "商行",  # 个体工商户
             "专业合作社")  # 农民专业合作社


def _names(rng: np.random.Generator, section_ix: np.ndarray, letters: list[str],
           entity: np.ndarray) -> pa.Array:
    n = section_ix.shape[0]
    chars = list(_BRAND_CHARS)
    prefix = _strings(["昆明", "云南", "", "昆明市五华区"],
                      _pick(rng, 4, [0.45, 0.25, 0.20, 0.10], n))
    brand1 = _strings(chars, rng.integers(0, len(chars), n))
    brand2 = _strings(chars, rng.integers(0, len(chars), n))
    words = [w for letter in letters for w in _SECTION_WORDS.get(letter, ["商务服务"])]
    start = np.cumsum([0] + [len(_SECTION_WORDS.get(x, ["商务服务"])) for x in letters])
    count = np.diff(start)
    word = start[section_ix] + (rng.random(n) * count[section_ix]).astype(np.int64)
    company = _pick(rng, 4, [0.78, 0.17, 0.03, 0.02], n)
    shop = 4 + _pick(rng, 3, [0.4, 0.3, 0.3], n)
    suffix = _strings(_SUFFIXES, np.where(entity == 2, 7, np.where(entity == 1, shop, company)))
    return _join(prefix, brand1, brand2, _strings(words, word), suffix)


_SCOPE_TAIL = "（依法须经批准的项目，经相关部门批准后方可开展经营活动）"


def _scopes(rng: np.random.Generator, section_ix: np.ndarray, letters: list[str]) -> pa.Array:
    n = section_ix.shape[0]
    texts: list[str] = []
    start: list[int] = []
    for letter in letters:
        phrases = _SCOPES.get(letter, ["企业管理咨询", "市场营销策划"])
        start.append(len(texts))
        texts += phrases + [f"{a}；{b}" for a in phrases for b in phrases if a != b]
    start.append(len(texts))
    bounds = np.array(start)
    sizes = np.diff(bounds)
    index = bounds[section_ix] + (rng.random(n) * sizes[section_ix]).astype(np.int64)
    return _strings([t + _SCOPE_TAIL for t in texts], index)


# ---- dirty data ----------------------------------------------------------------------------


def _inject_faults(rng: np.random.Generator, cols: dict[str, pa.Array]) -> list[Fault]:
    """Put a small share of bad values into ``cols`` (in place); return where."""
    import pyarrow as pa
    import pyarrow.compute as pc

    key = "统一社会信用代码"
    n = len(cols[key])
    faults: list[Fault] = []
    used: set[int] = set()
    cells: dict[str, dict[int, str | None]] = {}

    def rows(share: float, minimum: int = 1) -> list[int]:
        want = min(max(minimum, round(n * share)), max(n - len(used), 0))
        picked: list[int] = []
        while len(picked) < want:
            for r in rng.integers(0, n, size=want * 2).tolist():
                if r not in used and len(picked) < want:
                    used.add(r)
                    picked.append(r)
        return picked

    def put(column: str, row: int, value: str | None, kind: str, errors: int = 1) -> None:
        cells.setdefault(column, {})[row] = value
        faults.extend(Fault(row + 1, column, kind, value or "") for _ in range(errors))

    for r in rows(0.002, 3):
        wan = max(1, int(cols["营业收入"][r].as_py() or 0) // 10_000)
        bad = [f"约{wan}万", f"{wan}万左右", "暂无数据", f"{wan}万-{wan * 2}万"][r % 4]
        put("营业收入", r, bad, "non-numeric money")
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
        put("资质", r, ["省级高新技术企业", "高新技术企业、瞪羚企业"][r % 2], "unknown set member")
    for r in rows(0.0005, 2):
        put("从业人数", r, ["十二", "-3", "12.5"][r % 3], "bad count")
    for r in rows(0.0005, 2):
        put("失信被执行人", r, ["待核实", "不确定"][r % 2], "not a yes/no value")
    for r in rows(0.0005, 2):
        put("营业收入增长率", r, ["增长较快", "12%%"][r % 2], "bad ratio")
    for r in rows(0.0005, 2):
        put("出口额", r, ["约50万美元", "50万美元"][r % 2], "non-numeric money")
    for r in rows(0.0005, 2):
        put("首台套产品类型", r, ["首台套", "首版次"][r % 2], "unknown enum value")
    for r in rows(0.0005, 2):
        put("见习留用率", r, ["五成", "50%%"][r % 2], "bad ratio")
    # Keys: a wrong check character (a bad value, and then the row has no key: two reports),
    # missing keys, and duplicates (reported on the later row).
    for r in rows(0.001, 3):
        code = cols[key][r].as_py()
        wrong = ALPHABET[(ALPHABET.index(code[17]) + 1 + r % 29) % 31]
        put(key, r, code[:17] + wrong, "bad check character", errors=2)
    for r in rows(0.0002, 2):
        cells.setdefault(key, {})[r] = None
        faults.append(Fault(r + 1, key, "missing key", ""))
    for r in rows(0.0002, 2):
        if len(used) >= n:
            break
        source = (r * 7 + 1) % n
        while source in used:
            source = (source + 1) % n
        used.add(source)
        later, earlier = max(r, source), min(r, source)
        value = cols[key][earlier].as_py()
        cells.setdefault(key, {})[later] = value
        faults.append(Fault(later + 1, key, "duplicate key", value))

    for column, changes in cells.items():
        array = cols[column]
        if not pa.types.is_string(array.type):
            array = pc.cast(array, pa.string())
        mask = np.zeros(n, dtype=bool)
        order = sorted(changes)
        mask[order] = True
        cols[column] = pc.replace_with_mask(array, pa.array(mask),
                                            pa.array([changes[r] for r in order], pa.string()))
    faults.sort(key=lambda f: (f.row, f.column))
    return faults


# ---- public API ----------------------------------------------------------------------------


def generate_table(n: int, seed: int = 0, dirty: bool = False,
                   faults: bool = False) -> Any:
    """The library as a ``pyarrow.Table`` (fast for a million rows).

    Money and counts are int64, ratios and scores float64, everything else strings; a
    column holding a deliberately bad value (``dirty``) is all strings. With ``faults=True``
    returns ``(table, [Fault, ...])``: every bad cell, in row order.
    """
    import pyarrow as pa

    cols = generate_columns(n, seed)
    found = _inject_faults(np.random.default_rng([seed, 1]), cols) if dirty else []
    table = pa.table(cols)
    return (table, found) if faults else table


def generate(n: int, seed: int = 0, dirty: bool = False) -> list[dict[str, Any]]:
    """``n`` enterprises as records (``None`` for a missing value); the same data as
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
        table = pa.table(dict(data))
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
    table, found = generate_table(n, seed, dirty=dirty, faults=True)
    rows = write(table, out)
    took = time.perf_counter() - start
    extra = f", {len(found)} deliberately bad value(s)" if dirty else ""
    print(f"wrote {rows:,} enterprises (seed {seed}{extra}) to {out} in {took:.1f}s",
          file=sys.stderr)
    return 0
