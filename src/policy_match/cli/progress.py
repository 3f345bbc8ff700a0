"""Progress display for long work: on a terminal, each step a bar with what is done of the
total, the percentage, the rate and the time left (rich); nothing when output is piped (so
scripts and CI logs stay clean).

The library reports progress through plain callables ``progress(done, total)`` (a
parameter of ``Rulebook.match``, ``EnterpriseTable.load``, ``roster``, ``plan`` …) and
knows nothing of terminals; :meth:`Progress.track` makes such a callable for one step.
"""

from __future__ import annotations

from collections.abc import Callable
from types import TracebackType
from typing import Any

Callback = Callable[[int, int], None]


def _quiet(done: int, total: int) -> None:
    """The callback when nothing is shown."""


class Progress:
    def __init__(self, enabled: bool, console: Any = None) -> None:
        self.enabled = enabled
        self._console = console
        self._progress: Any = None
        self._task: Any = None

    def __enter__(self) -> Progress:
        if self.enabled:
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                SpinnerColumn,
                TaskProgressColumn,
                TextColumn,
                TimeElapsedColumn,
                TimeRemainingColumn,
            )
            from rich.progress import Progress as RichProgress

            self._progress = RichProgress(
                SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
                MofNCompleteColumn(), TaskProgressColumn(),
                TextColumn("{task.fields[rate]}"), TimeElapsedColumn(),
                TextColumn("剩余"), TimeRemainingColumn(),
                transient=True, console=self._console or Console(stderr=True))
            self._progress.__enter__()
        return self

    def step(self, description: str, total: int | None = None) -> None:
        """A new step (the previous one marked done); ``total``: its units, when known."""
        if self._progress is None:
            return
        if self._task is not None:
            task = self._progress.tasks[-1]
            self._progress.update(self._task, completed=task.total or 1, total=task.total or 1)
        self._task = self._progress.add_task(description, total=total, rate="")

    def track(self, description: str, unit: str = "") -> Callback:
        """A new step, and the callable the library calls with ``(done, total)``."""
        if self._progress is None:
            return _quiet
        self.step(description)
        task = self._task

        def update(done: int, total: int) -> None:
            speed = next((t.speed for t in self._progress.tasks if t.id == task), None)
            rate = f"{speed:,.0f} {unit}/s" if speed else ""
            self._progress.update(task, completed=done, total=total, rate=rate)

        return update

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        if self._progress is not None:
            self._progress.__exit__(kind, error, trace)
