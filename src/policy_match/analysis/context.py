"""What every check shares: the encoder, a solver over the tags' domains, the scalar
evaluator that confirms witnesses, and the findings collected so far."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import z3

from policy_match.analysis.domains import LAST_DAY, read_value
from policy_match.analysis.encode import Encoder
from policy_match.analysis.walk import TagsOf, named_values, uses_today
from policy_match.base import clock
from policy_match.core.rulebook import Rulebook
from policy_match.dsl import ir
from policy_match.dsl.diagnostics import Code
from policy_match.dsl.span import Span
from policy_match.dsl.types import Kind
from policy_match.dsl.values import Duration
from policy_match.engine.normalize import Normalizer
from policy_match.engine.scalar import ScalarEvaluator, Truth
from policy_match.engine.semantics import shift

_REFINEMENTS = 6
# a witness's numbers are multiples of 1/scale when they can be
_ROUND = {Kind.MONEY: 1, Kind.COUNT: 1, Kind.NUMBER: 100, Kind.RATIO: 10000,
          Kind.DURATION: 1}
AS_OF = "评估日"  # the witness's evaluation date, beside its tags (as in a 示例)
TIMEOUT_MS = 3000  # one query; a query z3 cannot settle in time reports nothing
Witness = tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Finding:
    """A finding before it is worded: a code, where, the catalogue keys and fields."""

    code: Code
    span: Span
    message: str  # catalogue key
    params: dict[str, Any] = field(default_factory=dict)
    hint: str = ""  # catalogue key
    witness: Witness = ()
    related: tuple[tuple[Span, str, dict[str, Any]], ...] = ()  # span, key, fields


class Prover:
    """Satisfiability over the encoder's formulas, with every tag's domain assumed."""

    def __init__(self, encoder: Encoder) -> None:
        self.encoder = encoder
        self.solver = z3.Solver()
        self.solver.set("timeout", TIMEOUT_MS)
        self._added = 0
        self.queries = 0
        self.undecided = 0
        self.scope: tuple[Any, ...] = ()  # assumed by every query (an item's validity window)

    @contextmanager
    def within(self, *scope: Any) -> Iterator[None]:
        """Queries inside assume ``scope`` as well (e.g. 评估日 inside an item's window)."""
        outer = self.scope
        self.scope = (*outer, *scope)
        try:
            yield
        finally:
            self.scope = outer

    def check(self, *formulas: Any) -> tuple[bool | None, z3.ModelRef | None]:
        """``True`` with a model, ``False``, or ``None`` when z3 gives up."""
        domain = self.encoder.domain
        if self._added < len(domain):
            self.solver.add(*domain[self._added:])
            self._added = len(domain)
        self.queries += 1
        self.solver.push()
        try:
            self.solver.add(*self.scope, *formulas)
            answer = self.solver.check()
            if answer == z3.sat:
                return True, self.solver.model()
            if answer == z3.unsat:
                return False, None
            self.undecided += 1
            return None, None
        finally:
            self.solver.pop()

    def never(self, formula: Any) -> bool:
        """Proven: no enterprise makes ``formula`` hold."""
        return self.check(formula)[0] is False

    def example(self, *formulas: Any) -> z3.ModelRef | None:
        return self.check(*formulas)[1]


class Verifier:
    """The scalar evaluator (the reference backend) on a witness record."""

    def __init__(self, book: Rulebook) -> None:
        self.book = book
        self.normalizer = Normalizer(book.program)  # its own: the book's DAG stays as it is
        self.graph = self.normalizer.build()

    def outcomes(self, record: dict[str, str], conditions: list[ir.Expr]
                 ) -> list[Truth] | None:
        """Each condition's outcome for the record on its 评估日 (``AS_OF``; today when it
        has none), or ``None`` when a value does not parse."""
        values = dict(record)
        day = values.pop(AS_OF, None)
        parsed = self.book.read_record(values, on_error="missing")
        if parsed.errors:
            return None
        as_of = clock.resolve(None if day is None else dt.date.fromisoformat(day))
        ev = ScalarEvaluator(self.graph, self.book.vocabulary, parsed.values, as_of)
        return [ev.truth(self.normalizer.condition(c)) for c in conditions]


class Context:
    def __init__(self, book: Rulebook, today: dt.date | None) -> None:
        """``today``: the day 评估日 is read as, or ``None`` for every day (an item's
        conditions on the days of its validity window)."""
        self.book = book
        self.program = book.program
        self.today = today
        self.encoder = Encoder(book.program, book.vocabulary, named_values(book.program), today)
        self.prover = Prover(self.encoder)
        self.tags_of = TagsOf(book.program)
        self.findings: list[Finding] = []
        self.dropped = 0  # findings whose witness the scalar evaluator did not confirm
        self.witnesses_dropped = 0  # proven findings whose illustration it did not confirm

    @cached_property
    def verifier(self) -> Verifier:
        """Built on the first witness (a rulebook without one never pays for it)."""
        return Verifier(self.book)

    def add(self, finding: Finding) -> None:
        self.findings.append(finding)

    def example(self, *formulas: Any) -> z3.ModelRef | None:
        """A model of ``formulas`` for a witness: with round values where there is one
        (whole yuan, ratios in hundredths of a percent: what a record writes), else any."""
        return self._calendar_model(*formulas, *self._round()) or \
            self._calendar_model(*formulas)

    def _round(self) -> list[Any]:
        out = []
        for tag in self.encoder.tags.values():
            scale = _ROUND.get(tag.type.kind)
            if scale is not None:
                out.append(z3.IsInt(tag.value * scale))
        return out

    def _calendar_model(self, *formulas: Any) -> z3.ModelRef | None:
        """A model of ``formulas`` whose calendar moves (``评估日 - 1年``, known to z3 only
        within bounds) are the calendar's own for the days it picks: each move it got
        wrong is taught as a fact (``day = d ⇒ moved = shift(d)``, true of every day) and
        it is asked again, a few times at most."""
        for _ in range(_REFINEMENTS):
            model = self.prover.example(*formulas)
            if model is None:
                return None
            facts = [fact for fact in map(lambda s: _wrong_move(model, *s),
                                          self.encoder.shifts) if fact is not None]
            if not facts:
                return model
            self.encoder.domain.extend(facts)
        return None

    def witness(self, model: z3.ModelRef, exprs: list[ir.Expr]) -> Witness | None:
        """The record the model describes, over the tags ``exprs`` read (``None`` when some
        value has no real counterpart: such a finding is dropped)."""
        record: list[tuple[str, str]] = []
        names: set[str] = set()
        for e in exprs:
            names |= self.tags_of(e)
        for name in sorted(names, key=list(self.program.tags).index):
            tag = self.encoder.tags.get(name)
            if tag is None or not z3.is_true(model.eval(tag.known, True)):
                continue
            value = read_value(tag, model)
            if value is None:
                return None
            record.append((name, value))
        day = model.eval(self.encoder.day, True)
        if any(uses_today(e, self.program) for e in exprs):
            record.append((AS_OF, dt.date.fromordinal(day.as_long()).isoformat()))
        return tuple(record)

    def window(self, *policies: ir.Policy) -> tuple[Any, ...]:
        """评估日 within every one of the items' validity windows (nothing when the lint
        date is fixed: that day is the one asked about)."""
        if self.today is not None:
            return ()
        day = self.encoder.day
        out = []
        for p in policies:
            if p.valid_from is not None:
                out.append(day >= p.valid_from.toordinal())
            if p.valid_to is not None:
                out.append(day <= p.valid_to.toordinal())
        return tuple(out)

    def confirmed(self, witness: Witness | None, conditions: list[ir.Expr],
                  accept: Any, *, essential: bool = True) -> bool:
        """Whether the scalar evaluator's outcomes on the witness pass ``accept``. A failure
        is counted: in :attr:`dropped` when the witness is what the finding rests on (the
        finding is not reported), else in :attr:`witnesses_dropped` (a proven finding is
        reported without its illustration)."""
        outcomes = None if witness is None else self.verifier.outcomes(dict(witness), conditions)
        ok = outcomes is not None and bool(accept(outcomes))
        if not ok and essential:
            self.dropped += 1
        elif not ok:
            self.witnesses_dropped += 1
        return ok


def _wrong_move(model: z3.ModelRef, moved: Any, day: Any, duration: Duration,
                sign: int) -> Any:
    """The fact the model breaks about one calendar move, or ``None``."""
    start = model.eval(day, True)
    if not z3.is_int_value(start) or not 1 <= start.as_long() <= LAST_DAY:
        return None
    try:
        exact = shift(dt.date.fromordinal(start.as_long()), duration, sign).toordinal()
    except (OverflowError, ValueError):
        return None
    if model.eval(moved, True).as_long() == exact:
        return None
    return z3.Implies(day == start.as_long(), moved == exact)


def related(span: Span, key: str, **params: Any) -> tuple[Span, str, dict[str, Any]]:
    return (span, key, params)

