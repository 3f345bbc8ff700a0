"""Helpers of the SQL differential tests: run a rulebook's query in a database and compare
every (enterprise, policy) verdict with the columnar and the scalar evaluators."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from policy_match.core.loading import load_sources
from policy_match.core.rulebook import Rulebook
from policy_match.data.database import run_query
from policy_match.data.table import EnterpriseTable
from policy_match.dsl.ir import Verdict

ALL = tuple(v.value for v in Verdict)


def load(text: str) -> Rulebook:
    result = load_sources({"g.rule": text})
    assert result.rulebook is not None, [d.message for d in result.diagnostics]
    return result.rulebook


def sql_verdicts(book: Rulebook, url: str, dialect: str, table: str,
                 as_of: dt.date) -> dict[tuple[str, str], str]:
    rows = run_query(url, book.to_sql(dialect, table=table, as_of=as_of, verdicts=ALL))
    out: dict[tuple[str, str], str] = {}
    for enterprise, policy, verdict in rows:
        assert (enterprise, policy) not in out, "a pair came back twice"
        out[(enterprise, policy)] = verdict
    return out


def assert_engines_agree(book: Rulebook, raws: Sequence[Mapping[str, Any]], url: str,
                         dialect: str, table_name: str, as_of: dt.date) -> EnterpriseTable:
    """SQL == columnar == scalar, on every pair (all four verdicts asked for)."""
    table = EnterpriseTable.from_records(raws, book)
    table.to_database(url, table_name, if_exists="replace")
    got = sql_verdicts(book, url, dialect, table_name, as_of)
    result = book.match(table, as_of=as_of)
    assert len(got) == len(table) * len(book.policies)
    for i, raw in enumerate(raws):
        for pid in book.policies:
            columnar = result.verdict(table.ids[i], pid)
            scalar = book.evaluate(raw, pid, as_of=as_of, on_error="missing")
            assert columnar is scalar, (pid, raw)
            assert got[(table.ids[i], pid)] == scalar.value, (pid, raw, dialect)
    return table
