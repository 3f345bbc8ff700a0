"""A rulebook: a folder of ``.rule`` files, loaded whole or not at all (§1, §9)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from decimal import Decimal
from fractions import Fraction
from typing import Any, Literal, cast

from pydantic import Field

from policy_match.base import clock
from policy_match.core.compiled import CompiledBook
from policy_match.core.describe import describe_policy
from policy_match.core.errors import RuleError
from policy_match.core.match import MatchResult
from policy_match.core.point import PointLookups, SeenValues, VerdictMap
from policy_match.core.refresh import refresh
from policy_match.data.records import FieldError, ParsedRecord, RecordError, RecordReader
from policy_match.data.table import EnterpriseTable
from policy_match.dsl import ir
from policy_match.dsl.checker import check
from policy_match.dsl.diagnostics import Diagnostic
from policy_match.dsl.display import to_decimal
from policy_match.dsl.ir import Verdict
from policy_match.dsl.parser import parse
from policy_match.dsl.types import Kind
from policy_match.dsl.vocabulary import Vocabulary
from policy_match.engine import dag
from policy_match.engine.bitset import Tri
from policy_match.engine.columnar import ColumnarEvaluator
from policy_match.engine.explain import Explainer, Explanation, match_degree
from policy_match.engine.scalar import ScalarEvaluator

OnError = Literal["raise", "missing"]


class _Unknown:
    """The answer when the data do not settle a value (a benefit, a define)."""

    _instance: _Unknown | None = None

    def __new__(cls) -> _Unknown:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "UNKNOWN"

    def __bool__(self) -> bool:
        return False


UNKNOWN = _Unknown()


class RecordExplanation(Explanation):
    """The :class:`Explanation` of a raw record, which keeps its bad values as errors (each
    with its catalogue key and fields) until :meth:`render` words them in the reader's
    language. ``record_errors`` still holds their English text, as it always has; the
    errors themselves are not part of the JSON (``to_json`` is unchanged)."""

    field_errors: tuple[FieldError, ...] = Field(default=(), exclude=True)

    def render(self, lang: str = "zh") -> str:
        worded = [error.text(lang) for error in self.field_errors]
        return Explanation.render(self.model_copy(update={"record_errors": worded}), lang)

    def __eq__(self, other: object) -> bool:
        # equal to the Explanation its JSON reads back as: the errors' structured form is a
        # way of wording them, and their text is in ``record_errors`` already
        if isinstance(other, Explanation):
            return _plain(self) == _plain(other)
        return NotImplemented

    __hash__ = Explanation.__hash__


def _plain(explanation: Explanation) -> Explanation:
    if type(explanation) is Explanation:
        return explanation
    return Explanation.model_construct(**{name: getattr(explanation, name)
                                          for name in Explanation.model_fields})


class Rulebook(CompiledBook):
    """The checked policy library with every way to evaluate it: one record, one table."""

    def __init__(self, program: ir.Program, vocabulary: Vocabulary,
                 diagnostics: tuple[Diagnostic, ...] = (),
                 sources: Mapping[str, str] | None = None,
                 parent: Rulebook | None = None) -> None:
        super().__init__(program, vocabulary, diagnostics, sources, parent)
        self.reader = RecordReader(self.tags, self.vocabulary)  # keeps the values it read
        self.seen_values = SeenValues(self.tags)  # what point lookups have parsed before
        self.point_lookups = PointLookups(self.dag, self.vocabulary, self.policies)

    def __repr__(self) -> str:
        return (f"<Rulebook {len(self.tags)} tags, {len(self.defines)} defines, "
                f"{len(self.policies)} policies>")

    def read_record(self, record: Mapping[str, Any], on_error: OnError = "raise") -> ParsedRecord:
        """Parse raw values by tag type; bad values raise, or count as missing."""
        parsed = self.reader.read(record)
        if parsed.errors and on_error == "raise":
            raise RecordError(parsed.errors)
        return parsed

    def evaluator(self, record: Mapping[str, Any], as_of: dt.date | None = None,
                  on_error: OnError = "raise") -> ScalarEvaluator:
        values = self.read_record(record, on_error).values
        return ScalarEvaluator(self.dag, self.vocabulary, values, clock.resolve(as_of))

    def _verdict(self, ev: ScalarEvaluator, policy: ir.Policy) -> Verdict:
        if not policy.active_on(ev.as_of):
            return Verdict.INACTIVE
        outcome = ev.truth(self.dag.conditions[policy.id])
        if outcome is None:
            return Verdict.UNKNOWN
        return Verdict.ELIGIBLE if outcome else Verdict.INELIGIBLE

    def evaluate(self, record: Mapping[str, Any], policy_id: str,
                 as_of: dt.date | None = None, on_error: OnError = "raise") -> Verdict:
        """Whether the record qualifies for the policy on ``as_of`` (default: today)."""
        policy = self.policy(policy_id)
        return self._verdict(self.evaluator(record, as_of, on_error), policy)

    def _benefit(self, ev: ScalarEvaluator, policy: ir.Policy) -> Decimal | _Unknown | None:
        node = self.dag.benefits[policy.id]
        if node is None:
            return None  # the item pays no money
        verdict = self._verdict(ev, policy)
        if verdict is Verdict.UNKNOWN:
            return UNKNOWN
        if verdict is not Verdict.ELIGIBLE:
            return None
        amount = ev.value(node)
        return UNKNOWN if amount is None else to_decimal(Fraction(amount))

    def benefit(self, record: Mapping[str, Any], policy_id: str, as_of: dt.date | None = None,
                on_error: OnError = "raise") -> Decimal | _Unknown | None:
        """The 兑付标准 amount in yuan for an eligible record; ``UNKNOWN`` where the data do not
        settle it; ``None`` where the record is not eligible (or the item pays no money)."""
        policy = self.policy(policy_id)
        return self._benefit(self.evaluator(record, as_of, on_error), policy)

    def explain(self, record: Mapping[str, Any], policy_id: str, as_of: dt.date | None = None,
                on_error: OnError = "missing") -> Explanation:
        """The verdict and why: outcome tree, missing tags, failed atoms, gap, match degree.

        Bad values count as missing (``on_error="raise"`` raises instead); they are listed
        in ``record_errors`` (English text) and kept as errors in ``field_errors``, which
        ``render(lang)`` words in ``lang``."""
        policy = self.policy(policy_id)
        parsed = self.read_record(record, on_error)
        ev = ScalarEvaluator(self.dag, self.vocabulary, parsed.values, clock.resolve(as_of))
        return _with_errors(self._explain(ev, policy, []), parsed.errors)

    def explain_row(self, table: EnterpriseTable, row: int, policy_id: str,
                    as_of: dt.date | None = None) -> Explanation:
        """``explain`` for row ``row`` (0-based) of a loaded table: its values are already
        parsed (bad ones are in ``table.errors``), so nothing is read again."""
        policy = self.policy(policy_id)
        ev = ScalarEvaluator(self.dag, self.vocabulary, table.row_view(row),
                             clock.resolve(as_of))
        return self._explain(ev, policy, [])

    def _explain(self, ev: ScalarEvaluator, policy: ir.Policy,
                 record_errors: list[str]) -> Explanation:
        verdict = self._verdict(ev, policy)
        base: dict[str, Any] = {
            "policy_id": policy.id, "policy_name": policy.name, "as_of": ev.as_of,
            "verdict": verdict, "record_errors": record_errors, "group": policy.group,
            "valid_from": policy.valid_from, "valid_to": policy.valid_to}
        if verdict is Verdict.INACTIVE:
            return Explanation(**base, tree=None, missing=[], failed=[], gap=[],
                               match_degree=0.0)
        explainer = Explainer(ev, self.atom_ids)
        root = self.dag.conditions[policy.id]
        choice = explainer.gap(root)
        benefit = self._benefit(ev, policy)
        node = self.dag.benefits[policy.id]
        waiting = (explainer.benefit_missing(node)
                   if verdict is Verdict.ELIGIBLE and node is not None and benefit is UNKNOWN
                   else [])
        return Explanation(
            benefit_missing=waiting,
            **base,
            tree=explainer.tree(root),
            missing=explainer.missing(root),
            failed=[explainer.report(a) for a in explainer.atoms_where(root, True, False)],
            gap=sorted((explainer.report(a) for a in choice.gap or ()), key=lambda r: r.id),
            match_degree=match_degree(choice),
            benefit=None if not isinstance(benefit, Decimal) else _money(benefit),
        )

    def explain_all(self, record: Mapping[str, Any], as_of: dt.date | None = None,
                    on_error: OnError = "missing") -> list[Explanation]:
        """Every policy in force on ``as_of``: eligible first, then unknown (fewest missing
        tags first), then near misses by gap size."""
        parsed = self.read_record(record, on_error)
        ev = ScalarEvaluator(self.dag, self.vocabulary, parsed.values, clock.resolve(as_of))
        found = [_with_errors(self._explain(ev, p, []), parsed.errors)
                 for p in self.policies.values() if p.active_on(ev.as_of)]
        order = {Verdict.ELIGIBLE: 0, Verdict.UNKNOWN: 1, Verdict.INELIGIBLE: 2}
        return sorted(found, key=lambda e: (order[e.verdict], len(e.missing), len(e.gap),
                                            -e.match_degree, e.policy_id))

    def profile(self, record: Mapping[str, Any], as_of: dt.date | None = None,
                on_error: OnError = "raise") -> dict[str, Any]:
        """Every define's value for the record (the enterprise's labels, 企业画像).

        Conditions give ``True``/``False``/``None`` (unknown); amounts give ``Decimal``;
        other values as they are; ``None`` where the data do not settle them."""
        ev = self.evaluator(record, as_of, on_error)
        out: dict[str, Any] = {}
        for name, node in self.dag.defines.items():
            is_condition = self.defines[name].type.kind is Kind.BOOL
            value = (ev.truth(cast(dag.BoolNode, node)) if is_condition
                     else ev.value(cast(dag.ValueNode, node)))
            out[name] = to_decimal(value) if isinstance(value, Fraction) else value
        return out

    # ---- bulk ----------------------------------------------------------------------------

    def match(self, table: EnterpriseTable, as_of: dt.date | None = None,
              reuse: MatchResult[Rulebook] | None = None,
              previous: MatchResult[Any] | None = None,
              progress: Callable[[int, int], None] | None = None) -> MatchResult[Rulebook]:
        """Every policy against every enterprise of ``table`` (columnar, three-valued).

        ``reuse``: an earlier result on the same table and date, from this rulebook or the
        one it was extended from; its atom bitsets are reused, so only new nodes cost.

        ``previous``: yesterday's result (another table, this or an earlier rulebook, any
        date): only the rows whose values changed and the policies whose text changed (or
        that read the date, when it moved) are evaluated; the result equals a full match
        and says what changed in ``result.changes`` (see ``core/refresh.py``).

        ``progress(done, total)``: policies evaluated (a plain callable; no display here)."""
        day = clock.resolve(as_of)
        if previous is not None:
            evaluator, tris, changes = refresh(self, table, day, previous)
            return MatchResult.assembled(self, table, day, evaluator, tris, changes)
        if reuse is not None and reuse.table is table and reuse.as_of == day:
            evaluator = reuse.evaluator.for_graph(self.dag)
            return MatchResult(self, table, day, evaluator, self.policies, progress,
                               known=self._unchanged_verdicts(reuse, day))
        evaluator = ColumnarEvaluator(self.dag, self.vocabulary, table.columns, day)
        return MatchResult(self, table, day, evaluator, self.policies, progress)

    def _unchanged_verdicts(self, reuse: MatchResult[Rulebook], day: dt.date
                            ) -> dict[str, Tri | None]:
        """The verdicts of ``reuse`` (same table and date) that hold here: a policy with
        the same condition node (nodes are interned across an extended rulebook) and the
        same standing on ``day``. Taken as they are, a new policy costs its own nodes only,
        not a pass over the two thousand known ones."""
        earlier = reuse.book.dag.conditions
        out: dict[str, Tri | None] = {}
        for pid, tri in reuse.tris.items():
            policy = self.policies.get(pid)
            if (policy is not None and self.dag.conditions.get(pid) is earlier.get(pid)
                    and policy.active_on(day) == (tri is not None)):
                out[pid] = tri
        return out

    def match_record(self, record: Mapping[str, Any], as_of: dt.date | None = None,
                     on_error: OnError = "raise") -> VerdictMap:
        """Point lookup: one record against every policy (compiled once per date; atoms are
        decided for all policies at once, see ``engine/pointwise.py``)."""
        values = self.seen_values.known(record, bad_is_missing=on_error == "missing")
        if values is None:  # a value not seen before, or a bad one: the full reader
            parsed = self.reader.read(record)
            self.seen_values.learn(record, parsed)
            if parsed.errors and on_error == "raise":
                raise RecordError(parsed.errors)
            values = parsed.values
        return self.point_lookups.on(clock.resolve(as_of)).verdicts(values)

    def with_policies(self, text: str, path: str = "<added>.rule") -> Rulebook:
        """This rulebook plus the declarations in ``text``, checked against it (only the new
        text is parsed and checked); equal atoms are shared with this book's, so a match can
        reuse this book's results (``match(..., reuse=...)``)."""
        parsed = parse(text, path)
        checked = check([parsed.module], self.vocabulary, parsed.unparsed_names,
                        base=self.program)
        diagnostics = tuple(sorted((*parsed.diagnostics, *checked.diagnostics),
                                   key=Diagnostic.sort_key))
        sources = {**self.sources, path: text}
        if checked.program is None or any(d.is_error for d in diagnostics):
            raise RuleError(diagnostics, sources)
        return Rulebook(checked.program, self.vocabulary, diagnostics, sources, parent=self)

    def describe(self, policy_id: str, lang: str = "zh") -> str:
        """The whole condition in plain language (一表读懂), with statutory wording."""
        return describe_policy(self, self.policy(policy_id), lang)

    # ---- the SQL backend (engine/sql; docs/sql.md) -------------------------------------------

    def to_sql(self, dialect: str = "duckdb", *, table: str = "enterprises",
               as_of: dt.date | None = None,
               verdicts: tuple[str | Verdict, ...] = ("eligible", "unknown")) -> str:
        """One query over ``table`` (a column per tag) giving ``(enterprise_id, policy_id,
        verdict)`` for every pair whose verdict is in ``verdicts``, as of ``as_of``."""
        from policy_match.engine.sql import api

        return api.to_sql(self, dialect, table, clock.resolve(as_of), verdicts)

    def sql_schema(self, dialect: str = "duckdb", table: str = "enterprises") -> str:
        """The ``CREATE TABLE`` of an enterprise library for this rulebook (for a DBA)."""
        from policy_match.engine.sql import api

        return api.sql_schema(self, dialect, table)


def _money(amount: Decimal) -> str:
    from policy_match.dsl.display import money_zh

    return money_zh(Fraction(amount))


def _with_errors(explanation: Explanation, errors: tuple[FieldError, ...]) -> RecordExplanation:
    """``explanation`` of a raw record: its bad values kept as errors, and as English text
    in ``record_errors`` for the callers that read that list."""
    return RecordExplanation.model_construct(**{
        **dict(explanation), "record_errors": [str(e) for e in errors], "field_errors": errors})
