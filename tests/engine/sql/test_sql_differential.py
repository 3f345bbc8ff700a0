"""Backends never disagree, the SQL one included: random rulebooks (every construct of
``tests/engine/oracle.py``: arithmetic with /, min/max/abs, case, defines using defines,
dates and calendar durations, codes, sets, at least N of, known, validity windows) over
random tables (missing values, band edges, long decimals) give the same verdict on every
(enterprise, policy) pair in DuckDB, in a real PostgreSQL server, in the columnar engine
and in the scalar evaluator."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from oracle import AS_OF_DATES, EDGES_BOUNDED, EDGES_LONG, Edges, edged_records, rulebooks
from sqlcheck import assert_engines_agree, load

EXAMPLES = int(os.environ.get("PM_SQL_EXAMPLES", "30"))
SETTINGS = settings(max_examples=EXAMPLES, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                           HealthCheck.function_scoped_fixture])

@st.composite
def tables(draw: st.DrawFn, as_of: dt.date, edges: Edges) -> list[dict[str, Any]]:
    size = draw(st.integers(1, 8), label="rows")
    return [draw(edged_records(as_of, edges), label=f"record {i}") for i in range(size)]


@pytest.fixture(scope="module")
def duckdb_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    path: Path = tmp_path_factory.mktemp("sql") / "differential.duckdb"
    return f"duckdb:///{path}"


@SETTINGS
@given(data=st.data())
def test_duckdb_agrees_with_columnar_and_scalar(duckdb_url: str, data: st.DataObject) -> None:
    book = load(data.draw(rulebooks(), label="rulebook").text)
    as_of = data.draw(st.sampled_from(AS_OF_DATES), label="as_of")
    raws = data.draw(tables(as_of, EDGES_BOUNDED), label="table")
    assert_engines_agree(book, raws, duckdb_url, "duckdb", "enterprises", as_of)


@settings(SETTINGS, max_examples=max(EXAMPLES * 2 // 3, 1))
@given(data=st.data())
def test_postgres_agrees_with_columnar_and_scalar(postgres_url: str,
                                                  data: st.DataObject) -> None:
    book = load(data.draw(rulebooks(), label="rulebook").text)
    as_of = data.draw(st.sampled_from(AS_OF_DATES), label="as_of")
    edges = data.draw(st.sampled_from([EDGES_BOUNDED, EDGES_LONG]), label="edges")
    raws = data.draw(tables(as_of, edges), label="table")
    assert_engines_agree(book, raws, postgres_url, "postgres", "enterprises", as_of)
