"""Packed three-valued bitsets: a condition over many rows as two bit arrays.

``Tri(t, f)``: bit *i* of ``t`` is set when row *i* is true, of ``f`` when it is false; a
row in neither is unknown. Kleene's connectives become word-wide bit operations:
``a and b`` is ``(t₁ & t₂, f₁ | f₂)``, ``a or b`` is ``(t₁ | t₂, f₁ & f₂)``. Rows are packed
64 to a ``uint64`` word, so one word operation decides 64 rows.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

WORD = 64


def words_for(n: int) -> int:
    return (n + WORD - 1) // WORD


def pack(mask: np.ndarray) -> np.ndarray:
    """A boolean row mask as packed ``uint64`` words (padding bits zero)."""
    n = mask.shape[0]
    padded = np.zeros(words_for(n) * WORD, dtype=bool)
    padded[:n] = mask
    return np.packbits(padded, bitorder="little").view(np.uint64)


def unpack(bits: np.ndarray, n: int) -> np.ndarray:
    return np.unpackbits(bits.view(np.uint8), count=n, bitorder="little").view(bool)


def count(bits: np.ndarray) -> int:
    return int(np.bitwise_count(bits).sum())


def rows(bits: np.ndarray, n: int) -> np.ndarray:
    """Indices of set bits."""
    return np.flatnonzero(unpack(bits, n))


def full(n: int) -> np.ndarray:
    return pack(np.ones(n, dtype=bool))


@dataclass(frozen=True)
class Tri:
    t: np.ndarray
    f: np.ndarray

    def unknown(self, valid: np.ndarray) -> np.ndarray:
        return valid & ~(self.t | self.f)


def tri_from_masks(true: np.ndarray, known: np.ndarray) -> Tri:
    """From a row-wise test result and the rows where the test could be made."""
    return Tri(pack(true & known), pack(~true & known))


def const(value: bool, valid: np.ndarray) -> Tri:
    zero = np.zeros_like(valid)
    return Tri(valid.copy(), zero) if value else Tri(zero, valid.copy())


def all_of(items: list[Tri]) -> Tri:
    t = items[0].t.copy()
    f = items[0].f.copy()
    for item in items[1:]:
        t &= item.t
        f |= item.f
    return Tri(t, f)


def any_of(items: list[Tri]) -> Tri:
    t = items[0].t.copy()
    f = items[0].f.copy()
    for item in items[1:]:
        t |= item.t
        f &= item.f
    return Tri(t, f)


def _bit_counter(sets: list[np.ndarray]) -> list[np.ndarray]:
    """How many of ``sets`` have each bit, as binary digit planes (least significant first):
    a ripple-carry adder over whole words, so nothing is unpacked per child."""
    planes: list[np.ndarray] = []
    for bits in sets:
        carry = bits
        for i, plane in enumerate(planes):
            planes[i] = plane ^ carry
            carry = plane & carry
        if carry.any():
            planes.append(carry.copy())
    return planes


def _count_at_least(planes: list[np.ndarray], k: int, n_words: int) -> np.ndarray:
    """Bits whose count (given as planes) is >= k: compare the binary digits from the top."""
    greater = np.zeros(n_words, dtype=np.uint64)
    equal = np.full(n_words, np.uint64(0xFFFFFFFFFFFFFFFF))
    width = max(len(planes), k.bit_length())
    for i in reversed(range(width)):
        plane = planes[i] if i < len(planes) else np.zeros(n_words, dtype=np.uint64)
        if (k >> i) & 1:
            equal &= plane
        else:
            greater |= equal & plane
            equal &= ~plane
    return greater | equal


def at_least(k: int, items: list[Tri], n: int) -> Tri:
    """True once k children are true; false once fewer than k can still be."""
    n_words = words_for(n)
    true = _count_at_least(_bit_counter([i.t for i in items]), k, n_words)
    # false: more than len - k children are false, so fewer than k can be true
    false = _count_at_least(_bit_counter([i.f for i in items]), len(items) - k + 1, n_words)
    return Tri(true, false)


def select(branches: list[tuple[Tri, Tri]], default: Tri, valid: np.ndarray) -> Tri:
    """A ``case`` of conditions: the first true test's value; unknown at an unknown test."""
    t = np.zeros_like(valid)
    f = np.zeros_like(valid)
    open_rows = valid.copy()  # rows whose tests so far are all false
    for test, value in branches:
        taken = open_rows & test.t
        t |= taken & value.t
        f |= taken & value.f
        open_rows &= test.f
    t |= open_rows & default.t
    f |= open_rows & default.f
    return Tri(t, f)
