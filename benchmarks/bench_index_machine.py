"""Describe the machine a benchmark ran on (figures mean little without it)."""

from __future__ import annotations

import os
import platform
import sqlite3


def cpu_name() -> str:
    """The CPU model from /proc/cpuinfo, else what platform knows."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            for line in handle:
                if line.lower().startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def machine_description() -> str:
    model = cpu_name()
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return (
        f"machine: {usable} usable CPUs (os.cpu_count()={os.cpu_count()}), {model}; "
        f"Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}, {platform.system()} {platform.release()}"
    )


def load_average() -> str:
    try:
        one, five, _ = os.getloadavg()
        return f"load average during the run: {one:.1f} (1 min), {five:.1f} (5 min)"
    except OSError:
        return "load average: unknown"
