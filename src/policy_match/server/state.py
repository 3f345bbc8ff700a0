"""What the portal serves: a :class:`Snapshot` (one checked rulebook, the enterprise table read
against it, when and from what it was loaded) and the :class:`Service` that holds the current
one, reloads it when the rules folder changes and swaps it in whole.

A request reads ``service.snapshot`` once and works on that object only: a reload never
changes a snapshot, it replaces the reference (one assignment, atomic in Python), so a
request never sees half of one rulebook and half of another. A rulebook with errors is
never swapped in: the old one keeps serving and the errors ride on a copy of the old
snapshot (``errors``) for ``/healthz`` and ``/staff``.

"Today" is asked of an injectable clock (``Service(today=...)``) on every request, so an
item leaves the public lists the day after its 适用时间 ends, by China's date, without a
restart; tests pass a clock they can move.
"""

from __future__ import annotations

import datetime as dt
import gc
import hashlib
import logging
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from policy_match.base import clock
from policy_match.core.loading import inspect, rule_files
from policy_match.core.rulebook import Rulebook
from policy_match.data.table import EnterpriseTable
from policy_match.dsl.diagnostics import Diagnostic
from policy_match.server.tokens import Tokens

__all__ = ["LoadFailed", "Service", "Snapshot", "Tokens", "load_snapshot", "rules_version"]

log = logging.getLogger("policy_match.server")

POLL_SECONDS = 1.0  # how often the watcher looks at the rules folder's files


def rules_version(sources: Mapping[str, str]) -> str:
    """A short content hash of the rule texts: equal texts, equal version, on any machine."""
    digest = hashlib.sha256()
    for path in sorted(sources):
        digest.update(Path(path).name.encode("utf-8") + b"\0")
        digest.update(sources[path].encode("utf-8") + b"\0")
    return digest.hexdigest()[:12]


@dataclass(frozen=True)
class Snapshot:
    """One loaded rulebook and what was read against it; never changed once made.

    ``cache`` holds what is computed from the snapshot alone (清单 rows, matches per day):
    it lives and dies with the snapshot, so a reload can never serve a stale answer."""

    book: Rulebook
    table: EnterpriseTable | None
    version: str
    loaded_at: dt.datetime
    errors: tuple[Diagnostic, ...] = ()  # of the last failed reload; empty when fine
    sources: Mapping[str, str] = field(default_factory=dict)
    error_sources: Mapping[str, str] = field(default_factory=dict)  # texts the errors point at
    cache: dict[Any, Any] = field(default_factory=dict, compare=False, repr=False)
    # re-entrant: a value made under the lock may ask for another (the outbox asks for the
    # day's match); a plain lock deadlocked when the match was not made yet
    lock: threading.RLock = field(default_factory=threading.RLock, compare=False,
                                  repr=False)

    def cached(self, key: Any, make: Callable[[], Any]) -> Any:
        """``make()`` once per snapshot and key (thread-safe; concurrent askers wait)."""
        found = self.cache.get(key, _ABSENT)
        if found is not _ABSENT:
            return found
        with self.lock:
            found = self.cache.get(key, _ABSENT)
            if found is _ABSENT:
                found = self.cache[key] = make()
        return found

    @property
    def healthy(self) -> bool:
        return not self.errors


_ABSENT = object()


class LoadFailed(Exception):
    """The rulebook (or the table) could not be loaded: ``diagnostics`` say why."""

    def __init__(self, diagnostics: tuple[Diagnostic, ...], sources: Mapping[str, str],
                 message: str = "") -> None:
        self.diagnostics = diagnostics
        self.sources = dict(sources)
        super().__init__(message or "; ".join(d.message for d in diagnostics if d.is_error))


def load_snapshot(rules: Path, data: Path | None) -> Snapshot:
    """Load and check the rulebook at ``rules`` and read ``data`` against it; raises
    :class:`LoadFailed` when the rulebook has errors."""
    found = inspect(rules)
    if found.rulebook is None:
        raise LoadFailed(tuple(d for d in found.diagnostics if d.is_error), found.sources)
    book = found.rulebook
    table = EnterpriseTable.load(data, book.schema) if data is not None else None
    return Snapshot(book, table, rules_version(found.sources), clock.now(),
                    sources=dict(found.sources))


def files_signature(rules: Path) -> tuple[tuple[str, int, int], ...]:
    """What the watcher compares: every rule file's path, size and modification time."""
    out: list[tuple[str, int, int]] = []
    try:
        files = rule_files(rules) if rules.exists() else []
    except OSError:
        return ()
    for path in files:
        try:
            st = path.stat()
        except OSError:
            continue  # removed while listing: the next look sees the folder as it is
        out.append((str(path), st.st_size, st.st_mtime_ns))
    return tuple(out)


class Service:
    """The current snapshot, the clock, and the watcher that reloads the rules folder."""

    def __init__(self, rules: Path, data: Path | None = None, *,
                 today: Callable[[], dt.date] = clock.today,
                 poll_seconds: float = POLL_SECONDS) -> None:
        self.rules = Path(rules)
        self.data = Path(data) if data is not None else None
        self.today = today
        self.poll_seconds = poll_seconds
        self._signature = files_signature(self.rules)
        self._snapshot = load_snapshot(self.rules, self.data)  # raises LoadFailed
        self._reload_lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def snapshot(self) -> Snapshot:
        """The snapshot serving now (read it once per request)."""
        return self._snapshot

    def reload(self) -> bool:
        """Load the rules folder again; swap the new snapshot in when it is clean and return
        True, else keep the old one serving (with the errors attached) and return False."""
        with self._reload_lock:
            # a serving process collects only young objects on its own (app.tune_collector):
            # the rulebook the previous reload replaced, no longer answering, is freed here
            gc.collect()
            self._signature = files_signature(self.rules)
            old = self._snapshot
            try:
                new = load_snapshot(self.rules, self.data)
            except LoadFailed as failed:
                log.warning("rulebook reload failed, still serving %s: %s", old.version, failed)
                self._snapshot = replace(old, errors=failed.diagnostics,
                                         error_sources=failed.sources)
                return False
            except Exception:  # a table that no longer reads: keep serving, say so in the log
                log.exception("reload failed, still serving %s", old.version)
                return False
            self._snapshot = new
            log.info("rulebook %s loaded (%d items)", new.version, len(new.book.policies))
            return True

    def changed(self) -> bool:
        return files_signature(self.rules) != self._signature

    def poll(self) -> bool | None:
        """Reload when a rule file changed since the last load; None when nothing changed."""
        return self.reload() if self.changed() else None

    def start(self) -> None:
        """Start watching the rules folder (a daemon thread polling file times)."""
        if self._thread is not None:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._watch, name="rules-watcher", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def _watch(self) -> None:
        while not self._stop.wait(self.poll_seconds):
            try:
                self.poll()
            except Exception:  # the watcher must outlive any surprise; the log keeps it
                log.exception("rules watcher")
