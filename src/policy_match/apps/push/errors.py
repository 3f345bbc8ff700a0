"""Why a ledger cannot be used, in Chinese and English: every ``sqlite3`` error a ledger
operation meets becomes a :class:`LedgerError` naming the file and the kind of trouble, so
the command line prints one line (exit status 2) instead of a traceback.

The words are the message catalogue's ``ledger.*`` entries (``base/messages.py``).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from policy_match.base.messages import Lang, text

LEDGER_ERRORS = ("not_sqlite", "not_ledger", "corrupt", "altered", "inconsistent", "newer",
                 "busy", "io", "wal", "migrate")
"""The kinds of trouble; their words are the catalogue's ``ledger.<kind>``."""


class LedgerError(Exception):
    """A ledger that cannot be used: not SQLite, damaged, altered, newer, busy, unwritable.

    ``code`` is a key of :data:`LEDGER_ERRORS`; ``str()`` gives the Chinese sentence with the
    English one after it (:meth:`text` gives one language)."""

    def __init__(self, code: str, path: str | Path, detail: str = "") -> None:
        self.code = code
        self.path = str(path)
        self.detail = detail
        super().__init__(f"{self.text(Lang.ZH)} / {self.text(Lang.EN)}")

    def text(self, lang: Lang | str = Lang.ZH) -> str:
        how = text("ledger.how_to_check", lang, path=self.path)
        return text(f"ledger.{self.code}", lang, path=self.path, detail=self.detail, how=how)


def classify(exc: sqlite3.Error) -> str:
    """The :data:`LEDGER_ERRORS` code of an ``sqlite3`` error met on a ledger."""
    name = getattr(exc, "sqlite_errorname", "") or ""
    text = str(exc).lower()
    if name == "SQLITE_NOTADB" or "not a database" in text:
        return "not_sqlite"
    if name.startswith("SQLITE_CORRUPT") or "malformed" in text or "corrupt" in text:
        return "corrupt"
    if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")) or "locked" in text:
        return "busy"
    if name.startswith(("SQLITE_IOERR", "SQLITE_FULL", "SQLITE_CANTOPEN", "SQLITE_READONLY",
                        "SQLITE_PERM", "SQLITE_AUTH")):
        return "io"
    if name.startswith("SQLITE_CONSTRAINT"):
        return "inconsistent"
    if "no such" in text or "has no column" in text or "columns" in text:
        return "altered"
    return "corrupt"


def ledger_error(path: str | Path, exc: sqlite3.Error) -> LedgerError:
    """The :class:`LedgerError` for ``exc``, met on the ledger at ``path``."""
    return LedgerError(classify(exc), path, str(exc))
