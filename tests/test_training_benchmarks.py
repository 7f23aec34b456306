"""The GPU benchmarks: a message and status 0 without CUDA, a loader measurement
that no epoch boundary interrupts, and a recipe sweep whose every entry is a valid config;
a training benchmark without its prepared dataset says so in one line."""

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


def load_sweep():
    path = BENCH.parent / "gpu_recipe_sweep.py"
    spec = importlib.util.spec_from_file_location("gpu_recipe_sweep_bench", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_recipe_of_the_sweep_is_a_valid_training_config(tmp_path):
    from training.config import config_from_dict

    sweep = load_sweep()
    for name in sweep.GRID:
        config = config_from_dict(sweep.config_for(name, tmp_path / "prepared", tmp_path, None, 2, "cuda"))
        config.validate()
        assert config.run_dir == str(tmp_path / name)
        for dotted, value in sweep.GRID[name].items():
            section, _, key = dotted.rpartition(".")
            assert getattr(getattr(config, section) if section else config, key) == value, (name, dotted)


def test_the_sweep_says_it_needs_a_gpu_and_exits_cleanly(monkeypatch, capsys, tmp_path):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    assert load_sweep().main(["--manifest", str(tmp_path), "--out", str(tmp_path / "out")]) == 0
    assert "no CUDA GPU" in capsys.readouterr().out


def test_combined_gallery_without_a_prepared_dataset_says_so_in_one_line(tmp_path):
    """It printed load_manifest's traceback, as the other benchmarks do not."""
    spec = importlib.util.spec_from_file_location("combined_gallery_bench", BENCH.parent / "combined_gallery.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    with pytest.raises(SystemExit, match="is not a prepared dataset; run `make default-model` first"):
        module.main(["--manifest", str(tmp_path)])
