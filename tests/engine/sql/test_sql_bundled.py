"""The bundled rulebook over the bundled sample library: DuckDB, PostgreSQL and the columnar
engine give the same verdict on every (enterprise, policy) pair, and an explanation read
back from the database is the scalar evaluator's, whatever engine made the list."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlcheck import ALL, sql_verdicts

from policy_match.core.loading import load
from policy_match.core.rulebook import Rulebook
from policy_match.data.database import read_enterprise
from policy_match.data.table import EnterpriseTable
from policy_match.dsl.ir import Verdict

REPO = Path(__file__).resolve().parents[3]
DAYS = [dt.date(2024, 7, 1), dt.date(2026, 3, 1)]


@pytest.fixture(scope="module")
def bundled() -> tuple[Rulebook, EnterpriseTable]:
    book = load(REPO / "rules")
    return book, EnterpriseTable.load(REPO / "data" / "enterprises-2000.csv", book)


@pytest.fixture(scope="module")
def loaded(bundled: tuple[Rulebook, EnterpriseTable], postgres_url: str,
           tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    _, table = bundled
    duck = f"duckdb:///{tmp_path_factory.mktemp('bundled') / 'library.duckdb'}"
    table.to_database(duck, "企业库")
    table.to_database(postgres_url, "企业库", if_exists="replace")
    return {"duckdb": duck, "postgres": postgres_url}


@pytest.mark.parametrize("day", DAYS, ids=str)
def test_every_pair_agrees_on_duckdb_postgres_and_columnar(
        bundled: tuple[Rulebook, EnterpriseTable], loaded: dict[str, str],
        day: dt.date) -> None:
    book, table = bundled
    result = book.match(table, as_of=day)
    want = {(r["enterprise"], r["policy"]): r["verdict"]
            for r in result.to_records(tuple(Verdict))}
    assert len(want) == len(table) * len(book.policies)
    assert len(set(want.values())) >= 3  # the sample exercises eligible, unknown, ineligible
    for dialect, url in loaded.items():
        assert sql_verdicts(book, url, dialect, "企业库", day) == want, dialect


def test_explain_reads_the_row_and_is_exact(bundled: tuple[Rulebook, EnterpriseTable],
                                            loaded: dict[str, str]) -> None:
    book, table = bundled
    day = DAYS[0]
    result = book.match(table, as_of=day)
    for row in (0, 7, 123):
        eid = table.ids[row]
        for url in loaded.values():
            record = read_enterprise(url, "企业库", book, eid)
            for pid in list(book.policies)[:12]:
                explained = book.explain(record, pid, as_of=day)
                assert explained.verdict is result.verdict(eid, pid), (url, eid, pid)
                assert explained.render("zh") == book.explain_row(table, row, pid,
                                                                  as_of=day).render("zh")


def test_sql_asks_only_for_what_it_returns(bundled: tuple[Rulebook, EnterpriseTable],
                                          loaded: dict[str, str]) -> None:
    book, table = bundled
    day = DAYS[0]
    eligible = sql_verdicts(book, loaded["duckdb"], "duckdb", "企业库", day)
    counts = book.match(table, as_of=day).counts()
    for pid, by_verdict in counts.items():
        assert sum(1 for (_, p) in eligible if p == pid) == sum(by_verdict.values())
    assert tuple(v.value for v in Verdict) == ALL
