"""Progress reporting for long work: a rich bar on a terminal, plain lines otherwise.

Plain lines (``importing: 5000/20000``) keep logs and subprocess callers able to
follow the work, which a redrawn bar does not.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn


class Reporter:
    """Advances one task of a progress display."""

    def __init__(self, console: Console, label: str, total: int, progress: Progress | None) -> None:
        self._console = console
        self._label = label
        self._total = total
        self._done = 0
        self._progress = progress
        self._task = progress.add_task(label, total=total) if progress is not None else None

    def advance(self, amount: int) -> None:
        """Record ``amount`` more units done (plain lines: at most one per 5 % step)."""
        before = self._done
        self._done += amount
        if self._progress is not None and self._task is not None:
            self._progress.update(self._task, completed=self._done)
            return
        step = max(self._total // 20, 1)
        if amount and (self._done // step != before // step or self._done >= self._total):
            self._console.print(f"{self._label}: {self._done}/{self._total}", highlight=False)


@contextmanager
def progress(console: Console, label: str, total: int) -> Iterator[Reporter]:
    """A progress reporter for ``total`` units of work."""
    if console.is_terminal:
        columns = (
            TextColumn("{task.description}", markup=False),  # labels may name user input
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
        )
        with Progress(*columns, console=console, transient=True) as bar:
            yield Reporter(console, label, total, bar)
    else:
        yield Reporter(console, label, total, None)
