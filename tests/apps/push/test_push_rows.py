"""Which rows a plan of some rows covers: ``keyed_rows_among`` (a hash look-up of the few
ids asked about) against ``keyed_row_array`` (every id encoded) restricted to them."""

from __future__ import annotations

import random
from types import SimpleNamespace
from typing import Any

import numpy as np
import pyarrow as pa
import pytest

from policy_match.apps.push.planner import keyed_row_array, keyed_rows_among


class _Table:
    def __init__(self, ids: list[str]) -> None:
        self.ids = ids

    def __len__(self) -> int:
        return len(self.ids)

    def id_array(self) -> pa.Array:
        return pa.array(self.ids, type=pa.string())


def _result(ids: list[str], key: str | None = "统一社会信用代码") -> Any:
    return SimpleNamespace(table=_Table(ids), book=SimpleNamespace(key=key))


@pytest.mark.parametrize("seed", range(8))
def test_keyed_rows_among_equals_the_full_scan(seed: int) -> None:
    rng = random.Random(seed)
    n = rng.randint(1, 400)
    # duplicated ids (the first row counts), unkeyed '#n' rows
    ids = [f"#{i}" if rng.random() < 0.2 else f"E{rng.randint(0, n // 2)}" for i in range(n)]
    result = _result(ids)
    every, skipped = keyed_row_array(result)
    assert skipped == sum(i.startswith("#") for i in ids)
    for _ in range(5):
        asked = np.array(rng.sample(range(n), rng.randint(0, n)), dtype=np.int64)
        rows, skipped_among = keyed_rows_among(result, asked)
        assert rows.tolist() == every[np.isin(every, asked)].tolist()
        assert skipped_among == skipped
    duplicated = [i for i, e in enumerate(ids) if not e.startswith("#") and ids.index(e) != i]
    if duplicated:  # a later row of a duplicated id is never planned
        assert keyed_rows_among(result, np.array(duplicated))[0].size == 0


def test_keyed_rows_among_without_a_key() -> None:
    rows, skipped = keyed_rows_among(_result(["a", "b"], key=None), np.array([0, 1]))
    assert rows.size == 0 and skipped == 2
