"""The entry points ``Rulebook.to_sql`` and ``Rulebook.sql_schema`` call."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Protocol

from sqlglot import exp

from policy_match.dsl import ir
from policy_match.dsl.vocabulary import Vocabulary
from policy_match.engine import dag
from policy_match.engine.sql import query, schema
from policy_match.engine.sql.dialects import Dialect, dialect


class CompiledRules(Protocol):
    """What the SQL backend reads of a rulebook (``core.compiled.CompiledBook`` has it)."""

    @property
    def dag(self) -> dag.Dag: ...
    @property
    def vocabulary(self) -> Vocabulary: ...
    @property
    def tags(self) -> Mapping[str, ir.TagSpec]: ...
    @property
    def key(self) -> str | None: ...
    @property
    def policies(self) -> Mapping[str, ir.Policy]: ...


def resolve_dialect(name: str) -> Dialect:
    return dialect(name)


def book_of(rules: CompiledRules) -> query.Book:
    return query.Book(rules.dag, rules.vocabulary, rules.tags, rules.key, rules.policies)


def to_sql(rules: CompiledRules, dialect_name: str, table: str, as_of: dt.date,
           verdicts: Iterable[str | ir.Verdict]) -> str:
    return query.to_sql(book_of(rules), resolve_dialect(dialect_name), table, as_of, verdicts)


def sql_schema(rules: CompiledRules, dialect_name: str, table: str) -> str:
    return schema.schema_sql(resolve_dialect(dialect_name), rules.tags, rules.key, table)


def query_expression(rules: CompiledRules, dialect_name: str, table: str, as_of: dt.date,
                     verdicts: Iterable[str | ir.Verdict]) -> exp.Expr:
    """The query as a sqlglot tree (to wrap in ``CREATE TABLE … AS``, say)."""
    return query.build_query(book_of(rules), resolve_dialect(dialect_name), table, as_of,
                             query.wanted_verdicts(verdicts))
