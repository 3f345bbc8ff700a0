"""An item's explanation by its shape, shared by every record that gives it that shape.

An explanation has two parts. Its **shape** — the outcome tree's nodes with their outcomes
and ``needed`` flags, which conditions failed, the gap and the match degree, the missing
tags — follows from the truth of each condition the item reaches (through defines and
value-level ``case`` tests) and from which of the tags it reads have no value: nothing else
of the record enters it. Its **lines** (营业收入 497,408 元 ≥ 5000万 ✗) carry the record's
values and are shared by value in :class:`~.reports.ReportCache`.

Forms and tables repeat shapes far more than values (most enterprises fail the same
conditions of an item, in the same way), so the shape is walked once per (item, shape) and
every later record only looks its lines up: the tree walk, the gap search and the walks for
failed conditions and missing tags are skipped. A test holds the answers byte-identical to
walking every record (``tests/server/test_shapes.py``).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

from pydantic_core import to_json

from policy_match.engine import dag
from policy_match.engine.atom_text import AtomReport, Outcome, tags_read
from policy_match.engine.explain import NodeKind, degree
from policy_match.engine.walk import pre_order
from policy_match.server.reports import Bounded, SharingExplainer

__all__ = ["AtomSlot", "GroupHeads", "Piece", "Shape", "ShapeCache"]

LIMIT = 50_000  # shapes kept per snapshot; past it the cache starts again

AtomSlot = tuple[dag.Atom, Outcome, bool]  # an atom's tree node: its line comes per record
Piece = bytes | AtomSlot


class GroupHeads:
    """``{"kind":…,"label":…,"label_en":…,"outcome":"`` of a group node, by its words: the
    rulebook's own, so one table serves every request of a snapshot (and stays small)."""

    def __init__(self) -> None:
        self._heads: dict[tuple[str, str, str], bytes] = {}
        self._lock = threading.Lock()

    def head(self, kind: str, label: str, label_en: str) -> bytes:
        key = (kind, label, label_en)
        found = self._heads.get(key)
        if found is None:
            found = to_json({"kind": kind, "label": label, "label_en": label_en})[:-1]
            found += b',"outcome":"'
            with self._lock:
                self._heads[key] = found
        return found


@dataclass(frozen=True)
class Shape:
    """What an item's explanation says apart from its condition lines."""

    tree: tuple[Piece, ...]  # the outcome tree's JSON, with a slot per atom node
    failed: tuple[dag.Atom, ...]  # conditions false where no ancestor is already true
    gap: tuple[dag.Atom, ...] | None  # the gap's conditions by id; None: no gap would do
    match: float
    missing: tuple[str, ...]


class _Pieces:
    """Outcome-tree nodes as JSON pieces (a ``TreeBuild``): group nodes written out, atom
    nodes left as slots."""

    def __init__(self, heads: GroupHeads, atoms: list[dag.Atom]) -> None:
        self.heads = heads
        self.atoms = atoms  # the rulebook's atoms by id (an AtomReport names its atom by id)

    def group(self, kind: NodeKind, label: str, label_en: str, outcome: Outcome,
              needed: bool, children: list[list[Piece]]) -> list[Piece]:
        out: list[Piece] = [self.heads.head(kind, label, label_en), outcome.encode(),
                            b'","needed":', b"true" if needed else b"false", b',"children":[']
        for i, child in enumerate(children):
            if i:
                out.append(b",")
            out.extend(child)
        out.append(b'],"atom":null}')
        return out

    def atom(self, report: AtomReport, outcome: Outcome, needed: bool) -> list[Piece]:
        return [(self.atoms[report.id], outcome, needed)]


def _joined(pieces: list[Piece]) -> tuple[Piece, ...]:
    """Adjacent bytes joined: a filled tree is a join of few pieces."""
    out: list[Piece] = []
    run: list[bytes] = []
    for piece in pieces:
        if type(piece) is bytes:
            run.append(piece)
            continue
        if run:
            out.append(b"".join(run))
            run = []
        out.append(piece)
    if run:
        out.append(b"".join(run))
    return tuple(out)


def _walked(explainer: SharingExplainer, heads: GroupHeads, atoms: list[dag.Atom],
            root: dag.BoolNode, eligible: bool, explain: bool) -> Shape:
    """Walk the item's condition for this record: its shape (the tree only with
    ``explain``; the gap of an eligible item is empty and fully matched)."""
    tree = (_joined(explainer.tree_with(root, _Pieces(heads, atoms))) if explain else ())
    failed = tuple(explainer.atoms_where(root, True, False)) if explain else ()
    if eligible:
        gap: tuple[dag.Atom, ...] | None = ()
        match = 1.0
    else:
        bits = explainer.gap_bits(root)
        size = None if bits.gap is None else bits.gap.bit_count()
        match = degree(size, bits.path.bit_count())
        gap = (None if bits.gap is None else
               tuple(sorted(explainer.atoms_of(bits.gap), key=lambda a: explainer.ids[a])))
    return Shape(tree, failed, gap, match, tuple(explainer.missing(root)))


class ShapeCache:
    """Shapes by (item's condition, explain, the truth of every condition it reaches,
    which tags it reads are missing); bounded, one per snapshot."""

    def __init__(self, graph: dag.Dag, limit: int = LIMIT) -> None:
        self.graph = graph
        self.heads = GroupHeads()
        self._atoms = list(graph.atoms)
        self._reach: dict[int, tuple[tuple[dag.Atom, ...], tuple[str, ...]]] = {}
        self._shapes: Bounded[Shape] = Bounded(limit)
        self._lock = threading.Lock()

    def _reached(self, root: dag.BoolNode) -> tuple[tuple[dag.Atom, ...], tuple[str, ...]]:
        """Every condition under ``root`` (through defines and values) and its tags."""
        found = self._reach.get(id(root))
        if found is None:
            defines = self.graph.defines
            nodes = pre_order((root,), lambda n: dag.successors(n, defines))
            atoms = tuple(n for n in nodes if dag.is_atom(n))
            found = (atoms, tuple(tags_read(root, defines)))
            with self._lock:
                self._reach[id(root)] = found
        return found

    def shape(self, explainer: SharingExplainer, root: dag.BoolNode, eligible: bool,
              explain: bool) -> Shape:
        """The item's shape for the explainer's record: looked up, or walked once."""
        key = self._key(explainer, root, explain)
        found = self._shapes.get(key)
        if found is None:
            found = _walked(explainer, self.heads, self._atoms, root, eligible, explain)
            self._shapes.put(key, found)
        return found

    def _key(self, explainer: SharingExplainer, root: dag.BoolNode,
             explain: bool) -> tuple[Any, ...]:
        atoms, tags = self._reached(root)
        values = explainer.ev.record
        return (id(root), explain, *explainer.ev.truths(atoms),
                *[values.get(t) is None for t in tags])
