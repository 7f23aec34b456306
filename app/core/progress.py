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

    def cancel(self) -> None:
        self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def raise_if_cancelled(self) -> None:
        """Raise Cancelled when the user asked to stop."""
        if self._event.is_set():
            raise Cancelled("cancelled by the user")
