"""企业规模: the 2017 size table (统计上大中小微型企业划分办法, 国统字〔2017〕213号) and the
band it gives each generated enterprise.

The authoritative table is ``rules/划型.rule`` (the ``企业规模划型`` define), and matching reads
only that. :data:`SIZE_TABLE` is the one copy in Python: the generator must give every row a
登记 企业规模 before any rulebook is loaded (a wheel may ship no ``rules/``), and for a
million rows at once, so it cannot call the define. Nothing else in the package or in
``benchmarks/`` keeps a copy: what needs the table imports it from here. Two tests keep the
Python table and the rule file together:
``tests/tools/test_sizes.py`` checks every band edge of this table against the define, and
``tests/test_size_classification.py`` checks the define against a table typed in afresh from
the 划分办法 (on purpose independent of both: an oracle must not share its source).
"""

from __future__ import annotations

import numpy as np

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

_SIZE_ROWS = tuple(SIZE_TABLE)
_UNLISTED = _SIZE_ROWS.index("其他未列明行业")


def size_row(code: str) -> str:
    """The row of the 2017 table for a canonical industry code (``"F5212"``)."""
    return _SIZE_ROWS[int(_size_row_ids(np.array([code[:1]]), np.array([code[1:]]))[0])]


def _size_row_ids(letters: np.ndarray, digits: np.ndarray) -> np.ndarray:
    """Row index into :data:`SIZE_TABLE` per (门类 letter, digits) pair, vectorized."""
    distinct, inverse = np.unique(digits, return_inverse=True)
    value = np.array([int(d) if d else -1 for d in distinct.tolist()], dtype=np.int64)[inverse]
    width = np.char.str_len(digits.astype(str))
    division = np.where(width >= 2, value // 10 ** np.maximum(width - 2, 0), -1)
    group = np.where(width >= 3, value // 10 ** np.maximum(width - 3, 0), -1)
    row = np.full(letters.shape[0], _UNLISTED, dtype=np.int64)

    def put(mask: np.ndarray, name: str) -> None:
        # the first rule that claims a row wins: the finer rows are listed after the 门类
        row[mask & (row == _UNLISTED)] = _SIZE_ROWS.index(name)

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
