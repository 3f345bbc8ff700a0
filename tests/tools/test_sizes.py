"""The generator's 2017 size table (policy_match.tools.generate.sizes) against the rulebook's
``企业规模划型`` define (rules/划型.rule), the authoritative copy: every band edge of every
row, so the two tables cannot drift apart unnoticed."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import policy_match as pm
from policy_match.tools.generate import SIZE_TABLE, SIZES, classify_size, size_row

ROOT = Path(__file__).resolve().parents[2]
TAGS = {"X": "从业人数", "Y": "营业收入", "Z": "资产总额"}
WAN = 10_000  # the table's Y and Z are in 万元; records are in yuan
HIGH = {"X": 10**6, "Y": 10**12, "Z": 10**12}  # above every 大型 bound

# one code per row of the table, as a record would carry it
CODES = {
    "农林牧渔业": "A0111", "工业": "C3911", "建筑业": "E4812", "批发业": "F5112",
    "零售业": "F5212", "交通运输业": "G5412", "仓储业": "G5910", "邮政业": "G6010",
    "住宿和餐饮业": "H6210", "信息传输业": "I6311", "软件和信息技术服务业": "I6510",
    "房地产开发经营": "K7010", "物业管理": "K7020", "租赁和商务服务业": "L7212",
    "其他未列明行业": "M7320",
}


@pytest.fixture(scope="module")
def book() -> pm.Rulebook:
    book = pm.load(ROOT / "rules")
    if "企业规模划型" not in book.defines:
        pytest.skip("rules/ has no 企业规模划型 define")
    return book


def generator_band(code: str, values: dict[str, int]) -> str:
    band = classify_size(np.array([code[0]]), np.array([code[1:]]),
                         np.array([values["X"]]), np.array([float(values["Y"])]),
                         np.array([float(values["Z"])]))
    return SIZES[int(band[0])]


def edge_cases(row: str) -> list[dict[str, int]]:
    """For each indicator and band: exactly at the lower bound and one unit below, with the
    row's other indicators far above every bound, or exactly at the same band's bound."""
    criteria = SIZE_TABLE[row]
    cases = []
    for indicator, bounds in criteria:
        unit = 1 if indicator == "X" else WAN
        for b, bound in enumerate(bounds):
            for others in ("high", "same band"):
                values = dict(HIGH)
                if others == "same band":
                    for other, other_bounds in criteria:
                        unit_other = 1 if other == "X" else WAN
                        values[other] = int(other_bounds[b] * unit_other)
                for value in (int(bound * unit), int(bound * unit) - 1):
                    cases.append({**values, indicator: value})
    return cases


def test_every_row_has_a_code_that_lands_in_it() -> None:
    assert set(CODES) == set(SIZE_TABLE)
    for row, code in CODES.items():
        assert size_row(code) == row, code


@pytest.mark.parametrize("row", list(SIZE_TABLE))
def test_every_band_edge_agrees_with_the_rulebook(book: pm.Rulebook, row: str) -> None:
    code = CODES[row]
    seen = set()
    for values in edge_cases(row):
        record = {"所属行业": code, **{TAGS[k]: v for k, v in values.items()}}
        expected = book.profile(record)["企业规模划型"]
        assert generator_band(code, values) == expected, (row, values)
        seen.add(expected)
    assert seen == set(SIZES), (row, seen)  # the edges reach every band
