"""Point lookups: one record against every policy in force, as fast as a dict look-up allows.

Two caches make the second lookup cheap: :class:`SeenValues` remembers what each raw value
of each tag parsed to (forms and feeds repeat sizes, districts, yes/no answers), and
:class:`PointLookups` keeps one compiled :class:`PointEvaluator` per date."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from policy_match.base.recent import Recent
from policy_match.data.records import ParsedRecord
from policy_match.dsl import ir
from policy_match.dsl.ir import Verdict
from policy_match.dsl.vocabulary import Vocabulary
from policy_match.engine import dag
from policy_match.engine.pointwise import PointEvaluator


class _Mark:
    """What the point reader remembers of a raw value that gives no value."""


_UNSEEN = _Mark()  # a raw value not parsed before
_NO_VALUE = _Mark()  # a raw value that parses to "missing"
_BAD = _Mark()  # a raw value that does not parse
_SEEN_LIMIT = 1 << 14  # distinct raw values remembered per tag
DAYS_KEPT = 8  # point evaluators kept per rulebook, by the dates last asked for
_VERDICTS = (Verdict.INELIGIBLE, Verdict.UNKNOWN, Verdict.ELIGIBLE)  # by the point codes


class _Ignored(dict[str, Any]):
    """The texts of a field that is not a tag: every one is left out."""

    def __missing__(self, raw: str) -> _Mark:
        return _NO_VALUE


class SeenValues:
    """Tag → raw value → its parsed value (or missing, or bad), learnt from full reads."""

    def __init__(self, tags: Mapping[str, Any]) -> None:
        self._by_tag: dict[str, dict[Any, Any]] = {name: {} for name in tags}
        # what ``known`` tries first: per field, its raw texts that parse to a value or to
        # none (bad ones are not here), and every text of a field that is not a tag
        self._texts: dict[str, dict[str, Any]] = {name: {} for name in tags}
        self._blanks = False  # whether a text in ``_texts`` gives no value

    def known(self, record: Mapping[str, Any], bad_is_missing: bool = False
              ) -> dict[str, Any] | None:
        """The parsed values when every raw value of ``record`` was read before: a dict
        look-up per field, no parsing; ``None`` when one was not, or is bad (unless
        ``bad_is_missing``). Fields that are not tags are ignored, as the reader does."""
        texts = self._texts
        try:  # the common case, texts seen before, in one comprehension
            if not self._blanks:  # (every text seen has a value: nothing to leave out)
                return {name: texts[name][raw] for name, raw in record.items()}
            return {name: value for name, raw in record.items()
                    if (value := texts[name][raw]) is not _NO_VALUE}
        except (KeyError, TypeError):  # something new, not a text, or bad: one by one
            return self._known_one_by_one(record, bad_is_missing)

    def _known_one_by_one(self, record: Mapping[str, Any], bad_is_missing: bool
                          ) -> dict[str, Any] | None:
        seen = self._by_tag
        values: dict[str, Any] = {}
        for name, raw in record.items():
            by_raw = seen.get(name)
            if by_raw is None:
                continue
            try:
                value = by_raw.get(raw if type(raw) is str else (type(raw), raw), _UNSEEN)
            except TypeError:  # an unhashable raw value (a list of members)
                return None
            if type(value) is not _Mark:  # (one test on the common path)
                values[name] = value
            elif value is _UNSEEN or (value is _BAD and not bad_is_missing):
                return None
        return values

    def learn(self, record: Mapping[str, Any], parsed: ParsedRecord) -> None:
        """Remember each plain raw value's outcome in ``parsed`` (the full reader's)."""
        bad = {e.column for e in parsed.errors}
        for name, raw in record.items():
            kind = type(raw)
            by_raw = self._by_tag.get(name)
            if by_raw is None:
                if name not in self._texts and len(self._texts) < _SEEN_LIMIT:
                    self._texts[name] = _IGNORED
                    self._blanks = True
                continue
            if kind not in (str, int, float, bool) or len(by_raw) >= _SEEN_LIMIT:
                continue
            found = _BAD if name in bad else parsed.values.get(name, _NO_VALUE)
            by_raw[raw if kind is str else (kind, raw)] = found
            if kind is str and found is not _BAD:
                self._texts[name][raw] = found
                self._blanks |= found is _NO_VALUE


_IGNORED = _Ignored()


@dataclass(frozen=True)
class PointLookup:
    """The point evaluator of one date and where each policy's code is in its output."""

    evaluator: PointEvaluator
    active: list[str]  # the policies in force, in rulebook order (the evaluator's roots)
    position: dict[str, int]  # every policy: its place in ``active``, -1 when not in force

    def verdicts(self, values: Mapping[str, Any]) -> VerdictMap:
        return VerdictMap(self, self.evaluator.codes(values))


class PointLookups:
    """One :class:`PointLookup` per date, compiled when first asked for; the ``keep`` dates
    asked for last are kept (a caller naming a new date every time — a portal's form takes
    any date — must not fill memory with evaluators)."""

    def __init__(self, graph: dag.Dag, vocabulary: Vocabulary,
                 policies: Mapping[str, ir.Policy], keep: int = DAYS_KEPT) -> None:
        self._graph, self._vocabulary, self._policies = graph, vocabulary, policies
        self._by_day: Recent[dt.date, PointLookup] = Recent(keep)

    def on(self, day: dt.date) -> PointLookup:
        return self._by_day.get_or_make(day, self._compile)

    def days(self) -> list[dt.date]:
        """The dates whose evaluators are kept, oldest use first."""
        return self._by_day.keys()

    def _compile(self, day: dt.date) -> PointLookup:
        active = [pid for pid, p in self._policies.items() if p.active_on(day)]
        at = {pid: i for i, pid in enumerate(active)}
        roots = {pid: self._graph.conditions[pid] for pid in active}
        return PointLookup(PointEvaluator(self._graph, self._vocabulary, roots, day), active,
                           {pid: at.get(pid, -1) for pid in self._policies})


class VerdictMap(Mapping[str, Verdict]):
    """``{policy id: Verdict}`` for one record, read from the point evaluator's codes only
    when asked (a portal often wants a few policies, or only the eligible ones)."""

    def __init__(self, point: PointLookup, codes: np.ndarray) -> None:
        self._point = point
        self._codes = codes  # per policy in force, in rulebook order

    def __getitem__(self, policy_id: str) -> Verdict:
        at = self._point.position[policy_id]
        return Verdict.INACTIVE if at < 0 else _VERDICTS[self._codes.item(at)]

    def __iter__(self) -> Iterator[str]:
        return iter(self._point.position)

    def __len__(self) -> int:
        return len(self._point.position)

    def eligible(self) -> list[str]:
        ids = self._point.active
        return [ids[i] for i in np.flatnonzero(self._codes == 2).tolist()]
