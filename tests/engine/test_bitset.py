"""Packed three-valued bitsets against plain per-row Kleene logic."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from policy_match.engine import bitset

Truth = bool | None


def tri(column: list[Truth]) -> bitset.Tri:
    t = np.array([v is True for v in column], dtype=bool)
    f = np.array([v is False for v in column], dtype=bool)
    return bitset.Tri(bitset.pack(t), bitset.pack(f))


def read(value: bitset.Tri, n: int) -> list[Truth]:
    t, f = bitset.unpack(value.t, n), bitset.unpack(value.f, n)
    return [True if a else (False if b else None) for a, b in zip(t, f, strict=True)]


def kleene_at_least(k: int, row: list[Truth]) -> Truth:
    true = sum(v is True for v in row)
    possible = true + sum(v is None for v in row)
    return True if true >= k else (False if possible < k else None)


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_at_least_counts_on_packed_words(data: st.DataObject) -> None:
    rows = data.draw(st.integers(1, 200))
    children = data.draw(st.integers(1, 9))
    k = data.draw(st.integers(1, children))
    cells = st.sampled_from([True, False, None])
    columns = [data.draw(st.lists(cells, min_size=rows, max_size=rows)) for _ in range(children)]
    got = read(bitset.at_least(k, [tri(c) for c in columns], rows), rows)
    want = [kleene_at_least(k, [c[i] for c in columns]) for i in range(rows)]
    assert got == want


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(st.sampled_from([True, False, None]), min_size=70, max_size=70),
                min_size=1, max_size=5))
def test_all_and_any_are_kleene(columns: list[list[Truth]]) -> None:
    n = 70
    rows = [[c[i] for c in columns] for i in range(n)]
    both = read(bitset.all_of([tri(c) for c in columns]), n)
    either = read(bitset.any_of([tri(c) for c in columns]), n)
    for i, row in enumerate(rows):
        assert both[i] == (False if False in row else (None if None in row else True))
        assert either[i] == (True if True in row else (None if None in row else False))
