"""The bundled rulebook over the bundled 2,000-enterprise sample: the local columnar engine,
the scalar evaluator, DuckDB SQL, PostgreSQL SQL (a real server started in a temporary
folder) and Spark (both routes: ``mapInArrow`` on the raw CSV read by Spark and on the typed
table, and Spark SQL) give every (enterprise, policy) pair the same verdict; and the
explanation of a pair Spark listed, read from that enterprise's row (of the local table,
and of the DataFrame Spark matched: ``policy_match.spark.read_enterprise``), is the scalar
evaluator's with the same verdict."""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import policy_match as pm
from policy_match.data.database import run_query
from policy_match.engine.scalar import ScalarEvaluator
from policy_match.spark import match, read_enterprise
from policy_match.spark.frames import to_frame
from policy_match.spark.sql_route import match_sql

REPO = Path(__file__).resolve().parents[2]
FIXTURES = str(REPO / "tests" / "fixtures")
if FIXTURES not in sys.path:
    sys.path.insert(0, FIXTURES)

from postgres import postgres_server  # noqa: E402

SAMPLE = REPO / "data" / "enterprises-2000.csv"
DAY = dt.date(2024, 7, 1)
ALL = tuple(pm.Verdict)
Verdicts = dict[tuple[str, str], str]


@pytest.fixture(scope="module")
def bundled() -> tuple[pm.Rulebook, pm.EnterpriseTable]:
    book = pm.load(REPO / "rules")
    return book, pm.EnterpriseTable.load(SAMPLE, book)


@pytest.fixture(scope="module")
def postgres() -> Iterator[str]:
    with postgres_server() as url:
        yield url


def pairs(rows: Any) -> Verdicts:
    out: Verdicts = {}
    for enterprise, policy, verdict in rows:
        assert (enterprise, policy) not in out, "a pair came back twice"
        out[(enterprise, policy)] = verdict
    return out


def sql(book: pm.Rulebook, url: str, dialect: str) -> Verdicts:
    return pairs(run_query(url, book.to_sql(dialect, table="企业库", as_of=DAY,
                                            verdicts=ALL)))


def test_columnar_duckdb_postgres_and_spark_agree_on_every_pair(
        spark: Any, bundled: tuple[pm.Rulebook, pm.EnterpriseTable], postgres: str,
        tmp_path: Path) -> None:
    book, table = bundled
    assert table.errors == []
    local = pairs((r["enterprise"], r["policy"], r["verdict"])
                  for r in book.match(table, as_of=DAY).to_records(ALL))
    assert len(local) == len(table) * len(book.policies)
    assert {"eligible", "unknown", "ineligible"} <= set(local.values())

    duck = f"duckdb:///{tmp_path / 'library.duckdb'}"
    table.to_database(duck, "企业库")
    table.to_database(postgres, "企业库", if_exists="replace")
    engines: dict[str, Verdicts] = {"duckdb": sql(book, duck, "duckdb"),
                                    "postgres": sql(book, postgres, "postgres")}

    typed = to_frame(spark, table, book, partitions=3).cache()
    raw = spark.read.option("header", True).csv(str(SAMPLE))  # every cell a string
    engines["spark mapInArrow, typed"] = pairs(
        tuple(r) for r in match(book, typed, as_of=DAY, verdicts=ALL).collect())
    engines["spark mapInArrow, raw CSV"] = pairs(
        tuple(r) for r in match(book, raw, as_of=DAY, verdicts=ALL).collect())
    engines["spark SQL"] = pairs(
        tuple(r) for r in match_sql(book, typed, as_of=DAY, verdicts=ALL).collect())
    typed.unpersist()
    engines["scalar evaluator, row by row"] = scalar_verdicts(book, table)
    for name, got in engines.items():
        assert got == local, name


def scalar_verdicts(book: pm.Rulebook, table: pm.EnterpriseTable) -> Verdicts:
    """Every pair by the scalar evaluator (the one explanations use), on each parsed row."""
    words = {True: "eligible", False: "ineligible", None: "unknown"}
    out: Verdicts = {}
    for i in range(len(table)):
        ev = ScalarEvaluator(book.dag, book.vocabulary, table.row(i), DAY)
        for pid, policy in book.policies.items():
            out[(table.ids[i], pid)] = (words[ev.truth(book.dag.conditions[pid])]
                                        if policy.active_on(DAY) else "inactive")
    return out


def test_a_pair_spark_listed_is_explained_from_its_row_with_the_same_verdict(
        spark: Any, bundled: tuple[pm.Rulebook, pm.EnterpriseTable]) -> None:
    book, table = bundled
    frame = to_frame(spark, table, book, partitions=2)
    listed = match(book, frame, as_of=DAY).limit(40).collect()  # eligible and unknown
    assert listed
    for enterprise, policy, verdict in listed:
        row = table.index_of(enterprise)
        explained = book.explain_row(table, row, policy, as_of=DAY)
        assert explained.verdict.value == verdict
        assert book.explain(table.row(row), policy, as_of=DAY).verdict.value == verdict


def enterprises_of_each_verdict(listed: Verdicts, per_verdict: int = 2) -> list[str]:
    """A few enterprises (the first by id) with a pair of each verdict among them."""
    chosen: dict[str, None] = {}
    for verdict in sorted(set(listed.values())):
        having = sorted({e for (e, _), v in listed.items() if v == verdict})
        chosen.update(dict.fromkeys(having[:per_verdict]))
    return list(chosen)


def test_a_pair_spark_listed_is_explained_from_the_row_of_the_dataframe_spark_read(
        spark: Any, bundled: tuple[pm.Rulebook, pm.EnterpriseTable]) -> None:
    book, table = bundled
    frames = {"typed": to_frame(spark, table, book, partitions=2),
              "raw CSV": spark.read.option("header", True).csv(str(SAMPLE))}
    for name, frame in frames.items():
        listed = pairs(tuple(r) for r in match(book, frame, as_of=DAY, verdicts=ALL).collect())
        chosen = enterprises_of_each_verdict(listed)
        assert {listed[(e, p)] for e in chosen for p in book.policies} >= {
            "eligible", "ineligible", "unknown"}, name
        for enterprise in chosen:
            record = read_enterprise(frame, book, enterprise)
            assert record[book.key] == enterprise, name
            for policy in book.policies:
                explained = book.explain(record, policy, as_of=DAY)
                assert explained.verdict.value == listed[(enterprise, policy)], (
                    name, enterprise, policy)
