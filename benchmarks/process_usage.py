"""CPU time and peak memory of the benchmark's process tree, on every platform the app runs on.

`resource` and /proc are Unix's (and /proc Linux's alone): where they are missing, psutil
answers when it is installed, else the figure is None and printed as "unknown", so a
benchmark still imports and runs on Windows instead of failing at its first line.
"""

from __future__ import annotations

import os
import sys
import threading
from pathlib import Path


def cpu_seconds() -> tuple[float, float | None] | None:
    """(this process's user + system CPU seconds, its waited-for children's; None where the
    platform does not count them), or None where neither resource nor psutil is there."""
    try:
        import resource
    except ImportError:  # Windows
        return _psutil_cpu_seconds()
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime, children.ru_utime + children.ru_stime


def _psutil_cpu_seconds() -> tuple[float, float | None] | None:
    try:
        import psutil
    except ImportError:
        return None
    times = psutil.Process().cpu_times()
    children = None
    if sys.platform != "win32":  # Windows reports 0 for children, which would read as "no cost"
        children = times.children_user + times.children_system
    return times.user + times.system, children


def cpu_used(before, after) -> tuple[float | None, float | None]:
    """(own, children) CPU seconds between two cpu_seconds() readings; None where unknown."""
    if before is None or after is None:
        return None, None
    own = after[0] - before[0]
    children = None if before[1] is None or after[1] is None else after[1] - before[1]
    return own, children


class TreeMemory:
    """Peak resident memory of this process plus its descendants, sampled every 0.25 s;
    `peak` is None when this platform gives no way to read it (no /proc, no psutil)."""

    def __init__(self, root_pid: int | None = None) -> None:
        self.root = root_pid or os.getpid()
        self.peak: int | None = 0 if _can_read_rss() else None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> "TreeMemory":
        if self.peak is not None:
            self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()

    def _run(self) -> None:
        while not self._stop.wait(0.25):
            self.peak = max(self.peak or 0, self.current())

    def current(self) -> int:
        """RSS of the process tree: through /proc/PID/task/TID/children where there is /proc
        (cheap: scanning all of /proc every tick would itself slow the measured run), else psutil."""
        if not Path("/proc/self/status").is_file():
            return _psutil_tree_rss(self.root)
        total, frontier, seen = 0, [self.root], set()
        while frontier:
            pid = frontier.pop()
            if pid in seen:
                continue
            seen.add(pid)
            total += _rss(pid)
            try:
                for task in os.listdir(f"/proc/{pid}/task"):
                    text = Path(f"/proc/{pid}/task/{task}/children").read_text()
                    frontier.extend(int(child) for child in text.split())
            except (OSError, ValueError):
                continue
        return total


def _can_read_rss() -> bool:
    if Path("/proc/self/status").is_file():
        return True
    try:
        import psutil  # noqa: F401
    except ImportError:
        return False
    return True


def _rss(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def _psutil_tree_rss(root: int) -> int:
    import psutil

    try:
        process = psutil.Process(root)
        tree = [process, *process.children(recursive=True)]
    except psutil.Error:
        return 0
    total = 0
    for member in tree:
        try:
            total += member.memory_info().rss
        except psutil.Error:  # ended between the listing and the reading
            continue
    return total


def peak_mb(memory: TreeMemory) -> float | None:
    """The peak a TreeMemory saw, in MB; None where it could not be read."""
    return None if memory.peak is None else memory.peak / 2**20


def shown_mb(value: float | None) -> str:
    """'528 MB', or 'unknown' where the size could not be read."""
    return "unknown" if value is None else f"{value:.0f} MB"
