"""How many worker processes one process may run and wait on: a limit of Windows only.

Windows waits on at most 64 handles at once (WaitForMultipleObjects). Python's
ProcessPoolExecutor refuses more than 61 workers there, in every version, and before
Python 3.13 multiprocessing.connection.wait refuses more than 63 connections. A machine
with 64 or more logical CPUs (a Threadripper, a dual Xeon) asking for one worker per CPU
would end in a ValueError traceback instead of working; the app's decode workers and
`landmark-train prepare`'s resize pool are therefore capped through this one rule.
"""

from __future__ import annotations

import sys

ON_WINDOWS = sys.platform == "win32"
# concurrent.futures.process._MAX_WINDOWS_WORKERS (63 handles less the pool's own two);
# under connection.wait's 63 as well.
MOST_WORKERS_ON_WINDOWS = 61


def worker_processes_allowed(wanted: int) -> int:
    """`wanted` worker processes, or at most MOST_WORKERS_ON_WINDOWS on Windows."""
    if ON_WINDOWS:
        return min(wanted, MOST_WORKERS_ON_WINDOWS)
    return wanted
