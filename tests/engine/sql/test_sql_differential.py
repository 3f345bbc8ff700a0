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
from oracle import AS_OF_DATES, records, rulebooks
from sqlcheck import assert_engines_agree, load

EXAMPLES = int(os.environ.get("PM_SQL_EXAMPLES", "30"))
SETTINGS = settings(max_examples=EXAMPLES, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                           HealthCheck.function_scoped_fixture])

# values a hair either side of the rules' thresholds (2000万元, 20万元, 500元, 3%, 3.5%, 5%,
# 10%): within DECIMAL(38, 4) for money and DECIMAL(38, 10) for ratios (DuckDB), and with
# up to 30 significant digits for PostgreSQL's NUMERIC
EDGES_BOUNDED = {
    "money": ["19999999.9999", "20000000.0001", "199999.9999", "200000.0001", "499.9999",
              "500.0001", "123456789012345.1234"],
    "ratio": ["0.0299999999", "0.0300000001", "0.0349999999", "0.0350000001", "0.0499999999",
              "0.1000000001", "-0.0000000001"],
}
EDGES_LONG = {
    "money": ["19999999.9999999999999999999999", "20000000.0000000000000000000001",
              "199999.999999999999999999999999", "500.000000000000000000000000001",
              "999999999999999999.999999999999"],
    "ratio": ["0.0299999999999999999999999999999", "0.0300000000000000000000000000001",
              "0.0350000000000000000000000000001", "0.100000000000000000000000000001"],
}
MONEY_TAGS = ["营业收入", "研发费用", "资产总额"]


@st.composite
def tables(draw: st.DrawFn, as_of: dt.date, edges: dict[str, list[str]]) -> list[dict[str, Any]]:
    size = draw(st.integers(1, 8), label="rows")
    raws = []
    for i in range(size):
        raw, _ = draw(records(as_of), label=f"record {i}")
        for tag in MONEY_TAGS:
            if draw(st.integers(0, 3)) == 0:
                raw[tag] = draw(st.sampled_from(edges["money"]))
        if draw(st.integers(0, 3)) == 0:
            raw["增长率"] = draw(st.sampled_from(edges["ratio"]))
        raws.append(raw)
    return raws


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
