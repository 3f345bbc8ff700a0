"""One item's answer to ``POST /api/check`` with its explanation, written straight to JSON.

The answer is the bytes that serializing the item's :class:`~.models.CheckResult` with its
:class:`~policy_match.engine.explain.Explanation` would give (a test holds them equal,
record after record); it is assembled from pieces instead of through models:

- a condition line's JSON (as a line, as a tree node, as a gap item) is written once per
  :class:`~.reports.Line`, and lines are shared across requests;
- the head of a group node (its kind and labels) depends on the rulebook alone and is kept
  per snapshot;
- the tree comes from the explainer's own walk (:meth:`Explainer.tree_with`), so it says
  what the engine's tree says; the gap is computed once per item and serves the item's
  ``gap``, the explanation's ``gap`` and the match degree.

Building and validating a model per tree node, then serializing them, cost more than
finding the answer; this costs a join of bytes.
"""

from __future__ import annotations

import threading
from decimal import Decimal
from fractions import Fraction
from typing import Any

from pydantic_core import to_json

from policy_match.dsl import ir
from policy_match.dsl.display import money_zh
from policy_match.dsl.ir import Verdict
from policy_match.engine import dag
from policy_match.engine.atom_text import AtomReport, Outcome
from policy_match.engine.explain import NodeKind, degree
from policy_match.server.reports import Line, SharingExplainer

__all__ = ["GroupHeads", "JsonNodes", "item_json"]

_BOOL = {True: b"true", False: b"false"}


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


class JsonNodes:
    """Outcome-tree nodes as the JSON of :class:`ExplainNode` (a ``TreeBuild[bytes]``)."""

    def __init__(self, explainer: SharingExplainer, heads: GroupHeads) -> None:
        self.explainer = explainer
        self.heads = heads

    def group(self, kind: NodeKind, label: str, label_en: str, outcome: Outcome,
              needed: bool, children: list[bytes]) -> bytes:
        return b"".join((self.heads.head(kind, label, label_en), outcome.encode(),
                         b'","needed":', _BOOL[needed], b',"children":[', b",".join(children),
                         b'],"atom":null}'))

    def atom(self, report: AtomReport, outcome: Outcome, needed: bool) -> bytes:
        line = self.explainer.line_of(report)
        found = line.nodes.get((outcome, needed))
        if found is None:
            head = to_json({"kind": "atom", "label": report.subject, "label_en": "",
                            "outcome": outcome, "needed": needed, "children": []})[:-1]
            found = line.nodes[(outcome, needed)] = head + b',"atom":' + line_json(line) + b"}"
        return found


def line_json(line: Line) -> bytes:
    """The condition's line as JSON (an :class:`AtomReport`)."""
    if line.json is None:
        line.json = to_json(line.report)
    return line.json


def gap_item_json(line: Line) -> bytes:
    """The condition as a :class:`~.models.GapItem`: the line without its id and outcome."""
    if line.gap_json is None:
        r = line.report
        line.gap_json = to_json({"subject": r.subject, "tags": r.tags, "observed": r.observed,
                                 "operator": r.operator, "threshold": r.threshold,
                                 "text_zh": r.text_zh, "text_en": r.text_en})
    return line.gap_json


def _gap_lines(explainer: SharingExplainer, root: dag.BoolNode,
               verdict: Verdict) -> tuple[list[Line] | None, float]:
    """The gap's lines by id (None: no gap would do) and the match degree."""
    if verdict is Verdict.ELIGIBLE:  # nothing to change: an empty gap, fully matched
        return [], 1.0
    bits = explainer.gap_bits(root)
    size = None if bits.gap is None else bits.gap.bit_count()
    match = degree(size, bits.path.bit_count())
    if bits.gap is None:
        return None, match
    lines = [explainer.line(a) for a in explainer.atoms_of(bits.gap)]
    lines.sort(key=lambda line: line.report.id)
    return lines, match


def _list(parts: list[bytes]) -> bytes:
    return b"[" + b",".join(parts) + b"]"


def _explanation(explainer: SharingExplainer, heads: GroupHeads, policy: ir.Policy,
                 root: dag.BoolNode, verdict: Verdict, amount: Decimal | None,
                 gap: list[Line] | None, match: float) -> bytes:
    """An :class:`Explanation`'s JSON (``explanation_of`` in :mod:`.checking`)."""
    head = to_json({"policy_id": policy.id, "policy_name": policy.name,
                    "as_of": explainer.ev.as_of, "verdict": verdict.value})[:-1]
    tree = explainer.tree_with(root, JsonNodes(explainer, heads))
    failed = [line_json(explainer.line(a)) for a in explainer.atoms_where(root, True, False)]
    tail = to_json({"benefit": None if amount is None else money_zh(Fraction(amount)),
                    "benefit_missing": [], "group": policy.group,
                    "valid_from": policy.valid_from, "valid_to": policy.valid_to,
                    "record_errors": []})
    return b"".join((head, b',"tree":', tree, b',"missing":',
                     to_json(explainer.missing(root)), b',"failed":', _list(failed),
                     b',"gap":', _list([line_json(x) for x in gap or ()]),
                     b',"match_degree":', to_json(match), b",", tail[1:]))


def item_json(item: dict[str, Any], explainer: SharingExplainer, heads: GroupHeads,
              policy: ir.Policy, root: dag.BoolNode, verdict: Verdict, amount: Decimal | None,
              explain: bool) -> tuple[bytes, int | None]:
    """The JSON of one result (``item``: its fields up to ``missing``) with the gap of an
    ineligible item and, with ``explain``, the explanation; and the gap's size."""
    gap, match = (_gap_lines(explainer, root, verdict) if explain or verdict is Verdict.INELIGIBLE
                  else (None, 0.0))
    shown = gap if verdict is Verdict.INELIGIBLE else None
    expl = (_explanation(explainer, heads, policy, root, verdict, amount, gap, match)
            if explain else b"null")
    return b"".join((to_json(item)[:-1], b',"gap":',
                     b"null" if shown is None else _list([gap_item_json(x) for x in shown]),
                     b',"department":', to_json(policy.department), b',"explanation":', expl,
                     b"}")), None if shown is None else len(shown)
