"""The SQL compiler's own promises, each checked in a real DuckDB (and PostgreSQL where the
dialect matters): prefix tests that treat ``%`` and ``_`` as characters, values and names
that look like SQL staying data, exact decimals, the calendar, and the query's shape."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlglot
from sqlcheck import ALL, sql_verdicts

from policy_match.core.loading import load_sources
from policy_match.core.rulebook import Rulebook
from policy_match.data.table import EnterpriseTable
from policy_match.dsl.vocabulary import CodeLookup
from policy_match.engine.sql.compile import SqlUnsupported
from policy_match.engine.sql.dialects import UnknownDialect
from policy_match.plugins.loader import load_vocabulary

DAY = dt.date(2024, 7, 1)


@dataclass
class SkuHierarchy:
    """A plug-in code system whose codes contain ``%`` and ``_`` and nest by prefix."""

    name: str = "sku"
    prefix_codes: bool = True

    def lookup(self, text: str) -> CodeLookup:
        return CodeLookup(text.strip().upper() or None)

    def contains(self, outer: str, inner: str) -> bool:
        return inner.startswith(outer)

    def label(self, code: str) -> str | None:
        return None

    def path(self, code: str) -> tuple[str, ...]:
        return tuple(code[:end] for end in range(1, len(code) + 1))


def book_of(text: str, vocabulary: object = None) -> Rulebook:
    loaded = load_sources({"t.rule": text}, vocabulary)  # type: ignore[arg-type]
    assert loaded.rulebook is not None, [d.message for d in loaded.diagnostics]
    return loaded.rulebook


def run(book: Rulebook, rows: list[dict[str, object]], url: str,
        dialect: str = "duckdb") -> dict[tuple[str, str], str]:
    table = EnterpriseTable.from_records(rows, book)
    table.to_database(url, "enterprises", if_exists="replace")
    got = sql_verdicts(book, url, dialect, "enterprises", DAY)
    result = book.match(table, as_of=DAY)
    for (eid, pid), verdict in got.items():
        assert verdict == result.verdict(eid, pid).value, (eid, pid)
    return got


@pytest.fixture
def duck(tmp_path: Path) -> str:
    return f"duckdb:///{tmp_path / 't.duckdb'}"


def test_a_code_with_percent_and_underscore_is_a_prefix_of_characters(duck: str) -> None:
    vocabulary = load_vocabulary()
    vocabulary.add_hierarchy(SkuHierarchy())  # type: ignore[arg-type]
    book = book_of('tag 编号: text key\ntag 品类: code(sku)\n'
                   'policy "P" { name: "p"  eligible: 品类 in ["A_%"] }\n', vocabulary)
    rows = [{"编号": "inside", "品类": "A_%1"}, {"编号": "like-would-match", "品类": "AB%1"},
            {"编号": "like-too", "品类": "AX99"}, {"编号": "short", "品类": "A_"},
            {"编号": "unknown"}]
    got = run(book, rows, duck)
    assert got[("inside", "P")] == "eligible"
    assert got[("like-would-match", "P")] == "ineligible"
    assert got[("like-too", "P")] == "ineligible"
    assert got[("short", "P")] == "ineligible"
    assert got[("unknown", "P")] == "unknown"
    assert "LIKE" not in book.to_sql("duckdb", as_of=DAY).upper()


INJECTION = "x'); DROP TABLE enterprises; --"


def test_values_and_names_that_look_like_sql_stay_data(duck: str, postgres_url: str) -> None:
    book = book_of(
        'tag 编号: text key\n'
        f'tag 状态: enum["正常", "{INJECTION}", "a\\"b"]\n'
        f'tag 标签: set["{INJECTION}", "普通"]\n'
        f'policy "{INJECTION}" {{ name: "{INJECTION}"  eligible: 状态 == "{INJECTION}" }}\n'
        f'policy "P2" {{ name: "q"  eligible: 标签 has "{INJECTION}" }}\n')
    rows = [{"编号": INJECTION, "状态": INJECTION, "标签": [INJECTION]},
            {"编号": "b'--", "状态": "正常", "标签": ["普通"]}]
    for url, dialect in ((duck, "duckdb"), (postgres_url, "postgres")):
        got = run(book, rows, url, dialect)
        assert got[(INJECTION, INJECTION)] == "eligible"
        assert got[(INJECTION, "P2")] == "eligible"
        assert got[("b'--", INJECTION)] == "ineligible"
        assert got[("b'--", "P2")] == "ineligible"
    for dialect in ("duckdb", "postgres", "spark"):  # one statement, whatever the text
        assert len(sqlglot.parse(book.to_sql(dialect, as_of=DAY), read=dialect)) == 1


def test_a_table_name_is_only_a_name(duck: str) -> None:
    book = book_of('tag 编号: text key\ntag 营业收入: money\n'
                   'policy "P" { name: "p"  eligible: 营业收入 >= 2000万 }\n')
    name = 'odd "name"; DROP'
    table = EnterpriseTable.from_records([{"编号": "a", "营业收入": "3000万"}], book)
    table.to_database(duck, name)
    got = sql_verdicts(book, duck, "duckdb", name, DAY)
    assert got == {("a", "P"): "eligible"}


def test_decimals_are_exact_at_the_threshold(duck: str, postgres_url: str) -> None:
    book = book_of('tag 编号: text key\ntag 研发费用: money\ntag 营业收入: money\n'
                   'policy "P" { name: "p"  eligible: 研发费用 / 营业收入 >= 3% }\n'
                   'policy "Q" { name: "q"  eligible: 研发费用 * 3 / 7 > 营业收入 / 7 }\n')
    rows = [{"编号": "equal", "研发费用": "3", "营业收入": "100"},
            {"编号": "hair-below", "研发费用": "2.9999", "营业收入": "100"},
            {"编号": "third", "研发费用": "1", "营业收入": "3"},
            {"编号": "zero", "研发费用": "1", "营业收入": "0"}]
    for url, dialect in ((duck, "duckdb"), (postgres_url, "postgres")):
        got = run(book, rows, url, dialect)
        assert got[("equal", "P")] == "eligible"
        assert got[("hair-below", "P")] == "ineligible"
        assert got[("zero", "P")] == "unknown"  # a division by zero is unknown
        assert got[("third", "Q")] == "ineligible"  # 3/7 > 3/7 is false, exactly
    assert "DOUBLE" not in book.to_sql("duckdb", as_of=DAY).upper()
    assert "FLOAT" not in book.to_sql("duckdb", as_of=DAY).upper()


def test_calendar_durations_and_working_days(duck: str, postgres_url: str) -> None:
    book = book_of('tag 编号: text key\ntag 成立日期: date\n'
                   'policy "Y" { name: "y"  eligible: today - 成立日期 >= 1年 }\n'
                   'policy "M" { name: "m"  eligible: 成立日期 + 1个月 <= 2024-02-29 }\n'
                   'policy "W" { name: "w"  eligible: 成立日期 + 10个工作日 >= today }\n')
    days = [dt.date(2023, 7, 1), dt.date(2023, 7, 2), dt.date(2024, 1, 31),
            dt.date(2024, 1, 30), dt.date(2024, 6, 15), dt.date(2024, 6, 16),
            dt.date(2024, 6, 17), dt.date(2024, 6, 14)]
    rows = [{"编号": d.isoformat(), "成立日期": d} for d in days] + [{"编号": "nodate"}]
    for url, dialect in ((duck, "duckdb"), (postgres_url, "postgres")):
        got = run(book, rows, url, dialect)
        assert got[("2023-07-01", "Y")] == "eligible"
        assert got[("2023-07-02", "Y")] == "ineligible"
        assert got[("2024-01-31", "M")] == "eligible"  # 01-31 + 1个月 = 02-29
        assert got[("nodate", "W")] == "unknown"


def test_verdicts_asked_for_and_inactive_items(duck: str) -> None:
    book = book_of('tag 编号: text key\ntag 营业收入: money\n'
                   'policy "Old" { name: "o"  eligible: 营业收入 >= 1\n'
                   '                 适用时间: 2020-01-01 .. 2020-12-31 }\n'
                   'policy "Now" { name: "n"  eligible: 营业收入 >= 2000万 }\n')
    table = EnterpriseTable.from_records([{"编号": "a", "营业收入": "3000万"},
                                          {"编号": "b", "营业收入": "1"}, {"编号": "c"}], book)
    table.to_database(duck)
    from policy_match.data.database import run_query

    def rows(verdicts: tuple[str, ...]) -> set[tuple[str, str, str]]:
        return set(run_query(duck, book.to_sql(as_of=DAY, verdicts=verdicts)))

    assert rows(("eligible", "unknown")) == {("a", "Now", "eligible"), ("c", "Now", "unknown")}
    assert rows(("inactive",)) == {(e, "Old", "inactive") for e in "abc"}
    assert rows(("ineligible",)) == {("b", "Now", "ineligible")}
    assert len(rows(ALL)) == 6
    assert rows(()) == set()


def test_the_query_is_one_select_in_every_dialect() -> None:
    book = book_of('tag 编号: text key\ntag 资质: set["高新技术企业", "科技型中小企业"]\n'
                   'tag 营业收入: money\ndefine 高企 = 资质 has "高新技术企业"\n'
                   'policy "P" { name: "p"  eligible: 高企 and 营业收入 >= 1 }\n')
    for dialect in ("duckdb", "postgres", "spark"):
        parsed = sqlglot.parse(book.to_sql(dialect, as_of=DAY), read=dialect)
        assert len(parsed) == 1 and isinstance(parsed[0], sqlglot.exp.Select)
    assert "ARRAY_CONTAINS" in book.to_sql("spark", as_of=DAY)
    assert "&&" in book.to_sql("postgres", as_of=DAY)
    with pytest.raises(UnknownDialect, match="duckdb, postgres, spark"):
        book.to_sql("oracle-forms")


def test_a_schema_for_the_dba() -> None:
    book = book_of('tag 编号: text key "统一编号"\ntag 营业收入: money "上年营业收入"\n'
                   'tag 增长率: ratio\ntag 资质: set[text]\ntag 成立日期: date\n'
                   'tag 失信: bool\ntag 期限: duration\n'
                   'policy "P" { name: "p"  eligible: 营业收入 >= 1 }\n')
    duck = book.sql_schema("duckdb")
    assert '"营业收入" DECIMAL(38, 4)' in duck and '"增长率" DECIMAL(38, 10)' in duck
    assert '"资质" TEXT[]' in duck and '"成立日期" DATE' in duck and '"失信" BOOLEAN' in duck
    assert "COMMENT ON COLUMN \"enterprises\".\"营业收入\" IS '上年营业收入'" in duck
    assert duck.index('"编号"') < duck.index('"营业收入"')  # the key first
    pg = book.sql_schema("postgres", table="public.qy")
    assert '"营业收入" DECIMAL,' in pg  # unbounded: PostgreSQL's NUMERIC and '"public"."qy"' in pg
    spark = book.sql_schema("spark")
    assert "`营业收入` DECIMAL(38, 4) COMMENT '上年营业收入'" in spark
    assert "ARRAY<STRING>" in spark


def test_a_rule_with_no_exact_sql_form_is_refused() -> None:
    book = book_of('tag 编号: text key\ntag 成立日期: date\ntag 期限: duration\n'
                   'policy "P" { name: "p"  eligible: 成立日期 + 期限 <= today }\n')
    with pytest.raises(SqlUnsupported, match="constant duration"):
        book.to_sql(as_of=DAY)


def test_integer_constants_do_not_overflow(duck: str, postgres_url: str) -> None:
    """``60 * (1亿 + CASE … END)`` was ``int4 * int4`` in PostgreSQL and overflowed (CI's
    random rulebooks found it): there an integer constant is NUMERIC."""
    book = book_of('tag 编号: text key\ntag 营业收入: money\ntag 评价得分: number\n'
                   'policy "G" { name: "g"  eligible: '
                   '(60 * (1亿 + case { 营业收入 < 营业收入: 0; else: 0 })) < 评价得分 }\n')
    rows = [{"编号": "big", "营业收入": "100", "评价得分": "7000000000"},
            {"编号": "small", "营业收入": "100", "评价得分": "1"}]
    for url, dialect in ((duck, "duckdb"), (postgres_url, "postgres")):
        got = run(book, rows, url, dialect)
        assert got[("big", "G")] == "eligible"
        assert got[("small", "G")] == "ineligible"
