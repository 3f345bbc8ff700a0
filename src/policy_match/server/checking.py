"""``POST /api/check`` and the 政策计算器: one record an enterprise typed in, against every
current item. Nothing is stored.

The record is read strictly: a field that is not a tag of the rulebook, or a value that does
not parse for its tag, is a :class:`~.errors.BadInput` (422) naming the tag, the value and
the reason in Chinese and English, so that a form never silently drops what a person typed.

One scalar evaluator per request answers every item and keeps what it computed (a define
or a test shared by items is evaluated once), through closures made once per rulebook
(:mod:`policy_match.engine.closures`), so the verdicts, the amounts of the eligible
items, the missing tags of the unknown ones and (asked for) the gaps of the ineligible ones
reuse one another's work; measured, this is as fast as the point evaluator and the missing
tags come free. ``explain`` adds each item's outcome tree. Condition lines and, with gaps or
explanations, whole item answers are shared across requests (:mod:`.reports`).

Two ways to one answer: :func:`check_items` makes models (:class:`Explanation`,
:class:`GapItem`: the reference, and what the pages render), :func:`check_json` (the JSON
endpoint) writes the same bytes without them (:mod:`.explained`); a test holds them equal.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Mapping, Sequence
from decimal import Decimal
from fractions import Fraction
from operator import itemgetter
from typing import Any

from pydantic_core import to_json

from policy_match.base.messages import text
from policy_match.core.rulebook import Rulebook
from policy_match.data.records import FieldError, ParsedRecord
from policy_match.dsl import ir
from policy_match.dsl.display import money_zh, to_decimal
from policy_match.dsl.ir import Verdict
from policy_match.dsl.suggest import closest
from policy_match.engine.closures import Program
from policy_match.engine.explain import Explainer, Explanation, match_degree
from policy_match.engine.scalar import ScalarEvaluator
from policy_match.server.current import current_policies
from policy_match.server.errors import BadInput, FieldProblem
from policy_match.server.explained import item_json
from policy_match.server.models import CheckResponse, CheckResult, GapItem
from policy_match.server.reports import AnswerCache, ItemCache, ReportCache, SharingExplainer
from policy_match.server.shapes import ShapeCache
from policy_match.server.state import Snapshot

__all__ = ["MAX_FIELDS", "amount_of", "check_items", "check_json", "check_record",
           "explanation_of", "read_strict", "reason_text"]

MAX_FIELDS = 500  # a record has at most this many fields (the rulebook has fewer tags)
_PLAIN = (str, int, float, bool)
_ORDER = {Verdict.ELIGIBLE: 0, Verdict.UNKNOWN: 1, Verdict.INELIGIBLE: 2}


def reason_text(error: FieldError, lang: str) -> str:
    """Why a value does not read, without the where and the value (the problem has them)."""
    return text(error.code, lang, **dict(error.params)) if error.code else error.reason


def _shape_problem(tag: str, value: Any) -> FieldProblem | None:
    """A value JSON can carry but no tag takes (an object, a list of lists)."""
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return None  # a set tag's members
    shown = repr(value)[:80]
    return FieldProblem(tag, shown, text("server.value_shape", "zh"),
                        text("server.value_shape", "en"))


def _unknown_tag(book: Rulebook, tag: str, value: Any) -> FieldProblem:
    near = closest(tag, book.tags)
    key, fields = (("server.unknown_tag_hint", {"name": near[0]}) if near
                   else ("server.unknown_tag", {}))
    return FieldProblem(tag, repr(value)[:80], text(key, "zh", **fields),
                        text(key, "en", **fields))


def read_strict(book: Rulebook, record: Mapping[str, Any]) -> ParsedRecord:
    """The record parsed by tag type (a list of texts is a set's members); raises
    :class:`BadInput` with every unknown tag and every bad value at once."""
    if len(record) > MAX_FIELDS:
        raise BadInput([FieldProblem("record", f"{len(record)}",
                                     text("server.too_many_fields", "zh", n=MAX_FIELDS),
                                     text("server.too_many_fields", "en", n=MAX_FIELDS))])
    if all(type(v) in _PLAIN or v is None for v in record.values()):  # what forms send
        parsed = book.read_record(record, on_error="missing")
        if not (parsed.errors or parsed.unknown_fields):
            return parsed
    problems: list[FieldProblem] = []
    clean: dict[str, Any] = {}
    tags = book.tags
    for tag, value in record.items():
        if tag not in tags:
            problems.append(_unknown_tag(book, tag, value))
        elif value is None or type(value) in _PLAIN:  # the usual case first
            clean[tag] = value
        elif (shape := _shape_problem(tag, value)) is not None:
            problems.append(shape)
        else:
            clean[tag] = "、".join(value) if isinstance(value, list) else value
    parsed = book.read_record(clean, on_error="missing")
    problems += [FieldProblem(e.column, e.value, reason_text(e, "zh"), reason_text(e, "en"))
                 for e in parsed.errors]
    if problems:
        raise BadInput(problems)
    return parsed


def _gap(explainer: Explainer, root: Any) -> list[GapItem] | None:
    choice = explainer.gap(root)
    if choice.gap is None:
        return None
    reports = sorted((explainer.report(a) for a in choice.gap), key=lambda r: r.id)
    return [GapItem(subject=r.subject, tags=list(r.tags), observed=r.observed,
                    operator=r.operator, threshold=r.threshold, text_zh=r.text_zh,
                    text_en=r.text_en) for r in reports]


def amount_of(ev: ScalarEvaluator, node: Any) -> Decimal | None:
    """An amount node's value in yuan, or None where the data do not settle it."""
    value = ev.value(node)
    return None if value is None else to_decimal(Fraction(value))


def _verdict(ev: ScalarEvaluator, root: Any) -> Verdict:
    truth = ev.truth(root)
    return Verdict.UNKNOWN if truth is None else Verdict.ELIGIBLE if truth else Verdict.INELIGIBLE


_VERDICT_ZH = {v: v.zh for v in (Verdict.ELIGIBLE, Verdict.UNKNOWN, Verdict.INELIGIBLE)}


def _head(policy: ir.Policy, verdict: Verdict, amount: Decimal | None, waiting: list[str],
          missing: list[str]) -> dict[str, Any]:
    """A result's fields up to ``missing`` (:class:`CheckResult`'s order)."""
    return {"policy_id": policy.id, "name": policy.name, "verdict": verdict.value,
            "verdict_zh": _VERDICT_ZH[verdict],
            "benefit": None if amount is None else str(amount),
            "benefit_zh": None if amount is None else money_zh(Fraction(amount)),
            "benefit_missing": waiting, "missing": missing}


class _Checker:
    """One record's check: the shared evaluator and explainer, and one item at a time."""

    def __init__(self, snapshot: Snapshot, record: Mapping[str, Any], as_of: dt.date,
                 explain: bool, gaps: bool) -> None:
        book = self.book = snapshot.book
        self.values = read_strict(book, record).values
        program = snapshot.cached("program", lambda: Program(book.dag, book.vocabulary))
        self.ev = program.evaluator(self.values, as_of)
        self.snapshot = snapshot
        self.shapes: ShapeCache = snapshot.cached("shapes", lambda: ShapeCache(book.dag))
        self.explain = explain
        self.gaps = gaps or explain

    @functools.cached_property
    def explainer(self) -> SharingExplainer:
        """Made when first needed: a plain check whose items are all decided needs none."""
        snapshot, book = self.snapshot, self.book
        atom_ids = snapshot.cached("atom_ids",
                                   lambda: {a: i for i, a in enumerate(book.dag.atoms)})
        return SharingExplainer(self.ev, atom_ids,
                                snapshot.cached("reports", lambda: ReportCache(book.dag)))

    def _outcome(self, policy: ir.Policy) -> tuple[Any, Verdict, Decimal | None,
                                                    tuple[str, ...], tuple[str, ...]]:
        """The item's condition, verdict, amount, the tags its amount waits for and the
        tags it misses."""
        ev, graph = self.ev, self.book.dag
        root = graph.conditions[policy.id]
        verdict = _verdict(ev, root)
        if verdict is Verdict.INELIGIBLE:
            return root, verdict, None, (), ()
        if verdict is Verdict.UNKNOWN:
            # an unknown item's missing tags are part of its shape: most records share one
            return root, verdict, None, (), self.shapes.shape(self.explainer, root, False,
                                                             False).missing
        node = graph.benefits[policy.id]
        amount = amount_of(ev, node) if node is not None else None
        waiting = (tuple(self.explainer.benefit_missing(node))
                   if node is not None and amount is None else ())
        return root, verdict, amount, waiting, ()

    def _common(self, policy: ir.Policy) -> tuple[Any, Verdict, Decimal | None, dict[str, Any]]:
        """The item's condition, verdict, amount and result fields up to ``missing``."""
        root, verdict, amount, waiting, missing = self._outcome(policy)
        return root, verdict, amount, _head(policy, verdict, amount, list(waiting),
                                            list(missing))

    def plain_json(self, policy: ir.Policy, known: ItemCache) -> tuple[tuple[Any, ...], bytes]:
        """:meth:`item_json` without gaps: the bytes of an item with this outcome are the
        same for every record, so they are written once (``known``, with the item's sort
        key) and copied after. An ineligible item, most of them, has one outcome: its id is
        the key."""
        _, verdict, amount, waiting, missing = self._outcome(policy)
        key: Any = (policy.id if verdict is Verdict.INELIGIBLE
                    else (policy.id, verdict, amount, waiting, missing))
        found = known.get(key)
        if found is None:
            found = (_order(policy, verdict, missing, None),
                     to_json({**_head(policy, verdict, amount, list(waiting), list(missing)),
                              "gap": None, "department": policy.department,
                              "explanation": None}))
            known.put(key, found)
        return found

    def plain_items(self, policies: Sequence[ir.Policy], known: ItemCache
                    ) -> list[tuple[tuple[Any, ...], bytes]]:
        """:meth:`plain_json` of every item; an ineligible one (most of them) is answered
        here by its verdict and one look-up, the hot loop of ``POST /api/check``."""
        truth, conditions, get = self.ev.truth, self.book.dag.conditions, known.get
        out: list[tuple[tuple[Any, ...], bytes]] = []
        for policy in policies:
            if truth(conditions[policy.id]) is False and (found := get(policy.id)) is not None:
                out.append(found)
            else:
                out.append(self.plain_json(policy, known))
        return out

    def item(self, policy: ir.Policy) -> tuple[tuple[Any, ...], dict[str, Any]]:
        """The sort key and the result of one item."""
        root, verdict, _, item = self._common(policy)
        gap = (_gap(self.explainer, root) if self.gaps and verdict is Verdict.INELIGIBLE
               else None)
        item["gap"] = gap
        item["department"] = policy.department
        item["explanation"] = (explanation_of(self.book, self.ev, self.explainer, policy.id,
                                              verdict) if self.explain else None)
        return _order(policy, verdict, item["missing"], None if gap is None else len(gap)), item

    def item_json(self, policy: ir.Policy) -> tuple[tuple[Any, ...], bytes]:
        """:meth:`item` of a check with gaps (and explanations when asked) written straight
        to JSON (:mod:`.explained`): the same bytes. Without gaps: :meth:`plain_json`."""
        root, verdict, amount, item = self._common(policy)
        found, gap = item_json(item, self.explainer, self.shapes, policy, root, verdict, amount,
                               self.explain)
        return _order(policy, verdict, item["missing"], gap), found


def _order(policy: ir.Policy, verdict: Verdict, missing: Sequence[str],
           gap: int | None) -> tuple[Any, ...]:
    """Eligible first, then unknown (fewest missing first), then ineligible (smallest gap
    first), then by id."""
    return _ORDER[verdict], len(missing), gap if gap is not None else 1 << 20, policy.id


def check_items(snapshot: Snapshot, record: Mapping[str, Any], as_of: dt.date,
                explain: bool = False, gaps: bool | None = None) -> list[dict[str, Any]]:
    """The results of :func:`check_record` as plain dicts (what the JSON endpoint writes
    without building a model per item). ``gaps`` (default: ``explain``) fills ``gap``."""
    checker = _Checker(snapshot, record, as_of, explain, explain if gaps is None else gaps)
    results = [checker.item(policy) for policy in current_policies(snapshot, as_of)]
    results.sort(key=lambda pair: pair[0])
    return [r for _, r in results]


def check_record(snapshot: Snapshot, record: Mapping[str, Any], as_of: dt.date,
                 explain: bool = False, today: dt.date | None = None,
                 gaps: bool = True) -> CheckResponse:
    """Every item current on ``as_of`` against ``record``: verdict, amount, missing tags,
    the gap of ineligible items (``gaps``: 差一项 is a gap of one), and with ``explain`` the
    outcome tree; eligible first, then unknown (fewest missing tags first), then ineligible
    (smallest gap first). One scalar evaluator answers every item and keeps what it
    computed, so the missing tags, gaps and amounts reuse the verdicts' work. ``today`` is
    accepted for callers that pass the service's day; the answer depends on ``as_of``."""
    del today
    items = check_items(snapshot, record, as_of, explain, gaps or explain)
    return CheckResponse.model_construct(  # made from checked values: no validation again
        as_of=as_of, version=snapshot.version,
        results=[CheckResult.model_construct(**item) for item in items])


def check_json(snapshot: Snapshot, record: Mapping[str, Any], as_of: dt.date,
               explain: bool = False, gaps: bool = False) -> bytes:
    """The :class:`CheckResponse` of the record as JSON bytes; the gaps only when asked
    (``gaps`` or ``explain``): they cost more than the verdicts.

    With gaps or explanations each item's answer is kept as JSON, keyed by the values of
    the tags the item reads (its condition and amount, through defines) and the date:
    an item's answer is a function of those alone, and forms repeat them (sizes,
    districts, yes/no answers), so an item answered before is copied, not explained again.
    A plain check's items are evaluated (cheaper than looking them up by the values they
    read) and their JSON looked up by what they say (:meth:`_Checker.plain_json`)."""
    checker = _Checker(snapshot, record, as_of, explain, gaps)
    if not (gaps or explain):
        return _joined(snapshot, as_of, checker.plain_items(
            current_policies(snapshot, as_of), snapshot.cached("plain_items", ItemCache)))
    answers = snapshot.cached("answers", lambda: AnswerCache(snapshot.book))
    found: list[tuple[tuple[Any, ...], bytes]] = []
    for policy in current_policies(snapshot, as_of):
        key = answers.key(policy.id, checker.explainer.keys, as_of, explain)
        known = answers.get(key)
        if known is None:
            known = checker.item_json(policy)
            answers.put(key, known)
        found.append(known)
    return _joined(snapshot, as_of, found)


def _joined(snapshot: Snapshot, as_of: dt.date,
            found: list[tuple[tuple[Any, ...], bytes]]) -> bytes:
    """The response's JSON from its items' (sort key, JSON), as ``to_json`` would write it."""
    found.sort(key=itemgetter(0))
    head = to_json({"as_of": as_of, "version": snapshot.version})[:-1]
    return head + b',"results":[' + b",".join(j for _, j in found) + b"]}"


def explanation_of(book: Rulebook, ev: ScalarEvaluator, explainer: Explainer,
                   policy_id: str, verdict: Verdict) -> Explanation:
    """The outcome tree and failed tests of one item, from the shared evaluator."""
    policy = book.policies[policy_id]
    root = book.dag.conditions[policy_id]
    choice = explainer.gap(root)
    node = book.dag.benefits[policy_id]
    amount = amount_of(ev, node) if verdict is Verdict.ELIGIBLE and node is not None else None
    return Explanation(
        policy_id=policy_id, policy_name=policy.name, as_of=ev.as_of, verdict=verdict,
        tree=explainer.tree(root), missing=explainer.missing(root),
        failed=[explainer.report(a) for a in explainer.atoms_where(root, True, False)],
        gap=sorted((explainer.report(a) for a in choice.gap or ()), key=lambda r: r.id),
        match_degree=match_degree(choice),
        benefit=None if amount is None else money_zh(Fraction(amount)),
        group=policy.group, valid_from=policy.valid_from, valid_to=policy.valid_to)
