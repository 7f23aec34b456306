"""Start a child process that a Ctrl-C cannot stop while it is still starting.

A Ctrl-C goes to the whole process group on POSIX, and on Windows to every process
attached to the console: spawned decode workers among them. One still importing (spawn
re-imports numpy, Pillow and rawpy before the worker's own code can ignore Ctrl-C) would
die with a traceback of its own, holding photos it had not decoded yet. The main process
alone decides what stops, and says so.
"""

from __future__ import annotations

import os
import signal
import threading
from contextlib import contextmanager
from typing import Iterator

from app.core import windows_api

ON_WINDOWS = os.name == "nt"
# SetConsoleCtrlHandler's "ignore Ctrl-C" belongs to the whole process: one thread at a time.
_CONSOLE_CTRL_C = threading.Lock()


@contextmanager
def ctrl_c_held_back() -> Iterator[None]:
    """Hold Ctrl-C back from a process started inside: on POSIX SIGINT is blocked in
    this thread and the child inherits the mask (this process gets its Ctrl-C once the
    child is started); on Windows the child inherits "ignore Ctrl-C"
    (_console_ignores_ctrl_c)."""
    if ON_WINDOWS:
        with _console_ignores_ctrl_c():
            yield
        return
    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


@contextmanager
def _console_ignores_ctrl_c() -> Iterator[None]:
    """Have this process ignore Ctrl-C while a child is started, which the child
    inherits (SetConsoleCtrlHandler(NULL, TRUE)), then take Ctrl-C again. A Ctrl-C in
    that moment is lost to this process too; a later one stops the job as ever. Where
    kernel32 cannot be called, nothing is held back."""
    with _CONSOLE_CTRL_C:
        kernel32 = windows_api.kernel32()
        ignoring = False
        if kernel32 is not None:
            try:
                ignoring = bool(kernel32.SetConsoleCtrlHandler(None, True))
            except (AttributeError, OSError):  # a kernel32 without it: start as before
                ignoring = False
        try:
            yield
        finally:
            if ignoring:
                kernel32.SetConsoleCtrlHandler(None, False)
