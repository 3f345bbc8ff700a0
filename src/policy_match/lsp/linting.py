"""Lint in the background: one worker thread, one lint at a time, the newest text only.

``analysis.lint`` reasons with z3, which must not run two analyses at once in one process,
and takes a second or two on the sample rulebook; so lints run one after another on a
single worker, a lint whose folder has changed since it was asked for is skipped, and each
snapshot's findings are kept (a snapshot is immutable, so they stay right for it).
A lint that fails is logged and leaves the checker's diagnostics standing. Lint needs the
``lint`` extra (z3); without it the server publishes the checker's diagnostics alone.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from policy_match.core.loading import LoadResult
from policy_match.dsl.diagnostics import Diagnostic
from policy_match.lsp.workspace import Snapshot

log = logging.getLogger(__name__)
LintFunction = Callable[[LoadResult], tuple[Diagnostic, ...]]


def available() -> LintFunction | None:
    """``analysis.lint``, or None when its solver is not installed."""
    try:
        from policy_match.analysis import lint
    except ImportError:
        return None
    return lint


class Linter:
    def __init__(self) -> None:
        self.worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="lint")
        self._asked: dict[str, int] = {}  # folder → the newest request's number
        # id(a snapshot's load) → (that load, its findings): the load is kept so the id
        # cannot be reused by another while its entry stands
        self._found: dict[int, tuple[LoadResult, tuple[Diagnostic, ...]]] = {}
        self._lock = threading.Lock()

    def ask(self, snap: Snapshot) -> int:
        """Note that ``snap`` is now its folder's newest text; its request number."""
        with self._lock:
            number = self._asked.get(snap.folder, 0) + 1
            self._asked[snap.folder] = number
            return number

    def is_newest(self, snap: Snapshot, number: int) -> bool:
        with self._lock:
            return self._asked.get(snap.folder) == number

    def findings(self, snap: Snapshot, number: int) -> tuple[Diagnostic, ...] | None:
        """Lint's findings for ``snap``; None when a newer text came first (or it failed)."""
        key = id(snap.result)
        if not self.is_newest(snap, number):
            return None
        with self._lock:
            if key in self._found and self._found[key][0] is snap.result:
                return self._found[key][1]
        lint = available()
        if lint is None:
            return None
        try:
            found = tuple(lint(snap.result))
        except Exception:  # a bug in an analysis must not take the editor's server down
            log.exception("lint failed on %s", snap.folder)
            return None
        with self._lock:
            if len(self._found) > 16:
                self._found.clear()
            self._found[key] = (snap.result, found)
        return found
