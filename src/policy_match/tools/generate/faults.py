"""Dirty data: a small share of deliberately bad cells — money like ``"约300万"``, impossible
dates, values outside an enum or a code list, wrong check characters, a few duplicate and
missing keys — the mistakes a loader must report by row and column, and where they are."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from policy_match.plugins.builtins.uscc import ALPHABET

if TYPE_CHECKING:
    import pyarrow as pa

KEY = "统一社会信用代码"


@dataclass(frozen=True)
class Fault:
    """One deliberately bad cell of a dirty table: 1-based data row, column, what is wrong."""

    row: int
    column: str
    kind: str
    value: str


# (column, share of rows, at least this many rows, what is wrong, the bad values: row r gets
# the (r mod len)-th). In this order: each draw takes rows no earlier one took.
_BAD_VALUES: tuple[tuple[str, float, int, str, tuple[str, ...]], ...] = (
    ("纳税额", 0.001, 2, "non-numeric money", ("约5万", "见附表", "12.5.3万")),
    ("成立日期", 0.001, 3, "impossible date",
     ("2023-02-30", "2021-13-05", "2019/02/29", "2022-04-31")),
    ("高企认定日期", 0.0005, 2, "impossible date", ("2024-06-31",)),
    ("企业规模", 0.001, 2, "unknown enum value", ("特大型", "小微", "微小型")),
    ("纳税信用等级", 0.001, 2, "unknown enum value", ("AA", "A级", "E")),
    ("所属行业", 0.0005, 2, "unknown industry code", ("9901", "Z7210", "F6512", "软件业")),
    ("所在区域", 0.0005, 2, "unknown region code", ("5301020", "990102001", "五华区华山")),
    ("资质", 0.0005, 2, "unknown set member", ("省级高新技术企业", "高新技术企业、瞪羚企业")),
    ("从业人数", 0.0005, 2, "bad count", ("十二", "-3", "12.5")),
    ("失信被执行人", 0.0005, 2, "not a yes/no value", ("待核实", "不确定")),
    ("营业收入增长率", 0.0005, 2, "bad ratio", ("增长较快", "12%%")),
    ("出口额", 0.0005, 2, "non-numeric money", ("约50万美元", "50万美元")),
    ("首台套产品类型", 0.0005, 2, "unknown enum value", ("首台套", "首版次")),
    ("见习留用率", 0.0005, 2, "bad ratio", ("五成", "50%%")),
)


class _Damage:
    """The bad cells chosen so far; every row is damaged at most once."""

    def __init__(self, rng: np.random.Generator, n: int) -> None:
        self.rng = rng
        self.n = n
        self.used: set[int] = set()
        self.cells: dict[str, dict[int, str | None]] = {}
        self.faults: list[Fault] = []

    def rows(self, share: float, minimum: int = 1) -> list[int]:
        """About ``share`` of the rows (at least ``minimum``), none taken before."""
        want = min(max(minimum, round(self.n * share)), max(self.n - len(self.used), 0))
        picked: list[int] = []
        while len(picked) < want:
            for r in self.rng.integers(0, self.n, size=want * 2).tolist():
                if r not in self.used and len(picked) < want:
                    self.used.add(r)
                    picked.append(r)
        return picked

    def put(self, column: str, row: int, value: str | None, kind: str, errors: int = 1
            ) -> None:
        """Row ``row`` (0-based) of ``column`` becomes ``value``; a loader reports ``errors``."""
        self.cells.setdefault(column, {})[row] = value
        self.faults.extend(Fault(row + 1, column, kind, value or "") for _ in range(errors))


def inject_faults(rng: np.random.Generator, cols: dict[str, pa.Array]
                  ) -> tuple[dict[str, pa.Array], list[Fault]]:
    """``cols`` with a small share of bad values (a changed column becomes all strings), and
    where they are, in row order."""
    damage = _Damage(rng, len(cols[KEY]))
    for r in damage.rows(0.002, 3):
        wan = max(1, int(cols["营业收入"][r].as_py() or 0) // 10_000)
        bad = [f"约{wan}万", f"{wan}万左右", "暂无数据", f"{wan}万-{wan * 2}万"][r % 4]
        damage.put("营业收入", r, bad, "non-numeric money")
    for column, share, minimum, kind, values in _BAD_VALUES:
        for r in damage.rows(share, minimum):
            damage.put(column, r, values[r % len(values)], kind)
    _damage_keys(damage, cols[KEY])
    damage.faults.sort(key=lambda f: (f.row, f.column))
    return {**cols, **_apply(damage.cells, cols, damage.n)}, damage.faults


def _damage_keys(damage: _Damage, keys: pa.Array) -> None:
    """A wrong check character (one report: the bad value),
    missing keys, and duplicates (reported on the later row)."""
    for r in damage.rows(0.001, 3):
        code = keys[r].as_py()
        wrong = ALPHABET[(ALPHABET.index(code[17]) + 1 + r % 29) % 31]
        damage.put(KEY, r, code[:17] + wrong, "bad check character", errors=1)
    for r in damage.rows(0.0002, 2):
        damage.put(KEY, r, None, "missing key")
    for r in damage.rows(0.0002, 2):
        if len(damage.used) >= damage.n:
            break
        source = (r * 7 + 1) % damage.n
        while source in damage.used:
            source = (source + 1) % damage.n
        damage.used.add(source)
        later, earlier = max(r, source), min(r, source)
        damage.put(KEY, later, keys[earlier].as_py(), "duplicate key")


def _apply(cells: dict[str, dict[int, str | None]], cols: dict[str, pa.Array], n: int
           ) -> dict[str, pa.Array]:
    """The columns that ``cells`` changes, as string columns with the bad values in place."""
    import pyarrow as pa
    import pyarrow.compute as pc

    changed = {}
    for column, changes in cells.items():
        array = cols[column]
        if not pa.types.is_string(array.type):
            array = pc.cast(array, pa.string())
        mask = np.zeros(n, dtype=bool)
        order = sorted(changes)
        mask[order] = True
        changed[column] = pc.replace_with_mask(
            array, pa.array(mask), pa.array([changes[r] for r in order], pa.string()))
    return changed
