"""Where a folder picker opens (Add folder…, Locate folder…) without freezing the window:
whether a folder is there is asked of the disk in a daemon thread, waited for a moment
only, since on a network drive that stopped answering one stat or listing can take
minutes (and a picker opened in such a folder would hang too). No answer in time counts
as none: the picker opens in the home folder. A folder whose last check still hangs is not
asked again: each click on a dead drive would leave one more thread stuck there."""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Callable, Hashable, Iterable, TypeVar

from app.core.relocate import twin_of_missing
from app.gui.folder_probes import FolderProbes

CHECK_WAIT_S = 0.3  # a disk that answers does so in microseconds; a dead one never
T = TypeVar("T")
CHECKS = FolderProbes("picker-start")  # threads are the process's: so are the checks still hanging


def answer_within(folder: Hashable, work: Callable[[], T], wait_s: float = CHECK_WAIT_S) -> T | None:
    """work()'s answer about `folder` when it comes within `wait_s`, else None (or when it
    raised, or when the last check of `folder` still hangs: no answer is coming). It runs in
    a daemon thread, so one that never returns does not hold up closing the app."""
    done, answers = threading.Event(), []

    def take(answer: T | None) -> None:  # a check that failed gives None: home is the fallback
        answers.append(answer)
        done.set()

    if not CHECKS.start(folder, work, take):
        return None
    done.wait(wait_s)
    return answers[0] if answers else None


def first_folder(paths: Iterable[str | Path]) -> str | None:
    """The first of these paths that is a folder (asks the disk: may block)."""
    return next((str(path) for path in paths if os.path.isdir(path)), None)


def start_folder(paths: Iterable[str | Path], wait_s: float = CHECK_WAIT_S) -> str:
    """The first of `paths` that the disk says is a folder within `wait_s`; else home."""
    paths = tuple(str(path) for path in paths)
    return answer_within(paths, lambda: first_folder(paths), wait_s) or str(Path.home())


def start_folder_for_missing(folder: str, wait_s: float = CHECK_WAIT_S) -> str:
    """Where to look for a library folder not found: the folder a sync tool respelled it
    to, ready to choose, else its nearest parent that is there; home when the disk does
    not answer within `wait_s`."""
    def nearest() -> str | None:
        return twin_of_missing(folder) or first_folder(Path(folder).parents)

    return answer_within(folder, nearest, wait_s) or str(Path.home())
