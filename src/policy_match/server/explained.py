"""One item's answer to ``POST /api/check`` with its explanation, written straight to JSON.

The answer is the bytes that serializing the item's :class:`~.models.CheckResult` with its
:class:`~policy_match.engine.explain.Explanation` would give (a test holds them equal,
record after record); it is assembled from pieces instead of through models:

- a condition line's JSON (as a line, as a tree node, as a gap item) is written once per
  :class:`~.reports.Line`, and lines are shared across requests;
- everything else — the tree's group nodes, which conditions failed, the gap, the match
  degree, the missing tags — is the item's :class:`~.shapes.Shape`, found by the explainer's
  own walks (:meth:`Explainer.tree_with`, so it says what the engine's tree says) once per
  shape and shared by every record with that shape; the gap serves the item's ``gap``, the
  explanation's ``gap`` and the match degree.

Building and validating a model per tree node, then serializing them, cost more than
finding the answer; this costs a join of bytes.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from typing import Any

from pydantic_core import to_json

from policy_match.dsl import ir
from policy_match.dsl.display import money_zh
from policy_match.dsl.ir import Verdict
from policy_match.engine import dag
from policy_match.engine.atom_text import Outcome
from policy_match.server.reports import Line, SharingExplainer
from policy_match.server.shapes import Piece, Shape, ShapeCache

__all__ = ["atom_node_json", "item_json", "line_json"]

def atom_node_json(line: Line, outcome: Outcome, needed: bool) -> bytes:
    """The condition's outcome-tree node (an :class:`ExplainNode` of kind ``atom``)."""
    found = line.nodes.get((outcome, needed))
    if found is None:
        head = to_json({"kind": "atom", "label": line.report.subject, "label_en": "",
                        "outcome": outcome, "needed": needed, "children": []})[:-1]
        found = line.nodes[(outcome, needed)] = head + b',"atom":' + line_json(line) + b"}"
    return found


def _filled(explainer: SharingExplainer, tree: tuple[Piece, ...]) -> bytes:
    """A shape's tree with this record's lines in its atom slots."""
    return b"".join(piece if isinstance(piece, bytes)
                    else atom_node_json(explainer.line(piece[0]), piece[1], piece[2])
                    for piece in tree)


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


def _list(parts: list[bytes]) -> bytes:
    return b"[" + b",".join(parts) + b"]"


def _explanation(explainer: SharingExplainer, policy: ir.Policy, shape: Shape,
                 verdict: Verdict, amount: Decimal | None, gap: list[Line]) -> bytes:
    """An :class:`Explanation`'s JSON (``explanation_of`` in :mod:`.checking`)."""
    head = to_json({"policy_id": policy.id, "policy_name": policy.name,
                    "as_of": explainer.ev.as_of, "verdict": verdict.value})[:-1]
    failed = [line_json(explainer.line(a)) for a in shape.failed]
    tail = to_json({"benefit": None if amount is None else money_zh(Fraction(amount)),
                    "benefit_missing": [], "group": policy.group,
                    "valid_from": policy.valid_from, "valid_to": policy.valid_to,
                    "record_errors": []})
    return b"".join((head, b',"tree":', _filled(explainer, shape.tree), b',"missing":',
                     to_json(shape.missing), b',"failed":', _list(failed),
                     b',"gap":', _list([line_json(x) for x in gap]),
                     b',"match_degree":', to_json(shape.match), b",", tail[1:]))


def item_json(item: dict[str, Any], explainer: SharingExplainer, shapes: ShapeCache,
              policy: ir.Policy, root: dag.BoolNode, verdict: Verdict, amount: Decimal | None,
              explain: bool) -> tuple[bytes, int | None]:
    """The JSON of one result (``item``: its fields up to ``missing``) with the gap of an
    ineligible item and, with ``explain``, the explanation; and the gap's size."""
    shape = (shapes.shape(explainer, root, verdict is Verdict.ELIGIBLE, explain)
             if explain or verdict is Verdict.INELIGIBLE else None)
    gap = (None if shape is None or shape.gap is None
           else [explainer.line(a) for a in shape.gap])
    shown = gap if verdict is Verdict.INELIGIBLE else None
    expl = (_explanation(explainer, policy, shape, verdict, amount, gap or [])
            if explain and shape is not None else b"null")
    return b"".join((to_json(item)[:-1], b',"gap":',
                     b"null" if shown is None else _list([gap_item_json(x) for x in shown]),
                     b',"department":', to_json(policy.department), b',"explanation":', expl,
                     b"}")), None if shown is None else len(shown)
