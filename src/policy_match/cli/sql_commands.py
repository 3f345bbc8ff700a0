"""The ``sql`` commands (and ``match --db``): run where the enterprise library lives.

    policy-match sql schema RULES --dialect postgres [--table T]     the DBA's CREATE TABLE
    policy-match sql compile RULES --dialect duckdb [--table T] [--as-of D] [--verdicts …]
    policy-match sql load RULES DATA --db URL [--table T] [--if-exists fail|replace|append]
    policy-match sql explain RULES --db URL [--table T] ENTERPRISE_ID [POLICY_ID]
    policy-match match RULES --db URL [--table T] [--out FILE]      matched in the database
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from policy_match.base import clock
from policy_match.base.messages import CatalogueError, text
from policy_match.cli.common import (
    EXIT_OK,
    UsageError,
    lang_of,
    load_book,
    load_status,
    load_table,
    policy_id_arg,
)
from policy_match.cli.sql import DEFAULT_VERDICTS
from policy_match.core.rulebook import Rulebook
from policy_match.data import database
from policy_match.engine.sql import api
from policy_match.engine.sql.compile import SqlUnsupported
from policy_match.engine.sql.dialects import UnknownDialect
from policy_match.engine.sql.query import UnknownVerdict, wanted_verdicts

_TABLE_SUFFIXES = (".csv", ".jsonl", ".parquet")


def _usage(err: CatalogueError, lang: str) -> UsageError:
    """A problem of the request (dialect, verdict, rules without an SQL form, database) as
    exit 2, in ``lang``."""
    return UsageError(err.text(lang))


def _compile(book: Rulebook, args: argparse.Namespace, dialect: str,
             verdicts: tuple[str, ...] = DEFAULT_VERDICTS) -> str:
    """The query laid out for a person to read (``Rulebook.to_sql`` gives it on one line)."""
    try:
        tree = api.query_expression(book, dialect, args.table, args.as_of or clock.today(),
                                    wanted_verdicts(verdicts))
        return tree.sql(dialect=api.resolve_dialect(dialect).sqlglot, pretty=True)
    except (SqlUnsupported, UnknownDialect, UnknownVerdict) as err:
        raise _usage(err, lang_of(args)) from None


def _cmd_schema(args: argparse.Namespace) -> int:
    book = load_book(args.rules, lang_of(args))
    try:
        print(book.sql_schema(args.dialect, table=args.table), end="")
    except (SqlUnsupported, UnknownDialect) as err:
        raise _usage(err, lang_of(args)) from None
    return EXIT_OK


def _cmd_compile(args: argparse.Namespace) -> int:
    book = load_book(args.rules, lang_of(args))
    print(_compile(book, args, args.dialect, args.verdicts))
    return EXIT_OK


def _cmd_load(args: argparse.Namespace) -> int:
    book = load_book(args.rules)
    table = load_table(args.data, book)
    try:
        written = table.to_database(args.db, args.table, if_exists=args.if_exists, schema=book)
    except (database.DatabaseError, SqlUnsupported) as err:
        raise _usage(err, lang_of(args)) from None
    except Exception as err:  # the driver's own errors: a server that is down, a bad login
        raise UsageError(f"{args.db}: {err}") from None
    print(text("sql.loaded", lang_of(args), rows=f"{written:,}", table=args.table),
          file=sys.stderr)
    return load_status(table, args)


def _cmd_explain(args: argparse.Namespace) -> int:
    book = load_book(args.rules)
    pid = policy_id_arg(book, args.policy)
    as_of = clock.resolve(args.as_of)
    try:
        record = database.read_enterprise(args.db, args.table, book, args.enterprise)
    except database.DatabaseError as err:
        raise _usage(err, lang_of(args)) from None
    except Exception as err:  # the driver's own errors: a server that is down, a bad login
        raise UsageError(f"{args.db}: {err}") from None
    found = ([book.explain(record, pid, as_of=as_of, on_error="missing")] if pid
             else book.explain_all(record, as_of=as_of, on_error="missing"))
    if args.format == "json":
        print(json.dumps([json.loads(e.to_json()) for e in found], ensure_ascii=False, indent=2))
    else:
        print("\n\n".join(e.render(lang_of(args)) for e in found))
    return EXIT_OK


def match_in_database(args: argparse.Namespace) -> int:
    """``policy-match match RULES --db URL``: the query runs in the database; its rows go
    to ``--out`` (a file) or to the table ``<table>_matches`` there (replaced)."""
    lang = lang_of(args)
    if (args.db is None) == (args.data is None):
        raise UsageError(text("sql.data_or_db", lang))
    if args.out and Path(args.out).suffix.lower() not in _TABLE_SUFFIXES:
        raise UsageError(f"--out {args.out}: use .csv, .jsonl or .parquet "
                         "（请使用 .csv、.jsonl 或 .parquet）")
    book = load_book(args.rules)
    table = args.table or "enterprises"
    try:
        db = database.parse_url(args.db)
        as_of = args.as_of or clock.today()
        if args.out:
            query = book.to_sql(db.dialect.name, table=table, as_of=as_of)
            written = _write_file(args.db, query, Path(args.out))
            target = args.out
        else:
            target = f"{table}_matches"
            tree = api.query_expression(book, db.dialect.name, table, as_of, DEFAULT_VERDICTS)
            written = database.create_table_as(args.db, target, tree)
    except (SqlUnsupported, database.DatabaseError) as err:
        raise _usage(err, lang) from None
    except Exception as err:  # the driver's own errors: a server that is down, a bad login
        raise UsageError(f"{args.db}: {err}") from None
    print(text("sql.matched", lang, pairs=f"{written:,}", target=target), file=sys.stderr)
    return EXIT_OK


def _write_file(url: str, query: str, out: Path) -> int:
    from policy_match.core.match import EXPORT_HEADER
    from policy_match.data.io.formats import write_rows

    rows = database.run_query(url, query)
    return write_rows(out, EXPORT_HEADER, rows)
