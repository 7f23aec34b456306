"""The GPU benchmark: a message and status 0 without CUDA, and a loader measurement
that no epoch boundary interrupts."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

torch = pytest.importorskip("torch")
BENCH = Path(__file__).resolve().parents[1] / "benchmarks" / "gpu_train.py"


def load_benchmark():
    spec = importlib.util.spec_from_file_location("gpu_train_bench", BENCH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_gpu_benchmark_exits_cleanly_without_a_gpu(monkeypatch, capsys):
    module = load_benchmark()
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    assert module.main([]) == 0
    assert "no CUDA GPU" in capsys.readouterr().out


def test_the_loader_is_timed_over_one_long_epoch_of_fresh_permutations():
    from training.data import EpochSampler

    labels = [0, 0, 1, 1, 2]
    sampler = load_benchmark().LongEpochSampler(EpochSampler(labels, seed=3), length=12)
    items = list(sampler)
    assert len(items) == len(sampler) == 12
    positions = [p for p, _ in items]
    assert sorted(positions[:5]) == sorted(positions[5:10]) == list(range(5))
    assert positions[:5] != positions[5:10]  # each pass is its own permutation
    assert [e for _, e in items] == [0] * 5 + [1] * 5 + [2] * 2
