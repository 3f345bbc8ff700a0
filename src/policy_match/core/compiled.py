"""A compiled rulebook: the checked program, its predicate DAG and its tag schema.

This is what results and renderers need of a rulebook (``MatchResult``, ``describe``), kept
apart from :class:`~policy_match.core.rulebook.Rulebook`'s evaluation methods so that those
modules sit below it instead of importing it back.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cached_property
from typing import Self

from policy_match.data.schema import TagSchema
from policy_match.dsl import ir
from policy_match.dsl.diagnostics import Diagnostic
from policy_match.dsl.vocabulary import Vocabulary
from policy_match.engine import dag
from policy_match.engine.dag import Atom
from policy_match.engine.normalize import Normalizer
from policy_match.engine.walk import post_order


class CompiledBook:
    """The checked policy library: tags, defines and policies, ready for the engine."""

    def __init__(self, program: ir.Program, vocabulary: Vocabulary,
                 diagnostics: tuple[Diagnostic, ...] = (),
                 sources: Mapping[str, str] | None = None,
                 parent: Self | None = None) -> None:
        self.program = program
        self.vocabulary = vocabulary
        self.warnings = diagnostics
        self.sources = dict(sources or {})
        self._parent = parent

    @property
    def tags(self) -> dict[str, ir.TagSpec]:
        return self.program.tags

    @property
    def defines(self) -> dict[str, ir.Define]:
        return self.program.defines

    @property
    def policies(self) -> dict[str, ir.Policy]:
        return self.program.policies

    @property
    def key(self) -> str | None:
        return self.program.key

    @cached_property
    def schema(self) -> TagSchema:
        """What an enterprise table needs to be read against this rulebook."""
        return TagSchema(self.tags, self.key, self.vocabulary)

    @cached_property
    def normalizer(self) -> Normalizer:
        shared = self._parent.normalizer if self._parent is not None else None
        return Normalizer(self.program, shared)

    @cached_property
    def dag(self) -> dag.Dag:
        return self.normalizer.build()

    @cached_property
    def atom_ids(self) -> dict[Atom, int]:
        """Each atom's number in explanations, built once per book (not once per call)."""
        return {a: i for i, a in enumerate(self.dag.atoms)}

    @cached_property
    def today_dependent(self) -> frozenset[str]:
        """The policies whose condition reads the evaluation date (评估日: ages, years since
        a date): their verdicts may change from one day to the next with the same data."""
        defines = self.dag.defines
        reads: dict[int, bool] = {}
        for root in self.dag.conditions.values():
            for node in post_order(root, lambda n: dag.successors(n, defines),
                                   lambda n: id(n) in reads):
                reads[id(node)] = type(node) is dag.VToday or any(
                    reads.get(id(s), False) for s in dag.successors(node, defines))
        return frozenset(pid for pid, root in self.dag.conditions.items() if reads[id(root)])

    def policy(self, policy_id: str) -> ir.Policy:
        try:
            return self.policies[policy_id]
        except KeyError:
            raise KeyError(f"no policy {policy_id!r} in this rulebook") from None
