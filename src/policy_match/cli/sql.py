"""`policy-match sql …`: the arguments. The commands themselves (``cli/sql_commands.py``)
import the SQL backend only when run, so the command line works without the ``sql`` extra."""

from __future__ import annotations

import argparse
from typing import Any

from policy_match.cli.common import (
    add_lang_option,
    add_load_options,
    date_arg,
    existing,
    lazy_command,
)
from policy_match.dsl.ir import Verdict

DEFAULT_VERDICTS = (Verdict.ELIGIBLE.value, Verdict.UNKNOWN.value)


def verdicts_arg(value: str) -> tuple[str, ...]:
    """The comma-separated words of ``--verdicts``, checked when the command runs (where
    ``--lang`` is known, so an unknown verdict is reported in the language asked for)."""
    return tuple(w.strip() for w in value.split(",") if w.strip()) or (value,)


def _common(parser: argparse.ArgumentParser, dialect: bool) -> None:
    parser.add_argument("rules", type=existing)
    if dialect:
        parser.add_argument("--dialect", default="duckdb",
                            help="SQL dialect: duckdb, postgres or spark (default duckdb)")
    parser.add_argument("--table", default="enterprises",
                        help="the enterprise table (default enterprises; schema.table allowed)")


def register(sub: Any) -> None:
    sql = sub.add_parser("sql", help="run the rules where the enterprise library lives "
                                     "(DuckDB, PostgreSQL, Spark SQL)")
    commands = sql.add_subparsers(dest="sql_command", required=True, metavar="SQL_COMMAND")

    schema = commands.add_parser("schema", help="the CREATE TABLE of an enterprise library")
    _common(schema, dialect=True)
    add_lang_option(schema)
    schema.set_defaults(run=lazy_command("sql_commands", "_cmd_schema", "sql"))

    compile_ = commands.add_parser("compile", help="the rulebook as one SQL query")
    _common(compile_, dialect=True)
    compile_.add_argument("--as-of", type=date_arg, help="evaluation date (default: today)")
    compile_.add_argument("--verdicts", type=verdicts_arg, default=DEFAULT_VERDICTS,
                          help="verdicts to return, comma-separated "
                               "(default eligible,unknown)")
    add_lang_option(compile_)
    compile_.set_defaults(run=lazy_command("sql_commands", "_cmd_compile", "sql"))

    load = commands.add_parser("load", help="write an enterprise table into a database")
    _common(load, dialect=False)
    load.add_argument("data", type=existing, help=".csv, .jsonl, .xlsx or .parquet")
    load.add_argument("--db", required=True,
                      help="duckdb:///path.duckdb or postgresql://user@host:port/db")
    load.add_argument("--if-exists", choices=("fail", "replace", "append"), default="fail")
    add_load_options(load)
    load.set_defaults(run=lazy_command("sql_commands", "_cmd_load", "sql"))

    explain = commands.add_parser("explain", help="why one enterprise of a database table "
                                                  "does or does not qualify (exact)")
    _common(explain, dialect=False)
    explain.add_argument("enterprise", help="the enterprise's id (its key tag's value)")
    explain.add_argument("policy", nargs="?", help="one policy id (default: every active one)")
    explain.add_argument("--db", required=True, help="duckdb:///… or postgresql://…")
    explain.add_argument("--as-of", type=date_arg, help="evaluation date (default: today)")
    explain.add_argument("--format", choices=("text", "json"), default="text")
    add_lang_option(explain)
    explain.set_defaults(run=lazy_command("sql_commands", "_cmd_explain", "sql"))
