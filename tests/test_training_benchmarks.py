"""The GPU benchmark leaves a machine without CUDA with a message and status 0."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

torch = pytest.importorskip("torch")
BENCH = Path(__file__).resolve().parents[1] / "benchmarks" / "gpu_train.py"


def test_gpu_benchmark_exits_cleanly_without_a_gpu(monkeypatch, capsys):
    spec = importlib.util.spec_from_file_location("gpu_train_bench", BENCH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    assert module.main([]) == 0
    assert "no CUDA GPU" in capsys.readouterr().out
