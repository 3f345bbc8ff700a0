"""Missing tags in bulk: for every unknown (enterprise, policy) pair of a match result, the
tags whose absence leaves it unknown — the ``missing`` list of :meth:`Rulebook.explain`.

Explaining pair by pair costs a scalar walk per pair (about half a millisecond); a table of
thousands of enterprises has thousands of unknown pairs. The walk's answer for one policy is
a function of two things only:

- which of the tags the condition reads are absent from the record, and
- the three-valued outcome of each atom the condition reaches (through defines, ``case``
  tests and values),

because the walk descends only into nodes whose outcome is unknown, the outcome of every
composite node follows from its atoms', a value is unknown exactly when an operand is (or an
operation fails with every operand present, which adds no tag), and it collects only absent
tags. So the unknown rows of a policy are grouped by that signature — taken from the
columnar evaluator's atom bitsets and the table's known-masks, with no per-row Python — and
the scalar walk runs once per group. ``exact=True`` walks every pair instead (a check).
"""

from __future__ import annotations

import weakref
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np

from policy_match.core.match import MatchResult
from policy_match.engine import bitset, dag
from policy_match.engine.explain import Explainer
from policy_match.engine.scalar import ScalarEvaluator
from policy_match.engine.walk import pre_order

Missing = dict[str, dict[int, tuple[str, ...]]]  # policy id -> row -> missing tags


def reached(root: Any, defines: dict[str, Any]) -> tuple[list[Any], list[str]]:
    """The atoms and the tags a condition reaches, through defines, in first-seen order
    (each node once, walked with a stack: no recursion however long a chain of defines)."""
    atoms: list[Any] = []
    tags: dict[str, None] = {}
    for node in pre_order((root,), lambda n: dag.successors(n, defines)):
        if type(node) is dag.VTag:
            tags.setdefault(node.name)
        elif dag.is_atom(node):
            atoms.append(node)
    return atoms, list(tags)


_REACHED: weakref.WeakKeyDictionary[Any, dict[str, tuple[list[Any], list[str]]]] = (
    weakref.WeakKeyDictionary())


def reached_by(book: Any, pid: str) -> tuple[list[Any], list[str]]:
    """:func:`reached` of a policy's condition, walked once per rulebook (a plan asks it
    of every chunk of rows)."""
    found = _REACHED.get(book)
    if found is None:
        found = _REACHED[book] = {}
    known = found.get(pid)
    if known is None:
        known = found[pid] = reached(book.dag.conditions[pid], book.dag.defines)
    return known


class _Rows:
    """Scalar evaluators per row, built once and shared by every policy."""

    def __init__(self, result: MatchResult) -> None:
        self.result = result
        self.book = result.book
        self.atom_ids = self.book.atom_ids  # built once per book
        self._explainers: dict[int, Explainer] = {}

    def missing(self, row: int, policy_id: str) -> tuple[str, ...]:
        """One row's walk, shared by every policy (each node's answer is kept)."""
        explainer = self._explainers.get(row)
        if explainer is None:
            ev = ScalarEvaluator(self.book.dag, self.book.vocabulary,
                                 self.result.table.row_view(row), self.result.as_of)
            explainer = self._explainers[row] = Explainer(ev, self.atom_ids)
        return tuple(explainer.missing(self.book.dag.conditions[policy_id]))


def _bits_at(bits: np.ndarray, byte: np.ndarray, shift: np.ndarray) -> np.ndarray:
    """The bits of a packed row set at the rows whose byte and bit position are given (a
    gather of the few unknown rows, not an unpacking of every row)."""
    return (bits.view(np.uint8)[byte] >> shift) & np.uint8(1)


@dataclass(frozen=True)
class MissingGroups:
    """One policy's unknown rows as arrays: ``rows`` (ascending row numbers), ``group``
    (per row, its index into ``answers``) and ``answers`` (the missing tags of each group).
    Row ``rows[i]`` misses ``answers[group[i]]``."""

    rows: np.ndarray
    group: np.ndarray
    answers: tuple[tuple[str, ...], ...]

    def as_dict(self) -> dict[int, tuple[str, ...]]:
        answers = self.answers
        return {r: answers[g] for r, g in zip(self.rows.tolist(), self.group.tolist(),
                                               strict=True)}


_WORD_BITS = 64


def _signature_groups(columns: list[tuple[np.ndarray, int]], n: int
                      ) -> tuple[np.ndarray, np.ndarray]:
    """(first row of each group, each row's group): rows are grouped where every column is
    equal, groups numbered 0, 1, … in the order of their signatures. Each column is a small
    unsigned value of so many bits (2 for an atom's (t, f), 1 for a known-mask): they are
    packed into 64-bit words, so the grouping sorts integers, not the rows of a 2-D array."""
    words: list[np.ndarray] = []
    word: np.ndarray | None = None
    used = _WORD_BITS
    for column, bits in columns:
        if used + bits > _WORD_BITS:
            word = np.zeros(column.size, dtype=np.uint64)
            words.append(word)
            used = 0
        assert word is not None
        word |= column.astype(np.uint64) << np.uint64(used)
        used += bits
    codes = np.zeros(n, dtype=np.int64)
    first = np.zeros(min(n, 1), dtype=np.int64)  # no columns: one group
    for k, word in enumerate(words):  # word by word: codes stay below rows², no overflow
        if k:
            distinct, inverse = np.unique(word, return_inverse=True)
            word = codes * distinct.size + inverse.reshape(-1)
        _, first, inverse = np.unique(word, return_index=True, return_inverse=True)
        codes = inverse.reshape(-1)
    return first, codes


def missing_groups(result: MatchResult, policy_ids: Iterable[str] | None = None,
                   exact: bool = False) -> dict[str, MissingGroups]:
    """:func:`missing_tags` as arrays per policy in force (no Python object per row)."""
    table = result.table
    n = len(table)
    rows = _Rows(result)
    out: dict[str, MissingGroups] = {}
    for pid in policy_ids if policy_ids is not None else result.policy_ids:
        tri = result.tris.get(pid)
        if tri is None:
            continue
        unknown = bitset.rows(tri.unknown(result.evaluator.valid), n)
        if not unknown.size or exact:
            answers = [rows.missing(int(r), pid) for r in unknown]
            distinct = dict.fromkeys(answers)
            position = {a: i for i, a in enumerate(distinct)}
            group = np.array([position[a] for a in answers], dtype=np.int64)
            out[pid] = MissingGroups(unknown, group, tuple(distinct))
            continue
        atoms, tags = reached_by(result.book, pid)
        columns: list[tuple[np.ndarray, int]] = []
        byte, shift = unknown >> 3, (unknown & 7).astype(np.uint8)  # little bit order
        for atom in atoms:
            atom_tri = result.evaluator.truth(atom)
            columns.append((_bits_at(atom_tri.t, byte, shift) * np.uint8(2)
                            + _bits_at(atom_tri.f, byte, shift), 2))
        for tag in tags:
            column = table.columns.columns.get(tag)
            if column is not None:  # a column the table lacks is absent on every row
                columns.append((np.asarray(column.known, dtype=bool)[unknown], 1))
        first, group = _signature_groups(columns, unknown.size)
        out[pid] = MissingGroups(unknown, group,
                                 tuple(rows.missing(int(unknown[i]), pid) for i in first))
    return out


def missing_tags(result: MatchResult, policy_ids: Iterable[str] | None = None,
                 exact: bool = False) -> Missing:
    """Per policy in force, per unknown row: the tags whose absence leaves it unknown (an
    empty tuple where the data are all there and still settle nothing, e.g. a division by
    zero). Rows are 0-based row numbers of ``result.table``."""
    return {pid: groups.as_dict()
            for pid, groups in missing_groups(result, policy_ids, exact).items()}
