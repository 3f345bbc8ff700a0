"""Condition lines (✓/✗/? 营业收入 …) and whole item answers shared across requests.

Writing one condition's line in Chinese and English is most of what an explanation costs.
A line is a function of the condition, the values of the tags it reads (through defines) and
the evaluation date — nothing else of the record — so requests that give a condition the
same values share its line: a portal's forms repeat sizes, districts, yes/no answers and
round amounts. The cache belongs to one snapshot (conditions are its own) and is bounded.
"""

from __future__ import annotations

import contextlib
import functools
import threading
from collections.abc import Mapping
from fractions import Fraction
from typing import Any, Generic, TypeVar

from policy_match.engine import dag
from policy_match.engine.atom_text import AtomReport, tags_read
from policy_match.engine.explain import Explainer
from policy_match.engine.scalar import ScalarEvaluator

__all__ = ["AnswerCache", "Bounded", "ItemCache", "Line", "ReportCache", "SharingExplainer",
           "keyed"]

LIMIT = 200_000  # lines kept per snapshot; past it the cache starts again
ANSWERS = 20_000  # item answers (JSON, a few KiB each) kept per snapshot
ITEMS = 50_000  # plain item results (JSON, a few hundred bytes each) kept per snapshot

V = TypeVar("V")


class Bounded(Generic[V]):
    """A thread-safe map that starts again when it holds ``limit`` entries: what a caller
    can fill (any date, any values) is bounded by what it holds, not by trust."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._items: dict[Any, V] = {}
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._items)

    def get(self, key: Any) -> V | None:
        return self._items.get(key)

    def put(self, key: Any, value: V) -> None:
        with self._lock:
            if len(self._items) >= self.limit:
                self._items.clear()
            self._items[key] = value


def keyed(values: Mapping[str, Any]) -> dict[str, Any]:
    """A record's values as cheap dictionary keys: a fraction as its numerator and
    denominator (hashing a ``Fraction`` costs a modular inverse; two ints cost nothing)."""
    return {t: (v.numerator, v.denominator) if type(v) is Fraction else v
            for t, v in values.items()}


class Line:
    """One condition's line and, written once when first asked, its JSON: as a line of an
    explanation, as its outcome-tree node (needed or not) and as a 差一项 gap item."""

    __slots__ = ("gap_json", "json", "nodes", "report")

    def __init__(self, report: AtomReport) -> None:
        self.report = report
        self.json: bytes | None = None
        self.gap_json: bytes | None = None
        self.nodes: dict[tuple[str, bool], bytes] = {}


class ReportCache:
    """Lines by (condition, values read, date), and each condition's tags."""

    def __init__(self, graph: dag.Dag, limit: int = LIMIT) -> None:
        self.graph = graph
        self._tags: dict[int, tuple[str, ...]] = {}
        self._lines: Bounded[Line] = Bounded(limit)

    def tags(self, atom: dag.Atom) -> tuple[str, ...]:
        # by identity: the atoms are the snapshot's own and live as long as this cache, and
        # hashing a condition node walks it
        found = self._tags.get(id(atom))
        if found is None:
            found = self._tags[id(atom)] = tuple(tags_read(atom, self.graph.defines))
        return found

    def get(self, key: tuple[Any, ...]) -> Line | None:
        return self._lines.get(key)

    def put(self, key: tuple[Any, ...], line: Line) -> None:
        self._lines.put(key, line)


class SharingExplainer(Explainer):
    """An :class:`Explainer` whose condition lines come from a :class:`ReportCache`."""

    def __init__(self, evaluator: ScalarEvaluator, atom_ids: dict[dag.Atom, int],
                 shared: ReportCache) -> None:
        super().__init__(evaluator, atom_ids)
        self.shared = shared
        self._mine: dict[int, Line] = {}  # this request's lines, by the atom's identity
        # and by the report's: a request holds its reports, so their identities stay theirs
        self._by_report: dict[int, Line] = {}

    @functools.cached_property
    def keys(self) -> dict[str, Any]:
        """The record's values through :func:`keyed` (made when a line is first looked up)."""
        return keyed(self.ev.record)

    def report(self, atom: dag.Atom) -> AtomReport:
        return self.line(atom).report

    def line(self, atom: dag.Atom) -> Line:
        found = self._mine.get(id(atom))
        if found is None:
            found = self._mine[id(atom)] = self._shared_line(atom)
            self._by_report[id(found.report)] = found
        return found

    def line_of(self, report: AtomReport) -> Line:
        """The line of a report this explainer gave out."""
        return self._by_report[id(report)]

    def _shared_line(self, atom: dag.Atom) -> Line:
        record = self.keys
        key = (id(atom), self.ev.as_of, *map(record.get, self.shared.tags(atom)))
        try:
            found = self.shared.get(key)
        except TypeError:  # a value that cannot be a key: write the line afresh
            return Line(super().report(atom))
        if found is None:
            found = Line(super().report(atom))
            self.shared.put(key, found)
        return found


class AnswerCache:
    """One item's answer to a check (as JSON) by (item, date, explain, the values of the
    tags the item reads): its condition and amount read nothing else of the record."""

    def __init__(self, book: Any, limit: int = ANSWERS) -> None:
        self.book = book
        self._tags: dict[str, tuple[str, ...]] = {}
        self._answers: Bounded[tuple[tuple[Any, ...], bytes]] = Bounded(limit)

    def tags(self, policy_id: str) -> tuple[str, ...]:
        found = self._tags.get(policy_id)
        if found is None:
            graph = self.book.dag
            read = tags_read(graph.conditions[policy_id], graph.defines)
            benefit = graph.benefits[policy_id]
            if benefit is not None:
                read += tags_read(benefit, graph.defines)
            found = self._tags[policy_id] = tuple(dict.fromkeys(read))
        return found

    def key(self, policy_id: str, keys: Mapping[str, Any], as_of: Any,
            explain: bool) -> tuple[Any, ...]:
        """``keys``: the record's values through :func:`keyed`."""
        return (policy_id, as_of, explain, *map(keys.get, self.tags(policy_id)))

    def get(self, key: tuple[Any, ...]) -> tuple[tuple[Any, ...], bytes] | None:
        try:
            return self._answers.get(key)
        except TypeError:  # a value that cannot be a key
            return None

    def put(self, key: tuple[Any, ...], answer: tuple[tuple[Any, ...], bytes]) -> None:
        with contextlib.suppress(TypeError):
            self._answers.put(key, answer)


class ItemCache(Bounded[tuple[tuple[Any, ...], bytes]]):
    """A plain check's item results as (sort key, JSON), by what they say (item, verdict,
    amount, the tags missing): few distinct ones, since amounts are mostly fixed or
    banded."""

    def __init__(self, limit: int = ITEMS) -> None:
        super().__init__(limit)
