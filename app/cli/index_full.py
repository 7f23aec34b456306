"""One line for a `scan`, `tag` or `undo` that the disk holding the index stopped by
filling up: how much was done before, and that the same command, once space is freed,
carries on (each stores its work as it goes). Before, the user read only "cannot use the
index … free some space", and an undo that had already put photos back did not say so.
(`write` says it in its own closing lines.)"""

from __future__ import annotations

import sqlite3
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

from app.core.errors import IndexStoreError
from app.core.progress import Progress, ProgressCallback


class IndexFilledError(IndexStoreError):
    """The index's disk filled up under a command that stores its work as it goes."""


@dataclass
class ProgressSeen:
    """A progress callback that remembers the last report it passed on (to `forward`,
    when there is one): how far the command got when the index failed."""

    forward: ProgressCallback | None = None
    done: int = 0
    total: int | None = None
    message: str = ""

    def __call__(self, progress: Progress) -> None:
        self.done, self.total, self.message = progress.done, progress.total, progress.message
        if self.forward is not None:
            self.forward(progress)


def no_space_for_the_index(db: str | Path, error: BaseException) -> bool:
    """Whether SQLite's `error` comes from the index's disk being full."""
    from app.core.index.open_failures import disk_trouble, is_disk_full

    return is_disk_full(error) or (disk_trouble(db, error) or "").startswith("no space left")


@contextmanager
def said_when_the_index_fills(verb: str, db: str | Path, done: Callable[[], str | None],
                              again: str, rest: str = "carries on") -> Iterator[None]:
    """Turn a full index disk under the block into IndexFilledError: "`verb` stopped, no
    space left on the disk holding the index (DB): DONE; free some space, then `AGAIN`
    again REST". `done` is asked only then (None, or failing itself: not said)."""
    try:
        yield
    except sqlite3.OperationalError as error:
        if not no_space_for_the_index(db, error):
            raise
        try:
            so_far = done()
        except sqlite3.Error:  # the index cannot even be read now: the rest still helps
            so_far = None
        where = Path(db).expanduser()
        raise IndexFilledError(f"{verb} stopped, no space left on the disk holding the index ({where})"
                               f"{': ' + so_far if so_far else ''}; free some space, then `{again}` "
                               f"again {rest}") from error
