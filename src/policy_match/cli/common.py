"""What every command shares: exit codes, argument types, loading with clean errors."""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import importlib
import json
import os
import sys
from collections.abc import Callable, Iterator, Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

from policy_match.base.messages import text
from policy_match.core.errors import RuleError
from policy_match.core.loading import load, rule_files
from policy_match.core.rulebook import Rulebook
from policy_match.data.table import EnterpriseTable
from policy_match.dsl.diagnostics import Code, Diagnostic, render_json, render_text
from policy_match.dsl.folder_hint import declared_names, with_folder_hints

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2


class UsageError(Exception):
    """Bad input named on the command line: reported in one line, exit 2."""


def existing(path: str) -> Path:
    p = Path(path)
    if not p.exists():
        raise argparse.ArgumentTypeError(f"{path} does not exist")
    return p


def date_arg(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text} is not a date (YYYY-MM-DD)") from None


def load_book(path: Path, lang: str | None = None, fmt: str = "text") -> Rulebook:
    """The rulebook at ``path``; when it does not load, its problems (with the folder hint
    of a file checked alone) printed in ``lang`` (default: the locale's) and exit 1 — as
    text on standard error, or with ``fmt="json"`` as one JSON document on standard output."""
    try:
        return load(path)
    except RuleError as err:
        lang = lang or locale_lang()
        found = folder_hints(err.diagnostics, path)
        if fmt == "json":
            print(failure_json(found, lang))
        else:
            print(render_text(found, err.sources, lang=lang), file=sys.stderr)
        raise SystemExit(EXIT_FINDINGS) from None


def failure_json(diagnostics: tuple[Diagnostic, ...], lang: str) -> str:
    """A rulebook that did not load, as the one JSON document of a ``--format json`` run."""
    errors = sum(d.is_error for d in diagnostics)
    return json.dumps({"ok": False, "loaded": False, "lang": lang, "errors": errors,
                       "diagnostics": json.loads(render_json(diagnostics, lang))},
                      ensure_ascii=False, indent=2)


def folder_hints(diagnostics: tuple[Diagnostic, ...], path: Path) -> tuple[Diagnostic, ...]:
    """One file checked alone: an unknown name declared by another ``.rule`` file of its
    folder gets a hint to check the folder (``dsl/folder_hint.py``). Every command that
    reports a rulebook's problems (check, lint, test, …) gives it through here."""
    if not path.is_file() or not any(d.code is Code.NAME for d in diagnostics):
        return diagnostics
    siblings = {}
    for file in rule_files(path.parent):
        if file.resolve() != path.resolve():
            try:
                siblings[str(file)] = file.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                continue  # an unreadable neighbour gives no hint; the folder check says why
    elsewhere = declared_names(siblings)
    if not elsewhere:
        return diagnostics
    return with_folder_hints(diagnostics, elsewhere, str(path.parent))


def read_record(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise UsageError(f"{path}: not a JSON record: {exc}") from None
    if not isinstance(data, dict):
        raise UsageError(f"{path}: a record is a JSON object {{\"标签\": 值, …}}")
    return data


def policy_id_arg(book: Rulebook, policy_id: str | None) -> str | None:
    if policy_id is not None and policy_id not in book.policies:
        from policy_match.dsl.suggest import did_you_mean

        hint = did_you_mean(policy_id, book.policies)
        raise UsageError(f"no policy {policy_id!r}" + (f"; {hint}" if hint else ""))
    return policy_id


def jsonable(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, frozenset | set):
        return sorted(value)
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def load_table(path: Path, book: Rulebook) -> Any:
    """An enterprise table by extension; an unreadable file is a usage error, not a crash."""
    from policy_match.data.table import EnterpriseTable

    try:
        return EnterpriseTable.load(path, book)
    except (OSError, ValueError) as exc:
        raise UsageError(f"{path}: {exc}") from None


def load_and_match(progress: Any, book: Rulebook, data: Path, as_of: dt.date) -> tuple[Any, Any]:
    """Read the table and match it, each a step on the caller's progress display."""
    progress.step(f"读取 {data}")
    table = load_table(data, book)
    progress.step(f"匹配 {len(table):,} 家企业 × {len(book.policies)} 项政策")
    return table, book.match(table, as_of=as_of)


def interactive(args: argparse.Namespace) -> bool:
    """Progress is shown on a terminal, never when piped or asked to be quiet."""
    return sys.stderr.isatty() and not getattr(args, "quiet", False)


def report_load_errors(table: EnterpriseTable, limit: int, lang: str = "zh") -> bool:
    """Every problem of the load (the first ``limit`` listed, all counted) and the counts,
    which add up to the rows in the file; whether anything was rejected."""

    errors = table.errors
    for error in errors[:limit]:
        print(f"  {error.text(lang)}", file=sys.stderr)
    if len(errors) > limit:
        print(text("load.more", lang, more=f"{len(errors) - limit:,}"), file=sys.stderr)
    print(table.counts.text(table.source, lang), file=sys.stderr)
    return bool(errors)


def add_load_options(parser: argparse.ArgumentParser) -> None:
    """What a command that reads an enterprise table takes about the table's problems."""
    parser.add_argument("--max-errors", type=int, default=20,
                        help="how many load errors to list (all are counted)")
    parser.add_argument("--allow-errors", action="store_true",
                        help="exit 0 even when values, rows or columns were rejected")
    add_lang_option(parser)


def load_status(table: EnterpriseTable, args: argparse.Namespace, status: int = EXIT_OK
                ) -> int:
    """The report at the end of a command that read a table: exit 1 when anything was
    rejected (the rest was processed), unless ``--allow-errors``."""

    lang = lang_of(args)
    rejected = report_load_errors(table, getattr(args, "max_errors", 20), lang)
    if rejected and not getattr(args, "allow_errors", False):
        print(text("load.exit", lang), file=sys.stderr)
        return max(status, EXIT_FINDINGS)
    return status


# ---- the reader's language ------------------------------------------------------------------

_LOCALE_VARIABLES = ("LC_ALL", "LC_MESSAGES", "LANG")  # POSIX precedence, first set wins


def locale_lang(environ: Mapping[str, str] | None = None) -> str:
    """``zh`` when the locale is Chinese (``LC_ALL``, else ``LC_MESSAGES``, else ``LANG``
    starting with ``zh``: ``zh_CN.UTF-8``), else ``en``."""
    env = os.environ if environ is None else environ
    for name in _LOCALE_VARIABLES:
        value = env.get(name, "")
        if value:
            return "zh" if value.lower().startswith("zh") else "en"
    return "en"


LANG_HELP = ("language of the messages (default: from the locale, LC_ALL/LC_MESSAGES/LANG "
             "starting with zh → zh, else en)")


def add_lang_option(parser: argparse.ArgumentParser, purpose: str = LANG_HELP) -> None:
    """``--lang zh|en``, the one definition every command that prints messages people read
    takes; without it (``None``), :func:`lang_of` gives the locale's."""
    parser.add_argument("--lang", choices=("zh", "en"), default=None, help=purpose)


def lang_of(args: argparse.Namespace) -> str:
    """The language asked for with ``--lang``, else the locale's."""
    return getattr(args, "lang", None) or locale_lang()



def lazy_command(module: str, function: str, extra: str) -> Callable[[argparse.Namespace], int]:
    """A command whose code (and the optional libraries it needs) is imported only when it
    runs; a missing library becomes a usage error naming the extra that brings it."""

    def run(args: argparse.Namespace) -> int:
        with needs_extra(args, extra):
            commands = importlib.import_module(f"policy_match.cli.{module}")
        return int(getattr(commands, function)(args))

    return run


@contextlib.contextmanager
def needs_extra(args: argparse.Namespace, extra: str) -> Iterator[None]:
    """Imports inside this block that fail for a missing optional library become a usage
    error that names the extra to install."""
    try:
        yield
    except ImportError as err:
        raise UsageError(text("cli.needs_extra", lang_of(args), extra=extra,
                              module=err.name or "?")) from err
