"""Progress reporting and cancellation for long jobs.

The core reports through a plain callback and checks a CancelToken; the CLI turns
that into a progress bar and the GUI's workers turn it into Qt signals.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Callable

from app.core.errors import Cancelled


@dataclass(frozen=True)
class Progress:
    """One progress report: `done` of `total` items (total None when unknown)."""

    done: int
    total: int | None
    message: str = ""
    started_at: float = field(default_factory=time.monotonic)

    @property
    def rate(self) -> float | None:
        """Items per second since the job started."""
        elapsed = time.monotonic() - self.started_at
        if elapsed <= 0 or self.done == 0:
            return None
        return self.done / elapsed

    @property
    def eta_s(self) -> float | None:
        """Seconds left at the current rate, when the total is known."""
        rate = self.rate
        if rate is None or self.total is None:
            return None
        return max(0.0, (self.total - self.done) / rate)


ProgressCallback = Callable[[Progress], None]


def no_progress(_: Progress) -> None:
    """A progress callback that ignores reports."""


class CancelToken:
    """A thread-safe cancel flag that a job polls between items."""

    def __init__(self) -> None:
        self._event = threading.Event()
        self._by_user = True

    def cancel(self, by_user: bool = True) -> None:
        """Ask the job to stop. `by_user` False: a signal the user did not give here
        (SIGTERM: a shutdown, a logout, `kill`), so a job that can go on later leaves
        its work to be carried on, as after a kill, rather than closed as the user's
        choice. The first request decides."""
        if not self._event.is_set():
            self._by_user = by_user
        self._event.set()

    @property
    def by_user(self) -> bool:
        """Whether the stop (if any) was the user's own: Ctrl-C here, the app's Cancel."""
        return self._by_user

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def raise_if_cancelled(self) -> None:
        """Raise Cancelled when the user asked to stop."""
        if self._event.is_set():
            raise Cancelled("cancelled by the user")
