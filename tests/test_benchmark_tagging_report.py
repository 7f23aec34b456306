"""benchmarks/tagging.py reports a CLI run that printed nothing, or failed, as a failure
with its exit code and stderr, never as a time that met its goal."""

from __future__ import annotations

import importlib.util
from pathlib import Path

BENCH = Path(__file__).resolve().parents[1] / "benchmarks" / "tagging.py"


def load_benchmark():
    import sys

    if str(BENCH.parent) not in sys.path:  # as when run as a script: its folder is on sys.path
        sys.path.insert(0, str(BENCH.parent))
    spec = importlib.util.spec_from_file_location("tagging_bench", BENCH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run(lines: int, exit_code: int, stop_s: float | None = None) -> dict:
    return {"first_result_s": 0.05, "lines": lines, "seconds": 0.04, "exit_code": exit_code,
            "stop_after_ctrl_c_s": stop_s, "peak_rss_mb": 0.0, "stderr": ["landmark-tagger: error: index busy"]}


def test_a_run_with_no_line_is_a_failure_with_its_exit_code_and_stderr():
    line, ok = load_benchmark().cli_run_line("CLI retag", run(0, -9))
    assert not ok
    assert "FAILED, exit -9" in line and "index busy" in line and "goal" not in line


def test_a_run_that_exited_non_zero_is_a_failure_though_it_printed_lines():
    assert load_benchmark().cli_run_line("CLI retag", run(11, 1))[1] is False


def test_a_good_run_and_one_stopped_by_the_benchmarks_ctrl_c_count():
    bench = load_benchmark()
    line, ok = bench.cli_run_line("CLI retag", run(220, 0))
    assert ok and line == "CLI retag: first result after 0.05 s (goal < 3)"
    assert bench.cli_run_line("scale", run(200, 130, stop_s=0.2))[1] is True
    assert bench.cli_run_line("CLI retag", run(200, 130))[1] is False  # a Ctrl-C it did not send
