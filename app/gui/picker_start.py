"""Where a folder picker opens (Add folder…, Locate folder…) without freezing the window:
whether a folder is there is asked of the disk in a daemon thread, waited for a moment
only, since on a network drive that stopped answering one stat or listing can take
minutes (and a picker opened in such a folder would hang too). No answer in time counts
as none: the picker opens in the home folder."""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Callable, Iterable, TypeVar

from app.core.relocate import twin_of_missing

CHECK_WAIT_S = 0.3  # a disk that answers does so in microseconds; a dead one never
T = TypeVar("T")


def answer_within(work: Callable[[], T], wait_s: float = CHECK_WAIT_S) -> T | None:
    """work()'s answer when it comes within `wait_s`, else None (or when it raised). It runs
    in a daemon thread, so one that never returns does not hold up closing the app."""
    done, answers = threading.Event(), []

    def run() -> None:
        try:
            answers.append(work())
        except Exception:  # a check that fails is no answer: home is the fallback
            pass
        finally:
            done.set()

    threading.Thread(target=run, name="picker-start", daemon=True).start()
    done.wait(wait_s)
    return answers[0] if answers else None


def first_folder(paths: Iterable[str | Path]) -> str | None:
    """The first of these paths that is a folder (asks the disk: may block)."""
    return next((str(path) for path in paths if os.path.isdir(path)), None)


def start_folder(paths: Iterable[str | Path], wait_s: float = CHECK_WAIT_S) -> str:
    """The first of `paths` that the disk says is a folder within `wait_s`; else home."""
    paths = list(paths)
    return answer_within(lambda: first_folder(paths), wait_s) or str(Path.home())


def start_folder_for_missing(folder: str, wait_s: float = CHECK_WAIT_S) -> str:
    """Where to look for a library folder not found: the folder a sync tool respelled it
    to, ready to choose, else its nearest parent that is there; home when the disk does
    not answer within `wait_s`."""
    def nearest() -> str | None:
        return twin_of_missing(folder) or first_folder(Path(folder).parents)

    return answer_within(nearest, wait_s) or str(Path.home())
