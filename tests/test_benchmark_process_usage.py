"""benchmarks/tagging.py imports and measures on a platform without `resource` (Windows):
CPU time through psutil when installed, else unknown, and peak RSS "unknown" where it
cannot be read, never a crash at import or a 0 MB that looks like a figure."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"


def load(name: str, monkeypatch):
    monkeypatch.syspath_prepend(str(BENCHMARKS))  # as when run as a script: its folder is on sys.path
    monkeypatch.delitem(sys.modules, "process_usage", raising=False)
    spec = importlib.util.spec_from_file_location(f"{name}_under_test", BENCHMARKS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def without_resource(monkeypatch):
    monkeypatch.setitem(sys.modules, "resource", None)  # `import resource` raises ImportError, as on Windows


def test_the_tagging_benchmark_imports_without_resource(without_resource, monkeypatch):
    module = load("tagging", monkeypatch)
    assert callable(module.measure_end_to_end)


def test_psutil_gives_the_cpu_time_where_resource_is_missing(monkeypatch):
    pytest.importorskip("psutil")  # (psutil itself imports resource on Linux: its reading is called directly)
    usage = load("process_usage", monkeypatch)
    own, children = usage._psutil_cpu_seconds()
    assert own > 0 and (children is None) == (sys.platform == "win32")


def test_without_resource_and_psutil_cpu_and_rss_are_unknown(without_resource, monkeypatch):
    monkeypatch.setitem(sys.modules, "psutil", None)
    usage = load("process_usage", monkeypatch)
    assert usage.cpu_seconds() is None
    assert usage.cpu_used(None, None) == (None, None)
    monkeypatch.setattr(usage, "_can_read_rss", lambda: False)  # no /proc either: not Linux
    with usage.TreeMemory() as memory:
        pass
    assert usage.peak_mb(memory) is None and usage.shown_mb(usage.peak_mb(memory)) == "unknown"


def test_psutil_reads_the_rss_where_there_is_no_proc(monkeypatch):
    pytest.importorskip("psutil")
    usage = load("process_usage", monkeypatch)
    assert usage._psutil_tree_rss(__import__("os").getpid()) > 0
