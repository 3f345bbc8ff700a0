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

from collections.abc import Iterable
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


def _unpack(bits: np.ndarray, n: int) -> np.ndarray:
    return bitset.unpack(bits, n)[:n]


def missing_tags(result: MatchResult, policy_ids: Iterable[str] | None = None,
                 exact: bool = False) -> Missing:
    """Per policy in force, per unknown row: the tags whose absence leaves it unknown (an
    empty tuple where the data are all there and still settle nothing, e.g. a division by
    zero). Rows are 0-based row numbers of ``result.table``."""
    table = result.table
    n = len(table)
    rows = _Rows(result)
    out: Missing = {}
    for pid in policy_ids if policy_ids is not None else result.policy_ids:
        tri = result.tris.get(pid)
        if tri is None:
            continue
        unknown = bitset.rows(tri.unknown(result.evaluator.valid), n)
        if not unknown.size:
            out[pid] = {}
            continue
        if exact:
            out[pid] = {int(r): rows.missing(int(r), pid) for r in unknown}
            continue
        root = result.book.dag.conditions[pid]
        atoms, tags = reached(root, result.book.dag.defines)
        signature = np.zeros((unknown.size, len(atoms) + len(tags)), dtype=np.uint8)
        for j, atom in enumerate(atoms):
            atom_tri = result.evaluator.truth(atom)
            t = _unpack(atom_tri.t, n)[unknown]
            f = _unpack(atom_tri.f, n)[unknown]
            signature[:, j] = t.astype(np.uint8) * 2 + f.astype(np.uint8)
        for k, tag in enumerate(tags):
            column = table.columns.columns.get(tag)
            if column is not None:
                signature[:, len(atoms) + k] = np.asarray(column.known, dtype=bool)[unknown]
        _, first, group = np.unique(signature, axis=0, return_index=True, return_inverse=True)
        answers = [rows.missing(int(unknown[i]), pid) for i in first]
        group = np.asarray(group).reshape(-1)
        out[pid] = {int(r): answers[g] for r, g in zip(unknown, group, strict=True)}
    return out
