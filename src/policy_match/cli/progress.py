"""Progress display for long work: a rich spinner with elapsed time on a terminal, nothing
when output is piped (so scripts and CI logs stay clean)."""

from __future__ import annotations

from types import TracebackType
from typing import Any


class Progress:
    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self._progress: Any = None
        self._task: Any = None

    def __enter__(self) -> Progress:
        if self.enabled:
            from rich.progress import Progress as RichProgress
            from rich.progress import SpinnerColumn, TextColumn, TimeElapsedColumn

            self._progress = RichProgress(SpinnerColumn(), TextColumn("{task.description}"),
                                          TimeElapsedColumn(), transient=True)
            self._progress.__enter__()
        return self

    def step(self, description: str) -> None:
        if self._progress is None:
            return
        if self._task is not None:
            self._progress.update(self._task, completed=1, total=1)
        self._task = self._progress.add_task(description, total=None)

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        if self._progress is not None:
            self._progress.__exit__(kind, error, trace)
