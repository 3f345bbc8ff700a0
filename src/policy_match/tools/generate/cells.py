"""Building arrow columns from numpy draws: the cell encodings every other module shares.

Money is whole yuan, dates ``YYYY-MM-DD`` strings, bools ``是``/``否``; a masked entry is a
missing value (an empty cell), never 0.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import pyarrow as pa


def pick(rng: np.random.Generator, k: int, weights: Iterable[float] | None, n: int
         ) -> np.ndarray:
    """``n`` indices in ``range(k)``, drawn with the (unnormalised) ``weights``."""
    p = None
    if weights is not None:
        w = np.asarray(list(weights), dtype=float)
        p = w / w.sum()
    return rng.choice(k, size=n, p=p)


def chance(rng: np.random.Generator, share: float | np.ndarray, n: int) -> np.ndarray:
    """``n`` independent yes/no draws, yes with probability ``share`` (per row if an array)."""
    return np.asarray(rng.random(n) < share)


def strings(options: Iterable[str], index: np.ndarray, missing: np.ndarray | None = None
            ) -> pa.Array:
    """A string column from an index into ``options`` (dictionary-decoded by arrow)."""
    import pyarrow as pa

    indices = pa.array(index.astype(np.int32), mask=missing)
    return pa.DictionaryArray.from_arrays(indices, pa.array(list(options), pa.string())
                                          ).cast(pa.string())


def distinct_strings(values: np.ndarray, missing: np.ndarray | None = None) -> pa.Array:
    """A string column from a numpy string array with few distinct values."""
    distinct, inverse = np.unique(values, return_inverse=True)
    return strings(distinct.tolist(), inverse, missing)


def number(values: np.ndarray, missing: np.ndarray | None = None) -> pa.Array:
    """A numeric column; arrow keeps the numpy dtype (int64 money and counts, float ratios)."""
    import pyarrow as pa

    return pa.array(values, mask=missing if missing is not None and missing.any() else None)


def dates(days: np.ndarray, missing: np.ndarray | None = None) -> pa.Array:
    """Days since 1970-01-01 → ``YYYY-MM-DD`` strings."""
    import pyarrow as pa

    return pa.array(days.astype(np.int32), type=pa.int32(), mask=missing
                    ).cast(pa.date32()).cast(pa.string())


def join(*parts: pa.Array) -> pa.Array:
    """Row-wise concatenation of string columns."""
    import pyarrow.compute as pc

    return pc.binary_join_element_wise(*parts, "")


def money(x: np.ndarray) -> np.ndarray:
    """Whole yuan."""
    return np.round(x).astype(np.int64)


def whole(x: np.ndarray) -> np.ndarray:
    """Counts (and amounts already rounded) as int64, the type arrow writes without a point."""
    return np.asarray(x).astype(np.int64)


def yes_no(rng: np.random.Generator, p_yes: float, p_missing: float, n: int) -> pa.Array:
    """A ``是``/``否`` column: yes with ``p_yes``, missing with ``p_missing``."""
    return strings(["否", "是"], (rng.random(n) < p_yes).astype(np.int32),
                   rng.random(n) < p_missing)
