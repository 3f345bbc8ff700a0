"""Enterprise tables written to real databases (a DuckDB file, a PostgreSQL server) and read
back: every value as parsed (codes canonical, sets as arrays, decimals exact), the
``if_exists`` choices, values a bounded DECIMAL cannot hold refused, never rounded."""

from __future__ import annotations

import datetime as dt
import sys
from decimal import Decimal
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "fixtures"))
from postgres import postgres_server

from policy_match.core.loading import load_sources
from policy_match.core.rulebook import Rulebook
from policy_match.data.database import (
    DatabaseError,
    parse_url,
    read_enterprise,
    run_query,
)
from policy_match.data.table import EnterpriseTable

RULES = ('tag 编号: text key\ntag 营业收入: money\ntag 增长率: ratio\ntag 人数: count(人)\n'
         'tag 成立日期: date\ntag 所属行业: code(industry)\ntag 资质: set[text]\n'
         'tag 失信: bool\ntag 规模: enum["小型", "微型"]\ntag 期限: duration\n'
         'policy "P" { name: "p"  eligible: 营业收入 >= 2000万 }\n')
ROWS = [
    {"编号": "a", "营业收入": "2,000万元", "增长率": "3.5%", "人数": "12",
     "成立日期": "2020年1月2日",
     "所属行业": "3911", "资质": "高新技术企业；科技型中小企业", "失信": "否", "规模": "小型",
     "期限": "3年"},
    {"编号": "b", "营业收入": "12345678901234.5678", "增长率": "-0.0000000001"},
    {"编号": "c"},
]


@pytest.fixture(scope="module")
def book() -> Rulebook:
    loaded = load_sources({"t.rule": RULES})
    assert loaded.rulebook is not None
    return loaded.rulebook


@pytest.fixture(scope="module")
def pg() -> object:
    with postgres_server() as url:
        yield url


def _urls(tmp_path: Path, pg: str) -> list[str]:
    return [f"duckdb:///{tmp_path / 'x.duckdb'}", pg]


def test_a_table_round_trips_in_both_databases(book: Rulebook, tmp_path: Path,
                                               pg: str) -> None:
    table = EnterpriseTable.from_records(ROWS, book)
    assert not table.errors
    for url in _urls(tmp_path, pg):
        assert table.to_database(url, "qy", if_exists="replace") == 3
        rows = {r[0]: r for r in run_query(url, 'SELECT * FROM "qy"')}
        a = rows["a"]
        assert a[1] == Decimal("20000000") and a[2] == Decimal("0.035")
        assert a[4] == dt.date(2020, 1, 2)
        assert a[5] == "C3911"  # the canonical code
        assert sorted(a[6]) == ["科技型中小企业", "高新技术企业"]
        assert a[7] is False and a[8] == "小型" and a[9] == Decimal(365 * 3)
        assert rows["b"][1] == Decimal("12345678901234.5678")
        assert rows["b"][2] == Decimal("-0.0000000001")
        assert all(v is None for v in rows["c"][1:])
        # read back for an explanation: the same parsed values as the file gave
        record = read_enterprise(url, "qy", book, "a")
        parsed = book.read_record(record).values
        duration = parsed.pop("期限")  # stored in days: 3年 reads back as 1095天
        assert duration.approx_days() == table.row(0)["期限"].approx_days() == 1095
        assert parsed == {k: v for k, v in table.row(0).items() if k != "期限"}
        assert parsed.keys() >= {"营业收入", "资质", "所属行业"}


def test_if_exists_fail_replace_append(book: Rulebook, tmp_path: Path, pg: str) -> None:
    table = EnterpriseTable.from_records(ROWS, book)
    for url in _urls(tmp_path, pg):
        table.to_database(url, "t2", if_exists="replace")
        with pytest.raises(DatabaseError, match="already exists"):
            table.to_database(url, "t2")
        table.to_database(url, "t2", if_exists="append")
        assert run_query(url, 'SELECT count(*) FROM "t2"')[0][0] == 6
        table.to_database(url, "t2", if_exists="replace")
        assert run_query(url, 'SELECT count(*) FROM "t2"')[0][0] == 3
        with pytest.raises(DatabaseError, match="fail, replace or append"):
            table.to_database(url, "t2", if_exists="merge")  # type: ignore[arg-type]


def test_a_value_a_bounded_decimal_cannot_hold_is_refused(book: Rulebook, tmp_path: Path,
                                                         pg: str) -> None:
    long = [{"编号": "x", "营业收入": "1.23456"}]  # money is DECIMAL(38, 4) in DuckDB
    table = EnterpriseTable.from_records(long, book)
    with pytest.raises(DatabaseError, match="does not fit"):
        table.to_database(f"duckdb:///{tmp_path / 'y.duckdb'}", "t3")
    table.to_database(pg, "t3", if_exists="replace")  # NUMERIC: exact, unbounded
    assert run_query(pg, 'SELECT "营业收入" FROM "t3"')[0][0] == Decimal("1.23456")


def test_urls() -> None:
    assert parse_url("duckdb:////tmp/a.duckdb").target == "/tmp/a.duckdb"
    assert parse_url("duckdb:///:memory:").target == ":memory:"
    assert parse_url("postgresql://u@h:5/d").kind == "postgres"
    with pytest.raises(DatabaseError, match="not understood"):
        parse_url("mysql://x")


def test_a_missing_enterprise_is_named(book: Rulebook, tmp_path: Path) -> None:
    url = f"duckdb:///{tmp_path / 'z.duckdb'}"
    EnterpriseTable.from_records(ROWS, book).to_database(url, "qy")
    with pytest.raises(DatabaseError, match="no enterprise nope"):
        read_enterprise(url, "qy", book, "nope")
